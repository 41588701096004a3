/**
 * Server-side latency per NFS procedure, from our server's Prometheus endpoint
 * (`nfsts_rpc_duration_seconds`: dispatch to reply queued, in packages/server/src/metrics).
 * The suite scrapes it before and after a cell against the child-process server; the
 * difference is that cell's calls (its ramp and setup included). The server's buckets are
 * coarse (50 µs, 100 µs, 250 µs, 500 µs, 1 ms, 2.5 ms, …), so a percentile is reported as the
 * upper bound of the bucket it falls in ("≤ 250 µs"), never interpolated.
 */
import type { ProcLatency } from './types.js';

/** Cumulative bucket counts per NFS procedure, with their upper bounds in seconds (+Inf last). */
export interface ServerSnapshot { bounds: number[]; procs: Map<string, number[]> }

const BUCKET_LINE = /^nfsts_rpc_duration_seconds_bucket\{([^}]*)\}\s+(\S+)/;

function labels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

/** Parses the Prometheus text of our server (NFS program only). */
export function parseServerMetrics(text: string): ServerSnapshot {
  const byProc = new Map<string, Map<number, number>>();
  for (const line of text.split('\n')) {
    const m = BUCKET_LINE.exec(line);
    if (m === null) continue;
    const l = labels(m[1]!);
    if (l.program !== 'nfs' || l.procedure === undefined || l.le === undefined) continue;
    const le = l.le === '+Inf' ? Infinity : Number(l.le);
    let b = byProc.get(l.procedure);
    if (b === undefined) byProc.set(l.procedure, (b = new Map()));
    b.set(le, Number(m[2]));
  }
  const bounds = [...new Set([...byProc.values()].flatMap((b) => [...b.keys()]))].sort((a, b) => a - b);
  const procs = new Map<string, number[]>();
  for (const [p, b] of byProc) procs.set(p, bounds.map((le) => b.get(le) ?? 0));
  return { bounds, procs };
}

/** GETs the metrics URL and parses it; undefined when the server does not answer. */
export async function scrapeServer(url: string | undefined): Promise<ServerSnapshot | undefined> {
  if (url === undefined) return undefined;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    return parseServerMetrics(await res.text());
  } catch {
    return undefined;
  }
}

/** The upper bound (µs) of the bucket holding rank `p` of `counts` (per-bucket, not cumulative). */
function bound(counts: number[], bounds: number[], total: number, p: number): number {
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return bounds[i]! * 1e6;
  }
  return Infinity;
}

/**
 * The procedures called between two snapshots, busiest first; those with fewer than `minShare`
 * of the calls (a cell's setup LOOKUPs, FSINFO) are left out.
 */
export function serverProcs(before: ServerSnapshot | undefined, after: ServerSnapshot | undefined, minShare = 0.05): ProcLatency[] {
  if (after === undefined) return [];
  const rows: Array<{ proc: string; counts: number[]; total: number }> = [];
  for (const [proc, cum] of after.procs) {
    const prev = before?.procs.get(proc);
    const delta = cum.map((c, i) => c - (prev?.[i] ?? 0));
    const counts = delta.map((c, i) => (i === 0 ? c : c - delta[i - 1]!));
    const total = delta[delta.length - 1] ?? 0;
    if (total > 0) rows.push({ proc, counts, total });
  }
  const all = rows.reduce((s, r) => s + r.total, 0);
  return rows
    .filter((r) => r.total >= all * minShare)
    .sort((a, b) => b.total - a.total)
    .map((r) => {
      const last = r.counts.reduce((hi, c, i) => (c > 0 ? i : hi), 0);
      return {
        proc: r.proc, side: 'server' as const, calls: r.total, bucketed: true,
        p50us: bound(r.counts, after.bounds, r.total, 0.5), p99us: bound(r.counts, after.bounds, r.total, 0.99),
        p999us: bound(r.counts, after.bounds, r.total, 0.999), maxUs: after.bounds[last]! * 1e6,
      };
    });
}
