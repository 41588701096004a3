/**
 * The C library, loaded once through koffi (an FFI with prebuilt binaries: no compiler at
 * install). Everything here is Linux-only; `SYS_AVAILABLE` says whether it loaded, and
 * callers keep a portable path, clearly marked as such, for when it did not.
 */
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import type { IKoffiLib } from 'koffi';

type Koffi = typeof import('koffi');

const require = createRequire(import.meta.url);

function load(): { koffi: Koffi; libc: IKoffiLib } | null {
  if (process.platform !== 'linux') return null;
  try {
    const koffi = require('koffi') as Koffi;
    return { koffi, libc: koffi.load('libc.so.6') };
  } catch {
    return null;
  }
}

const loaded = load();

/** True when the Linux system calls of this package can be made in this process. */
export const SYS_AVAILABLE = loaded !== null;

/** The koffi module and libc; throws ERR_SYS_UNAVAILABLE off Linux or without koffi. */
export function libc(): { koffi: Koffi; libc: IKoffiLib } {
  if (loaded === null) {
    const e = new Error('Linux system calls are not available in this process (needs Linux and the koffi package)') as NodeJS.ErrnoException;
    e.code = 'ERR_SYS_UNAVAILABLE';
    throw e;
  }
  return loaded;
}

const ERRNO_NAMES: string[] = [];
for (const [name, num] of Object.entries(constants.errno)) ERRNO_NAMES[num] ??= name;

/** The errno name (`ENOENT`) of a number, or `E<number>` for one Node does not name. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}

/**
 * An error shaped like the ones node:fs throws (code, errno as a negative number, syscall,
 * path), so callers map it to nfsstat3 with the same table as fs errors.
 */
export function sysError(errno: number, syscall: string, path?: string): NodeJS.ErrnoException {
  const code = errnoName(errno);
  const e = new Error(`${code}: ${syscall}${path === undefined ? '' : ` '${path}'`}`) as NodeJS.ErrnoException;
  e.code = code;
  e.errno = -errno;
  e.syscall = syscall;
  if (path !== undefined) e.path = path;
  return e;
}

/** Throws the call's errno as a sysError when `ret` is negative; returns `ret` otherwise. */
export function check(ret: number, syscall: string, path?: string): number {
  if (ret < 0) throw sysError(loaded!.koffi.errno(), syscall, path);
  return ret;
}
