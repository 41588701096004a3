import t from 'tap';
import { LatencyHistogram, BUCKETS } from '../src/suite/histogram.js';
import { parseSuiteArgs, SuiteOptionError, DEFAULT_QD, QUICK } from '../src/suite/options.js';
import { planCells } from '../src/suite/run.js';
import { checkTargets, combineJobs, computeRatios, renderMarkdown, type Report } from '../src/suite/report.js';
import { renderSvg } from '../src/suite/svg.js';
import { TARGETS, WORKLOADS, type Cell, type JobResult, type TargetId } from '../src/suite/types.js';

t.test('histogram: percentiles within a bucket width, merge and transfer', async (t) => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(i * 1000); // 1 µs … 1 ms, uniform
  const near = (got: number, want: number, what: string): void => { t.ok(Math.abs(got / want - 1) < 0.05, `${what}: ${got} ≈ ${want}`); };
  near(h.percentile(0.5), 500_000, 'p50');
  near(h.percentile(0.99), 990_000, 'p99');
  const g = new LatencyHistogram(h.toArray());
  t.equal(g.total, 1000);
  g.record(5e9, 1000); // 5 s
  t.equal(g.total, 2000);
  near(g.percentile(0.99), 5e9, 'p99 after a slow half');
  h.merge(g);
  t.equal(h.total, 3000);
  t.ok(Number.isNaN(new LatencyHistogram().percentile(0.5)), 'empty: NaN');
  t.throws(() => new LatencyHistogram([1, 2]), RangeError);
  t.equal(h.toArray().length, BUCKETS);
});

t.test('options: defaults, quick, and errors that name the option', async (t) => {
  const d = parseSuiteArgs([]);
  t.same(d.qd, DEFAULT_QD);
  t.same(d.targets, [...TARGETS]);
  t.same(d.workloads, [...WORKLOADS]);
  t.equal(d.sizeMiB, 256);
  const q = parseSuiteArgs(['--quick', '--seconds', '1']);
  t.equal(q.sizeMiB, QUICK.sizeMiB);
  t.equal(q.seconds, 1, 'explicit options override quick');
  const o = parseSuiteArgs(['--targets', 'localio,direct', '--qd', '16,1,16', '--jobs', '2', '--size', '64', '--out', '/x', '--results-md', '/y.md']);
  t.same(o.targets, ['localio', 'direct']);
  t.same(o.qd, [1, 16], 'sorted, deduplicated');
  t.same([o.jobs, o.sizeMiB, o.out, o.resultsMd], [[2], 64, '/x', '/y.md']);
  for (const [argv, prop] of [
    [['--seconds', 'x'], 'seconds'], [['--size', '0'], 'size'], [['--size', '1.5'], 'size'], [['--targets', 'nfsd'], 'targets'],
    [['--workloads', ''], 'workloads'], [['--qd', '0'], 'qd'], [['--bogus', '1'], 'bogus'], [['--out'], 'out'], [['--name', 'a/b'], 'name'],
  ] as Array<[string[], string]>) {
    let err: unknown;
    try { parseSuiteArgs(argv); } catch (e) { err = e; }
    t.ok(err instanceof SuiteOptionError && err.property === prop && err.message.startsWith(`--${prop} `), `${argv.join(' ')} names --${prop}: ${String(err)}`);
  }
});

