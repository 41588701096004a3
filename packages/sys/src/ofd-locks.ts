/**
 * Open file description (OFD) byte-range locks: fcntl F_OFD_SETLK / F_OFD_SETLKW / F_OFD_GETLK
 * (Linux 3.15+). Unlike classic POSIX (F_SETLK) locks, which belong to the process, an OFD lock
 * belongs to one open file description: one server process holding a descriptor per lock owner
 * gets real conflicts between its owners, and local processes (flock(1), fcntl, lockf) see them.
 * Closing any descriptor of the file does not drop the others' locks, as it would with F_SETLK.
 *
 * Linux/x86_64 only (struct flock layout below); `OFD_LOCKS_AVAILABLE` is false elsewhere and
 * callers then keep their locks in memory only.
 */
import { libc, SYS_AVAILABLE, sysError } from './libc.js';

const F_OFD_GETLK = 36;
const F_OFD_SETLK = 37;
const F_OFD_SETLKW = 38;
const F_RDLCK = 0;
const F_WRLCK = 1;
const F_UNLCK = 2;
const SEEK_SET = 0;
const EAGAIN = 11;
const EACCES = 13;

/*
 * struct flock on x86_64 (asm-generic): short l_type @0; short l_whence @2; off_t l_start @8;
 * off_t l_len @16; pid_t l_pid @24; 32 bytes. Written by hand into a Buffer so that one
 * variadic `void *` argument serves set and get alike.
 */
const FLOCK_SIZE = 32;

export type OfdLockType = 'read' | 'write' | 'unlock';

/** A conflicting lock as F_OFD_GETLK reports it (pid -1 for another OFD lock). */
export interface OfdLockInfo {
  type: 'read' | 'write';
  start: bigint;
  /** 0: to the end of the file and beyond */
  length: bigint;
  pid: number;
}

/** The largest offset off_t holds; ranges past it cannot be locked in the kernel. */
export const OFD_MAX_OFFSET = (1n << 63n) - 1n;

type Fcntl = (fd: number, cmd: number, ...rest: unknown[]) => number;
let fcntlFn: Fcntl | null = null;

function fcntl(): Fcntl {
  if (fcntlFn === null) {
    const { libc: lib } = libc();
    fcntlFn = lib.func('int fcntl(int fd, int cmd, ...)') as Fcntl;
  }
  return fcntlFn;
}

/** True where OFD locks can be taken: Linux x86_64 with koffi. */
export const OFD_LOCKS_AVAILABLE = SYS_AVAILABLE && process.arch === 'x64';

function flockBuf(type: number, start: bigint, length: bigint): Buffer {
  const b = Buffer.alloc(FLOCK_SIZE);
  b.writeInt16LE(type, 0);
  b.writeInt16LE(SEEK_SET, 2);
  b.writeBigInt64LE(start, 8);
  b.writeBigInt64LE(length, 16);
  // l_pid must be 0 for the OFD commands
  return b;
}

function typeCode(t: OfdLockType): number {
  return t === 'read' ? F_RDLCK : t === 'write' ? F_WRLCK : F_UNLCK;
}

/**
 * F_OFD_SETLK: sets (or clears, 'unlock') [start, start+length) on fd's open file description
 * (length 0: to the end of the file and beyond). Returns false when another description or
 * process holds a conflicting lock; throws a fs-shaped error otherwise (EBADF when a write lock
 * is asked on a descriptor not open for writing, EINVAL, ENOLCK).
 */
export function ofdSetLock(fd: number, type: OfdLockType, start: bigint, length: bigint): boolean {
  const ret = fcntl()(fd, F_OFD_SETLK, 'void *', flockBuf(typeCode(type), start, length));
  if (ret === 0) return true;
  const errno = libc().koffi.errno();
  if (errno === EAGAIN || errno === EACCES) return false;
  throw sysError(errno, 'fcntl(F_OFD_SETLK)');
}

/**
 * F_OFD_SETLKW: like ofdSetLock but waits for the conflict to go. It blocks the calling thread:
 * for tests and tools (a child process), never the server's event loop.
 */
export function ofdSetLockWait(fd: number, type: OfdLockType, start: bigint, length: bigint): void {
  const ret = fcntl()(fd, F_OFD_SETLKW, 'void *', flockBuf(typeCode(type), start, length));
  if (ret !== 0) throw sysError(libc().koffi.errno(), 'fcntl(F_OFD_SETLKW)');
}

/** F_OFD_GETLK: the first lock that would conflict with `type` on the range, or null. */
export function ofdGetLock(fd: number, type: 'read' | 'write', start: bigint, length: bigint): OfdLockInfo | null {
  const b = flockBuf(typeCode(type), start, length);
  const ret = fcntl()(fd, F_OFD_GETLK, 'void *', b);
  if (ret !== 0) throw sysError(libc().koffi.errno(), 'fcntl(F_OFD_GETLK)');
  const t = b.readInt16LE(0);
  if (t === F_UNLCK) return null;
  return { type: t === F_WRLCK ? 'write' : 'read', start: b.readBigInt64LE(8), length: b.readBigInt64LE(16), pid: b.readInt32LE(24) };
}
