/**
 * What `--metrics` costs: 4 KiB random READ and GETATTR at queue depth 16 over RPC, against
 * two servers in child processes that differ only in `metrics` (on / off), measured in
 * alternating rounds in one run. Prints the median ops/s of each and the ratio on/off.
 *
 *   node bench/dist/src/metrics-cost.js [--seconds N] [--rounds N]
 *
 * The machine is shared and noisy: compare the ratio, not the absolute figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NfsClient } from '@nfsts/client';

const serverModule = fileURLToPath(new URL('../../../packages/server/dist/src/index.js', import.meta.url));
const QD = 16;
const FILE_SIZE = 64 * 1024 * 1024;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function startChild(root: string, metrics: boolean): Promise<{ url: string; child: ChildProcess }> {
  const code = `
    import { startServer } from ${JSON.stringify(serverModule)};
    const s = await startServer({ exports: [{ path: '/export', root: ${JSON.stringify(root)}, options: 'rw,no_root_squash' }], port: 0${metrics ? ", metrics: '127.0.0.1:0'" : ''} });
    console.log(s.url);
    process.on('SIGTERM', () => s.close().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').once('data', (d: string) => resolve(d.trim()));
    child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  return { url, child };
}

/** Runs `op` with QD in flight for `seconds`; returns ops per second. */
async function measure(seconds: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: QD }, async (_, lane) => {
    for (let i = lane; performance.now() < end; i += QD) {
      await op(i);
      done++;
    }
  }));
  return done / ((performance.now() - start) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const seconds = arg('--seconds', 2);
const rounds = arg('--rounds', 5);
const root = mkdtempSync(join(tmpdir(), 'nfsts-bench-metrics-'));
writeFileSync(join(root, 'data.bin'), randomBytes(FILE_SIZE));
const targets: Array<{ name: string; child: ChildProcess; nfs: NfsClient; read: (i: number) => Promise<unknown>; getattr: () => Promise<unknown> }> = [];
try {
  for (const metrics of [false, true]) {
    const { url, child } = await startChild(root, metrics);
    const nfs = await connect(url, { localio: false });
    const h = await nfs.open('/data.bin', 'r');
    const bufs = Array.from({ length: QD }, () => Buffer.alloc(4096));
    const blocks = FILE_SIZE / 4096;
    const rootArgs = { object: { data: nfs.rootFh } };
    targets.push({
      name: metrics ? 'metrics on' : 'metrics off', child, nfs,
      read: (i) => h.read(bufs[i % QD]!, 0, 4096, ((i * 7919) % blocks) * 4096),
      getattr: () => nfs.raw.getattr(rootArgs),
    });
  }
  const results: Record<string, { read: number[]; getattr: number[] }> = {};
  for (const t of targets) results[t.name] = { read: [], getattr: [] };
  for (const t of targets) await measure(0.5, t.read); // warm up
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) results[t.name]!.read.push(await measure(seconds, t.read));
    for (const t of order) results[t.name]!.getattr.push(await measure(seconds, () => t.getattr()));
  }
  const off = results['metrics off']!;
  const on = results['metrics on']!;
  const row = (what: string, a: number[], b: number[]): string =>
    `| ${what} | ${Math.round(median(a))} | ${Math.round(median(b))} | ${(median(b) / median(a)).toFixed(3)} |`;
  console.log(`4 KiB QD ${QD} over RPC, server in a child process, ${rounds} alternating rounds of ${seconds} s, medians (ops/s)\n`);
  console.log('| workload | metrics off | metrics on | on / off |');
  console.log('|---|---|---|---|');
  console.log(row('READ 4 KiB random', off.read, on.read));
  console.log(row('GETATTR', off.getattr, on.getattr));
  console.log(`\nrounds (off / on): READ ${off.read.map(Math.round).join(' ')} / ${on.read.map(Math.round).join(' ')}; GETATTR ${off.getattr.map(Math.round).join(' ')} / ${on.getattr.map(Math.round).join(' ')}`);
} finally {
  for (const t of targets) {
    await t.nfs.close();
    t.child.kill('SIGTERM');
  }
  rmSync(root, { recursive: true, force: true });
}