t.test('plan: direct-sync only at QD 1, metadata only on NFS targets, no duplicates', async (t) => {
  const cells = planCells({ workloads: [...WORKLOADS], targets: [...TARGETS], qd: [8, 16], jobs: [1, 2] });
  const keys = cells.map((c) => `${c.workload}|${c.target}|${c.qd}|${c.jobs}`);
  t.equal(new Set(keys).size, keys.length);
  t.ok(cells.filter((c) => c.target === 'direct-sync').every((c) => c.qd === 1));
  t.equal(cells.filter((c) => c.target === 'direct-sync').length, 5 * 2, 'every I/O workload, every job count');
  t.ok(cells.filter((c) => c.target !== 'direct-sync').every((c) => c.qd !== 1), 'others only at the asked depths');
  const meta = cells.filter((c) => ['getattr', 'lookup', 'create-remove', 'readdirplus'].includes(c.workload));
  t.same([...new Set(meta.map((c) => c.target))].sort(), ['ganesha', 'rpc-child', 'rpc-same']);
  t.same([...new Set(meta.map((c) => c.qd))], [8, 16]);
  t.same([...new Set(meta.map((c) => c.jobs))], [1]);
});

function job(ops: number, units: number, ms: number, latNs: number): JobResult {
  const h = new LatencyHistogram();
  h.record(latNs, ops);
  return { ops, units, elapsedMs: ms, hist: h.toArray() };
}

t.test('combineJobs: rates add up over jobs; a failed job fails the cell', async (t) => {
  const base = { workload: 'randread-4k', target: 'localio', qd: 1, jobs: 2 } as const;
  const c = combineJobs(base, [job(1000, 4_096_000, 1000, 10_000), job(3000, 12_288_000, 2000, 20_000)]);
  t.equal(c.opsPerSec, 1000 + 1500);
  t.equal(c.mbPerSec, 4.096 + 6.144);
  t.equal(c.ops, 4000);
  t.ok(c.p50us! > 19 && c.p50us! < 21, `p50 ${c.p50us} µs from the slower job's 3000 ops`);
  t.equal(combineJobs(base, [job(1, 1, 1, 1), { ...job(0, 0, 0, 1), error: 'boom' }]).error, 'boom');
  t.match(combineJobs(base, [job(0, 0, 1000, 1)]).error, /no operation completed/);
  const rd = combineJobs({ ...base, workload: 'readdirplus' }, [job(10, 100_000, 1000, 1e6)]);
  t.equal(rd.entriesPerSec, 100_000);
  t.equal(rd.mbPerSec, undefined);
});

function cell(target: TargetId, workload: Cell['workload'], qd: number, jobs: number, opsPerSec: number, mbPerSec = opsPerSec / 100): Cell {
  return { target, workload, qd, jobs, opsPerSec, mbPerSec, p50us: 10, p99us: 20, ops: opsPerSec, seconds: 1 };
}

t.test('targets and ratios: met, missed by how much, not measured', async (t) => {
  const cells: Cell[] = [
    cell('direct-sync', 'randread-4k', 1, 1, 1_000_000),
    cell('localio', 'randread-4k', 1, 1, 400_000),
    cell('rpc-child', 'randread-4k', 1, 1, 10_000),
    cell('ganesha', 'randread-4k', 1, 1, 20_000),
    cell('direct', 'randread-4k', 16, 1, 300_000),
    cell('localio', 'randread-4k', 16, 1, 290_000),
    cell('rpc-child', 'seqread-1m', 1, 1, 500, 500),
    { target: 'ganesha', workload: 'seqread-1m', qd: 1, jobs: 1, skip: 'no ganesha' },
  ];
  const res = checkTargets(cells, [1]);
  const by = (s: string): ReturnType<typeof checkTargets>[number] => res.find((x) => x.goal.includes(s))!;
  t.match(by('½ of the fs.readSync'), { status: 'missed', shortBy: '20% short (reaches 80% of the target)' });
  t.match(by('90% of direct'), { status: 'met' });
  t.match(by('20× our RPC'), { status: 'met', measured: 2 });
  t.match(by('random-read IOPS ≥ nfs-ganesha (QD 1'), { status: 'missed', shortBy: /^50% short/ });
  t.match(by('sequential read MB/s'), { status: 'not measured', detail: /ganesha not measured/ });
  const ratios = computeRatios(cells);
  t.equal(ratios.find((r) => r.name === 'LOCALIO / RPC other process' && r.qd === 1)!.value, 40);
  t.equal(ratios.find((r) => r.name === 'RPC other process (ours) / RPC ganesha' && r.qd === 1)!.value, 0.5);
  t.notOk(ratios.some((r) => r.workload === 'seqread-1m' && r.name.includes('ganesha')), 'no ratio against a skipped cell');
});

