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
 */
export class RecordReader {
  readonly maxRecordSize: number;
  private readonly onRecord: (record: Buffer) => void;
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

  constructor(maxRecordSize: number, onRecord: (record: Buffer) => void) {
    this.maxRecordSize = maxRecordSize;
    this.onRecord = onRecord;
  }

  /** Bytes buffered for the record in progress (for tests and accounting). */
  get buffered(): number {
    return this.recordLen;
  }

  /** True between records: no header byte or fragment byte is pending. */
  get idle(): boolean {
    return this.fragLeft === -1 && this.hdrHave === 0 && this.parts.length === 0;
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
          this.parts = [];
          this.recordLen = 0;
          this.failed = new RpcError(
            'ERR_RPC_RECORD_TOO_LARGE',
            `record fragment of ${fragLen} bytes would make a record larger than the maximum of ${this.maxRecordSize}`,
          );
          throw this.failed;
        }
        // Fast path: a single-fragment record wholly inside this chunk is a view.
        if (this.fragLast && this.parts.length === 0 && len - pos >= fragLen) {
          const record = chunk.subarray(pos, pos + fragLen);
          pos += fragLen;
          this.onRecord(record);
          continue;
        }
        this.fragLeft = fragLen;
        if (fragLen > 0) continue;
      }
      const take = Math.min(this.fragLeft, len - pos);
      if (take > 0) {
        this.parts.push(chunk.subarray(pos, pos + take));
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

  private emit(): void {
    const parts = this.parts;
    const n = this.recordLen;
    this.parts = [];
    this.recordLen = 0;
    this.fragLast = false;
    const record = parts.length === 1 ? parts[0]! : parts.length === 0 ? Buffer.alloc(0) : Buffer.concat(parts, n);
    this.onRecord(record);
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
