/** Command-line options of the benchmark suite, with their defaults. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TARGETS, WORKLOADS, type TargetId, type WorkloadId } from './types.js';

export const DEFAULT_SECONDS = 2.5;
export const DEFAULT_RAMP_SECONDS = 0.5;
export const DEFAULT_SIZE_MIB = 256;
export const DEFAULT_QD = [1, 8, 16];
export const DEFAULT_JOBS = [1, 2];
export const DEFAULT_DIR_ENTRIES = 10_000;
/**
 * Seconds of each workload at QD 1 against each server target before the matrix, not recorded.
 * A fresh server of ours JIT-compiles its paths during its first thousands of calls: a 3 s cell
 * of 4 KiB reads at QD 1 as its first work measured 4-5% below the same cell run for 12 s, while
 * ganesha's two measured the same. Without this, each workload's first cell (QD 1, 1 job)
 * measured our warm-up.
 */
export const DEFAULT_WARMUP_SECONDS = 2;
/** `--quick`: a smoke run of every target in seconds; its numbers mean nothing */
export const QUICK = { seconds: 0.2, ramp: 0.05, sizeMiB: 8, qd: [8], jobs: [2], dirEntries: 200 } as const;

export interface SuiteOptions {
  quick: boolean;
  /** directory the JSON, Markdown and SVG reports are written to */
  out: string;
  /** file name stem of the reports in `out` */
  name: string;
  /** also write the Markdown report here, with the chart linked relative to it */
  resultsMd: string | undefined;
  seconds: number;
  rampSeconds: number;
  /** seconds of each workload on each server target before the matrix (DEFAULT_WARMUP_SECONDS); 0: none */
  warmupSeconds?: number;
  sizeMiB: number;
  targets: TargetId[];
  workloads: WorkloadId[];
  qd: number[];
  jobs: number[];
  dirEntries: number;
  /** a memory soak's result (`node bench/dist/src/soak.js --json FILE`) to add to the report */
  soak?: string;
  /** the child-process server serves Prometheus metrics, scraped for its per-procedure latency (default true) */
  serverMetrics?: boolean;
  /** the FUSE section (bench/src/fuse): on unless --no-fuse; it skips itself without root or /dev/fuse */
  fuse?: boolean;
}

export class SuiteOptionError extends Error {
  readonly code = 'ERR_BENCH_INVALID_OPTION';
  constructor(readonly property: string, message: string) {
    super(`--${property} ${message}`);
    this.name = 'SuiteOptionError';
  }
}

export const USAGE = `usage: node bench/dist/src/suite.js [--quick] [--out DIR] [--name STEM] [--results-md FILE]
       [--seconds N] [--ramp N] [--warmup N] [--size MiB] [--targets a,b] [--workloads a,b] [--qd 1,8,16] [--jobs 1,2] [--dir-entries N]
       [--soak SOAK.json] [--server-metrics on|off]
targets:   ${TARGETS.join(', ')}
workloads: ${WORKLOADS.join(', ')}`;

function num(prop: string, v: string | undefined, min: number, max: number, integer: boolean): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new SuiteOptionError(prop, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v ?? null)}`);
  }
  return n;
}

function list<T extends string>(prop: string, v: string | undefined, allowed: readonly T[]): T[] {
  const items = (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new SuiteOptionError(prop, `needs a comma-separated list of: ${allowed.join(', ')}`);
  for (const i of items) if (!(allowed as readonly string[]).includes(i)) throw new SuiteOptionError(prop, `has unknown '${i}' (known: ${allowed.join(', ')})`);
  return [...new Set(items)] as T[];
}

function ints(prop: string, v: string | undefined, min: number, max: number): number[] {
  const items = (v ?? '').split(',').filter((s) => s.trim() !== '');
  if (items.length === 0) throw new SuiteOptionError(prop, 'needs a comma-separated list of integers');
  return [...new Set(items.map((s) => num(prop, s.trim(), min, max, true)))].sort((a, b) => a - b);
}

/** Parses argv (without node and the script); errors name the bad option. */
export function parseSuiteArgs(argv: readonly string[]): SuiteOptions {
  const quick = argv.includes('--quick');
  const o: SuiteOptions = {
    quick,
    out: join(tmpdir(), `nfsts-bench-${new Date().toISOString().replace(/[:.]/g, '-')}`),
    name: 'latest',
    resultsMd: undefined,
    seconds: quick ? QUICK.seconds : DEFAULT_SECONDS,
    rampSeconds: quick ? QUICK.ramp : DEFAULT_RAMP_SECONDS,
    warmupSeconds: quick ? 0 : DEFAULT_WARMUP_SECONDS,
    sizeMiB: quick ? QUICK.sizeMiB : DEFAULT_SIZE_MIB,
    targets: [...TARGETS],
    workloads: [...WORKLOADS],
    qd: quick ? [...QUICK.qd] : [...DEFAULT_QD],
    jobs: quick ? [...QUICK.jobs] : [...DEFAULT_JOBS],
    dirEntries: quick ? QUICK.dirEntries : DEFAULT_DIR_ENTRIES,
    fuse: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') continue;
    if (a === '--fuse' || a === '--no-fuse') { o.fuse = a === '--fuse'; continue; }
    if (!a.startsWith('--')) throw new SuiteOptionError(a, 'is not an option');
    const prop = a.slice(2);
    const v = argv[++i];
    switch (prop) {
      case 'out': if (v === undefined || v === '') throw new SuiteOptionError(prop, 'needs a directory'); o.out = v; break;
      case 'name': if (v === undefined || !/^[\w.-]+$/.test(v)) throw new SuiteOptionError(prop, 'needs a file name stem ([A-Za-z0-9_.-])'); o.name = v; break;
      case 'results-md': if (v === undefined || v === '') throw new SuiteOptionError(prop, 'needs a file path'); o.resultsMd = v; break;
      case 'seconds': o.seconds = num(prop, v, 0.01, 3600, false); break;
      case 'ramp': o.rampSeconds = num(prop, v, 0, 600, false); break;
      case 'warmup': o.warmupSeconds = num(prop, v, 0, 600, false); break;
      case 'size': o.sizeMiB = num(prop, v, 1, 65536, true); break;
      case 'targets': o.targets = list(prop, v, TARGETS); break;
      case 'workloads': o.workloads = list(prop, v, WORKLOADS); break;
      case 'qd': o.qd = ints(prop, v, 1, 1024); break;
      case 'jobs': o.jobs = ints(prop, v, 1, 64); break;
      case 'dir-entries': o.dirEntries = num(prop, v, 1, 1_000_000, true); break;
      case 'server-metrics': if (v !== 'on' && v !== 'off') throw new SuiteOptionError(prop, `must be on or off, got ${JSON.stringify(v ?? null)}`); o.serverMetrics = v === 'on'; break;
      case 'soak': if (v === undefined || v === '') throw new SuiteOptionError(prop, 'needs the JSON file of a soak run (soak.js --json FILE)'); o.soak = v; break;
      default: throw new SuiteOptionError(prop, 'is not an option');
    }
  }
  return o;
}
