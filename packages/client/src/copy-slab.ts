/**
 * Copies of small UNSTABLE writes, kept until COMMIT for a resend, carved out of slabs rather
 * than each in an ArrayBuffer of its own (Node pools only copies under 4 KiB; a 4 KiB write
 * was one native allocation per call). A slab's bytes are handed out once and never reused:
 * a copy is a view that keeps its slab alive until the range is dropped, so no copy can
 * overwrite another, whatever is in flight.
 *
 * One per file handle, reset when its ranges go to COMMIT: the slabs double from 8 KiB to
 * 64 KiB while writes keep coming, so what the copies pin is at most about twice the bytes
 * awaiting COMMIT, plus 8 KiB.
 */
const FIRST_SLAB = 8 * 1024;
const MAX_SLAB = 64 * 1024;
/** larger copies get a buffer of their own, as before */
const MAX_SLABBED = FIRST_SLAB;

export class CopySlab {
  private slab: Buffer | null = null;
  private used = 0;
  private nextSize = FIRST_SLAB;

  /** A copy of `src` that nothing else will write to. */
  copy(src: Buffer): Buffer {
    const len = src.length;
    if (len > MAX_SLABBED) return Buffer.from(src);
    let slab = this.slab;
    if (slab === null || slab.length - this.used < len) {
      slab = this.slab = Buffer.allocUnsafeSlow(this.nextSize);
      this.nextSize = Math.min(this.nextSize * 2, MAX_SLAB);
      this.used = 0;
    }
    const start = this.used;
    src.copy(slab, start);
    this.used = start + ((len + 7) & ~7);
    return slab.subarray(start, start + len);
  }

  /** The copies so far are on their way to COMMIT: start small again. */
  reset(): void {
    this.slab = null;
    this.used = 0;
    this.nextSize = FIRST_SLAB;
  }
}
