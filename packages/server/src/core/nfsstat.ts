/**
 * nfsstat3 values (RFC 1813 §2.6) and the one errno → nfsstat3 mapping of the server.
 *
 * The constants are the members of the generated `nfsstat3` enum of `@nfsts/xdr`, re-exported
 * under their RFC names for convenience.
 */
import { errnoName } from '@nfsts/sys';
import { nfsstat3 } from '@nfsts/xdr';

export const NFS3_OK = nfsstat3.NFS3_OK;
export const NFS3ERR_PERM = nfsstat3.NFS3ERR_PERM;
export const NFS3ERR_NOENT = nfsstat3.NFS3ERR_NOENT;
export const NFS3ERR_IO = nfsstat3.NFS3ERR_IO;
export const NFS3ERR_NXIO = nfsstat3.NFS3ERR_NXIO;
export const NFS3ERR_ACCES = nfsstat3.NFS3ERR_ACCES;
export const NFS3ERR_EXIST = nfsstat3.NFS3ERR_EXIST;
export const NFS3ERR_XDEV = nfsstat3.NFS3ERR_XDEV;
export const NFS3ERR_NODEV = nfsstat3.NFS3ERR_NODEV;
export const NFS3ERR_NOTDIR = nfsstat3.NFS3ERR_NOTDIR;
export const NFS3ERR_ISDIR = nfsstat3.NFS3ERR_ISDIR;
export const NFS3ERR_INVAL = nfsstat3.NFS3ERR_INVAL;
export const NFS3ERR_FBIG = nfsstat3.NFS3ERR_FBIG;
export const NFS3ERR_NOSPC = nfsstat3.NFS3ERR_NOSPC;
export const NFS3ERR_ROFS = nfsstat3.NFS3ERR_ROFS;
export const NFS3ERR_MLINK = nfsstat3.NFS3ERR_MLINK;
export const NFS3ERR_NAMETOOLONG = nfsstat3.NFS3ERR_NAMETOOLONG;
export const NFS3ERR_NOTEMPTY = nfsstat3.NFS3ERR_NOTEMPTY;
export const NFS3ERR_DQUOT = nfsstat3.NFS3ERR_DQUOT;
export const NFS3ERR_STALE = nfsstat3.NFS3ERR_STALE;
export const NFS3ERR_REMOTE = nfsstat3.NFS3ERR_REMOTE;
export const NFS3ERR_BADHANDLE = nfsstat3.NFS3ERR_BADHANDLE;
export const NFS3ERR_NOT_SYNC = nfsstat3.NFS3ERR_NOT_SYNC;
export const NFS3ERR_BAD_COOKIE = nfsstat3.NFS3ERR_BAD_COOKIE;
export const NFS3ERR_NOTSUPP = nfsstat3.NFS3ERR_NOTSUPP;
export const NFS3ERR_TOOSMALL = nfsstat3.NFS3ERR_TOOSMALL;
export const NFS3ERR_SERVERFAULT = nfsstat3.NFS3ERR_SERVERFAULT;
export const NFS3ERR_BADTYPE = nfsstat3.NFS3ERR_BADTYPE;
export const NFS3ERR_JUKEBOX = nfsstat3.NFS3ERR_JUKEBOX;

/** An nfsstat3 value (the generated enum of `@nfsts/xdr`). */
export type NfsStat = nfsstat3;

