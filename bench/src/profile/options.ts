/** Command-line options of `profile-cells`, with their defaults. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CellSpecError, DEFAULT_CELLS, loadMissedCells, parseCell, type ProfileCell } from './cells.js';

/** functions and files listed per process and cell */
export const DEFAULT_TOP = 12;
export const DEFAULT_MD = 'bench/notes/profiles.md';
/** seconds measured per cell unless `--seconds` says otherwise: twice the suite's, so the
 * measured window outweighs each process's start-up in its profile */
export const DEFAULT_PROFILE_SECONDS = 5;

export interface ProfileOptions {
  cells: ProfileCell[];
  /** where the cells came from, for the Markdown */
  source: string;
  /** one directory per cell under this: the profiles and the suite's own report */
  out: string;
  /** whether `out` is the temporary directory chosen when no --out was given */
  outIsTemp: boolean;
  md: string;
  top: number;
  /** given to the suite as they are (--seconds, --ramp, --size, --dir-entries, --server-metrics) */
  suiteArgs: string[];
}

export class ProfileOptionError extends Error {
  readonly code = 'ERR_BENCH_INVALID_OPTION';
  constructor(readonly property: string, message: string) {
    super(`--${property} ${message}`);
    this.name = 'ProfileOptionError';
  }
}

export const USAGE = `usage: node bench/dist/src/profile-cells.js [--cells W/T/QD/JOBS,… | --missed RESULTS_JSON] [--limit N]
       [--out DIR] [--md FILE] [--top N] [--seconds N] [--ramp N] [--size MiB] [--dir-entries N] [--server-metrics on|off]
default cells: the cells of issues 11 and 12 (${DEFAULT_CELLS.length}); a cell is workload/target/qd/jobs, e.g. randread-4k/rpc-child/1/1`;

const SUITE_OPTIONS = ['seconds', 'ramp', 'size', 'dir-entries', 'server-metrics'];

function int(prop: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isInteger(n) || n < min || n > max) throw new ProfileOptionError(prop, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v ?? null)}`);
  return n;
}

/** Parses argv (without node and the script); errors name the bad option. */
export function parseProfileArgs(argv: readonly string[]): ProfileOptions {
  const o: ProfileOptions = {
    cells: [...DEFAULT_CELLS], source: 'the cells of issues 11 and 12',
    out: join(tmpdir(), `nfsts-profiles-${new Date().toISOString().replace(/[:.]/g, '-')}`), md: DEFAULT_MD, top: DEFAULT_TOP, suiteArgs: [], outIsTemp: true,
  };
  let limit: number | undefined;
  let chosen = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new ProfileOptionError(a, 'is not an option');
    const prop = a.slice(2);
    const v = argv[++i];
    const path = (): string => {
      if (v === undefined || v === '') throw new ProfileOptionError(prop, 'needs a path');
      return v;
    };
    switch (prop) {
      case 'cells':
      case 'missed': {
        if (chosen !== '') throw new ProfileOptionError(prop, `cannot go with --${chosen}`);
        chosen = prop;
        try {
          if (prop === 'cells') {
            o.cells = (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map(parseCell);
            if (o.cells.length === 0) throw new ProfileOptionError(prop, 'needs a comma-separated list of workload/target/qd/jobs');
            o.source = 'the cells given with --cells';
          } else {
            o.cells = loadMissedCells(path());
            o.source = `the cells that missed their target in ${v}`;
          }
        } catch (err) {
          if (err instanceof CellSpecError) throw new ProfileOptionError(prop, `has ${err.message}`);
          throw err;
        }
        break;
      }
      case 'limit': limit = int(prop, v, 1, 1000); break;
      case 'out': o.out = path(); o.outIsTemp = false; break;
      case 'md': o.md = path(); break;
      case 'top': o.top = int(prop, v, 1, 200); break;
      default:
        if (!SUITE_OPTIONS.includes(prop)) throw new ProfileOptionError(prop, 'is not an option');
        if (v === undefined) throw new ProfileOptionError(prop, 'needs a value (it is given to the suite)');
        o.suiteArgs.push(a, v);
    }
  }
  if (limit !== undefined) o.cells = o.cells.slice(0, limit);
  if (!o.suiteArgs.includes('--seconds')) o.suiteArgs.push('--seconds', String(DEFAULT_PROFILE_SECONDS));
  return o;
}
