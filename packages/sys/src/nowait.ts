/**
 * A read that never waits for the device: preadv2(2) with RWF_NOWAIT copies only what the page
 * cache holds and fails with EAGAIN instead of blocking. The server reads large READs on its
 * event loop when they come from the page cache (a 1 MiB copy costs about 200 µs there against
 * a thread-pool round trip that cost more); with this call a READ whose data is not cached goes
 * to the thread pool at once instead of stalling every connection for a device read first.
 * Linux only (RWF_NOWAIT since 4.14); `PREAD_NOWAIT_AVAILABLE` is false elsewhere and the caller
 * keeps its portable path (`fs.readSync`).
 */
import { SYS_AVAILABLE, libc, sysError } from './libc.js';

const RWF_NOWAIT = 0x8;
const EAGAIN = 11;
const EOPNOTSUPP = 95;
const EINVAL = 22;

/** True when preadNowaitSync() can be called in this process. */
export const PREAD_NOWAIT_AVAILABLE = SYS_AVAILABLE;

/** preadNowaitSync(): not all of the bytes asked for are in the page cache (nothing was read). */
export const NOT_CACHED = -1;
/** preadNowaitSync(): this file's filesystem does not take RWF_NOWAIT; read it the usual way. */
export const NOWAIT_UNSUPPORTED = -2;

type Preadv2Fn = (fd: number, iov: Buffer, iovcnt: number, offset: bigint | number, flags: number) => number;
type AddressFn = (dst: Uint8Array, src: Uint8Array, n: number) => number | bigint;

let fns: { preadv2: Preadv2Fn; address: AddressFn } | null = null;
/** The one iovec of the synchronous calls (the event loop makes one at a time). */
const iov = Buffer.alloc(16);

function bind(): { preadv2: Preadv2Fn; address: AddressFn } {
  if (fns === null) {
    const { libc: lib } = libc();
    fns = {
      preadv2: lib.func('long preadv2(int fd, void *iov, int iovcnt, int64_t offset, int flags)') as Preadv2Fn,
      // memmove(b, b, 0) returns b: the address of a buffer's memory, which V8 never moves
      address: lib.func('uint64_t memmove(void *dst, void *src, size_t n)') as AddressFn,
    };
  }
  return fns;
}

/**
 * Reads buf[off, off+len) at `position` from the page cache only: the bytes read (0 at the end
 * of the file; fewer than asked when only the first part is cached), NOT_CACHED when the first
 * byte is not cached, NOWAIT_UNSUPPORTED when the filesystem refuses the flag. Other errors
 * throw as node:fs's do.
 */
export function preadNowaitSync(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): number {
  if (off < 0 || len < 0 || off + len > buf.length) throw new RangeError(`preadNowaitSync: [${off}, ${off + len}) is outside a buffer of ${buf.length} bytes`);
  if (len === 0) return 0;
  const f = bind();
  // a user-space address is below 2^47: exact as a number, written as two 32-bit halves
  const at = Number(f.address(buf, buf, 0)) + off;
  iov.writeUInt32LE(at % 0x1_0000_0000, 0);
  iov.writeUInt32LE(Math.floor(at / 0x1_0000_0000), 4);
  iov.writeUInt32LE(len, 8);
  iov.writeUInt32LE(0, 12);
  const n = f.preadv2(fd, iov, 1, position, RWF_NOWAIT);
  if (n >= 0) return n;
  const errno = libc().koffi.errno();
  if (errno === EAGAIN) return NOT_CACHED;
  // EOPNOTSUPP: a filesystem without nowait reads; EINVAL: a kernel without the flag
  if (errno === EOPNOTSUPP || errno === EINVAL) return NOWAIT_UNSUPPORTED;
  throw sysError(errno, 'preadv2');
}
