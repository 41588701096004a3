import { constants as osConstants } from 'node:os';
import { mountstat3, nfsstat3 } from '@nfsts/xdr';

/**
 * Client errors. Three kinds, each with a stable `code` and a `Symbol.for` brand so
 * `instanceof` works across two installed copies of the package:
 *  - `NfsError`: the raw layer — a procedure answered with a non-OK status. `.status` is
 *    the nfsstat3 (or mountstat3) number, `.code` its RFC name (`'NFS3ERR_NOENT'`),
 *    `.res` the whole failed result (its resfail body carries wcc data).
 *  - `NfsFsError`: the path layer — shaped like a Node `fs` error: `.code` is the errno
 *    name (`'ENOENT'`), `.errno` the negative errno number, `.syscall`, `.path`, `.dest`,
 *    plus `.status`/`.nfsCode` of the NFS reply that caused it.
 *  - `NfsClientError`: the client itself (`ERR_NFS_*`): bad URL or option, closed client,
 *    portmapper lookup failed, a server reply that breaks the protocol.
 */
const kNfsError = Symbol.for('nfsts.error.nfs.status');
const kNfsFsError = Symbol.for('nfsts.error.nfs.fs');
const kNfsClientError = Symbol.for('nfsts.error.nfs.client');

function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** A generated numeric enum's members as number → name (the enum object also maps name → number). */
function namesOf(e: Record<string, string | number>): Readonly<Record<number, string>> {
  const out: Record<number, string> = {};
  for (const [name, v] of Object.entries(e)) if (typeof v === 'number') out[v] = name;
  return Object.freeze(out);
}

/** nfsstat3 numbers to their RFC 1813 names (from the generated enum). */
export const NFS3_STATUS_NAMES: Readonly<Record<number, string>> = namesOf(nfsstat3);

/** mountstat3 numbers to their RFC 1813 names (from the generated enum). */
export const MOUNT3_STATUS_NAMES: Readonly<Record<number, string>> = namesOf(mountstat3);

/** The one place nfsstat3 maps to an errno name (what a Node user expects in `err.code`). */
export function nfsStatusToErrno(status: number): string {
  switch (status) {
    case 1: return 'EPERM';
    case 2: return 'ENOENT';
    case 5: return 'EIO';
    case 6: return 'ENXIO';
    case 13: return 'EACCES';
    case 17: return 'EEXIST';
    case 18: return 'EXDEV';
    case 19: return 'ENODEV';
    case 20: return 'ENOTDIR';
    case 21: return 'EISDIR';
    case 22: return 'EINVAL';
    case 27: return 'EFBIG';
    case 28: return 'ENOSPC';
    case 30: return 'EROFS';
    case 31: return 'EMLINK';
    case 63: return 'ENAMETOOLONG';
    case 66: return 'ENOTEMPTY';
    case 69: return 'EDQUOT';
    case 70: return 'ESTALE';
    case 71: return 'EREMOTE';
    case 10001: return 'ESTALE'; // BADHANDLE: Linux says EBADHANDLE, which Node has no name for
    case 10004: return 'ENOTSUP';
    case 10005: return 'EINVAL'; // TOOSMALL
    case 10007: return 'EINVAL'; // BADTYPE
    case 10008: return 'EAGAIN'; // JUKEBOX
    default: return 'EIO'; // NOT_SYNC, BAD_COOKIE, SERVERFAULT, unknown
  }
}

const ERRNO_TEXT: Record<string, string> = {
  EPERM: 'operation not permitted', ENOENT: 'no such file or directory', EIO: 'i/o error',
  ENXIO: 'no such device or address', EACCES: 'permission denied', EEXIST: 'file already exists',
  EXDEV: 'cross-device link not permitted', ENODEV: 'no such device', ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory', EINVAL: 'invalid argument', EFBIG: 'file too large',
  ENOSPC: 'no space left on device', EROFS: 'read-only file system', EMLINK: 'too many links',
  ENAMETOOLONG: 'name too long', ENOTEMPTY: 'directory not empty', EDQUOT: 'disk quota exceeded',
  ESTALE: 'stale file handle', EREMOTE: 'object is remote', ENOTSUP: 'operation not supported',
  EAGAIN: 'resource temporarily unavailable', ELOOP: 'too many symbolic links encountered',
  EBADF: 'bad file descriptor',
};