const ERRNO_TABLE: Readonly<Record<string, NfsStat>> = {
  EPERM: NFS3ERR_PERM,
  ENOENT: NFS3ERR_NOENT,
  EIO: NFS3ERR_IO,
  ENXIO: NFS3ERR_NXIO,
  E2BIG: NFS3ERR_FBIG,
  EBADF: NFS3ERR_STALE, // as Linux nfsd: a descriptor that went away means the object did
  EACCES: NFS3ERR_ACCES,
  EEXIST: NFS3ERR_EXIST,
  EXDEV: NFS3ERR_XDEV,
  ENODEV: NFS3ERR_NODEV,
  ENOTDIR: NFS3ERR_NOTDIR,
  EISDIR: NFS3ERR_ISDIR,
  EINVAL: NFS3ERR_INVAL,
  EFBIG: NFS3ERR_FBIG,
  ENOSPC: NFS3ERR_NOSPC,
  EROFS: NFS3ERR_ROFS,
  EMLINK: NFS3ERR_MLINK,
  ENAMETOOLONG: NFS3ERR_NAMETOOLONG,
  ENOTEMPTY: NFS3ERR_NOTEMPTY,
  EDQUOT: NFS3ERR_DQUOT,
  ESTALE: NFS3ERR_STALE,
  EREMOTE: NFS3ERR_REMOTE,
  // The server opens with O_NOFOLLOW: ELOOP means "this is a symlink where the operation
  // needs something else", which NFSv3 spells INVAL (Linux nfsd does the same for v3).
  ELOOP: NFS3ERR_INVAL,
  ENOTSUP: NFS3ERR_NOTSUPP,
  EOPNOTSUPP: NFS3ERR_NOTSUPP,
  ENOSYS: NFS3ERR_NOTSUPP,
  ETXTBSY: NFS3ERR_IO,
  // transient resource shortage: ask the client to retry later
  EAGAIN: NFS3ERR_JUKEBOX,
  EWOULDBLOCK: NFS3ERR_JUKEBOX,
  ENOMEM: NFS3ERR_JUKEBOX,
  ETIMEDOUT: NFS3ERR_JUKEBOX,
  EMFILE: NFS3ERR_JUKEBOX,
  ENFILE: NFS3ERR_JUKEBOX,
  EBUSY: NFS3ERR_JUKEBOX,
};

const kNfsStatus = Symbol.for('nfsts.error.nfs');

export type NfsErrorCode =
  | 'ERR_NFS_STATUS' // carries an nfsstat3 to answer with
  | 'ERR_NFS_BAD_OPTION' // an export option (or option string) is invalid
  | 'ERR_NFS_STATE' // the state directory cannot be used
  | 'ERR_NFS_EXPORT' // an export's configuration is invalid
  | 'ERR_NFS_CLOSED'; // the ServerCore or its file cache is closed

/** Typed error of the server core. `status` is what `errnoToNfsStat` answers for it. */
export class NfsError extends Error {
  readonly code: NfsErrorCode;
  readonly status: NfsStat;
  readonly [kNfsStatus] = true;
  constructor(code: NfsErrorCode, message: string, status: NfsStat = NFS3ERR_SERVERFAULT) {
    super(message);
    this.name = 'NfsError';
    this.code = code;
    this.status = status;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kNfsStatus] === true;
  }
}

export function isNfsError(value: unknown): value is NfsError {
  return value instanceof NfsError;
}

/** An error that makes a procedure answer `status`. */
export function nfsStatusError(status: NfsStat, message = `nfsstat3 ${status}`): NfsError {
  return new NfsError('ERR_NFS_STATUS', message, status);
}

/**
 * The one errno → nfsstat3 mapping. Accepts Node system errors (`code: 'ENOENT'`), raw
 * negative/positive errno numbers are not used by Node and map to SERVERFAULT, NfsError
 * carries its own status, and anything unknown is NFS3ERR_SERVERFAULT.
 */
export function errnoToNfsStat(err: unknown): NfsStat {
  if (err instanceof NfsError) return err.status;
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') {
      const s = ERRNO_TABLE[code];
      if (s !== undefined) return s;
    }
  }
  return NFS3ERR_SERVERFAULT;
}

/** errnoToNfsStat() of an errno number (positive, as the backends' `…OrErrno` calls give it). */
export function errnoStatus(errno: number): NfsStat {
  return ERRNO_TABLE[errnoName(errno)] ?? NFS3ERR_SERVERFAULT;
}
