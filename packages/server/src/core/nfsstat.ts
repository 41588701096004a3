/**
 * nfsstat3 values (RFC 1813 §2.6) and the one errno → nfsstat3 mapping of the server.
 *
 * The numbers are those of `nfsstat3` in `@nfsts/xdr`; they are plain numbers here so the
 * core compiles on its own, and every value is assignable to the generated enum.
 */
export const NFS3_OK = 0;
export const NFS3ERR_PERM = 1;
export const NFS3ERR_NOENT = 2;
export const NFS3ERR_IO = 5;
export const NFS3ERR_NXIO = 6;
export const NFS3ERR_ACCES = 13;
export const NFS3ERR_EXIST = 17;
export const NFS3ERR_XDEV = 18;
export const NFS3ERR_NODEV = 19;
export const NFS3ERR_NOTDIR = 20;
export const NFS3ERR_ISDIR = 21;
export const NFS3ERR_INVAL = 22;
export const NFS3ERR_FBIG = 27;
export const NFS3ERR_NOSPC = 28;
export const NFS3ERR_ROFS = 30;
export const NFS3ERR_MLINK = 31;
export const NFS3ERR_NAMETOOLONG = 63;
export const NFS3ERR_NOTEMPTY = 66;
export const NFS3ERR_DQUOT = 69;
export const NFS3ERR_STALE = 70;
export const NFS3ERR_REMOTE = 71;
export const NFS3ERR_BADHANDLE = 10001;
export const NFS3ERR_NOT_SYNC = 10002;
export const NFS3ERR_BAD_COOKIE = 10003;
export const NFS3ERR_NOTSUPP = 10004;
export const NFS3ERR_TOOSMALL = 10005;
export const NFS3ERR_SERVERFAULT = 10006;
export const NFS3ERR_BADTYPE = 10007;
export const NFS3ERR_JUKEBOX = 10008;

/** An nfsstat3 value (a number, assignable to `nfsstat3` from `@nfsts/xdr`). */
export type NfsStat = number;

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
