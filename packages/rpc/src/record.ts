import { RpcError } from './errors.js';
import { LAST_FRAGMENT, MAX_FRAGMENT } from './wire.js';

/**
 * Record marking (RFC 5531 §11) reader: fed the chunks a TCP socket delivers, it calls
 * `onRecord` once per complete record.
 *
 * - A single-fragment record that lies wholly inside one chunk is handed on as a view
 *   of the chunk, without a copy.
 * - Otherwise its pieces are collected as views and concatenated once, when the record
 *   is complete.
 * - The announced size is checked against `maxRecordSize` from each fragment header,
 *   before any of the fragment is buffered, so a forged 4 GiB header costs nothing; the
 *   reader then throws RpcError ERR_RPC_RECORD_TOO_LARGE and stays failed (the caller
 *   closes the connection).
 *
 * The records handed on are views of socket chunks: they stay valid as long as anyone
 * holds them, since Node allocates a fresh buffer per read.
 *
 * In transient mode (a socket reading into one reused buffer, see read-buffer.ts) a chunk is
 * valid only during push(): every byte kept is copied out before push() returns. A small record
 * is copied into a buffer of its own; a larger one into a buffer of its size as it arrives (from
 * `alloc`, e.g. a pool, when it gives one; otherwise grown by doubling from 64 KiB, so a record
 * announced large but trickled in holds at most about twice what arrived). Diverted bytes go
 * straight to their `dest` (their only copy); the views mode of a divert is not available.
 */
/**
 * Bulk bytes of a record to be copied straight into `dest` as they arrive (a READ reply's
 * data into the caller's buffer), instead of being kept for the record: record bytes
 * [start, start + length) land at dest[0, length). Setting `dest` to null later (the call
 * was given up) drops the rest of those bytes instead.
 */
export interface RecordDivert {
  start: number;
  length: number;
  dest: Buffer | null;
  /**
   * When given (dest then unused), the bulk bytes are collected here as views of the socket
   * chunks, without a copy (a WRITE's data for writev). Pieces smaller than BULK_VIEW_MIN are
   * copied into a staging buffer instead, so a record sent in tiny segments costs neither a view
   * object per segment nor more iovecs than BULK_VIEW_MAX_PER_MIB per MiB.
   */
  views?: Buffer[];
}

/**
 * Asked once per large single-fragment record that spans chunks, with its first
 * DIVERT_HEAD_BYTES bytes (a copy): where bulk bytes should go, or null to keep the record whole.
 */
export type DivertHook = (head: Buffer) => RecordDivert | null;

/** How much of a record a DivertHook sees. */
export const DIVERT_HEAD_BYTES = 256;
/** Records smaller than this are never diverted (joining them costs little). */
export const DIVERT_MIN_RECORD = 16 * 1024;
/** Bulk pieces at least this large are kept as views; smaller ones are staged (copied). */
export const BULK_VIEW_MIN = 4096;
/** Size of a staging buffer for small bulk pieces. */
const BULK_STAGE_SIZE = 64 * 1024;
/** Transient mode: the first buffer of a record that `alloc` did not supply (then doubled as needed). */
const GROW_FROM = 64 * 1024;
/**
 * Transient mode: records up to SLAB_RECORD_MAX bytes are copied into a shared SLAB_SIZE slab (as
 * Node's own pool does for small buffers), so a 4 KiB WRITE or GETATTR costs no allocation of
 * its own; a slab lives while any record in it does, as a socket chunk did with views.
 */
const SLAB_SIZE = 64 * 1024;
const SLAB_RECORD_MAX = 16 * 1024;

/** How a RecordReader treats the chunks it is fed. */
export interface RecordReaderMode {
  /** Chunks are reused once push() returns: copy out every byte kept (see the class comment). */
  transient: boolean;
  /** Takes back a buffer from `alloc` that the reader drops (a record abandoned, or outgrown). */
  free?: (b: Buffer) => void;
}

