// RPC throughput over loopback with our own server and client: calls/s at a given
// number of calls in flight, for 4 KiB and 1 MiB replies (a READ-like procedure whose
// payload goes out by reference). Prints numbers; asserts nothing.
//   node packages/rpc/dist/bench/throughput.js [seconds-per-case]
import { opaqueSize, type Codec } from '@nfsts/xdr';
import { RpcClient, RpcServer } from '../src/index.js';

const u32: Codec<number> = { size: () => 4, encode: (w, v) => w.u32(v), decode: (r) => r.u32() };
const opaque: Codec<Buffer> = { size: (v) => opaqueSize(v.length), encode: (w, v) => w.opaqueVar(v), decode: (r) => r.opaqueVar() };
const voidc: Codec<void> = { size: () => 0, encode: () => {}, decode: () => {} };

const payloads = new Map<number, Buffer>();
const seconds = Number(process.argv[2] ?? 2);

async function main(): Promise<void> {
  const server = new RpcServer({ maxInFlightPerConnection: 1024 });
  server.register({
    prog: 0x20000009, name: 'bench',
    versions: { 1: { procedures: {
      0: { name: 'NULL', args: voidc, res: voidc, handler: () => {} },
      1: { name: 'READ', args: u32, res: opaque, handler: (n: number) => {
        let b = payloads.get(n);
        if (b === undefined) payloads.set(n, (b = Buffer.alloc(n, 7)));
        return b;
      } },
      2: { name: 'READ_ASYNC', args: u32, res: opaque, handler: async (n: number) => payloads.get(n) ?? Buffer.alloc(n) },
    } } },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new RpcClient({ host: '127.0.0.1', port, maxRecordSize: 2 << 20 });
  await client.connect();

  const run = async (label: string, depth: number, one: () => Promise<unknown>, bytes: number) => {
    let done = 0;
    const end = Date.now() + seconds * 1000;
    const worker = async () => {
      while (Date.now() < end) {
        await one();
        done++;
      }
    };
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: depth }, worker));
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const rate = done / s;
    console.log(`${label.padEnd(28)} depth ${String(depth).padStart(3)}: ${(rate / 1000).toFixed(1).padStart(7)}k calls/s${bytes ? `  ${((rate * bytes) / 1e9).toFixed(2)} GB/s` : ''}`);
  };

  await run('NULL', 1, () => client.call(0x20000009, 1, 0, voidc, undefined, voidc), 0);
  await run('NULL', 64, () => client.call(0x20000009, 1, 0, voidc, undefined, voidc), 0);
  await run('READ 4 KiB (sync handler)', 64, () => client.call(0x20000009, 1, 1, u32, 4096, opaque), 4096);
  await run('READ 4 KiB (async handler)', 64, () => client.call(0x20000009, 1, 2, u32, 4096, opaque), 4096);
  await run('READ 1 MiB', 8, () => client.call(0x20000009, 1, 1, u32, 1 << 20, opaque), 1 << 20);
  await client.close();
  await server.close();
}

void main();
