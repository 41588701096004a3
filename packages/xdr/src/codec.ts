import { XdrReader } from './reader.js';
import { XdrWriter, measure } from './writer.js';

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
