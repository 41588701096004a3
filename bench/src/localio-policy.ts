/**
 * The evidence for LocalioTransport's sync-or-threadpool rule: random reads and UNSTABLE
 * writes of 4 KiB, 128 KiB and 1 MiB on a file in the page cache through `NfsFileHandle`,
 * at QD 1 and 16, with the transport's policy as shipped, with every operation synchronous,
 * and with every operation through the threadpool, side by side in one process, next to direct
 * callback `fs.read`/`fs.write`. The cells of a row run one after another, and the rows over
 * again `--rounds` times: on a loaded machine a cell swings 2x between rounds, so the table
 * is the median per cell: IOPS, the process's CPU time per operation (all threads, the pool's
 * too: the figure a loaded machine disturbs least) and the share of operations that ran
 * synchronously.
 *
 *   node bench/dist/src/localio-policy.js [--ms N] [--rounds R] [--sizes 4,128,1024] [--ops read,write]
 *
 * (N ms per cell, default 250; R default 5; sizes in KiB)
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from '@nfsts/client';
import { startServer } from '@nfsts/server';

const FILE_BYTES = 64 * 1024 * 1024;

type Policy = Record<string, number>;
const POLICIES: Array<[string, Policy]> = [
  ['policy', {}],
  ['all sync', { syncReadMaxBytes: 1 << 30, syncReadsPerTurn: 1e9, syncBudgetUs: 1e9, slowSyncReadUs: 1e9, largeOpBytes: 1 << 30 }],
  ['all pool', { syncReadMaxBytes: 0 }],
];

interface Cell { iops: number; cpuUs: number }

/** IOPS, and CPU µs per operation of the whole process (every thread: the pool's too) */
async function lanes(qd: number, ms: number, bs: number, op: (buf: Buffer, pos: number) => Promise<unknown>): Promise<Cell> {
  let n = 0;
  const blocks = FILE_BYTES / bs;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: qd }, async (_, lane) => {
    const buf = Buffer.alloc(bs, lane);
    let x = lane + 1;
    while (performance.now() - t0 < ms) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      await op(buf, ((x >>> 0) % blocks) * bs);
      n++;
    }
  }));
  const iops = Math.round(n / ((performance.now() - t0) / 1000));
  const c = process.cpuUsage(c0);
  return { iops, cpuUs: (c.user + c.system) / Math.max(1, n) };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function main(ms: number, rounds: number, sizes: number[], ops: Array<'read' | 'write'>): Promise<void> {
  const base = fs.mkdtempSync(join(tmpdir(), 'nfsts-bench-policy-'));
  const root = join(base, 'root');
  fs.mkdirSync(root);
  fs.writeFileSync(join(root, 'f'), Buffer.alloc(FILE_BYTES, 1));
  const server = await startServer({ exports: [{ path: '/export', root, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1', portmap: false });
  const c = await connect(server.url);
  const h = await c.open('/f', 'r+');
  const fd = fs.openSync(join(root, 'f'), 'r+');
  const shipped = { ...c.localio.options };
  // the options object is the transport's parsed copy: set per cell, restored after
  const opts = c.localio.options as unknown as Record<string, number>;
  try {
    if (!c.isLocal) console.log('# warning: the client is not local');
    console.log(`# random I/O in the page cache, ${ms} ms per cell, median of ${rounds} rounds: IOPS, process CPU per operation (share synchronous)`);
    const table = new Map<string, Map<string, { iops: number[]; cpu: number[]; sync: number[] }>>();
    for (let round = 1; round <= rounds; round++) {
      for (const op of ops) {
        for (const kib of sizes) {
          const bs = kib * 1024;
          const direct = op === 'read'
            ? (b: Buffer, p: number): Promise<number> => new Promise((res, rej) => fs.read(fd, b, 0, bs, p, (e, n) => (e ? rej(e) : res(n))))
            : (b: Buffer, p: number): Promise<number> => new Promise((res, rej) => fs.write(fd, b, 0, bs, p, (e, n) => (e ? rej(e) : res(n))));
          const local = op === 'read' ? (b: Buffer, p: number): Promise<unknown> => h.read(b, 0, bs, p) : (b: Buffer, p: number): Promise<unknown> => h.write(b, 0, bs, p);
          for (const qd of [1, 16]) {
            const row = `${op.padEnd(5)} ${String(kib).padStart(4)} KiB QD ${String(qd).padStart(2)}`;
            const cols = table.get(row) ?? new Map<string, { iops: number[]; cpu: number[]; sync: number[] }>();
            table.set(row, cols);
            const cell = (name: string, r: Cell, sync: number): void => {
              const c = cols.get(name) ?? { iops: [], cpu: [], sync: [] };
              cols.set(name, c);
              c.iops.push(r.iops);
              c.cpu.push(r.cpuUs);
              c.sync.push(sync);
            };
            cell('direct', await lanes(qd, ms, bs, direct), 0);
            for (const [name, p] of POLICIES) {
              Object.assign(opts, shipped, p);
              const s0 = c.stats();
              const r = await lanes(qd, ms, bs, local);
              const s1 = c.stats();
              const sync = op === 'read' ? s1.readsSync - s0.readsSync : s1.writesSync - s0.writesSync;
              const all = op === 'read' ? s1.readsLocal - s0.readsLocal : s1.writesLocal - s0.writesLocal;
              cell(name, r, Math.round((100 * sync) / Math.max(1, all)));
            }
            Object.assign(opts, shipped);
            if (op === 'write') await h.sync();
          }
        }
      }
      process.stderr.write(`# round ${round} of ${rounds} done\n`);
    }
    for (const [row, cols] of table) {
      const cpu = (c: { cpu: number[] }): string => `${median(c.cpu).toFixed(1)} µs`;
      const cells = [...cols].map(([name, c]) => (name === 'direct' ? `direct ${median(c.iops)} ${cpu(c)}` : `${name} ${median(c.iops)} ${cpu(c)} (${median(c.sync)}%)`));
      console.log(`${row}  ${cells.join('  ')}`);
    }
  } finally {
    fs.closeSync(fd);
    await h.close();
    await c.close();
    await server.close();
    fs.rmSync(base, { recursive: true, force: true });
  }
}

function usage(): never {
  console.error('usage: localio-policy.js [--ms N] [--rounds R] [--sizes 4,128,1024] [--ops read,write]');
  process.exit(2);
}

const args = process.argv.slice(2);
let ms = 250;
let rounds = 5;
let sizes = [4, 128, 1024];
let ops: Array<'read' | 'write'> = ['read', 'write'];
for (let i = 0; i < args.length; i += 2) {
  const v = args[i + 1];
  if (v === undefined) usage();
  if (args[i] === '--ms') ms = Number(v);
  else if (args[i] === '--rounds') rounds = Number(v);
  else if (args[i] === '--sizes') sizes = v.split(',').map(Number);
  else if (args[i] === '--ops') ops = v.split(',') as Array<'read' | 'write'>;
  else usage();
}
if (!(ms > 0) || !(Number.isInteger(rounds) && rounds >= 1) || sizes.some((k) => !(Number.isInteger(k) && k >= 1 && k <= 16384)) || ops.some((o) => o !== 'read' && o !== 'write')) usage();
main(ms, rounds, sizes, ops).catch((err: unknown) => { console.error(err); process.exitCode = 1; });
