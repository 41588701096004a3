import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cellId, DEFAULT_CELLS, missedCells, parseCell } from '../src/profile/cells.js';
import { parseProfileArgs, ProfileOptionError } from '../src/profile/options.js';
import { splitSides } from '../src/profile/run.js';
import type { Ratio } from '../src/suite/report.js';

const cli = fileURLToPath(new URL('../src/profile-cells.js', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test('cells: workload/target/qd/jobs, errors say what is wrong', async (t) => {
  t.same(parseCell('seqwrite-1m/rpc-child/16/2'), { workload: 'seqwrite-1m', target: 'rpc-child', qd: 16, jobs: 2 });
  for (const [spec, msg] of [['randread-4k/rpc-child/1', /form/], ['nope/rpc-child/1/1', /unknown workload/], ['getattr/nope/1/1', /unknown target/], ['getattr/rpc-child/0/1', /qd must/], ['getattr/rpc-child/1/x', /jobs must/]] as const) {
    t.throws(() => parseCell(spec), { code: 'ERR_BENCH_INVALID_CELL', message: msg }, spec);
  }
  t.ok(DEFAULT_CELLS.some((c) => cellId(c) === 'readdirplus/rpc-child/16/1') && DEFAULT_CELLS.some((c) => cellId(c) === 'randread-4k/localio/1/1'), 'the defaults hold the cells of issues 12 and 11');
});

t.test('--missed picks the cells under their target, worst first, with the side that explains them', async (t) => {
  const r = (name: string, workload: Ratio['workload'], qd: number, jobs: number, value: number): Ratio => ({ name, workload, qd, jobs, value });
  const ours = 'RPC other process (ours) / RPC ganesha';
  const cells = missedCells({
    ratios: [
      r(ours, 'randread-4k', 1, 1, 0.9), r(ours, 'randread-4k', 16, 1, 1.3), r(ours, 'seqread-1m', 8, 1, 1.2), r(ours, 'readdirplus', 16, 1, 0.2),
      r('LOCALIO / direct', 'randwrite-4k', 1, 1, 0.5), r('LOCALIO / direct', 'randread-4k', 1, 1, 0.2), r('LOCALIO / RPC same thread', 'randread-4k', 1, 1, 0.1),
    ],
  });
  t.same(cells.map(cellId), ['readdirplus/rpc-child/16/1', 'randwrite-4k/localio/1/1', 'randread-4k/rpc-child/16/1', 'randread-4k/rpc-child/1/1'],
    'met cells, ratios without a target and LOCALIO QD 1 reads against the callback API are left out; 4 KiB QD 16 needs 1.5×');
  t.match(cells[2]!.why, /1\.30× \(needs 1\.5×\)/);
  const qd1 = (localio: number): string[] => missedCells({
    ratios: [],
    cells: [{ workload: 'randread-4k', target: 'localio', qd: 1, jobs: 1, opsPerSec: localio }, { workload: 'randread-4k', target: 'direct-sync', qd: 1, jobs: 1, opsPerSec: 100 }],
  }).map(cellId);
  t.same([qd1(59), qd1(60)], [['randread-4k/localio/1/1'], []], 'LOCALIO QD 1 against the readSync loop needs 0.6× (a target, not a ratio of the report)');
});

t.test('options: --cells and --missed exclude each other, suite options pass through, errors name the option', async (t) => {
  const o = parseProfileArgs(['--cells', 'getattr/rpc-child/1/1,lookup/rpc-same/1/1', '--seconds', '1', '--size', '8']);
  t.same([o.cells.map(cellId), o.suiteArgs], [['getattr/rpc-child/1/1', 'lookup/rpc-same/1/1'], ['--seconds', '1', '--size', '8']]);
  const d = parseProfileArgs(['--limit', '3']);
  t.same([d.cells.length, d.suiteArgs], [3, ['--seconds', '5']], '--limit; 5 s per cell by default');
  for (const [argv, prop] of [[['--cells', 'a/b'], 'cells'], [['--cells', 'getattr/rpc-child/1/1', '--missed', 'x.json'], 'missed'], [['--missed', '/nonexistent.json'], 'missed'], [['--top', '0'], 'top'], [['--bogus', '1'], 'bogus']] as Array<[string[], string]>) {
    let err: unknown;
    try { parseProfileArgs(argv); } catch (e) { err = e; }
    t.ok(err instanceof ProfileOptionError && err.property === prop, `${argv.join(' ')} names --${prop}: ${String(err)}`);
  }
});

t.test('sides: each target\'s server profile is found where that server runs', async (t) => {
  const f = (pid: number, tid: number): { path: string; pid: number; tid: number } => ({ path: `p${pid}.${tid}`, pid, tid });
  const all = [f(10, 0), f(10, 1), f(10, 2), f(11, 0)];
  const paths = (x: unknown): unknown => (typeof x === 'string' ? 'none' : (x as Array<{ path: string }>).map((p) => p.path));
  t.same([paths(splitSides('rpc-child', 10, all).client), paths(splitSides('rpc-child', 10, all).server)], [['p10.1', 'p10.2'], ['p11.0']]);
  t.same(paths(splitSides('localio-worker', 10, all).server), ['p10.0'], 'LOCALIO from a worker: the server is the suite\'s main thread');
  t.same([paths(splitSides('libnfs-child', 10, all).client), paths(splitSides('ganesha', 10, all).server), paths(splitSides('localio', 10, all).server)], ['none', 'none', 'none']);
});

// A smoke run, not a performance test: one tiny cell really runs under the profiler, client
// and child-process server; what the profiles say is not asserted.
t.test('one tiny cell: the Markdown names it and both processes\' profiles, which exist', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-profile-cells-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const md = join(dir, 'profiles.md');
  const r = await run(['--cells', 'randread-4k/rpc-child/1/1', '--seconds', '0.2', '--ramp', '0.05', '--size', '8', '--top', '5', '--out', join(dir, 'prof'), '--md', md]);
  t.equal(r.code, 0, `exit code (output: ${(r.stdout + r.stderr).slice(-2000)})`);
  const text = readFileSync(md, 'utf8');
  t.match(text, '## 1. 4 KiB random read, QD 1, 1 job: `rpc-child`');
  t.match(text, `- **Profiles**: under \`${join(dir, 'prof')}\`; the cells name their files relative to it.`, 'the header names the profile directory');
  for (const side of ['client', 'server']) {
    const line = new RegExp(`^- ${side} profiles?(?: \\([^)]*\\))?: (.*)$`, 'm').exec(text);
    const files = [...(line?.[1] ?? '').matchAll(/`([^`]+\.cpuprofile)`/g)].map((m) => resolve(dir, 'prof', m[1]!));
    t.ok(files.length >= 1 && files.every((p) => existsSync(p)), `${side}: ${files.length} profile(s) named, each on disk`);
  }
  t.match(text, /\| idle \| [\d.]+% \| [\d.]+% \|/, 'idle shares of both processes side by side');
  t.match(text, /Top functions by self time:\n\n\| # \| client \| % \| server \| % \|\n\|[^\n]+\n\| 1 \| `[^`]+` \| [\d.]+% \| `[^`]+` \| [\d.]+% \|/, 'top functions of both, side by side');
});