export class RecordReader {
  readonly maxRecordSize: number;
  private readonly onRecord: (record: Buffer, diverted: RecordDivert | null) => void;
  /** Bytes of a fragment header seen so far (a header may be split across chunks). */
  private hdr = 0;
  private hdrHave = 0;
  /** Bytes of the current fragment still to come; -1 while reading a header. */
  private fragLeft = -1;
  private fragLast = false;
  /** The pieces of the record so far, and their total length. */
  private parts: Buffer[] = [];
  private recordLen = 0;
  private failed: RpcError | null = null;
  private readonly onHead: DivertHook | null;
  /** Whether the record in progress may still be diverted (single large fragment, hook not asked yet). */
  private divertable = false;
  private divert: RecordDivert | null = null;
  /** Bytes of the record kept in `parts` (recordLen less the diverted bytes). */
  private keptLen = 0;
  /** Views mode: the staging buffer of small bulk pieces, and its region not yet in `views`. */
  private stage: Buffer | null = null;
  private stageFrom = 0;
  private stageTo = 0;
  private readonly transient: boolean;
  private readonly free: ((b: Buffer) => void) | null;
  /** Transient mode: the record's kept bytes so far, acc[0, keptLen); null until the first. */
  private acc: Buffer | null = null;
  /** acc came from `alloc` (goes back through `free` if dropped). */
  private accLent = false;
  /** Transient mode: the slab small records are copied into, and its first free byte. */
  private slab: Buffer | null = null;
  private slabPos = 0;

  /**
   * `onRecord` gets each complete record and, when part of it was diverted by `onHead`, the
   * RecordDivert (the record then lacks those bytes: it is the bytes before `start`
   * followed by those after `start + length`).
   */
  /**
   * `alloc`, when given, may supply the buffer a record spanning chunks is joined into (of at
   * least n bytes; null: allocate as usual), e.g. from a pool the owner refills once done.
   */
  constructor(maxRecordSize: number, onRecord: (record: Buffer, diverted: RecordDivert | null) => void, onHead?: DivertHook,
    alloc?: (n: number) => Buffer | null, mode?: RecordReaderMode) {
    this.maxRecordSize = maxRecordSize;
    this.transient = mode?.transient === true;
    this.free = mode?.free ?? null;
    this.onRecord = onRecord;
    this.onHead = onHead ?? null;
    this.alloc = alloc ?? null;
  }
  private readonly alloc: ((n: number) => Buffer | null) | null;

  /** Bytes buffered for the record in progress (for tests and accounting). */
  get buffered(): number {
    return this.recordLen;
  }

  /** True between records: no header byte or fragment byte is pending. */
  get idle(): boolean {
    return this.fragLeft === -1 && this.hdrHave === 0 && this.parts.length === 0 && this.acc === null;
  }

  /**
   * Drops the record in progress (the connection is going away), giving a buffer from `alloc`
   * back through `free`.
   */
  discard(): void {
    this.parts = [];
    this.recordLen = 0;
    this.keptLen = 0;
    this.divert = null;
    this.stage = null;
    this.dropAcc();
  }

  private dropAcc(): void {
    const acc = this.acc;
    this.acc = null;
    if (acc !== null && this.accLent) this.free?.(acc);
    this.accLent = false;
  }

  /** Transient mode: appends buf[p, p+n) to the record's kept bytes. */
  private keep(buf: Buffer, p: number, n: number): void {
    const need = this.keptLen + n;
    let acc = this.acc;
    if (acc === null || acc.length < need) acc = this.grow(need);
    buf.copy(acc, this.keptLen, p, p + n);
    this.keptLen = need;
  }

  /** Transient mode: a buffer for at least `need` kept bytes, holding the ones kept so far. */
  private grow(need: number): Buffer {
    // the rest of this fragment bounds what comes in it (a single-fragment record: its exact size)
    const hint = Math.max(need, this.keptLen + this.fragLeft);
    const old = this.acc;
    let acc: Buffer | null = null;
    if (old === null && this.alloc !== null && this.divert === null && !this.divertable) {
      acc = this.alloc(hint);
      if (acc !== null && acc.length < hint) {
        this.free?.(acc);
        acc = null;
      }
      this.accLent = acc !== null;
    }
    if (acc === null) {
      // a record whose bulk is (or may be) diverted keeps only its few header bytes: start small
      const from = this.divert !== null || this.divertable ? DIVERT_HEAD_BYTES * 2 : GROW_FROM;
      acc = Buffer.allocUnsafe(Math.min(hint, Math.max(need, old === null ? from : 2 * old.length)));
      if (old !== null) {
        old.copy(acc, 0, 0, this.keptLen);
        if (this.accLent) this.free?.(old);
        this.accLent = false;
      }
    }
    this.acc = acc;
    return acc;
  }

