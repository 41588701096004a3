import { XdrError } from './errors.js';

/**
 * Opaques at least this long are not copied by a writer in chunk mode: the writer keeps
 * a reference and `chunks()` splices the caller's buffer between its own slices, so a
 * READ reply goes to the socket as header + payload + rest without a concatenation copy.
 */
export const EXTERNAL_OPAQUE_MIN = 4096;

// Strings up to this many UTF-16 units are checked for ASCII and handled in JavaScript.
const SHORT_STRING = 64;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
const MAX_U32 = 0xffffffff;
const MAX_U64 = (1n << 64n) - 1n;
const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;

/** Bytes a variable-length opaque or string of n bytes takes on the wire. */
export function opaqueSize(n: number): number {
  if (n >= EXTERNAL_OPAQUE_MIN) measuredExternal += n;
  return 4 + n + ((4 - (n & 3)) & 3);
}

/** Bytes a UTF-8 string takes on the wire. */
export function stringSize(s: string): number {
  const n = s.length <= SHORT_STRING && isAscii(s) ? s.length : Buffer.byteLength(s, 'utf8');
  return 4 + n + ((4 - (n & 3)) & 3);
}

// Running total of the external-candidate bytes seen by opaqueSize() during one measure().
let measuredExternal = 0;

/** The wire size of a value and how much of it a chunk-mode writer keeps by reference. */
export interface Measure {
  total: number;
  inline: number;
}

/**
 * Runs a size function and reports how many bytes a chunk-mode writer must allocate.
 * Sizing is synchronous, so the module-level counter cannot interleave with another call.
 */
export function measure<T>(size: (v: T) => number, value: T): Measure {
  measuredExternal = 0;
  const total = size(value);
  const inline = total - measuredExternal;
  measuredExternal = 0;
  return { total, inline };
}

interface ExternalRef {
  at: number;
  data: Buffer;
}

/**
 * Encodes XDR into a buffer sized in advance (encoders size first, allocate once).
 * In chunk mode large opaques are referenced rather than copied; `chunks()` returns
 * the slices to write in order.
 */
export class XdrWriter {
  readonly buf: Buffer;
  pos: number;
  private readonly chunkMode: boolean;
  private externals: ExternalRef[] | null = null;
  // Integer writes go through a DataView: an order of magnitude faster than Buffer's
  // writeUInt32BE/writeBigUInt64BE, whose checks repeat the ones made here.
  private readonly view: DataView;

  constructor(target: number | Buffer, options: { offset?: number; chunks?: boolean } = {}) {
    this.buf = typeof target === 'number' ? Buffer.allocUnsafe(target) : target;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = options.offset ?? 0;
    this.chunkMode = options.chunks ?? false;
  }

  private room(n: number): void {
    if (this.buf.length - this.pos < n) {
      throw new XdrError('ERR_XDR_RANGE', `writer overflow: ${n} bytes at offset ${this.pos} of ${this.buf.length}`);
    }
  }

  u32(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > MAX_U32) throw new XdrError('ERR_XDR_RANGE', `${v} is not an unsigned int`);
    this.room(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  i32(v: number): void {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new XdrError('ERR_XDR_RANGE', `${v} is not an int`);
    this.room(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  u64(v: bigint): void {
    if (v < 0n || v > MAX_U64) throw new XdrError('ERR_XDR_RANGE', `${v} is not an unsigned hyper`);
    this.room(8);
    this.view.setBigUint64(this.pos, v);
    this.pos += 8;
  }

  i64(v: bigint): void {
    if (v < MIN_I64 || v > MAX_I64) throw new XdrError('ERR_XDR_RANGE', `${v} is not a hyper`);
    this.room(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  bool(v: boolean): void {
    this.u32(v ? 1 : 0);
  }

  private pad(n: number): void {
    const p = (4 - (n & 3)) & 3;
    if (p !== 0) {
      this.room(p);
      // One to three bytes: a loop beats a native copy call.
      const b = this.buf;
      for (let i = 0; i < p; i++) b[this.pos++] = 0;
    }
  }

  /** Fixed-length opaque: exactly n bytes of data, then zero padding. */
  opaqueFixed(data: Uint8Array, n: number): void {
    if (data.length !== n) throw new XdrError('ERR_XDR_RANGE', `opaque[${n}] given ${data.length} bytes`);
    this.room(n);
    this.buf.set(data, this.pos);
    this.pos += n;
    this.pad(n);
  }

  /** Variable-length opaque of at most max bytes. */
  opaqueVar(data: Uint8Array, max = MAX_U32): void {
    const n = data.length;
    if (n > max) throw new XdrError('ERR_XDR_TOO_LONG', `opaque of ${n} bytes exceeds its maximum of ${max}`);
    this.u32(n);
    if (this.chunkMode && n >= EXTERNAL_OPAQUE_MIN) {
      (this.externals ??= []).push({
        at: this.pos,
        data: Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, n),
      });
    } else {
      this.room(n);
      this.buf.set(data, this.pos);
      this.pos += n;
    }
    this.pad(n);
  }

  /** A string of at most max bytes, encoded as UTF-8. */
  string(s: string, max = MAX_U32): void {
    // Short ASCII strings (file names, netids) are copied by a loop: a native
    // Buffer.write/byteLength call costs more than the copy itself.
    if (s.length <= SHORT_STRING && isAscii(s)) {
      const n = s.length;
      if (n > max) throw new XdrError('ERR_XDR_TOO_LONG', `string of ${n} bytes exceeds its maximum of ${max}`);
      this.u32(n);
      this.room(n);
      const b = this.buf;
      let at = this.pos;
      for (let i = 0; i < n; i++) b[at++] = s.charCodeAt(i);
      this.pos = at;
      this.pad(n);
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    if (n > max) throw new XdrError('ERR_XDR_TOO_LONG', `string of ${n} bytes exceeds its maximum of ${max}`);
    this.u32(n);
    this.room(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
    this.pad(n);
  }

  /** The element count of a variable-length array, checked against its maximum. */
  arrayLength(n: number, max: number): void {
    if (n > max) throw new XdrError('ERR_XDR_TOO_LONG', `array of ${n} elements exceeds its maximum of ${max}`);
    this.u32(n);
  }

  /** The encoded bytes written so far (a view when there are no externals). */
  bytes(): Buffer {
    if (this.externals !== null) return Buffer.concat(this.chunks());
    return this.buf.subarray(0, this.pos);
  }

  /** The encoded bytes as slices to write in order; externals are spliced in, not copied. */
  chunks(): Buffer[] {
    const ext = this.externals;
    if (ext === null) return [this.buf.subarray(0, this.pos)];
    const out: Buffer[] = [];
    let from = 0;
    for (const { at, data } of ext) {
      if (at > from) out.push(this.buf.subarray(from, at));
      out.push(data);
      from = at;
    }
    if (this.pos > from) out.push(this.buf.subarray(from, this.pos));
    return out;
  }
}
