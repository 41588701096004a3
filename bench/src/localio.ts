/**
 * LOCALIO benchmark: 4 KiB random-read and random-write IOPS at queue depth 1 and 16, in one
 * run and one process, for
 *  - direct `fs` on the exported file (the ceiling: callback `fs.read`/`fs.write` with QD
 *    operations in flight, plus a `fs.readSync` loop row for reads at depth 1),
 *  - LOCALIO: an @nfsts/client whose server (startServer, same process) bound it, through
 *    the client's file-handle API (`handle.read`/`handle.write`),
 *  - RPC: the same API with `localio: false`, over loopback TCP to the same server,
 * with the ratios LOCALIO/direct and LOCALIO/RPC; then 1 MiB sequential writes at QD 1 (op
 * `seqwrite 1M`, IOPS = MiB/s), the same three ways.
 *
 *   node bench/dist/src/localio.js [--seconds N | --ops N] [--size MiB]
 *
 * `--seconds` is per row (default 1; fractions allowed); `--ops` instead bounds each row by
 * work, N operations per lane, so a test can check the counts whatever the machine's load;
 * `--size` the file size (default 64
 * MiB; it is read once first, so reads come from the page cache). Writes are UNSTABLE, as the
 * client sends them; the handle's COMMIT (fsync) after each write row is not timed, so the
 * direct `fs.write` rows (no fsync) compare like with like. Numbers are one run: compare
 * ratios within a run, not across machines.
 */
import fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, type NfsClient, type NfsFileHandle } from '@nfsts/client';
import { startServer } from '@nfsts/server';

export const DEFAULT_SECONDS = 1;
export const DEFAULT_SIZE_MIB = 64;
const BLOCK = 4096;

export interface LocalioBenchOptions {
  seconds: number;
  sizeMiB: number;
  /** when set, each row runs this many operations per lane instead of `seconds` */
  ops?: number;
}

export interface Row {
  path: 'direct fs' | 'direct fs (readSync)' | 'LOCALIO' | 'RPC';
  op: 'read' | 'write' | 'seqwrite 1M';
  qd: number;
  iops: number;
}

export function parseArgs(argv: string[]): LocalioBenchOptions {
  const o: LocalioBenchOptions = { seconds: DEFAULT_SECONDS, sizeMiB: DEFAULT_SIZE_MIB };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = Number(argv[i + 1]);
    if (a === '--seconds') {
      if (!(v > 0 && v <= 3600)) throw new Error(`--seconds: expected a number of seconds > 0, got ${argv[i + 1]}`);
      o.seconds = v;
      i++;
    } else if (a === '--ops') {
      if (!(Number.isInteger(v) && v > 0)) throw new Error(`--ops: expected a whole number of operations > 0, got ${argv[i + 1]}`);
      o.ops = v;
      i++;
    } else if (a === '--size') {
      if (!(Number.isInteger(v) && v >= 1 && v <= 65536)) throw new Error(`--size: expected whole MiB from 1 to 65536, got ${argv[i + 1]}`);
      o.sizeMiB = v;
      i++;
    } else {
      throw new Error(`unknown argument ${a} (usage: localio.js [--seconds N | --ops N] [--size MiB])`);
    }
  }
  return o;
}

/** xorshift32 per lane: block-aligned random positions without Math.random's cost */
function positions(seed: number, blocks: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return ((x >>> 0) % blocks) * BLOCK;
  };
}

/** Whether a lane that has done `done` operations goes on: until the deadline, or `o.ops` of them. */
function goesOn(o: LocalioBenchOptions, end: number, done: number): boolean {
  return o.ops !== undefined ? done < o.ops : performance.now() < end;
}

/** Runs `qd` lanes of `op` until the deadline (or `o.ops` each); returns operations per second. */
async function lanes(qd: number, o: LocalioBenchOptions, op: (buf: Buffer, pos: number) => Promise<unknown>, blocks: number): Promise<number> {
  const end = performance.now() + o.seconds * 1000;
  let ops = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: qd }, async (_, lane) => {
    const next = positions(0x9e3779b9 ^ (lane + 1) * 7919, blocks);
    const buf = Buffer.alloc(BLOCK, lane);
    for (let done = 0; goesOn(o, end, done); done++) {
      await op(buf, next());
      ops++;
    }
  }));
  return ops / ((performance.now() - t0) / 1000);
}

const fsRead = (fd: number, buf: Buffer, pos: number): Promise<number> =>
  new Promise((resolve, reject) => fs.read(fd, buf, 0, buf.length, pos, (err, n) => (err ? reject(err) : resolve(n))));
const fsWriteBuf = (fd: number, buf: Buffer, pos: number): Promise<number> =>
  new Promise((resolve, reject) => fs.write(fd, buf, 0, buf.length, pos, (err, n) => (err ? reject(err) : resolve(n))));
const fsWrite = (fd: number, buf: Buffer, pos: number): Promise<number> =>
  new Promise((resolve, reject) => fs.write(fd, buf, 0, buf.length, pos, (err, n) => (err ? reject(err) : resolve(n))));

