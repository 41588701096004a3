import { throwIfAborted } from './errors.js';

/** What `writeFile`/`appendFile` take, as node:fs: bytes, a string, or an (async) iterable or stream of either. */
export type WriteFileData =
  | string
  | NodeJS.ArrayBufferView
  | Iterable<string | NodeJS.ArrayBufferView>
  | AsyncIterable<string | NodeJS.ArrayBufferView>;

function chunkBuffer(c: string | NodeJS.ArrayBufferView, encoding: BufferEncoding): Buffer {
  if (typeof c === 'string') return Buffer.from(c, encoding);
  if (Buffer.isBuffer(c)) return c;
  if (ArrayBuffer.isView(c)) return Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  throw new TypeError(`writeFile data chunks must be strings or ArrayBufferViews, got ${typeof c}`);
}

/**
 * The data as one Buffer: bytes by reference (no copy), strings encoded, iterables and
 * streams gathered (checking `signal` between chunks).
 */
export async function toBuffer(data: WriteFileData, encoding: BufferEncoding = 'utf8', signal?: AbortSignal): Promise<Buffer> {
  throwIfAborted(signal);
  if (typeof data === 'string' || ArrayBuffer.isView(data)) return chunkBuffer(data, encoding);
  const parts: Buffer[] = [];
  if (typeof (data as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    for await (const c of data as AsyncIterable<string | NodeJS.ArrayBufferView>) {
      throwIfAborted(signal);
      parts.push(chunkBuffer(c, encoding));
    }
  } else if (typeof (data as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const c of data as Iterable<string | NodeJS.ArrayBufferView>) parts.push(chunkBuffer(c, encoding));
  } else {
    throw new TypeError('writeFile data must be a string, an ArrayBufferView, an iterable, an async iterable or a stream');
  }
  throwIfAborted(signal);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
