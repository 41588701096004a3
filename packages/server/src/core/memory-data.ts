/**
 * The bytes of one in-memory regular file, and the byte budget every file of a MemoryBackend
 * draws from. Data lives in chunks of CHUNK_BYTES keyed by chunk number: a hole (never
 * written, or past a truncate) has no chunk and reads as zeros, so a sparse file of any size
 * costs only what was written. A chunk covers a prefix of its range: the last chunk of a small
 * file grows in 4 KiB steps instead of taking 64 KiB for a few bytes.
 */
import { sysError } from '@nfsts/sys';

/** Bytes per chunk (a power of two). */
export const CHUNK_BYTES = 64 * 1024;
/** Growth step of a chunk that covers less than its whole range. */
const STEP = 4096;
/** Largest file size (positions are numbers; as the server's FSINFO maxfilesize). */
export const MAX_FILE_BYTES = Number.MAX_SAFE_INTEGER;

/**
 * The byte budget of a MemoryBackend: file data, plus a fixed charge per object and per
 * name, so neither big writes nor millions of empty files can take more than `max`.
 */
export class Space {
  used = 0;
  constructor(readonly max: number) {}

  /** Charges n bytes, or throws ENOSPC (nothing charged). */
  take(n: number, syscall: string): void {
    if (n <= 0) return;
    if (this.used + n > this.max) throw sysError(28 /* ENOSPC */, syscall);
    this.used += n;
  }

  give(n: number): void {
    this.used -= n;
  }

  get free(): number {
    return this.max - this.used;
  }
}

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
}

export class FileData {
  size = 0;
  /** bytes of chunk buffers held (what `blocks` reports, and what the Space was charged) */
  allocated = 0;
  private readonly chunks = new Map<number, Buffer>();

  /** Copies up to len bytes at pos into dst[off..]; bytes read (0 at or past EOF). */
  read(pos: number, dst: Uint8Array, off: number, len: number): number {
    const n = Math.max(0, Math.min(len, this.size - pos));
    let done = 0;
    while (done < n) {
      const p = pos + done;
      const ci = Math.floor(p / CHUNK_BYTES);
      const inOff = p - ci * CHUNK_BYTES;
      const piece = Math.min(n - done, CHUNK_BYTES - inOff);
      const c = this.chunks.get(ci);
      let copied = 0;
      if (c !== undefined && inOff < c.length) copied = c.copy(dst, off + done, inOff, Math.min(c.length, inOff + piece));
      if (copied < piece) dst.fill(0, off + done + copied, off + done + piece);
      done += piece;
    }
    return n;
  }

  /**
   * The stored bytes [pos, pos+len) (clamped to EOF) as a view of one chunk, or null when the
   * range spans chunks or touches a hole or a chunk's unallocated tail (then read() copies,
   * zero-filling). A chunk is never reused for other data: a later write may change the
   * viewed bytes (as a concurrent write may on any server), a truncate zeroes or drops them.
   */
  view(pos: number, len: number): Buffer | null {
    const n = Math.max(0, Math.min(len, this.size - pos));
    const ci = Math.floor(pos / CHUNK_BYTES);
    const inOff = pos - ci * CHUNK_BYTES;
    if (inOff + n > CHUNK_BYTES) return null;
    const c = this.chunks.get(ci);
    if (c === undefined || inOff + n > c.length) return null;
    return c.subarray(inOff, inOff + n);
  }

  /**
   * Writes src[off, off+len) at pos, growing the file; the whole growth is charged to `space`
   * first, so a write that does not fit changes nothing (ENOSPC), and one past
   * MAX_FILE_BYTES is EFBIG.
   */
  write(space: Space, pos: number, src: Uint8Array, off: number, len: number): number {
    if (len === 0) return 0;
    const end = pos + len;
    if (end > MAX_FILE_BYTES) throw sysError(27 /* EFBIG */, 'write');
    const first = Math.floor(pos / CHUNK_BYTES);
    const last = Math.floor((end - 1) / CHUNK_BYTES);
    // sizes first: charge once, then nothing below can fail
    let grow = 0;
    for (let ci = first; ci <= last; ci++) grow += this.newLength(ci, end) - (this.chunks.get(ci)?.length ?? 0);
    space.take(grow, 'write');
    this.allocated += grow;
    let done = 0;
    for (let ci = first; ci <= last; ci++) {
      const want = this.newLength(ci, end);
      let c = this.chunks.get(ci);
      if (c === undefined || c.length < want) {
        const bigger = Buffer.alloc(want);
        if (c !== undefined) c.copy(bigger, 0, 0, c.length);
        c = bigger;
        this.chunks.set(ci, c);
      }
      const p = pos + done;
      const inOff = p - ci * CHUNK_BYTES;
      const piece = Math.min(len - done, CHUNK_BYTES - inOff);
      c.set(src.subarray(off + done, off + done + piece), inOff);
      done += piece;
    }
    if (end > this.size) this.size = end;
    return len;
  }

  /** The length chunk ci needs to hold bytes up to `end` (never less than it has). */
  private newLength(ci: number, end: number): number {
    const have = this.chunks.get(ci)?.length ?? 0;
    const need = Math.min(CHUNK_BYTES, end - ci * CHUNK_BYTES);
    if (need <= have) return have;
    if (need > CHUNK_BYTES / 2) return CHUNK_BYTES;
    return Math.min(CHUNK_BYTES, Math.max(roundUp(need, STEP), have * 2));
  }

  /** Sets the size: chunks past it are freed, the tail of the one it cuts is zeroed; growing makes a hole. */
  truncate(space: Space, size: number): void {
    if (size > MAX_FILE_BYTES) throw sysError(27 /* EFBIG */, 'truncate');
    if (size < this.size) {
      const keep = Math.ceil(size / CHUNK_BYTES);
      for (const [ci, c] of this.chunks) {
        if (ci >= keep) {
          this.chunks.delete(ci);
          this.allocated -= c.length;
          space.give(c.length);
        }
      }
      const cut = size - (keep - 1) * CHUNK_BYTES;
      const c = keep > 0 ? this.chunks.get(keep - 1) : undefined;
      if (c !== undefined && cut < c.length) c.fill(0, cut);
    }
    this.size = size;
  }

  /** Frees every chunk (the file's last name and descriptor are gone). */
  release(space: Space): void {
    space.give(this.allocated);
    this.allocated = 0;
    this.chunks.clear();
    this.size = 0;
  }
}
