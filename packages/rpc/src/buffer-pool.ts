/**
 * Reusable large buffers: the server's joined call records (a 1 MiB WRITE arrives in many
 * socket chunks) and NFS READ data. Each is busy until its reply has been handed to the
 * kernel; a fresh 1 MiB allocation each time costs 100 µs or more than a reused one (new
 * pages fault in when first written) and feeds the garbage collector. Buffers of exactly
 * `size` bytes are lent and taken back; at most `keep` idle ones are kept.
 *
 * The pool is bounded: at most `max` buffers are lent at once. A server holds a call whose
 * handler will take() a buffer while the pool is `exhausted`, and waitAvailable() tells it
 * when to try again; the handler takes its buffer synchronously (before its first await), so
 * the check and the take are one step and the buffers lent never exceed `max`.
 */
/**
 * Marks on the ArrayBuffers a pool made: which pool, and whether it is lent now. Plain
 * properties (the same two on every pooled buffer) instead of WeakSet membership, which added
 * and deleted an ephemeron-table entry on every take/release.
 */
const OWNER = Symbol('nfsts.BufferPool.owner');
const LENT = Symbol('nfsts.BufferPool.lent');
interface PooledArrayBuffer extends ArrayBuffer {
  [OWNER]?: BufferPool;
  [LENT]?: boolean;
}

export class BufferPool {
  readonly size: number;
  readonly keep: number;
  readonly max: number;
  /** idle buffers this pool made (only those are taken back: marked OWNER = this) */
  private readonly idle: PooledArrayBuffer[] = [];
  private lentNow = 0;
  /** take()s beyond `max` (by a caller that did not reserve): allocated, never kept */
  private overflowed = 0;
  private waiters: Array<() => void> = [];

  constructor(size: number, keep: number, max = Infinity) {
    this.size = size;
    this.keep = keep;
    this.max = Math.max(max, 1);
  }

  /** Idle buffers held now (for tests). */
  get idleCount(): number {
    return this.idle.length;
  }

  /** Buffers lent now. */
  get lentCount(): number {
    return this.lentNow;
  }

  /** take()s that found the pool at its maximum and allocated a buffer outside it. */
  get overflowCount(): number {
    return this.overflowed;
  }

  /** Every buffer is lent: a call that needs one should wait. */
  get exhausted(): boolean {
    return this.lentNow >= this.max;
  }

  /** Calls `fn` once, the next time a buffer is given back. */
  waitAvailable(fn: () => void): void {
    this.waiters.push(fn);
  }

  /** A buffer of `len` <= size bytes (a view of a pooled one); give it back with release(). */
  take(len: number): Buffer {
    const b = this.tryTake(len);
    if (b !== null) return b;
    // a caller that did not check `exhausted` found the pool full: serve it, outside the pool
    this.overflowed++;
    return Buffer.from(new ArrayBuffer(this.size), 0, len);
  }

  /** Like take(), or null when `max` buffers are lent already. */
  tryTake(len: number): Buffer | null {
    let ab = this.idle.pop();
    if (ab === undefined) {
      if (this.lentNow >= this.max) return null;
      ab = new ArrayBuffer(this.size) as PooledArrayBuffer;
      ab[OWNER] = this;
    }
    ab[LENT] = true;
    this.lentNow++;
    return Buffer.from(ab, 0, len);
  }

  /** Gives back a buffer from take() (or any view of it); anything else is ignored. */
  release(b: Buffer): void {
    const ab = b.buffer as PooledArrayBuffer;
    if (!(ab instanceof ArrayBuffer) || ab[OWNER] !== this || ab[LENT] !== true) return;
    ab[LENT] = false;
    this.lentNow--;
    if (this.idle.length < this.keep) this.idle.push(ab);
    if (this.waiters.length > 0) this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (let i = 0; i < w.length; i++) w[i]!();
  }
}
