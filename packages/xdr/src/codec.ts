import { XdrReader } from './reader.js';
import { XdrWriter, measure, stringSize } from './writer.js';

/** What the generator emits for every named type: size first, then encode, and decode. */
export interface Codec<T> {
  /** Wire size in bytes, padding included. */
  size(value: T): number;
  encode(w: XdrWriter, value: T): void;
  decode(r: XdrReader): T;
}

/** Encodes a value into one exactly-sized buffer. */
export function encode<T>(codec: Codec<T>, value: T): Buffer {
  const w = new XdrWriter(codec.size(value));
  codec.encode(w, value);
  return w.buf;
}

/** Encodes a value into slices, keeping large opaques by reference (see EXTERNAL_OPAQUE_MIN). */
export function encodeChunks<T>(codec: Codec<T>, value: T): Buffer[] {
  const { inline } = measure(codec.size, value);
  const w = new XdrWriter(inline, { chunks: true });
  codec.encode(w, value);
  return w.chunks();
}

/** Decodes a value that must fill the buffer exactly. */
export function decode<T>(codec: Codec<T>, buf: Buffer, what = 'item'): T {
  const r = new XdrReader(buf);
  const v = codec.decode(r);
  r.assertDone(what);
  return v;
}

/** The void codec, for procedures with no arguments or results. */
export const xdr_void: Codec<void> = {
  size: () => 0,
  encode: () => {},
  decode: () => {},
};

/** Codecs of the base types, for procedures whose argument or result is one. */
export const xdr_int: Codec<number> = {
  size: () => 4,
  encode: (w, v) => w.i32(v),
  decode: (r) => r.i32(),
};

export const xdr_uint: Codec<number> = {
  size: () => 4,
  encode: (w, v) => w.u32(v),
  decode: (r) => r.u32(),
};

export const xdr_hyper: Codec<bigint> = {
  size: () => 8,
  encode: (w, v) => w.i64(v),
  decode: (r) => r.i64(),
};

export const xdr_uhyper: Codec<bigint> = {
  size: () => 8,
  encode: (w, v) => w.u64(v),
  decode: (r) => r.u64(),
};

export const xdr_bool: Codec<boolean> = {
  size: () => 4,
  encode: (w, v) => w.bool(v),
  decode: (r) => r.bool(),
};

/** An unbounded string (`string<>`), as RFC 1833 procedures return. */
export const xdr_string: Codec<string> = {
  size: (v) => stringSize(v),
  encode: (w, v) => w.string(v),
  decode: (r) => r.string(),
};

/**
 * One row of a generated procedure table (`<VERSION>_PROCEDURES`): the procedure number,
 * its name without the `...PROC..._` prefix, and the codecs of its argument and result.
 */
export interface ProcedureInfo<A = unknown, R = unknown> {
  readonly proc: number;
  readonly name: string;
  readonly args: Codec<A>;
  readonly res: Codec<R>;
}

/** A generated procedure table, indexed by procedure number. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ProcedureTable = { readonly [proc: number]: ProcedureInfo<any, any> | undefined };
