import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSoakArgs, SoakOptionError, DEFAULT_CALLS, DEFAULT_CONNECTIONS, QUICK } from '../src/soak/options.js';
import type { SoakResult } from '../src/soak/report.js';

const soak = fileURLToPath(new URL('../src/soak.js', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [soak, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test('options: the issue\'s scale by default, --quick tiny, errors name the option', async (t) => {
  const d = parseSoakArgs([]);
  t.same([d.connections, d.calls, d.phases], [DEFAULT_CONNECTIONS, DEFAULT_CALLS, ['connections', 'calls']]);
  const q = parseSoakArgs(['--quick', '--calls', '500', '--phases', 'calls']);
  t.same([q.connections, q.calls, q.phases], [QUICK.connections, 500, ['calls']]);
  t.same(parseSoakArgs(['--server-node-args', ' --max-semi-space-size=8  --expose-gc']).serverNodeArgs, ['--max-semi-space-size=8', '--expose-gc']);
  for (const [argv, prop] of [[['--server-node-args', 'x'], 'server-node-args'], [['--calls', '1.5'], 'calls'], [['--phases', 'x'], 'phases'], [['--warmup', '1'], 'warmup'], [['--md'], 'md'], [['--bogus', '1'], 'bogus']] as Array<[string[], string]>) {
    let err: unknown;
    try { parseSoakArgs(argv); } catch (e) { err = e; }
    t.ok(err instanceof SoakOptionError && err.property === prop && err.code === 'ERR_BENCH_INVALID_OPTION', `${argv.join(' ')} names --${prop}: ${String(err)}`);
  }
});

// A smoke run, not a memory test: the soak runs both phases against a real server in a child
// process and reports RSS samples and a verdict per target; what the numbers are is not asserted.
t.test('--quick: both phases run against a child server and report RSS, calls and verdicts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-soak-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = await run(['--quick', '--json', join(dir, 'soak.json'), '--md', join(dir, 'soak.md')]);
  t.equal(r.code, 0, `exit code (stderr: ${r.stderr.slice(-2000)})`);
  const res = JSON.parse(readFileSync(join(dir, 'soak.json'), 'utf8')) as SoakResult;
  t.same(res.phases.map((p) => p.id), ['connections', 'calls']);
  const [conns, calls] = res.phases as [SoakResult['phases'][number], SoakResult['phases'][number]];
  t.ok(conns.calls >= 2 * QUICK.connections, `every connection made a GETATTR + READ loop at least (${conns.calls} calls)`);
  t.equal(calls.calls, QUICK.calls, 'the calls phase made exactly the calls asked for');
  for (const p of res.phases) {
    t.ok(p.samples.length >= 2 && p.samples.every((s) => s.rssMiB > 0), `${p.id}: RSS samples (${p.samples.length})`);
    t.ok(p.peakMiB > 0, `${p.id}: a peak`);
    t.ok(p.samples.every((s) => s.heapTotalMiB! > 0 && s.newSpaceMiB! > 0 && s.oldUsedMiB! > 0), `${p.id}: the server's V8 heap beside every RSS sample`);
    t.match(p.verdict, { status: /^(met|missed)$/, reduced: String }, `${p.id}: a verdict, marked as a reduced run`);
  }
  t.ok(calls.warmupAt! >= 0 && calls.warmupAt! < calls.samples.length, 'a sample marks the end of warm-up');
  t.ok(res.fullRunEstimateSeconds! > 0, 'an estimate of the full run');
  t.equal((r.stdout.match(/^# verdict (met|MISSED): /gm) ?? []).length, 2, 'one verdict line per target');
  t.match(r.stdout, /^connections {2}t +[\d.]+ s {2}rss +[\d.]+ MiB/m, 'RSS over time is printed');
  t.match(r.stdout, /^calls {8}t +[\d.]+ s {2}rss +[\d.]+ MiB {2}heap after GC +(-|[\d.]+) MiB \(\d+ major\) {2}old gen +[\d.]+ MiB {2}V8 heap +[\d.]+ MiB \(young \d+\)/m, 'the heap after GC is printed next to RSS');
  const md = readFileSync(join(dir, 'soak.md'), 'utf8');
  t.match(md, /^## Memory soak\n/);
  t.match(md, '### RSS over time: 2,000 calls on one connection');
  t.match(md, '| s | RSS | old gen. after GC | old gen. | V8 heap | young gen. | calls |');
});

t.test('bad options exit 2 and name the option', async (t) => {
  const r = await run(['--connections', 'many']);
  t.equal(r.code, 2);
  t.match(r.stderr, /--connections must be an integer/);
  t.match(r.stderr, /usage:/);
});
