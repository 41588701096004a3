/**
 * Per-procedure call counters: the RpcServer's CallObserver. The hot path is integer
 * arithmetic on typed arrays (one Map lookup per call to find the program version's slot);
 * prom-client reads these only at scrape time (see registry.ts).
 */
import { performance } from 'node:perf_hooks';
import type { CallObserver, Program } from '@nfsts/rpc';
import { resultStatus } from '@nfsts/rpc';
import { NFS_PROGRAM, NFSPROC3_READ, NFSPROC3_WRITE } from '@nfsts/xdr';

/** Upper bounds of the latency histogram's buckets, in seconds (the +Inf bucket is implicit). */
export const LATENCY_BUCKETS_S = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const BUCKETS_MS = LATENCY_BUCKETS_S.map((s) => s * 1000);
const NB = BUCKETS_MS.length + 1;

/** The counters of one program version. */
export interface VersionSlot {
  prog: number;
  programName: string;
  vers: number;
  /** procedure names by number ('' where the version has none) */
  names: string[];
  calls: Float64Array;
  /** per procedure, NB buckets (last = +Inf), not cumulative */
  buckets: Float64Array;
  /** latency sum in ms per procedure */
  sumMs: Float64Array;
  /** non-OK results and RPC-level failures: key proc * 2^20 + code (status, or 2^16 + accept_stat) */
  errors: Map<number, number>;
}

/** An RPC-level failure in VersionSlot.errors is 2^16 + its accept_stat (or DENIED_AUTH_ERROR). */
export const RPC_FAILURE = 1 << 16;

export class CallCounters implements CallObserver {
  readonly slots = new Map<number, VersionSlot>();
  /** calls dispatched and not yet answered */
  inFlight = 0;
  /** NFS READ / WRITE payload bytes (from the results' counts) */
  bytesRead = 0;
  bytesWritten = 0;

  /** Makes slots for every version of `program` (calls of other programs are not counted). */
  addProgram(program: Program): void {
    for (const [v, def] of Object.entries(program.versions)) {
      const procs = Object.entries(def.procedures);
      const n = Math.max(0, ...procs.map(([p]) => Number(p))) + 1;
      const names: string[] = new Array<string>(n).fill('');
      // one handler may serve two numbers (MOUNT v1 answers EXPORTALL as EXPORT): labels must stay distinct
      const used = new Set<string>();
      for (const [p, proc] of procs) {
        const name = used.has(proc.name) ? `${proc.name}_${p}` : proc.name;
        used.add(name);
        names[Number(p)] = name;
      }
      this.slots.set(program.prog * 256 + Number(v), {
        prog: program.prog, programName: program.name.toLowerCase(), vers: Number(v), names,
        calls: new Float64Array(n), buckets: new Float64Array(n * NB), sumMs: new Float64Array(n), errors: new Map(),
      });
    }
  }

  callStart(): void {
    this.inFlight++;
  }

  callEnd(prog: number, vers: number, proc: number, result: unknown, acceptStat: number, t0: number): void {
    this.inFlight--;
    const s = this.slots.get(prog * 256 + vers);
    if (s === undefined || proc >= s.calls.length) return;
    s.calls[proc]!++;
    const ms = performance.now() - t0;
    s.sumMs[proc]! += ms;
    let b = 0;
    while (b < NB - 1 && ms > BUCKETS_MS[b]!) b++;
    s.buckets[proc * NB + b]!++;
    let code = 0;
    if (acceptStat !== 0) {
      code = RPC_FAILURE + acceptStat;
    } else {
      const st = resultStatus(result);
      if (st !== undefined && st !== 0) code = st;
      else if (prog === NFS_PROGRAM && (proc === NFSPROC3_READ || proc === NFSPROC3_WRITE)) this.countBytes(proc, result);
    }
    if (code !== 0) {
      const k = proc * 1048576 + code;
      s.errors.set(k, (s.errors.get(k) ?? 0) + 1);
    }
  }

  private countBytes(proc: number, result: unknown): void {
    const count = (result as { resok?: { count?: unknown } }).resok?.count;
    if (typeof count !== 'number') return;
    if (proc === NFSPROC3_READ) this.bytesRead += count;
    else this.bytesWritten += count;
  }
}

export const BUCKET_COUNT = NB;
