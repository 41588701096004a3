/**
 * Which cells `profile-cells` profiles: a list given as `workload/target/qd/jobs`, the cells
 * of issues 11 and 12 by default, or the cells a suite run missed (`--missed RESULTS_JSON`).
 */
import { readFileSync } from 'node:fs';
import type { Report } from '../suite/report.js';
import { TARGETS, WORKLOADS, type TargetId, type WorkloadId } from '../suite/types.js';

export interface ProfileCell { workload: WorkloadId; target: TargetId; qd: number; jobs: number; /** why it is profiled */ why?: string }

export class CellSpecError extends Error {
  readonly code = 'ERR_BENCH_INVALID_CELL';
  constructor(readonly spec: string, message: string) {
    super(`cell '${spec}': ${message}`);
    this.name = 'CellSpecError';
  }
}

/** `randread-4k/rpc-child/1/1` → a cell; errors name what is wrong. */
export function parseCell(spec: string): ProfileCell {
  const [w, t, qd, jobs, ...rest] = spec.split('/');
  if (rest.length > 0 || jobs === undefined) throw new CellSpecError(spec, 'needs the form workload/target/qd/jobs');
  if (!(WORKLOADS as readonly string[]).includes(w!)) throw new CellSpecError(spec, `has unknown workload '${w}' (known: ${WORKLOADS.join(', ')})`);
  if (!(TARGETS as readonly string[]).includes(t!)) throw new CellSpecError(spec, `has unknown target '${t}' (known: ${TARGETS.join(', ')})`);
  const n = (s: string, what: string, max: number): number => {
    const v = Number(s);
    if (s === '' || !Number.isInteger(v) || v < 1 || v > max) throw new CellSpecError(spec, `${what} must be an integer from 1 to ${max}, got '${s}'`);
    return v;
  };
  return { workload: w as WorkloadId, target: t as TargetId, qd: n(qd!, 'qd', 1024), jobs: n(jobs, 'jobs', 64) };
}

export const cellId = (c: ProfileCell): string => `${c.workload}/${c.target}/${c.qd}/${c.jobs}`;

const ISSUE12 = 'issue 12: ours ≥ nfs-ganesha';
const ISSUE11 = 'issue 11: LOCALIO against direct node:fs';

/** The cells of issue 12's table (our server in another process) and of issue 11's (LOCALIO). */
export const DEFAULT_CELLS: readonly ProfileCell[] = [
  ...['randread-4k/rpc-child/1/1', 'randread-4k/rpc-child/1/2', 'randwrite-4k/rpc-child/1/1', 'randread-128k/rpc-child/1/1',
    'randread-128k/rpc-child/8/1', 'seqread-1m/rpc-child/1/1', 'seqwrite-1m/rpc-child/1/1', 'seqwrite-1m/rpc-child/8/1',
    'seqwrite-1m/rpc-child/16/1', 'getattr/rpc-child/1/1', 'lookup/rpc-child/1/1', 'create-remove/rpc-child/1/1',
    'readdirplus/rpc-child/1/1', 'readdirplus/rpc-child/16/1', 'randread-4k/rpc-child/16/1'].map((s) => ({ ...parseCell(s), why: ISSUE12 })),
  ...['randread-4k/localio/1/1', 'randread-4k/localio/16/1', 'randread-4k/localio/16/2', 'randread-128k/localio/1/1',
    'randwrite-4k/localio/1/1', 'randwrite-4k/localio/16/1', 'seqwrite-1m/localio/1/1', 'randread-4k/localio-worker/16/1'].map((s) => ({ ...parseCell(s), why: ISSUE11 })),
];

/**
 * The ratios of a suite report that have a target (issues 11 and 12), the side whose profile
 * explains a miss, and what each cell must reach (undefined: no target for that cell).
 */
const RULES: Array<{ ratio: string; profile: TargetId; required: (w: WorkloadId, qd: number) => number | undefined }> = [
  { ratio: 'RPC other process (ours) / RPC ganesha', profile: 'rpc-child', required: (w, qd) => (w === 'randread-4k' && qd >= 16 ? 1.5 : 1) },
  { ratio: 'libnfs client: ours (other process) / ganesha', profile: 'libnfs-child', required: () => 1 },
  { ratio: 'LOCALIO / direct', profile: 'localio', required: (w, qd) => (w === 'randread-4k' || w === 'randread-128k' ? (qd > 1 ? 1 : undefined) : w === 'randwrite-4k' || w === 'seqwrite-1m' ? 0.9 : undefined) },
  { ratio: 'LOCALIO from a worker / LOCALIO same thread', profile: 'localio-worker', required: (w, qd) => (w === 'randread-4k' && qd >= 16 ? 0.8 : undefined) },
];

/** Issue 11's QD 1 read: LOCALIO against the readSync loop, which is a target but not a ratio of the report. */
const LOCALIO_QD1 = { required: 0.6, name: 'LOCALIO QD 1 / fs.readSync loop' };

/** The cells whose ratio in a suite's results JSON fell short of its target, worst first. */
export function missedCells(report: Pick<Report, 'ratios'> & { cells?: Report['cells'] }): ProfileCell[] {
  const out: Array<ProfileCell & { reach: number }> = [];
  const ops = (target: TargetId): number | undefined => report.cells?.find((c) => c.target === target && c.workload === 'randread-4k' && c.qd === 1 && c.jobs === 1)?.opsPerSec;
  const [local, sync] = [ops('localio'), ops('direct-sync')];
  if (local !== undefined && sync !== undefined && sync > 0 && local / sync < LOCALIO_QD1.required) {
    out.push({ ...parseCell('randread-4k/localio/1/1'), why: `${LOCALIO_QD1.name} ${(local / sync).toFixed(2)}× (needs ${LOCALIO_QD1.required}×)`, reach: local / sync / LOCALIO_QD1.required });
  }
  for (const r of report.ratios) {
    const rule = RULES.find((x) => x.ratio === r.name);
    const required = rule?.required(r.workload, r.qd);
    if (rule === undefined || required === undefined || r.value >= required) continue;
    out.push({ workload: r.workload, target: rule.profile, qd: r.qd, jobs: r.jobs, why: `${r.name} ${r.value.toFixed(2)}× (needs ${required}×)`, reach: r.value / required });
  }
  return out.sort((a, b) => a.reach - b.reach).map(({ reach: _, ...c }) => c);
}

/** Reads a suite results JSON (bench/results/*.json) and picks its missed cells. */
export function loadMissedCells(file: string): ProfileCell[] {
  let report: Pick<Report, 'ratios' | 'cells'>;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as Pick<Report, 'ratios' | 'cells'>;
  } catch (err) {
    throw new CellSpecError(file, `is not a readable suite results JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(report.ratios)) throw new CellSpecError(file, 'has no "ratios" list: is it the suite\'s results JSON?');
  return missedCells(report);
}
