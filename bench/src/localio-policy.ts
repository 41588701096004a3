/**
 * The evidence for LocalioTransport's sync-or-threadpool rule: 4 KiB random reads from the
 * page cache through `NfsFileHandle.read` at QD 1 and 16, with the transport's policy as
 * shipped, with every read synchronous, and with every read through the threadpool, side by
 * side in one process (two rounds, so a loaded machine shows its noise), next to direct
 * callback `fs.read`. Prints IOPS and the share of reads that ran synchronously.
 *
 *   node bench/dist/src/localio-policy.js [--ms N]     (N per cell, default 700)
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from '@nfsts/client';
import { startServer } from '@nfsts/server';

const BLOCK = 4096;
const BLOCKS = 4096; // a 16 MiB file

type Policy = Record<string, number>;
const POLICIES: Array<[string, Policy]> = [
  ['policy', {}],
  ['all sync', { syncReadsPerTurn: 1e9, syncBudgetUs: 1e9, slowSyncReadUs: 1e9 }],
  ['all pool', { syncReadMaxBytes: 0 }],
];

async function lanes(qd: number, ms: number, op: (buf: Buffer, pos: number) => Promise<unknown>): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: qd }, async (_, lane) => {
    const buf = Buffer.alloc(BLOCK);
    let x = lane + 1;
    while (performance.now() - t0 < ms) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      await op(buf, ((x >>> 0) % BLOCKS) * BLOCK);
      n++;
    }
  }));
  return Math.round(n / ((performance.now() - t0) / 1000));
}

async function main(ms: number): Promise<void> {
  const base = fs.mkdtempSync(join(tmpdir(), 'nfsts-bench-policy-'));
  const root = join(base, 'root');
  fs.mkdirSync(root);
  fs.writeFileSync(join(root, 'f'), Buffer.alloc(BLOCKS * BLOCK, 1));
  const server = await startServer({ exports: [{ path: '/export', root, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1', portmap: false });
  const c = await connect(server.url);
  const h = await c.open('/f', 'r');
  const fd = fs.openSync(join(root, 'f'), 'r');
  const shipped = { ...c.localio.options };
  // the options object is the transport's parsed copy: set per cell, restored after
  const opts = c.localio.options as unknown as Record<string, number>;
  const fsRead = (b: Buffer, p: number): Promise<number> => new Promise((res, rej) => fs.read(fd, b, 0, BLOCK, p, (e, n) => (e ? rej(e) : res(n))));
  try {
    if (!c.isLocal) console.log('# warning: the client is not local');
    console.log(`# 4 KiB random reads, ${ms} ms per cell, IOPS (share synchronous)`);
    for (let round = 1; round <= 2; round++) {
      for (const qd of [1, 16]) {
        const cells = [`round ${round} QD ${String(qd).padStart(2)}`, `direct ${await lanes(qd, ms, fsRead)}`];
        for (const [name, p] of POLICIES) {
          Object.assign(opts, shipped, p);
          const s0 = c.stats();
          const iops = await lanes(qd, ms, (b, pos) => h.read(b, 0, BLOCK, pos));
          const s1 = c.stats();
          cells.push(`${name} ${iops} (${Math.round((100 * (s1.readsSync - s0.readsSync)) / Math.max(1, s1.readsLocal - s0.readsLocal))}%)`);
        }
        Object.assign(opts, shipped);
        console.log(cells.join('  '));
      }
    }
  } finally {
    fs.closeSync(fd);
    await h.close();
    await c.close();
    await server.close();
    fs.rmSync(base, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const ms = args[0] === '--ms' ? Number(args[1]) : 700;
if (!(ms > 0) || (args.length > 0 && args.length !== 2)) {
  console.error('usage: localio-policy.js [--ms N]');
  process.exit(2);
}
main(ms).catch((err: unknown) => { console.error(err); process.exitCode = 1; });
