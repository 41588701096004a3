/**
 * NFS client benchmark: 4 KiB random-read IOPS at queue depth 1 and 16, and 1 MiB
 * sequential read/write MB/s, through @nfsts/client (RPC transport).
 *
 *   node bench/dist/src/client-rpc.js [nfs://host/export?...] [--seconds N] [--size MiB]
 *
 * With a URL it measures that server; without one it starts what it can here: this
 * project's server (startServer from @nfsts/server, in a child process) and nfs-ganesha (via
 * the test harness).
 * Numbers are medians of nothing: one run, compare ratios within a run.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// bench/package.json does not depend on @nfsts/client, @nfsts/server or the test helpers (not
// this file's to change), and bench may build before them: load their built output by path
// at run time, typed by the small local interfaces below.
interface Handle {
  read(b: Buffer, off: number, len: number, pos: number): Promise<{ bytesRead: number }>;
  write(b: Buffer, off: number, len: number, pos: number): Promise<unknown>;
  sync(): Promise<void>;
  close(): Promise<void>;
}
interface Client {
  rsize: number;
  wsize: number;
  writeFile(p: string, d: Buffer): Promise<void>;
  open(p: string, flags: string): Promise<Handle>;
  unlink(p: string): Promise<void>;
  close(): Promise<void>;
}
interface ClientModule { connect(url: string): Promise<Client> }
interface ChildServerModule { startChildServer(root: string, state: string): Promise<{ url: string; stop(): Promise<void> }> }
interface GaneshaModule { startGanesha(): Promise<{ skip: string } | { url: string; stop(): Promise<void> }> }

const here = import.meta.url;
const load = async <T>(rel: string): Promise<T> => (await import(new URL(rel, here).href)) as T;

interface Target { name: string; url: string; stop(): Promise<void> }

function args(): { url: string | undefined; seconds: number; sizeMiB: number } {
  const a = process.argv.slice(2);
  let url: string | undefined;
  let seconds = 3;
  let sizeMiB = 256;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--seconds') seconds = Number(a[++i]);
    else if (a[i] === '--size') sizeMiB = Number(a[++i]);
    else url = a[i];
  }
  return { url, seconds, sizeMiB };
}

async function targets(url: string | undefined): Promise<Target[]> {
  if (url !== undefined) return [{ name: 'given URL', url, stop: async () => {} }];
  const out: Target[] = [];
  try {
    // our server in a child process, so it does not share this event loop with the client
    const mod = (await load('../../../packages/server/dist/src/index.js')) as { startServer?: unknown };
    if (typeof mod.startServer === 'function') {
      const child = await load<ChildServerModule>('../../../test/dist/src/client-child-server.js');
      const base = mkdtempSync(join(tmpdir(), 'nfsts-bench-'));
      mkdirSync(join(base, 'root'));
      mkdirSync(join(base, 'state'));
      const s = await child.startChildServer(join(base, 'root'), join(base, 'state'));
      out.push({ name: 'nfsts server (child process)', url: s.url, stop: async () => { await s.stop(); rmSync(base, { recursive: true, force: true }); } });
    } else {
      console.log('# nfsts server: skipped (startServer not available)');
    }
  } catch (err) {
    console.log(`# nfsts server: skipped (${(err as Error).message})`);
  }
  try {
    const g = await load<GaneshaModule>('../../../test/dist/src/ganesha.js');
    const r = await g.startGanesha();
    if ('skip' in r) console.log(`# nfs-ganesha: skipped (${r.skip})`);
    else out.push({ name: 'nfs-ganesha', url: r.url, stop: () => r.stop() });
  } catch (err) {
    console.log(`# nfs-ganesha: skipped (${(err as Error).message})`);
  }
  return out;
}

async function run(lib: ClientModule, t: Target, seconds: number, sizeMiB: number): Promise<void> {
  const c = await lib.connect(t.url);
  const path = `/nfsts-bench-${process.pid}.bin`;
  try {
    const size = sizeMiB * 1024 * 1024;
    const data = randomBytes(size);
    let t0 = performance.now();
    await c.writeFile(path, data);
    const writeMBs = size / 1e6 / ((performance.now() - t0) / 1000);
    console.log(`${t.name}: rsize ${c.rsize} wsize ${c.wsize}`);
    console.log(`${t.name}: writeFile ${sizeMiB} MiB (UNSTABLE + COMMIT)     ${writeMBs.toFixed(0)} MB/s`);

    const h = await c.open(path, 'r+');
    const blocks = size / 4096;
    for (const qd of [1, 16]) {
      let ops = 0;
      const end = performance.now() + seconds * 1000;
      await Promise.all(Array.from({ length: qd }, async () => {
        const buf = Buffer.allocUnsafe(4096);
        while (performance.now() < end) {
          await h.read(buf, 0, 4096, Math.floor(Math.random() * blocks) * 4096);
          ops++;
        }
      }));
      console.log(`${t.name}: 4 KiB random read, QD ${String(qd).padEnd(2)}              ${Math.round(ops / seconds)} IOPS`);
    }

    const mib = Buffer.allocUnsafe(1024 * 1024);
    let bytes = 0;
    t0 = performance.now();
    for (let pos = 0; pos < size; pos += mib.length) bytes += (await h.read(mib, 0, mib.length, pos)).bytesRead;
    console.log(`${t.name}: 1 MiB sequential read, QD 1              ${(bytes / 1e6 / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s`);

    const big = Buffer.allocUnsafe(16 * 1024 * 1024);
    bytes = 0;
    t0 = performance.now();
    for (let pos = 0; pos < size; pos += big.length) bytes += (await h.read(big, 0, big.length, pos)).bytesRead;
    console.log(`${t.name}: 16 MiB reads (rsize pieces in parallel)  ${(bytes / 1e6 / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s`);

    t0 = performance.now();
    for (let pos = 0; pos < size; pos += mib.length) await h.write(data.subarray(pos, pos + mib.length), 0, mib.length, pos);
    await h.sync();
    console.log(`${t.name}: 1 MiB sequential write + COMMIT, QD 1    ${(size / 1e6 / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s`);
    await h.close();
    await c.unlink(path);
  } finally {
    await c.close();
  }
}

const { url, seconds, sizeMiB } = args();
const lib = await load<ClientModule>('../../../packages/client/dist/src/index.js');
const list = await targets(url);
for (const t of list) {
  try {
    await run(lib, t, seconds, sizeMiB);
  } catch (err) {
    console.log(`${t.name}: failed: ${(err as Error).message}`);
  } finally {
    await t.stop();
  }
}
