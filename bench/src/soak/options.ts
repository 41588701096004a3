/** Command-line options of the memory soak (issue 12, "Memory at scale"), with their defaults. */

/** the first target: this many connections, each looping GETATTR + 4 KiB READ */
export const DEFAULT_CONNECTIONS = 256;
/** how long the connections loop */
export const DEFAULT_CONNECTION_SECONDS = 60;
/** the second target: this many calls on one connection */
export const DEFAULT_CALLS = 10_000_000;
/** calls in flight on the one connection (a client pipelines them, as fio's iodepth does) */
export const DEFAULT_QD = 16;
/** the share of the calls before RSS is expected to be flat */
export const DEFAULT_WARMUP = 0.1;
export const DEFAULT_SAMPLE_MS = 1000;
/** the targets: peak RSS under this with the connections; RSS spread after warm-up within this */
export const DEFAULT_LIMIT_MIB = 150;
export const DEFAULT_FLAT_PERCENT = 10;
/** the file the READs pick 4 KiB blocks from (in the page cache) */
export const DEFAULT_FILE_MIB = 16;
/** `--quick`: proves the command runs and reports (`pnpm test`); its numbers mean nothing */
export const QUICK = { connections: 8, connectionSeconds: 0.3, calls: 2000, sampleMs: 50, fileMiB: 1 } as const;

export const PHASES = ['connections', 'calls'] as const;
export type PhaseId = (typeof PHASES)[number];

export interface SoakOptions {
  quick: boolean;
  phases: PhaseId[];
  connections: number;
  connectionSeconds: number;
  calls: number;
  qd: number;
  warmup: number;
  sampleMs: number;
  limitMiB: number;
  flatPercent: number;
  fileMiB: number;
  /** node/V8 flags for the server process alone (e.g. `--max-semi-space-size=8`): none by default */
  serverNodeArgs?: string[];
  /** write the result as JSON here (the suite's `--soak FILE` puts it in RESULTS.md) */
  json: string | undefined;
  /** write the Markdown section here */
  md: string | undefined;
}

export class SoakOptionError extends Error {
  readonly code = 'ERR_BENCH_INVALID_OPTION';
  constructor(readonly property: string, message: string) {
    super(`--${property} ${message}`);
    this.name = 'SoakOptionError';
  }
}

export const USAGE = `usage: node bench/dist/src/soak.js [--quick] [--phases connections,calls] [--connections N] [--seconds N]
       [--calls N] [--qd N] [--warmup FRACTION] [--sample-ms N] [--limit-mib N] [--flat-percent N] [--file-mib N]
       [--server-node-args 'FLAGS'] [--json FILE] [--md FILE]`;

function num(prop: string, v: string | undefined, min: number, max: number, integer: boolean): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new SoakOptionError(prop, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v ?? null)}`);
  }
  return n;
}

/** Parses argv (without node and the script); errors name the bad option. */
export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const quick = argv.includes('--quick');
  const o: SoakOptions = {
    quick,
    phases: [...PHASES],
    connections: quick ? QUICK.connections : DEFAULT_CONNECTIONS,
    connectionSeconds: quick ? QUICK.connectionSeconds : DEFAULT_CONNECTION_SECONDS,
    calls: quick ? QUICK.calls : DEFAULT_CALLS,
    qd: DEFAULT_QD,
    warmup: DEFAULT_WARMUP,
    sampleMs: quick ? QUICK.sampleMs : DEFAULT_SAMPLE_MS,
    limitMiB: DEFAULT_LIMIT_MIB,
    flatPercent: DEFAULT_FLAT_PERCENT,
    fileMiB: quick ? QUICK.fileMiB : DEFAULT_FILE_MIB,
    serverNodeArgs: [],
    json: undefined,
    md: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') continue;
    if (!a.startsWith('--')) throw new SoakOptionError(a, 'is not an option');
    const prop = a.slice(2);
    const v = argv[++i];
    switch (prop) {
      case 'phases': {
        const items = (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        if (items.length === 0) throw new SoakOptionError(prop, `needs a comma-separated list of: ${PHASES.join(', ')}`);
        for (const p of items) if (!(PHASES as readonly string[]).includes(p)) throw new SoakOptionError(prop, `has unknown '${p}' (known: ${PHASES.join(', ')})`);
        o.phases = PHASES.filter((p) => items.includes(p));
        break;
      }
      case 'connections': o.connections = num(prop, v, 1, 4096, true); break;
      case 'seconds': o.connectionSeconds = num(prop, v, 0.01, 86_400, false); break;
      case 'calls': o.calls = num(prop, v, 2, 1e10, true); break;
      case 'qd': o.qd = num(prop, v, 1, 128, true); break;
      case 'warmup': o.warmup = num(prop, v, 0, 0.9, false); break;
      case 'sample-ms': o.sampleMs = num(prop, v, 10, 600_000, true); break;
      case 'limit-mib': o.limitMiB = num(prop, v, 1, 1_000_000, false); break;
      case 'flat-percent': o.flatPercent = num(prop, v, 0, 1000, false); break;
      case 'file-mib': o.fileMiB = num(prop, v, 1, 4096, true); break;
      case 'server-node-args': {
        const flags = (v ?? '').split(/\s+/).filter((f) => f !== '');
        if (flags.length === 0 || !flags.every((f) => f.startsWith('--'))) throw new SoakOptionError(prop, `needs node flags separated by spaces, e.g. '--max-semi-space-size=8', got ${JSON.stringify(v ?? null)}`);
        o.serverNodeArgs = flags;
        break;
      }
      case 'json': if (v === undefined || v === '') throw new SoakOptionError(prop, 'needs a file path'); o.json = v; break;
      case 'md': if (v === undefined || v === '') throw new SoakOptionError(prop, 'needs a file path'); o.md = v; break;
      default: throw new SoakOptionError(prop, 'is not an option');
    }
  }
  return o;
}
