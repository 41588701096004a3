/**
 * What `--metrics` costs: 4 KiB random READ and GETATTR at queue depth 16 over RPC, against
 * two servers in child processes that differ only in `metrics` (on / off), measured in
 * alternating rounds in one run. Prints the median ops/s of each and the ratio on/off.
 *
 *   node bench/dist/src/metrics-cost.js [--seconds N] [--rounds N] [--control]
 *
 * The machine is shared and noisy: compare the ratio, not the absolute figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** user + system CPU milliseconds of a process so far (Linux /proc). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // fields 14 and 15 (utime, stime) in clock ticks; rest[0] is field 3
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
}
const CLK_TCK = 100;

async function measureCount(seconds: number, op: (i: number) => Promise<unknown>): Promise<{ perSecond: number; count: number }> {
  const start = performance.now();
  const perSecond = await measure(seconds, op);
  return { perSecond, count: Math.round(perSecond * ((performance.now() - start) / 1000)) };
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

const seconds = arg('--seconds', 0.5);
const rounds = arg('--rounds', 20);
const root = mkdtempSync(join(tmpdir(), 'nfsts-bench-metrics-'));
writeFileSync(join(root, 'data.bin'), randomBytes(FILE_SIZE));
const targets: Array<{ name: string; child: ChildProcess; nfs: NfsClient; read: (i: number) => Promise<unknown>; getattr: () => Promise<unknown> }> = [];
try {
  // --control: both servers without metrics (an A/A run shows what the two slots differ by anyway)
  const control = process.argv.includes('--control');
  for (const metrics of [false, !control]) {
    const { url, child } = await startChild(root, metrics);
    const nfs = await connect(url, { localio: false });
    const h = await nfs.open('/data.bin', 'r');
    const bufs = Array.from({ length: QD }, () => Buffer.alloc(4096));
    const blocks = FILE_SIZE / 4096;
    const rootArgs = { object: { data: nfs.rootFh } };
    targets.push({
      name: targets.length === 1 ? 'metrics on' : 'metrics off', child, nfs,
      read: (i) => h.read(bufs[i % QD]!, 0, 4096, ((i * 7919) % blocks) * 4096),
      getattr: () => nfs.raw.getattr(rootArgs),
    });
  }
  // The machine is shared: throughput swings by 10x within seconds. So each round measures
  // the two servers back to back (order alternating) and keeps the ratio of that pair, and
  // each server's CPU time per operation is read from /proc (far less sensitive to load).
  for (const t of targets) await measure(0.5, t.read); // warm up
  const rows: string[] = [];
  for (const [what, pick] of [['READ 4 KiB random', (t: (typeof targets)[number]) => t.read], ['GETATTR', (t: (typeof targets)[number]) => () => t.getattr()]] as const) {
    const ratios: number[] = [];
    const ops: Record<string, number[]> = { off: [], on: [] };
    const cpu: Record<string, number[]> = { off: [], on: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      const got: number[] = [0, 0];
      for (const i of order) {
        const t = targets[i]!;
        const c0 = cpuMs(t.child.pid!);
        const o = await measureCount(seconds, pick(t));
        const c1 = cpuMs(t.child.pid!);
        got[i] = o.perSecond;
        const key = i === 0 ? 'off' : 'on';
        ops[key]!.push(o.perSecond);
        cpu[key]!.push(((c1 - c0) * 1000) / o.count);
      }
      ratios.push(got[1]! / got[0]!);
    }
    rows.push(`| ${what} | ${Math.round(median(ops.off!))} | ${Math.round(median(ops.on!))} | ${median(ratios).toFixed(3)} | ${median(cpu.off!).toFixed(1)} | ${median(cpu.on!).toFixed(1)} | ${(median(cpu.on!) / median(cpu.off!)).toFixed(3)} |`);
  }
  console.log(`4 KiB QD ${QD} over RPC, servers in child processes, ${rounds} rounds of ${seconds} s per server, medians${control ? ' (CONTROL: "on" is a second server without metrics)' : ''}\n`);
  console.log('| workload | ops/s off | ops/s on | on/off (median of paired rounds) | server CPU µs/op off | on | on/off |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  for (const t of targets) {
    await t.nfs.close();
    t.child.kill('SIGTERM');
  }
  rmSync(root, { recursive: true, force: true });
}
