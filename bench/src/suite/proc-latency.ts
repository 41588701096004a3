/**
 * Latency per NFS procedure, client side (issue 12: the QD 1 tail, p99 and p99.9 next to the
 * median). Where one operation of a workload is one call (READ, WRITE, GETATTR, LOOKUP) the
 * cell's own histogram is the procedure's; CREATE+REMOVE and READDIRPLUS (one op = several
 * calls) time each call in the worker with a ProcTimer. Server-side figures come from the
 * server's metrics (server-metrics.ts).
 */
import { LatencyHistogram } from './histogram.js';
import { IO, isIoWorkload, type JobResult, type ProcHist, type ProcLatency, type TargetId, type WorkloadId } from './types.js';

/** Targets whose operations are NFS calls on a socket (LOCALIO and node:fs have no procedures). */
export const RPC_TARGETS: ReadonlySet<TargetId> = new Set<TargetId>(['rpc-same', 'rpc-child', 'ganesha', 'libnfs-child', 'libnfs-ganesha']);

/** The procedure one operation of `w` is, or undefined when an operation is several calls. */
export function procOf(w: WorkloadId): string | undefined {
  if (isIoWorkload(w)) return IO[w].write ? 'WRITE' : 'READ';
  if (w === 'getattr') return 'GETATTR';
  if (w === 'lookup') return 'LOOKUP';
  return undefined;
}

/** Per-procedure histograms of one job; records only calls that end at or after `from` (the window's start). */
export class ProcTimer {
  from = Infinity;
  private readonly hists = new Map<string, LatencyHistogram>();

  /** Records a call of `proc` that started at `t0` (performance.now() ms) and ended now. */
  record(proc: string, t0: number): void {
    const t1 = performance.now();
    if (t1 < this.from) return;
    let h = this.hists.get(proc);
    if (h === undefined) this.hists.set(proc, (h = new LatencyHistogram()));
    h.record((t1 - t0) * 1e6);
  }

  toRecord(): Record<string, ProcHist> {
    const out: Record<string, ProcHist> = {};
    for (const [p, h] of this.hists) out[p] = { hist: h.toArray(), maxNs: h.maxNs };
    return out;
  }
}

export function latencyOf(proc: string, side: ProcLatency['side'], h: LatencyHistogram, maxNs: number): ProcLatency {
  // a bucket's middle may lie above the slowest call it holds: no percentile above the max
  const q = (p: number): number => (maxNs > 0 ? Math.min(h.percentile(p), maxNs) : h.percentile(p)) / 1000;
  return { proc, side, calls: h.total, p50us: q(0.5), p99us: q(0.99), p999us: q(0.999), maxUs: maxNs / 1000 };
}

/** The client-side procedures of a cell from its jobs' results (`cellHist`: the jobs' merged operation histogram). */
export function clientProcs(workload: WorkloadId, target: TargetId, results: readonly JobResult[], cellHist: LatencyHistogram): ProcLatency[] {
  if (!RPC_TARGETS.has(target)) return [];
  const maxNs = Math.max(0, ...results.map((r) => r.maxNs ?? 0));
  const one = procOf(workload);
  if (one !== undefined) return cellHist.total > 0 ? [latencyOf(one, 'client', cellHist, maxNs)] : [];
  const merged = new Map<string, { h: LatencyHistogram; max: number }>();
  for (const r of results) {
    for (const [p, ph] of Object.entries(r.procs ?? {})) {
      const m = merged.get(p) ?? { h: new LatencyHistogram(), max: 0 };
      m.h.merge(new LatencyHistogram(ph.hist));
      m.max = Math.max(m.max, ph.maxNs);
      merged.set(p, m);
    }
  }
  return [...merged].filter(([, m]) => m.h.total > 0).map(([p, m]) => latencyOf(p, 'client', m.h, m.max));
}
