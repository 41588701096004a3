/**
 * The report: cells, the ratios that matter, the issue's targets with how far each is from
 * being met, and the Markdown rendering. JSON is the report object itself.
 */
import { renderFuseSection, type FuseSection } from '../fuse/section.js';
import { LatencyHistogram } from './histogram.js';
import { clientProcs } from './proc-latency.js';
import { renderSoakMarkdown, type SoakResult } from '../soak/report.js';
import type { SuiteOptions } from './options.js';
import {
  IO, META_TITLES, TARGETS, TARGET_TITLES, isIoWorkload,
  type Cell, type JobResult, type Machine, type TargetId, type WorkloadId,
} from './types.js';

export interface Ratio {
  name: string;
  workload: WorkloadId;
  qd: number;
  jobs: number;
  value: number;
}

export interface TargetCheck {
  /** what the issue asks for */
  goal: string;
  /** measured / required; met when >= 1 */
  measured?: number;
  required: number;
  /** the figures compared, for the reader */
  detail: string;
  status: 'met' | 'missed' | 'not measured';
  /** for a miss: how far below, in percent of what was required */
  shortBy?: string;
}

export interface Report {
  title: string;
  machine: Machine;
  options: Omit<SuiteOptions, 'out' | 'name' | 'resultsMd'>;
  command: string;
  totalSeconds: number;
  /** why whole targets were skipped */
  skippedTargets: Partial<Record<TargetId, string>>;
  cells: Cell[];
  ratios: Ratio[];
  targets: TargetCheck[];
  /** a memory soak run given with `--soak FILE` */
  soak?: SoakResult;
  /** the FUSE mounts (bench/src/fuse), when the run included them */
  fuse?: FuseSection;
}

/** Folds the jobs of one cell into the cell's figures. */
export function combineJobs(base: Pick<Cell, 'workload' | 'target' | 'qd' | 'jobs'>, results: JobResult[]): Cell {
  const failed = results.find((r) => r.error !== undefined);
  if (failed) return { ...base, error: failed.error! };
  const hist = new LatencyHistogram();
  let opsPerSec = 0;
  let unitsPerSec = 0;
  let ops = 0;
  let seconds = 0;
  for (const r of results) {
    hist.merge(new LatencyHistogram(r.hist));
    const s = r.elapsedMs / 1000;
    opsPerSec += r.ops / s;
    unitsPerSec += r.units / s;
    ops += r.ops;
    seconds = Math.max(seconds, s);
  }
  if (ops === 0) return { ...base, error: 'no operation completed inside the measured window' };
  const cell: Cell = { ...base, opsPerSec, ops, seconds, p50us: hist.percentile(0.5) / 1000, p99us: hist.percentile(0.99) / 1000 };
  if (isIoWorkload(base.workload)) cell.mbPerSec = unitsPerSec / 1e6;
  else if (base.workload === 'readdirplus') cell.entriesPerSec = unitsPerSec;
  const procs = clientProcs(base.workload, base.target, results, hist);
  if (procs.length > 0) cell.procs = procs;
  return cell;
}

function find(cells: Cell[], target: TargetId, workload: WorkloadId, qd: number, jobs: number): Cell | undefined {
  return cells.find((c) => c.target === target && c.workload === workload && c.qd === qd && c.jobs === jobs && c.opsPerSec !== undefined);
}

const RATIOS: Array<[string, TargetId, TargetId]> = [
  ['LOCALIO / direct', 'localio', 'direct'],
  ['LOCALIO / RPC same thread', 'localio', 'rpc-same'],
  ['LOCALIO from a worker / LOCALIO same thread', 'localio-worker', 'localio'],
  ['LOCALIO / RPC other process', 'localio', 'rpc-child'],
  ['RPC other process (ours) / RPC ganesha', 'rpc-child', 'ganesha'],
  ['RPC same thread (ours) / RPC ganesha', 'rpc-same', 'ganesha'],
  ['libnfs client: ours (other process) / ganesha', 'libnfs-child', 'libnfs-ganesha'],
];

