/**
 * Latency histogram: log-scaled buckets, 16 per power of two (each about 4.4% wide), over
 * nanoseconds from 1 ns to 2^40 ns (18 min). Recording is one log2 and an increment; jobs
 * merge by adding counts, so a cell's percentiles come from every operation of every job.
 */
export const SUB_BUCKETS = 16;
export const MAX_LOG2 = 40;
export const BUCKETS = SUB_BUCKETS * MAX_LOG2 + 1;

export class LatencyHistogram {
  readonly counts: Float64Array;
  total = 0;
  /** the slowest operation recorded here, ns (0 for a histogram rebuilt from counts) */
  maxNs = 0;

  constructor(counts?: ArrayLike<number>) {
    this.counts = new Float64Array(BUCKETS);
    if (counts !== undefined) {
      if (counts.length !== BUCKETS) throw new RangeError(`histogram needs ${BUCKETS} buckets, got ${counts.length}`);
      for (let i = 0; i < BUCKETS; i++) {
        const c = counts[i]!;
        this.counts[i] = c;
        this.total += c;
      }
    }
  }

  /** Records `n` operations that each took `ns` nanoseconds. */
  record(ns: number, n = 1): void {
    const i = ns <= 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log2(ns) * SUB_BUCKETS));
    this.counts[i]! += n;
    this.total += n;
    if (ns > this.maxNs) this.maxNs = ns;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    if (other.maxNs > this.maxNs) this.maxNs = other.maxNs;
  }

  /** The value (ns, the bucket's geometric middle) below which `p` (0..1) of the operations fall. */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(p * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === 0 ? 1 : 2 ** ((i + 0.5) / SUB_BUCKETS);
    }
    return 2 ** MAX_LOG2;
  }

  /** A plain array (structured-clone friendly) for passing between threads. */
  toArray(): number[] {
    return Array.from(this.counts);
  }
}
