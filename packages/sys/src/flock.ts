/**
 * flock(2): whole-file advisory locks owned by an open file description, released when the
 * last descriptor of it closes (so a killed process never leaves a lock behind). Used to keep
 * two servers off one state directory.
 */
import { SYS_AVAILABLE, libc, sysError } from './libc.js';

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
const EWOULDBLOCK = 11;

type FlockFn = (fd: number, op: number) => number;
let fn: FlockFn | null = null;

function flockFn(): FlockFn {
  if (fn === null) {
    const { libc: c } = libc();
    fn = c.func('int flock(int fd, int operation)') as FlockFn;
  }
  return fn;
}

/** Whether flock can be called here; without it callers use their portable path (a pid check). */
export const FLOCK_AVAILABLE = SYS_AVAILABLE;

/**
 * Takes an exclusive lock on `fd` without waiting: true when taken, false when another open
 * file description holds it (in this process or another). Other failures throw fs-shaped errors.
 */
export function tryLockExclusive(fd: number, path?: string): boolean {
  const r = flockFn()(fd, LOCK_EX | LOCK_NB);
  if (r === 0) return true;
  const errno = libc().koffi.errno();
  if (errno === EWOULDBLOCK) return false;
  throw sysError(errno, 'flock', path);
}

/** Releases a lock taken with tryLockExclusive (closing the descriptor does too). */
export function unlock(fd: number, path?: string): void {
  if (flockFn()(fd, LOCK_UN) !== 0) throw sysError(libc().koffi.errno(), 'flock', path);
}
