import t from 'tap';
import { LatencyHistogram, BUCKETS } from '../src/suite/histogram.js';
import { parseSuiteArgs, SuiteOptionError, DEFAULT_QD, DEFAULT_WARMUP_SECONDS, QUICK } from '../src/suite/options.js';
import { planCells, planWarmups } from '../src/suite/run.js';
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
  t.equal(d.serverMetrics, undefined, 'server metrics: the default (on)');
  const m = parseSuiteArgs(['--server-metrics', 'off', '--soak', 's.json']);
  t.same([m.serverMetrics, m.soak], [false, 's.json']);
  t.equal(d.warmupSeconds, DEFAULT_WARMUP_SECONDS, 'a warm-up by default');
  t.equal(q.warmupSeconds, 0, 'none in a quick run');
  t.equal(parseSuiteArgs(['--quick', '--warmup', '0.5']).warmupSeconds, 0.5);
  for (const [argv, prop] of [
    [['--seconds', 'x'], 'seconds'], [['--size', '0'], 'size'], [['--size', '1.5'], 'size'], [['--targets', 'nfsd'], 'targets'],
    [['--workloads', ''], 'workloads'], [['--qd', '0'], 'qd'], [['--bogus', '1'], 'bogus'], [['--out'], 'out'], [['--name', 'a/b'], 'name'],
    [['--server-metrics', 'yes'], 'server-metrics'], [['--soak'], 'soak'], [['--warmup', '-1'], 'warmup'],
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
  t.ok(cells.filter((c) => c.target !== 'direct-sync' && !c.target.startsWith('libnfs-')).every((c) => c.qd !== 1), 'others only at the asked depths');
  const libnfs = cells.filter((c) => c.target.startsWith('libnfs-'));
  t.same([...new Set(libnfs.map((c) => `${c.qd}/${c.jobs}`))], ['1/1', '16/1'], 'libnfs: QD 1 and the deepest, the fewest jobs');
  t.equal(libnfs.length, 5 * 2 * 2, 'libnfs: every I/O workload, two depths, two targets');
  const meta = cells.filter((c) => ['getattr', 'lookup', 'create-remove', 'readdirplus'].includes(c.workload));
  t.same([...new Set(meta.map((c) => c.target))].sort(), ['ganesha', 'rpc-child', 'rpc-same'], 'libnfs has no metadata cells');
  t.same([...new Set(meta.map((c) => c.qd))], [8, 16]);
  t.same([...new Set(meta.map((c) => c.jobs))], [1]);
});

