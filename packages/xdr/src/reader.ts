import { XdrError } from './errors.js';

/**
 * Decodes XDR from a Buffer without copying: opaque data comes back as views of the
 * input, valid as long as the input is. Every read checks the remaining bytes (and the
 * declared maximum) before touching the buffer, so malformed input yields XdrError,
 * never a RangeError from Buffer.
 */
export class XdrReader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;
  // Integer reads go through a DataView: several times faster than Buffer's readUInt32BE and
  // readBigUInt64BE, which validate their arguments again and build bigints from halves.
  private readonly view: DataView;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) {
      throw new XdrError('ERR_XDR_SHORT', `${what} needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} remain`);
    }
  }

  u32(): number {
    this.need(4, 'unsigned int');
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4, 'int');
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8, 'unsigned hyper');
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  i64(): bigint {
    this.need(8, 'hyper');
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    const v = this.u32();
    if (v === 0) return false;
    if (v === 1) return true;
    throw new XdrError('ERR_XDR_BAD_VALUE', `bool must be 0 or 1, got ${v}`);
  }

  /** An enum value; `valid` says whether the value is a member. */
  enumValue(valid: (v: number) => boolean, name: string): number {
    const v = this.i32();
    if (!valid(v)) throw new XdrError('ERR_XDR_BAD_VALUE', `${v} is not a value of enum ${name}`);
    return v;
  }

  /** Fixed-length opaque of n bytes, as a view; padding is skipped whatever it holds. */
  opaqueFixed(n: number): Buffer {
    const padded = n + ((4 - (n & 3)) & 3); // arithmetic, not bitwise: n may exceed 2^31
    this.need(padded, `opaque[${n}]`);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += padded;
    return v;
  }

  /** Variable-length opaque of at most max bytes, as a view. */
  opaqueVar(max = 0xffffffff): Buffer {
    const n = this.u32();
    if (n > max) throw new XdrError('ERR_XDR_TOO_LONG', `opaque of ${n} bytes exceeds its maximum of ${max}`);
    return this.opaqueFixed(n);
  }

  /** A string of at most max bytes, decoded as UTF-8. */
  string(max = 0xffffffff): string {
    const n = this.u32();
    if (n > max) throw new XdrError('ERR_XDR_TOO_LONG', `string of ${n} bytes exceeds its maximum of ${max}`);
    const padded = n + ((4 - (n & 3)) & 3); // arithmetic, not bitwise: n may exceed 2^31
    this.need(padded, `string<${max}>`);
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += padded;
    return v;
  }

  /**
   * The element count of a variable-length array, checked against the maximum and
   * against the bytes left (each element takes at least minElementSize bytes), so a
   * forged count cannot make the decoder allocate.
   */
  arrayLength(max: number, minElementSize: number): number {
    const n = this.u32();
    if (n > max) throw new XdrError('ERR_XDR_TOO_LONG', `array of ${n} elements exceeds its maximum of ${max}`);
    this.ensureElements(n, minElementSize);
    return n;
  }

  /**
   * Checks that n elements of a fixed-length array, each at least minElementSize bytes,
   * can fit in the bytes left, before the decoder allocates for them.
   */
  ensureElements(n: number, minElementSize: number): void {
    if (n * minElementSize > this.end - this.pos) {
      throw new XdrError('ERR_XDR_SHORT', `array of ${n} elements needs at least ${n * minElementSize} bytes, ${this.end - this.pos} remain`);
    }
  }

  /** Throws unless every byte has been consumed. */
  assertDone(what = 'item'): void {
    if (this.pos !== this.end) {
      throw new XdrError('ERR_XDR_TRAILING', `${this.end - this.pos} bytes left over after ${what}`);
    }
  }
}