t.test('Markdown and SVG name the machine and show every cell', async (t) => {
  const cells: Cell[] = [
    cell('direct', 'randread-4k', 1, 1, 30_000),
    cell('localio', 'randread-4k', 1, 1, 25_000),
    { target: 'ganesha', workload: 'randread-4k', qd: 1, jobs: 1, skip: 'ganesha <needs> root & more' },
    { target: 'rpc-child', workload: 'randread-4k', qd: 1, jobs: 1, error: 'ECONNREFUSED | x' },
    cell('rpc-same', 'getattr', 1, 1, 9000),
  ];
  const report: Report = {
    title: 't', command: 'node bench/dist/src/suite.js', totalSeconds: 1, skippedTargets: { ganesha: 'ganesha <needs> root & more' },
    machine: { cpus: 2, cpuModel: 'CPU <x>', memoryGiB: 4, os: 'Linux', node: 'v20', uvThreadpoolSize: '4', commit: 'abc123', dirty: true, dirtyPaths: ['packages/x.ts'], date: '2026-01-01T00:00:00Z' },
    options: { quick: false, seconds: 1, rampSeconds: 0, sizeMiB: 1, targets: [], workloads: [], qd: [1], jobs: [1], dirEntries: 1 },
    cells, ratios: computeRatios(cells), targets: checkTargets(cells, [1]),
  };
  const md = renderMarkdown(report, 'results/latest.svg');
  t.match(md, '2 × CPU <x>');
  t.match(md, '`abc123` (with uncommitted changes in packages/x.ts)');
  t.match(md, '![ops/s or MB/s per workload and target (log scale)](results/latest.svg)');
  t.match(md, 'skipped: ganesha <needs> root & more');
  t.match(md, 'error: ECONNREFUSED \\| x', 'a pipe in a note does not break the table');
  t.match(md, '| 4 KiB random read | 1 | 1 | 0.83× |', 'LOCALIO / direct ratio');
  const svg = renderSvg(report);
  t.notMatch(svg, /<needs>|CPU <x>/, 'text is escaped');
  t.match(svg, 'CPU &lt;x&gt;');
  t.equal((svg.match(/<rect [^>]*fill="#[0-9a-f]{6}"><title>/g) ?? []).length, 3, 'one bar per measured cell');
  t.equal((svg.match(/>×<title>/g) ?? []).length, 2, 'a mark for the skipped and the failed cell');
  t.equal((svg.match(/<svg/g) ?? []).length, (svg.match(/<\/svg>/g) ?? []).length);
});

t.test('profile summary: self time by function and file, V8 specials apart', async (t) => {
  const { summarise } = await import('../src/suite/profile-summary.js');
  const frame = (functionName: string, url: string, lineNumber = 0): { functionName: string; url: string; lineNumber: number } => ({ functionName, url, lineNumber });
  const s = summarise({
    startTime: 0, endTime: 100,
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 4] },
      { id: 2, callFrame: frame('(idle)', '') },
      { id: 3, callFrame: frame('readInto', 'file:///w/packages/client/dist/src/engine.js', 56) },
      { id: 4, callFrame: frame('read', '') },
    ],
    samples: [2, 3, 3, 4, 4, 4, 4, 4, 4, 4],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
  });
  t.equal(s.totalMs, 10);
  t.same(s.special, [{ name: '(idle)', ms: 1, share: 0.1 }]);
  t.same(s.functions.map((f) => [f.name, f.share]), [['read (native):1', 0.7], ['readInto client/src/engine.js:57', 0.2]]);
  t.same(s.files.map((f) => f.name), ['(native)', 'client/src/engine.js']);
});