  /**
   * Feeds one chunk. Calls onRecord for every record completed by it (onRecord may throw;
   * the exception propagates and the rest of the chunk is dropped). Throws RpcError
   * ERR_RPC_RECORD_TOO_LARGE when a header announces more than the maximum.
   */
  push(chunk: Buffer): void {
    if (this.failed !== null) throw this.failed;
    const len = chunk.length;
    let pos = 0;
    while (pos < len) {
      if (this.fragLeft < 0) {
        // Fast path: a whole header in this chunk.
        if (this.hdrHave === 0 && len - pos >= 4) {
          this.hdr = chunk.readUInt32BE(pos);
          pos += 4;
        } else {
          this.hdr = ((this.hdr << 8) | chunk[pos]!) >>> 0;
          pos++;
          if (++this.hdrHave < 4) continue;
          this.hdrHave = 0;
        }
        const fragLen = this.hdr & MAX_FRAGMENT;
        this.fragLast = (this.hdr & LAST_FRAGMENT) !== 0;
        this.hdr = 0;
        if (this.recordLen + fragLen > this.maxRecordSize) {
          this.discard();
          this.failed = new RpcError(
            'ERR_RPC_RECORD_TOO_LARGE',
            `record fragment of ${fragLen} bytes would make a record larger than the maximum of ${this.maxRecordSize}`,
          );
          throw this.failed;
        }
        // Fast path: a single-fragment record wholly inside this chunk is a view (transient: a
        // copy, unless it may be diverted: then its bulk bytes are copied once, to their dest).
        if (this.fragLast && this.parts.length === 0 && len - pos >= fragLen) {
          if (!this.transient) {
            const record = chunk.subarray(pos, pos + fragLen);
            pos += fragLen;
            this.onRecord(record, null);
            continue;
          }
          if (this.recordLen === 0 && (this.onHead === null || fragLen < DIVERT_MIN_RECORD)) {
            let record: Buffer | null;
            if (fragLen <= SLAB_RECORD_MAX) {
              let slab = this.slab;
              if (slab === null || slab.length - this.slabPos < fragLen) {
                slab = this.slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
                this.slabPos = 0;
              }
              record = slab.subarray(this.slabPos, this.slabPos + fragLen);
              this.slabPos += (fragLen + 7) & ~7; // 8-aligned, as Node's pool
            } else {
              record = this.alloc !== null ? this.alloc(fragLen) : null;
              if (record !== null && record.length < fragLen) {
                this.free?.(record);
                record = null;
              }
              record ??= Buffer.allocUnsafe(fragLen);
              if (record.length > fragLen) record = record.subarray(0, fragLen);
            }
            chunk.copy(record, 0, pos, pos + fragLen);
            pos += fragLen;
            this.onRecord(record, null);
            continue;
          }
        }
        this.divertable = this.onHead !== null && this.fragLast && this.recordLen === 0 && fragLen >= DIVERT_MIN_RECORD;
        this.fragLeft = fragLen;
        if (fragLen > 0) continue;
      }
      const take = Math.min(this.fragLeft, len - pos);
      if (take > 0) {
        if (this.divertable || this.divert !== null) this.collect(chunk, pos, take);
        else if (this.transient) this.keep(chunk, pos, take);
        else {
          this.parts.push(chunk.subarray(pos, pos + take));
          this.keptLen += take;
        }
        this.recordLen += take;
        this.fragLeft -= take;
        pos += take;
      }
      if (this.fragLeft === 0) {
        this.fragLeft = -1;
        if (this.fragLast) this.emit();
      }
    }
  }