export class NfsError extends Error {
  readonly [kNfsError] = true;
  /** `'NFS3ERR_NOENT'`, `'MNT3ERR_ACCES'`, … */
  readonly code: string;
  /** nfsstat3 / mountstat3 number */
  readonly status: number;
  /** the procedure, e.g. `'LOOKUP'` or `'MNT'` */
  readonly proc: string;
  /** the failed result as decoded (resfail body included) */
  readonly res: unknown;

  constructor(proc: string, status: number, res: unknown, mount = false) {
    const name = (mount ? MOUNT3_STATUS_NAMES : NFS3_STATUS_NAMES)[status] ?? `${mount ? 'MNT3ERR' : 'NFS3ERR'}_${status}`;
    super(`${proc} failed: ${name}`);
    this.name = 'NfsError';
    this.code = name;
    this.status = status;
    this.proc = proc;
    this.res = res;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, kNfsError);
  }
}

export class NfsFsError extends Error {
  readonly [kNfsFsError] = true;
  /** errno name: `'ENOENT'`, `'EEXIST'`, … */
  readonly code: string;
  /** negative errno number, as Node's own fs errors carry it */
  readonly errno: number;
  readonly syscall: string;
  readonly path: string;
  readonly dest?: string;
  /** nfsstat3 of the reply that caused it (undefined when the client decided alone) */
  readonly status: number | undefined;
  /** `'NFS3ERR_NOENT'`, … when `status` is set */
  readonly nfsCode: string | undefined;

  constructor(code: string, syscall: string, path: string, opts: { status?: number; dest?: string; cause?: unknown } = {}) {
    const text = ERRNO_TEXT[code] ?? code.toLowerCase();
    super(`${code}: ${text}, ${syscall} '${path}'${opts.dest !== undefined ? ` -> '${opts.dest}'` : ''}`, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'NfsFsError';
    this.code = code;
    const n = (osConstants.errno as Record<string, number | undefined>)[code];
    this.errno = n !== undefined ? -n : -5;
    this.syscall = syscall;
    this.path = path;
    if (opts.dest !== undefined) this.dest = opts.dest;
    this.status = opts.status;
    this.nfsCode = opts.status !== undefined ? NFS3_STATUS_NAMES[opts.status] ?? `NFS3ERR_${opts.status}` : undefined;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, kNfsFsError);
  }
}

export type NfsClientErrorCode =
  | 'ERR_NFS_INVALID_URL'
  | 'ERR_NFS_INVALID_OPTION'
  | 'ERR_NFS_CLOSED' // the client or file handle was closed
  | 'ERR_NFS_PORTMAP' // the portmapper does not know the program
  | 'ERR_NFS_BAD_REPLY' // a reply that breaks the protocol (e.g. more READ data than asked)
  | 'ERR_NFS_NO_PROGRESS' // a WRITE that wrote nothing, a READDIR that loops
  | 'ERR_NFS_RESEND_FAILED'; // the write verifier kept changing while resending

export class NfsClientError extends Error {
  readonly [kNfsClientError] = true;
  readonly code: NfsClientErrorCode;

  constructor(code: NfsClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NfsClientError';
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, kNfsClientError);
  }
}

export function isNfsError(v: unknown): v is NfsError { return v instanceof NfsError; }
export function isNfsFsError(v: unknown): v is NfsFsError { return v instanceof NfsFsError; }
export function isNfsClientError(v: unknown): v is NfsClientError { return v instanceof NfsClientError; }

/** Turns a raw-layer error into the fs-shaped one; other errors pass through. */
export function toFsError(err: unknown, syscall: string, path: string, dest?: string): unknown {
  if (err instanceof NfsError && !err.code.startsWith('MNT')) {
    return new NfsFsError(nfsStatusToErrno(err.status), syscall, path, { status: err.status, cause: err, ...(dest !== undefined ? { dest } : {}) });
  }
  return err;
}

/**
 * What an aborted call rejects with, as node:fs's: `name` 'AbortError', `code` 'ABORT_ERR'
 * (the DOMException a bare `signal.reason` carries has the numeric code 20), the signal's
 * reason as `cause`.
 */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';

  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** Throws the AbortError when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason });
}

/**
 * `work`, rejected with an AbortError as soon as `signal` fires (the calls already sent
 * still run to their end; the engine's stop predicate keeps further ones from starting).
 */
export function abortable<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  if (signal === undefined) return work();
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError(undefined, { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    work().then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
