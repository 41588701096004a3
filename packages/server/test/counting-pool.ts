/** A BufferPool for tests that proves every READ gives its buffer back exactly once. */
import { BufferPool } from '@nfsts/rpc';

/**
 * A BufferPool that counts: buffers taken, releases that gave one back, and releases of a
 * buffer of this pool that was not lent (a second release of the same buffer: harmless by
 * itself, but after a reuse it would free a buffer another reply still sends).
 */
export class CountingPool extends BufferPool {
  taken = 0;
  released = 0;
  repeated = 0;
  private readonly lent = new Set<ArrayBufferLike>();
  private readonly mine = new WeakSet<ArrayBufferLike>();

  override tryTake(len: number): Buffer | null {
    const b = super.tryTake(len);
    if (b !== null) {
      this.taken++;
      this.lent.add(b.buffer);
      this.mine.add(b.buffer);
    }
    return b;
  }

  override release(b: Buffer): void {
    if (this.lent.delete(b.buffer)) this.released++;
    else if (this.mine.has(b.buffer)) this.repeated++;
    super.release(b);
  }
}
