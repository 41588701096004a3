/**
 * Reusable large buffers: the server's joined call records (a 1 MiB WRITE arrives in many
 * socket chunks) and NFS READ data. Each is busy until its reply has been handed to the
 * kernel; a fresh 1 MiB allocation each time costs 100 µs or more than a reused one (new
 * pages fault in when first written) and feeds the garbage collector. Buffers of exactly
 * `size` bytes are lent and taken back; at most `keep` idle ones are kept.
 */
export class BufferPool {
  readonly size: number;
  readonly keep: number;
  private readonly idle: ArrayBuffer[] = [];
  /** ArrayBuffers this pool made (only those are taken back) */
  private readonly mine = new WeakSet<ArrayBuffer>();
  /** lent and not yet returned */
  private readonly lent = new WeakSet<ArrayBuffer>();

  constructor(size: number, keep: number) {
    this.size = size;
    this.keep = keep;
  }

  /** Idle buffers held now (for tests). */
  get idleCount(): number {
    return this.idle.length;
  }

  /** A buffer of `len` <= size bytes (a view of a pooled one); give it back with release(). */
  take(len: number): Buffer {
    let ab = this.idle.pop();
    if (ab === undefined) {
      ab = new ArrayBuffer(this.size);
      this.mine.add(ab);
    }
    this.lent.add(ab);
    return Buffer.from(ab, 0, len);
  }

  /** Gives back a buffer from take() (or any view of it); anything else is ignored. */
  release(b: Buffer): void {
    const ab = b.buffer;
    if (!(ab instanceof ArrayBuffer) || !this.mine.has(ab) || !this.lent.has(ab)) return;
    this.lent.delete(ab);
    if (this.idle.length < this.keep) this.idle.push(ab);
  }
}
