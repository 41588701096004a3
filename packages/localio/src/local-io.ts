/**
 * The I/O of a local operation on a held descriptor: threadpool pread/pwrite/fsync as
 * promises (callback `fs`: `fs.promises` costs several times more per call), and READ's eof
 * rule. The descriptor must stay referenced until the promise settles.
 */
import fs from 'node:fs';
import { LocalioError, type LocalFile } from '@nfsts/common';
import type { ReadResult } from './types.js';

export function pread(fd: number, buf: Buffer, off: number, len: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, off, len, pos, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

export function pwrite(fd: number, buf: Buffer, off: number, len: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.write(fd, buf, off, len, pos, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

export function fsyncFd(fd: number, dataOnly: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    (dataOnly ? fs.fdatasync : fs.fsync)(fd, (err) => (err ? reject(err) : resolve()));
  });
}

/** The offset as a number, or a throw (the operation then goes by RPC) past 2^53. */
export function position(offset: bigint, len: number): number {
  if (offset < 0n || offset + BigInt(len) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new LocalioError('ERR_LOCALIO_OPEN', 'offset beyond 2^53: sent by RPC');
  }
  return Number(offset);
}

/** Reads until `len` bytes or end of file through the threadpool; the count. */
export async function preadFully(fd: number, dest: Buffer, off: number, len: number, pos: number): Promise<number> {
  let n = 0;
  while (n < len) {
    const got = await pread(fd, dest, off + n, len - n, pos + n);
    if (got === 0) break;
    n += got;
  }
  return n;
}

/** Writes all `len` bytes through the threadpool. */
export async function pwriteFully(fd: number, data: Buffer, off: number, len: number, pos: number): Promise<void> {
  let n = 0;
  while (n < len) n += await pwrite(fd, data, off + n, len - n, pos + n);
}

/**
 * `eof` as the server's READ reports it: a short read, or one reaching the current size. The
 * size is kept per file and refreshed with `fs.fstatSync` on the held descriptor only when a
 * full read reaches the size last seen (or none was seen), so sequential and random reads
 * inside the file cost no stat (an in-memory inode: no device I/O on a local file system).
 */
export class FileSizes {
  private readonly sizes = new WeakMap<LocalFile, number>();

  readResult(f: LocalFile, pos: number, n: number, len: number): ReadResult {
    if (n < len) return { count: n, eof: true };
    const end = pos + n;
    const known = this.sizes.get(f);
    if (known !== undefined && end < known) return { count: n, eof: false };
    const size = fs.fstatSync(f.fd).size;
    this.sizes.set(f, size);
    return { count: n, eof: end >= size };
  }

  /** After a local write of `[pos, pos+len)`: the size we know grows. */
  wrote(f: LocalFile, pos: number, len: number): void {
    const known = this.sizes.get(f);
    if (known !== undefined && pos + len > known) this.sizes.set(f, pos + len);
  }
}