export function computeRatios(cells: Cell[]): Ratio[] {
  const out: Ratio[] = [];
  const keys = new Map<string, Cell>();
  for (const c of cells) keys.set(`${c.workload}|${c.qd}|${c.jobs}`, c);
  for (const k of keys.values()) {
    for (const [name, a, b] of RATIOS) {
      const x = find(cells, a, k.workload, k.qd, k.jobs);
      const y = find(cells, b, k.workload, k.qd, k.jobs);
      if (x && y && y.opsPerSec! > 0) out.push({ name, workload: k.workload, qd: k.qd, jobs: k.jobs, value: x.opsPerSec! / y.opsPerSec! });
    }
  }
  return out;
}

function fmtNum(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function check(goal: string, required: number, a: Cell | undefined, b: Cell | undefined, aName: string, bName: string, metric: 'ops' | 'mb' = 'ops'): TargetCheck {
  const val = (c: Cell): number => (metric === 'mb' ? c.mbPerSec! : c.opsPerSec!);
  const unit = metric === 'mb' ? 'MB/s' : 'ops/s';
  if (!a || !b) {
    const missing = [!a ? aName : undefined, !b ? bName : undefined].filter(Boolean).join(' and ');
    return { goal, required, detail: `${missing} not measured in this run`, status: 'not measured' };
  }
  const ratio = val(a) / val(b);
  const measured = ratio / required;
  const detail = `${aName} ${fmtNum(val(a))} ${unit} vs ${bName} ${fmtNum(val(b))} ${unit}: ${ratio.toFixed(2)}× (needs ${required}×)`;
  if (measured >= 1) return { goal, required, measured, detail, status: 'met' };
  return { goal, required, measured, detail, status: 'missed', shortBy: `${((1 - measured) * 100).toFixed(0)}% short (reaches ${(measured * 100).toFixed(0)}% of the target)` };
}

/** The issue's targets, each against the cells this run has. */
export function checkTargets(cells: Cell[], jobsList: number[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const rr = 'randread-4k';
  out.push(check('LOCALIO 4 KiB random read, QD 1, 1 job ≥ ½ of the fs.readSync loop', 0.5,
    find(cells, 'localio', rr, 1, 1), find(cells, 'direct-sync', rr, 1, 1), 'LOCALIO QD1', 'readSync loop'));
  for (const j of jobsList) {
    out.push(check(`LOCALIO 4 KiB random read, QD 16, ${j} job${j > 1 ? 's' : ''} ≥ 90% of direct node:fs at QD 16`, 0.9,
      find(cells, 'localio', rr, 16, j), find(cells, 'direct', rr, 16, j), 'LOCALIO QD16', 'direct QD16'));
  }
  if (cells.some((c) => c.target === 'localio-worker')) {
    out.push(check('LOCALIO from a worker thread, 4 KiB random read, QD 16 ≥ 0.8× LOCALIO in the same thread', 0.8,
      find(cells, 'localio-worker', rr, 16, 1), find(cells, 'localio', rr, 16, 1), 'LOCALIO from a worker QD16', 'LOCALIO same thread QD16'));
  }
  out.push(check('LOCALIO 4 KiB random read, QD 1 ≥ 20× our RPC to a server in another process', 20,
    find(cells, 'localio', rr, 1, 1), find(cells, 'rpc-child', rr, 1, 1), 'LOCALIO QD1', 'RPC (other process) QD1'));
  const qds = [...new Set(cells.filter((c) => c.workload === rr).map((c) => c.qd))].sort((a, b) => a - b);
  for (const j of jobsList) {
    for (const qd of qds) {
      if (!cells.some((c) => c.workload === rr && c.qd === qd && c.jobs === j && (c.target === 'rpc-child' || c.target === 'ganesha'))) continue;
      out.push(check(`our RPC 4 KiB random-read IOPS ≥ nfs-ganesha (QD ${qd}, ${j} job${j > 1 ? 's' : ''})`, 1,
        find(cells, 'rpc-child', rr, qd, j), find(cells, 'ganesha', rr, qd, j), 'ours (other process)', 'ganesha'));
    }
  }
  for (const wl of ['seqread-1m', 'seqwrite-1m'] as const) {
    for (const j of jobsList) {
      for (const qd of qds) {
        if (!cells.some((c) => c.workload === wl && c.qd === qd && c.jobs === j && (c.target === 'rpc-child' || c.target === 'ganesha'))) continue;
        out.push(check(`our RPC ${IO[wl].title} MB/s ≥ nfs-ganesha (QD ${qd}, ${j} job${j > 1 ? 's' : ''})`, 1,
          find(cells, 'rpc-child', wl, qd, j), find(cells, 'ganesha', wl, qd, j), 'ours (other process)', 'ganesha', 'mb'));
      }
    }
  }
  return out;
}

export function workloadTitle(w: WorkloadId): string {
  return isIoWorkload(w) ? IO[w].title : META_TITLES[w];
}

function us(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '';
  return n >= 1000 ? `${(n / 1000).toFixed(n >= 10_000 ? 0 : 1)} ms` : `${n >= 10 ? n.toFixed(0) : n.toFixed(1)} µs`;
}

function cellText(c: Cell | undefined): string {
  if (c === undefined) return '';
  if (c.skip !== undefined) return 'skipped';
  if (c.error !== undefined) return 'error';
  return fmtNum(c.opsPerSec!);
}

/** The QD 1 cells' latency per NFS procedure, at the fewest jobs: the tail next to the median (issue 12). */
export function renderProcTable(cells: readonly Cell[]): string[] {
  const qd1 = cells.filter((c) => c.qd === 1 && c.procs !== undefined && c.procs.length > 0);
  const jobs = Math.min(...qd1.map((c) => c.jobs));
  const rows = qd1.filter((c) => c.jobs === jobs);
  if (rows.length === 0) return [];
  const L = [`## Latency per NFS procedure at QD 1, ${jobs} job${jobs > 1 ? 's' : ''}`, ''];
  L.push('Client side: timed by the load generator around each call (our client\'s raw procedures, or libnfs).',
    'Server side (`rpc-child` and `libnfs-child` only): our server\'s own histogram, dispatch to reply queued, counted',
    'over the whole cell (its ramp and setup too); its buckets are coarse, so each figure is the bucket\'s upper bound (≤).', '');
  L.push('| workload | target | jobs | procedure | side | calls | p50 | p99 | p99.9 | max |', '|---|---|---|---|---|---:|---:|---:|---:|---:|');
  for (const c of rows) {
    for (const p of c.procs!) {
      const f = (n: number): string => (p.bucketed === true ? (n === Infinity ? '> 10 s' : `≤ ${us(n)}`) : us(n));
      L.push(`| ${workloadTitle(c.workload)} | ${c.target} | ${c.jobs} | ${p.proc} | ${p.side} | ${p.calls.toLocaleString('en-US')} | ${f(p.p50us)} | ${f(p.p99us)} | ${f(p.p999us)} | ${p.maxUs > 0 ? f(p.maxUs) : ''} |`);
    }
  }
  L.push('');
  return L;
}

export function renderMarkdown(r: Report, chartHref: string | undefined): string {
  const m = r.machine;
  const L: string[] = [];
  L.push(`# ${r.title}`, '');
  L.push(`- **Machine**: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB memory, ${m.os}`);
  L.push(`- **Node** ${m.node}, UV_THREADPOOL_SIZE ${m.uvThreadpoolSize}`);
  L.push(`- **Commit** \`${m.commit}\`${m.dirty ? ` (with uncommitted changes in ${m.dirtyPaths.length > 8 ? `${m.dirtyPaths.slice(0, 8).join(', ')} and ${m.dirtyPaths.length - 8} more` : m.dirtyPaths.join(', ')})` : ''}, run ${m.date}`);
  const o = r.options;
  const warmup = (o.warmupSeconds ?? 0) > 0 ? `, after a ${o.warmupSeconds} s warm-up of each workload on each server (not recorded)` : '';
  L.push(`- **Run**: \`${r.command}\`; ${o.seconds} s measured after a ${o.rampSeconds} s ramp per cell${warmup}, ${o.sizeMiB} MiB file (page cache warm), queue depths ${o.qd.join('/')}, jobs ${o.jobs.join('/')}, ${o.dirEntries} directory entries; took ${Math.round(r.totalSeconds)} s${o.quick ? ' — **quick mode: a smoke run, the numbers mean nothing**' : ''}`);
  L.push('');
  if (chartHref !== undefined) L.push(`![ops/s or MB/s per workload and target (log scale)](${chartHref})`, '');
  L.push('## Targets');
  L.push('');
  const skipped = Object.entries(r.skippedTargets);
  if (skipped.length > 0) {
    for (const [t, why] of skipped) L.push(`- target \`${t}\` skipped: ${why}`);
    L.push('');
  }
  L.push('| goal | status | measured |', '|---|---|---|');
  for (const t of r.targets) L.push(`| ${t.goal} | ${t.status === 'met' ? '**met**' : t.status === 'missed' ? `**missed**: ${t.shortBy}` : 'not measured'} | ${t.detail} |`);
  L.push('');
  L.push('## Ratios (ops/s over ops/s)', '');
  const names = RATIOS.map(([n]) => n).filter((n) => r.ratios.some((x) => x.name === n));
  const rows = [...new Set(r.ratios.map((x) => `${x.workload}|${x.qd}|${x.jobs}`))];
  if (names.length > 0) {
    L.push(`| workload | QD | jobs | ${names.join(' | ')} |`, `|---|---|---|${names.map(() => '---').join('|')}|`);
    for (const k of rows) {
      const [w, qd, jobs] = k.split('|') as [WorkloadId, string, string];
      const vals = names.map((n) => {
        const x = r.ratios.find((y) => y.name === n && `${y.workload}|${y.qd}|${y.jobs}` === k);
        return x ? `${x.value.toFixed(2)}×` : '';
      });
      L.push(`| ${workloadTitle(w)} | ${qd} | ${jobs} | ${vals.join(' | ')} |`);
    }
  } else {
    L.push('(no pair of targets measured the same cell)');
  }
  L.push('');
  L.push('## ops/s by target', '');
  const targets = TARGETS.filter((t) => r.cells.some((c) => c.target === t));
  L.push(`| workload | QD | jobs | ${targets.join(' | ')} |`, `|---|---|---|${targets.map(() => '---:').join('|')}|`);
  const keys = [...new Set(r.cells.map((c) => `${c.workload}|${c.qd}|${c.jobs}`))];
  for (const k of keys) {
    const [w, qd, jobs] = k.split('|') as [WorkloadId, string, string];
    L.push(`| ${workloadTitle(w)} | ${qd} | ${jobs} | ${targets.map((t) => cellText(r.cells.find((c) => c.target === t && `${c.workload}|${c.qd}|${c.jobs}` === k))).join(' | ')} |`);
  }
  L.push('');
  L.push(...renderProcTable(r.cells));
  L.push('## Every cell', '');
  L.push('| workload | target | QD | jobs | ops/s | MB/s | p50 | p99 | note |', '|---|---|---|---|---:|---:|---:|---:|---|');
  for (const c of r.cells) {
    const note = c.skip !== undefined ? `skipped: ${c.skip}` : c.error !== undefined ? `error: ${c.error}` : c.entriesPerSec !== undefined ? `${fmtNum(c.entriesPerSec)} entries/s` : '';
    L.push(`| ${workloadTitle(c.workload)} | ${c.target} | ${c.qd} | ${c.jobs} | ${c.opsPerSec !== undefined ? fmtNum(c.opsPerSec) : ''} | ${c.mbPerSec !== undefined ? fmtNum(c.mbPerSec) : ''} | ${us(c.p50us)} | ${us(c.p99us)} | ${note.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
  }
  L.push('');
  if (r.soak !== undefined) L.push(renderSoakMarkdown(r.soak), '');
  L.push('## Targets measured', '');
  for (const t of targets) L.push(`- \`${t}\`: ${TARGET_TITLES[t]}`);
  L.push('');
  L.push(...renderFuseSection(r.fuse));
  return L.join('\n');
}