t.test('warm-up plan: each workload once at QD 1 on each server target that runs, none when off', async (t) => {
  const w = planWarmups({ workloads: ['randread-4k', 'getattr'], targets: [...TARGETS], warmupSeconds: 1 }, { ganesha: 'not installed' });
  t.same(w.map((c) => `${c.workload}|${c.target}|${c.qd}|${c.jobs}`), [
    'randread-4k|rpc-same|1|1', 'randread-4k|rpc-child|1|1', 'getattr|rpc-same|1|1', 'getattr|rpc-child|1|1',
  ], 'the servers only (the libnfs targets share them), a skipped one left out');
  t.same(planWarmups({ workloads: ['randread-4k'], targets: ['direct', 'localio'], warmupSeconds: 1 }), [], 'no server target: no warm-up');
  t.same(planWarmups({ workloads: ['randread-4k'], targets: [...TARGETS], warmupSeconds: 0 }), [], '--warmup 0: none');
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

t.test('per-procedure latency: one call per op from the cell histogram, several from the jobs\' timers, none off RPC', async (t) => {
  const { clientProcs, ProcTimer } = await import('../src/suite/proc-latency.js');
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(i * 1000);
  const [read] = clientProcs('randread-4k', 'libnfs-child', [{ ...job(1000, 0, 1, 1), maxNs: 1_000_000 }], h);
  t.match(read, { proc: 'READ', side: 'client', calls: 1000 });
  t.ok(Math.abs(read!.p999us / 999 - 1) < 0.05 && read!.maxUs === 1000, `p99.9 ${read!.p999us} µs, max ${read!.maxUs} µs`);
  t.same(clientProcs('randread-4k', 'localio', [job(1, 0, 1, 1)], h), [], 'LOCALIO has no procedures');
  t.equal(clientProcs('getattr', 'rpc-child', [], h)[0]!.proc, 'GETATTR');
  const timer = new ProcTimer();
  timer.record('CREATE', performance.now());
  t.same(Object.keys(timer.toRecord()), [], 'before the window nothing is recorded');
  timer.from = 0;
  timer.record('CREATE', performance.now() - 2);
  timer.record('REMOVE', performance.now() - 1);
  timer.record('REMOVE', performance.now() - 1);
  const procs = clientProcs('create-remove', 'rpc-child', [{ ...job(1, 0, 1, 1), procs: timer.toRecord() }, { ...job(1, 0, 1, 1), procs: timer.toRecord() }], h);
  t.same(procs.map((p) => [p.proc, p.calls]), [['CREATE', 2], ['REMOVE', 4]], 'jobs merge per procedure');
  t.ok(procs[0]!.p50us > 1000 && procs[0]!.p50us <= procs[0]!.maxUs, 'a percentile never exceeds the max');
  // combineJobs attaches them
  const c = combineJobs({ workload: 'randwrite-4k', target: 'rpc-child', qd: 1, jobs: 1 }, [job(10, 40960, 1000, 50_000)]);
  t.match(c.procs, [{ proc: 'WRITE', side: 'client', calls: 10 }]);
});

t.test('server metrics: bucket deltas per procedure, reported as bucket upper bounds', async (t) => {
  const { parseServerMetrics, serverProcs } = await import('../src/suite/server-metrics.js');
  const text = (read: number[], getattr: number): string => [
    '# TYPE nfsts_rpc_duration_seconds histogram',
    ...['0.00005', '0.0001', '0.00025', '+Inf'].map((le, i) => `nfsts_rpc_duration_seconds_bucket{program="nfs",version="3",procedure="READ",le="${le}"} ${read[i]}`),
    ...['0.00005', '0.0001', '0.00025', '+Inf'].map((le) => `nfsts_rpc_duration_seconds_bucket{program="nfs",version="3",procedure="GETATTR",le="${le}"} ${getattr}`),
    `nfsts_rpc_duration_seconds_bucket{program="mount",version="3",procedure="MNT",le="+Inf"} 5`,
    'nfsts_rpc_duration_seconds_sum{program="nfs",version="3",procedure="READ"} 1',
  ].join('\n');
  const before = parseServerMetrics(text([10, 10, 10, 10], 1));
  t.same(before.bounds, [0.00005, 0.0001, 0.00025, Infinity]);
  t.same([...before.procs.keys()], ['READ', 'GETATTR'], 'NFS only');
  // 1000 more READs: 900 ≤ 50 µs, 95 in (50, 100], 4 in (100, 250], 1 slower
  const after = parseServerMetrics(text([910, 1005, 1009, 1010], 2));
  const procs = serverProcs(before, after);
  t.same(procs.map((p) => p.proc), ['READ'], 'GETATTR (1 call of 1001) is below the share shown');
  t.match(procs[0], { side: 'server', calls: 1000, bucketed: true, p50us: 50, p99us: 100, p999us: 250, maxUs: Infinity });
  t.same(serverProcs(undefined, undefined), []);
  t.equal(serverProcs(undefined, after, 0).length, 2, 'no earlier snapshot: everything since the start');
});

t.test('report: the libnfs ratio column, the QD 1 procedure table and the soak section', async (t) => {
  const { callsVerdict, connectionsVerdict } = await import('../src/soak/report.js');
  const cells: Cell[] = [
    { ...cell('libnfs-child', 'randread-4k', 1, 1, 5000), procs: [
      { proc: 'READ', side: 'client', calls: 12_500, p50us: 47, p99us: 2300, p999us: 9000, maxUs: 20_000 },
      { proc: 'READ', side: 'server', calls: 13_000, p50us: 50, p99us: 2500, p999us: 10_000, maxUs: Infinity, bucketed: true },
    ] },
    cell('libnfs-ganesha', 'randread-4k', 1, 1, 10_000),
    { ...cell('rpc-same', 'randread-4k', 1, 2, 9000), procs: [{ proc: 'READ', side: 'client', calls: 1, p50us: 1, p99us: 1, p999us: 1, maxUs: 1 }] },
    { ...cell('rpc-child', 'randread-4k', 16, 1, 9000), procs: [{ proc: 'READ', side: 'client', calls: 1, p50us: 1, p99us: 1, p999us: 1, maxUs: 1 }] },
  ];
  const samples = [0, 1, 2, 3, 4].map((i) => ({ t: i, rssMiB: [60, 80, 81, 84, 82][i]!, calls: i * 1000 }));
  const report: Report = {
    title: 't', command: 'c', totalSeconds: 1, skippedTargets: {},
    machine: { cpus: 2, cpuModel: 'x', memoryGiB: 4, os: 'Linux', node: 'v20', uvThreadpoolSize: '4', commit: 'abc', dirty: false, dirtyPaths: [], date: 'd' },
    options: { quick: false, seconds: 1, rampSeconds: 0, sizeMiB: 1, targets: [], workloads: [], qd: [1], jobs: [1], dirEntries: 1 },
    cells, ratios: computeRatios(cells), targets: checkTargets(cells, [1]),
    soak: {
      machine: { cpus: 2, cpuModel: 'x', memoryGiB: 4, os: 'Linux', node: 'v20', uvThreadpoolSize: '4', commit: 'abc', dirty: false, dirtyPaths: [], date: 'd' },
      command: 'node bench/dist/src/soak.js', fullRunEstimateSeconds: 400,
      options: { quick: false, phases: ['connections', 'calls'], connections: 256, connectionSeconds: 60, calls: 4000, qd: 16, warmup: 0.1, sampleMs: 1000, limitMiB: 150, flatPercent: 10, fileMiB: 16 },
      phases: [
        { id: 'connections', title: '256 connections', samples, peakMiB: 112, calls: 5, seconds: 1, callsPerSec: 5, verdict: connectionsVerdict(112, 5, 1, { connections: 256, limitMiB: 150 }) },
        { id: 'calls', title: '4,000 calls', samples, peakMiB: 84, calls: 4000, seconds: 1, callsPerSec: 4000, warmupAt: 1, verdict: callsVerdict(samples, 1, { calls: 4000, flatPercent: 10 }) },
      ],
    },
  };
  t.equal(computeRatios(cells).find((r) => r.name.startsWith('libnfs'))!.value, 0.5);
  const md = renderMarkdown(report, undefined);
  t.match(md, "| workload | QD | jobs | libnfs client: ours (other process) / ganesha |\n|---|---|---|---|\n| 4 KiB random read | 1 | 1 | 0.50× |");
  t.match(md, '## Latency per NFS procedure at QD 1, 1 job\n');
  t.match(md, '| 4 KiB random read | libnfs-child | 1 | READ | client | 12,500 | 47 µs | 2.3 ms | 9.0 ms | 20 ms |');
  t.match(md, '| 4 KiB random read | libnfs-child | 1 | READ | server | 13,000 | ≤ 50 µs | ≤ 2.5 ms | ≤ 10 ms | > 10 s |');
  t.notMatch(md, /rpc-child \| 1 \| READ/, 'only QD 1 rows');
  t.notMatch(md, /rpc-same \| 2 \| READ/, 'only the fewest jobs');
  t.match(md, '## Memory soak');
  t.match(md, /\| 256 connections each looping GETATTR \+ 4 KiB READ: server RSS under 150 MiB \| \*\*met\*\* \| peak 112\.0 MiB/);
  // after warm-up: 80, 81, 84, 82: the last quarter's peak 82 against the first's 80
  t.match(md, /flat within 10% after warm-up \| \*\*met\*\* \(reduced run: 4,000 calls instead of 10,000,000\) \| growth \+2\.5% \(peak of the last quarter 82\.0 MiB against 80\.0 MiB of the first\) over 4 samples after 1,000 calls of warm-up; range 80\.0 MiB to 84\.0 MiB \(spread 5\.0%\)/);
  t.match(md, 'about 7 min');
  t.match(callsVerdict(samples, 0, { calls: 1e7, flatPercent: 10 }), { status: 'missed', detail: /growth \+36\.7%.*spread 40\.0%/ }, 'with the warm-up counted, 60 → 82');
  const saw = [90, 70, 90, 70, 90, 70, 90, 70].map((rssMiB, i) => ({ t: i, rssMiB, calls: i }));
  t.match(callsVerdict(saw, 0, { calls: 1e7, flatPercent: 10 }), { status: 'met', detail: /growth \+0\.0%.*spread 28\.6%/ }, 'a GC sawtooth is not growth');
  const leak = [70, 72, 74, 76, 78, 80, 82, 84].map((rssMiB, i) => ({ t: i, rssMiB, calls: i }));
  t.match(callsVerdict(leak, 0, { calls: 1e7, flatPercent: 10 }), { status: 'missed', detail: /growth \+16\.7%/ }, 'a steady climb is growth');
  t.match(connectionsVerdict(151, 1, 1, { connections: 256, limitMiB: 150 }), { status: 'missed' });
});