  /** Keeps or diverts chunk[p, p+n), the record's bytes [recordLen, recordLen+n). */
  private collect(chunk: Buffer, p: number, n: number): void {
    const a = this.recordLen;
    if (this.divertable && a + n >= DIVERT_HEAD_BYTES) {
      this.divertable = false;
      const before = this.transient ? (this.acc === null ? [] : [this.acc.subarray(0, this.keptLen)]) : this.parts;
      const head = Buffer.concat([...before, chunk.subarray(p, p + (DIVERT_HEAD_BYTES - a))], DIVERT_HEAD_BYTES);
      const d = this.onHead!(head);
      if (d !== null && Number.isInteger(d.start) && Number.isInteger(d.length) && d.start >= 0 && d.length > 0
        && d.start + d.length <= a + this.fragLeft && (d.views !== undefined || d.dest === null || d.length <= d.dest.length)
        && !(this.transient && d.views !== undefined)) {
        this.divert = d;
        if (d.start < a) this.divertKept(d);
      }
    }
    const d = this.divert;
    if (d === null) {
      if (this.transient) this.keep(chunk, p, n);
      else {
        this.parts.push(chunk.subarray(p, p + n));
        this.keptLen += n;
      }
      return;
    }
    if (this.transient) this.splitTransient(chunk, p, n, a, d);
    else this.keptLen += this.splitPiece(chunk, p, n, a, d, this.parts);
  }

  /** Transient mode's splitPiece: the bytes outside the divert range are kept (copied). */
  private splitTransient(buf: Buffer, p: number, n: number, a: number, d: RecordDivert): void {
    const b = a + n;
    const s = d.start;
    const e = s + d.length;
    if (a < s) this.keep(buf, p, Math.min(b, s) - a);
    const ds = Math.max(a, s);
    const de = Math.min(b, e);
    if (ds < de && d.dest !== null) buf.copy(d.dest, ds - s, p + (ds - a), p + (de - a));
    if (b > e) {
      const from = Math.max(a, e);
      this.keep(buf, p + (from - a), b - from);
    }
  }

  /**
   * The divert range begins inside the bytes already kept (the record's first chunks were
   * small): copy those bytes to dest and keep only what lies outside the range.
   */
  private divertKept(d: RecordDivert): void {
    if (this.transient) {
      // acc[0, keptLen) is the record's bytes [0, keptLen): nothing was diverted before
      const acc = this.acc!;
      const a = this.keptLen;
      const s = d.start;
      const e = Math.min(a, s + d.length);
      if (d.dest !== null) acc.copy(d.dest, 0, s, e);
      acc.copy(acc, s, e, a);
      this.keptLen = a - (e - s);
      return;
    }
    const kept: Buffer[] = [];
    let keptLen = 0;
    let off = 0;
    for (const part of this.parts) {
      keptLen += this.splitPiece(part, 0, part.length, off, d, kept);
      off += part.length;
    }
    this.parts = kept;
    this.keptLen = keptLen;
  }

  private emit(): void {
    const parts = this.parts;
    const n = this.keptLen;
    const d = this.divert;
    this.parts = [];
    this.recordLen = 0;
    this.keptLen = 0;
    this.divert = null;
    this.divertable = false;
    this.fragLast = false;
    if (d !== null && d.views !== undefined) this.flushStage(d.views);
    this.stage = null;
    let record: Buffer;
    if (this.transient) {
      const acc = this.acc;
      this.acc = null;
      this.accLent = false; // the record is the owner's now (a pooled one goes back when it is done)
      record = acc === null ? Buffer.alloc(0) : acc.length === n ? acc : acc.subarray(0, n);
    } else if (parts.length === 1) record = parts[0]!;
    else if (parts.length === 0) record = Buffer.alloc(0);
    else {
      const into = this.alloc !== null ? this.alloc(n) : null;
      if (into !== null && into.length >= n) {
        let off = 0;
        for (const part of parts) off += part.copy(into, off);
        record = into.length === n ? into : into.subarray(0, n);
      } else {
        record = Buffer.concat(parts, n);
      }
    }
    this.onRecord(record, d);
  }