function readSyncLoop(fd: number, o: LocalioBenchOptions, blocks: number): number {
  const next = positions(12345, blocks);
  const buf = Buffer.alloc(BLOCK);
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  let ops = 0;
  while (goesOn(o, end, ops)) {
    for (let k = 0; k < 64; k++) fs.readSync(fd, buf, 0, BLOCK, next());
    ops += 64;
  }
  return ops / ((performance.now() - t0) / 1000);
}

/** Measures every row; `print` gets each line as it is ready. */
export async function runLocalioBench(o: LocalioBenchOptions, print: (line: string) => void = console.log): Promise<Row[]> {
  const base = mkdtempSync(join(tmpdir(), 'nfsts-bench-localio-'));
  const root = join(base, 'root');
  fs.mkdirSync(root);
  const size = o.sizeMiB * 1024 * 1024;
  const blocks = size / BLOCK;
  const file = join(root, 'bench.bin');
  {
    const fd = fs.openSync(file, 'w');
    const chunk = Buffer.alloc(1024 * 1024);
    for (let off = 0; off < size; off += chunk.length) {
      for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((off + i) >>> 0, i);
      fs.writeSync(fd, chunk, 0, chunk.length, off);
    }
    fs.closeSync(fd);
    fs.readFileSync(file); // into the page cache
  }
  const rows: Row[] = [];
  const row = (r: Row): void => {
    rows.push(r);
    print(`${r.path.padEnd(22)} ${r.op.padEnd(5)} QD ${String(r.qd).padStart(2)}  ${Math.round(r.iops).toString().padStart(9)} IOPS`);
  };
  const server = await startServer({ exports: [{ path: '/export', root, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1', portmap: false });
  const clients: NfsClient[] = [];
  const handles: NfsFileHandle[] = [];
  const fd = fs.openSync(file, 'r+');
  try {
    print(`# LOCALIO bench: 4 KiB random I/O on a ${o.sizeMiB} MiB file (page cache), ${o.ops !== undefined ? `${o.ops} operations per lane` : `${o.seconds} s`} per row, client and server in one process`);
    const local = await connect(server.url);
    clients.push(local);
    const rpc = await connect(server.url, { localio: false });
    clients.push(rpc);
    if (!local.isLocal) print('# warning: the LOCALIO client is not local; its rows measure RPC');
    const hl = await local.open('/bench.bin', 'r+');
    const hr = await rpc.open('/bench.bin', 'r+');
    handles.push(hl, hr);
    for (const op of ['read', 'write'] as const) {
      for (const qd of [1, 16]) {
        row({ path: 'direct fs', op, qd, iops: await lanes(qd, o, (b, p) => (op === 'read' ? fsRead(fd, b, p) : fsWrite(fd, b, p)), blocks) });
        if (op === 'read' && qd === 1) row({ path: 'direct fs (readSync)', op, qd, iops: readSyncLoop(fd, o, blocks) });
        for (const [path, h] of [['LOCALIO', hl], ['RPC', hr]] as const) {
          row({ path, op, qd, iops: await lanes(qd, o, (b, p) => (op === 'read' ? h.read(b, 0, BLOCK, p) : h.write(b, 0, BLOCK, p)), blocks) });
          if (op === 'write') await h.sync(); // COMMIT what the row wrote (untimed)
        }
      }
    }
    const s = local.stats();
    const big = Buffer.alloc(1024 * 1024, 7);
    let seqPos = 0;
    const nextSeq = (): number => { const p = seqPos; seqPos = (seqPos + big.length) % size; return p; };
    row({ path: 'direct fs', op: 'seqwrite 1M', qd: 1, iops: await lanes(1, o, () => fsWriteBuf(fd, big, nextSeq()), blocks) });
    for (const [path, h] of [['LOCALIO', hl], ['RPC', hr]] as const) {
      row({ path, op: 'seqwrite 1M', qd: 1, iops: await lanes(1, o, () => h.write(big, 0, big.length, nextSeq()), blocks) });
      await h.sync();
    }
    print(`# LOCALIO client: ${s.readsLocal} local reads (${s.readsSync} synchronous), ${s.writesLocal} local writes, ${s.commitsLocal} local commits, ${s.readsRpc + s.writesRpc + s.commitsRpc} by RPC, ${s.fallbacks} fallbacks`);
    const get = (path: Row['path'], op: Row['op'], qd: number): number => rows.find((r) => r.path === path && r.op === op && r.qd === qd)?.iops ?? NaN;
    for (const op of ['read', 'write', 'seqwrite 1M'] as const) {
      for (const qd of op === 'seqwrite 1M' ? [1] : [1, 16]) {
        const l = get('LOCALIO', op, qd);
        print(`ratio ${op.padEnd(5)} QD ${String(qd).padStart(2)}  LOCALIO/direct ${(l / get('direct fs', op, qd)).toFixed(2)}  LOCALIO/RPC ${(l / get('RPC', op, qd)).toFixed(2)}`);
      }
    }
  } finally {
    for (const h of handles) await h.close().catch(() => {});
    for (const c of clients) await c.close().catch(() => {});
    fs.closeSync(fd);
    await server.close();
    rmSync(base, { recursive: true, force: true });
  }
  return rows;
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${fs.realpathSync(process.argv[1])}`).href;
if (isMain) {
  let opts: LocalioBenchOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  runLocalioBench(opts).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