  /**
   * Splits buf[p, p+n), the record's bytes [a, a+n), against the divert range of `d`: the bytes
   * inside it are copied to d.dest (dropped once dest is null) or collected in d.views, the bytes
   * before and after it are pushed onto `kept` as views. Returns how many bytes were kept.
   */
  private splitPiece(buf: Buffer, p: number, n: number, a: number, d: RecordDivert, kept: Buffer[]): number {
    const b = a + n;
    const s = d.start;
    const e = s + d.length;
    let keptLen = 0;
    if (a < s) {
      const k = Math.min(b, s) - a;
      kept.push(buf.subarray(p, p + k));
      keptLen += k;
    }
    const ds = Math.max(a, s);
    const de = Math.min(b, e);
    if (ds < de) {
      if (d.views !== undefined) this.bulkView(d.views, buf, p + (ds - a), p + (de - a), e - ds);
      else if (d.dest !== null) buf.copy(d.dest, ds - s, p + (ds - a), p + (de - a));
    }
    if (b > e) {
      const from = Math.max(a, e);
      kept.push(buf.subarray(p + (from - a), p + n));
      keptLen += b - from;
    }
    return keptLen;
  }

  /**
   * Views mode: buf[from, to) of the bulk as a view, or staged (copied) when it is small; `left`:
   * the bulk bytes from `from` to the bulk's end (a stage is no larger than what can fill it, so
   * the small last piece of a record costs a few bytes of Node's shared pool, not 64 KiB).
   */
  private bulkView(views: Buffer[], buf: Buffer, from: number, to: number, left: number): void {
    const n = to - from;
    if (n >= BULK_VIEW_MIN) {
      this.flushStage(views);
      views.push(buf.subarray(from, to));
      return;
    }
    let st = this.stage;
    if (st === null || st.length - this.stageTo < n) {
      this.flushStage(views);
      st = this.stage = Buffer.allocUnsafe(Math.min(BULK_STAGE_SIZE, left));
      this.stageFrom = this.stageTo = 0;
    }
    buf.copy(st, this.stageTo, from, to);
    this.stageTo += n;
  }

  /** Puts the staged bytes not yet in `views` there as one view. */
  private flushStage(views: Buffer[]): void {
    if (this.stage !== null && this.stageTo > this.stageFrom) {
      views.push(this.stage.subarray(this.stageFrom, this.stageTo));
      this.stageFrom = this.stageTo;
    }
  }
}

/** A record-marking header for a fragment of `length` bytes. */
export function recordMark(length: number, last = true): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > MAX_FRAGMENT) {
    throw new RpcError('ERR_RPC_RECORD_TOO_LARGE', `fragment of ${length} bytes cannot be framed (maximum ${MAX_FRAGMENT})`);
  }
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE((last ? LAST_FRAGMENT : 0) + length, 0);
  return b;
}

/**
 * Frames a record given as a list of chunks (e.g. header + payload + padding from a
 * chunk-mode XdrWriter) into the buffers to write: fragment headers and views of the
 * chunks, never a concatenation. Fragments are at most `maxFragment` bytes, so a record
 * larger than that (or a test wanting many fragments) is split across several.
 */
export function frameRecord(chunks: readonly Buffer[], maxFragment = MAX_FRAGMENT): Buffer[] {
  if (!Number.isInteger(maxFragment) || maxFragment < 1 || maxFragment > MAX_FRAGMENT) {
    throw new RpcError('ERR_RPC_INVALID_OPTION', `maxFragment must be an integer in 1..${MAX_FRAGMENT}, got ${maxFragment}`);
  }
  let total = 0;
  for (const c of chunks) total += c.length;
  if (total <= maxFragment) return [recordMark(total, true), ...chunks];
  const out: Buffer[] = [];
  let left = total;
  let fragLeft = 0;
  for (const c of chunks) {
    let off = 0;
    while (off < c.length) {
      if (fragLeft === 0) {
        fragLeft = Math.min(maxFragment, left);
        left -= fragLeft;
        out.push(recordMark(fragLeft, left === 0));
      }
      const take = Math.min(fragLeft, c.length - off);
      out.push(off === 0 && take === c.length ? c : c.subarray(off, off + take));
      off += take;
      fragLeft -= take;
    }
  }
  return out;
}
