/**
 * AUTH_SYS credentials after squashing, and the permission checks the server enforces itself
 * (it cannot switch uid per request). Semantics follow Linux generic_permission() and nfsd.
 */
import type { Stats as BigIntStats } from './backend.js';
import type { ExportOptions } from './exports.js';

/** A credential after export squashing. */
export interface Cred { uid: number; gid: number; gids: number[] }

/**
 * What the core needs of an `@nfsts/rpc` Credential (`{ flavor: 0 } | { flavor: 1; sys }`);
 * the rpc type is assignable to this.
 */
export interface CredentialLike { flavor: number; sys?: { uid: number; gid: number; gids: readonly number[] } }

export const ACCESS3_READ = 0x0001;
export const ACCESS3_LOOKUP = 0x0002;
export const ACCESS3_MODIFY = 0x0004;
export const ACCESS3_EXTEND = 0x0008;
export const ACCESS3_DELETE = 0x0010;
export const ACCESS3_EXECUTE = 0x0020;
export const ACCESS3_ALL = 0x003f;

/** Permission bits as in access(2). */
export const MAY_READ = 4;
export const MAY_WRITE = 2;
export const MAY_EXEC = 1;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_ISVTX = 0o1000;
const S_ISGID = 0o2000;

/** Applies root_squash / all_squash; AUTH_NONE (or any non-AUTH_SYS flavor) is anonymous. */
export function squash(cred: CredentialLike, opts: ExportOptions): Cred {
  const anon: Cred = { uid: opts.anonuid, gid: opts.anongid, gids: [] };
  if (cred.flavor !== 1 || cred.sys === undefined) return anon;
  if (opts.squash === 'all') return anon;
  const { uid, gid, gids } = cred.sys;
  if (opts.squash === 'none') return { uid, gid, gids: [...gids] };
  // root_squash: uid 0 → anonuid, and gid 0 (primary or supplementary) → anongid, as nfsd does
  return {
    uid: uid === 0 ? opts.anonuid : uid,
    gid: gid === 0 ? opts.anongid : gid,
    gids: gids.map((g) => (g === 0 ? opts.anongid : g)),
  };
}

export function isDir(stats: BigIntStats): boolean {
  return (Number(stats.mode) & S_IFMT) === S_IFDIR;
}

export function inGroup(cred: Cred, gid: number): boolean {
  return cred.gid === gid || cred.gids.includes(gid);
}

/**
 * Does `cred` have every bit of `want` (MAY_READ | MAY_WRITE | MAY_EXEC) on the object?
 * Root reads and writes anything and executes a directory or a file with any x bit.
 */
export function mayAccess(stats: BigIntStats, cred: Cred, want: number): boolean {
  const mode = Number(stats.mode);
  if (cred.uid === 0) {
    if ((want & MAY_EXEC) === 0) return true;
    return isDir(stats) || (mode & 0o111) !== 0;
  }
  let bits: number;
  if (BigInt(cred.uid) === stats.uid) bits = (mode >> 6) & 7;
  else if (inGroup(cred, Number(stats.gid))) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  return (bits & want) === want;
}

/** May `cred` create or remove entries in this directory (w and x on it)? */
export function mayWrite(dirStats: BigIntStats, cred: Cred): boolean {
  return mayAccess(dirStats, cred, MAY_WRITE | MAY_EXEC);
}

/** May `cred` look names up in this directory (x on it)? */
export function mayLookup(dirStats: BigIntStats, cred: Cred): boolean {
  return mayAccess(dirStats, cred, MAY_EXEC);
}

/**
 * May `cred` remove (or rename away, or rename over) `childStats` from `dirStats`?
 * Needs w+x on the directory; in a sticky directory also root, the directory's owner or the
 * child's owner.
 */
export function mayDelete(dirStats: BigIntStats, childStats: BigIntStats, cred: Cred): boolean {
  if (!mayWrite(dirStats, cred)) return false;
  if ((Number(dirStats.mode) & S_ISVTX) === 0) return true;
  if (cred.uid === 0) return true;
  const uid = BigInt(cred.uid);
  return dirStats.uid === uid || childStats.uid === uid;
}

/** Only the owner (or root) may chmod. */
export function mayChmod(stats: BigIntStats, cred: Cred): boolean {
  return cred.uid === 0 || BigInt(cred.uid) === stats.uid;
}

/**
 * chown/chgrp rules: root may do anything; the owner may leave uid as is (or set it to
 * itself) and change the group to one it belongs to.
 */
export function mayChown(stats: BigIntStats, cred: Cred, uid: number | undefined, gid: number | undefined): boolean {
  if (cred.uid === 0) return true;
  if (BigInt(cred.uid) !== stats.uid) return uid === undefined && gid === undefined;
  if (uid !== undefined && BigInt(uid) !== stats.uid) return false;
  if (gid !== undefined && BigInt(gid) !== stats.gid && !inGroup(cred, gid)) return false;
  return true;
}

/**
 * utimes rules: setting explicit times needs ownership (or root); setting both to the server's
 * current time is also allowed to anyone with write permission.
 */
export function maySetTimes(stats: BigIntStats, cred: Cred, toServerTime: boolean): boolean {
  if (mayChmod(stats, cred)) return true;
  return toServerTime && mayAccess(stats, cred, MAY_WRITE);
}

/**
 * Mode bits to clear after a chmod by a non-root caller (S_ISGID when the caller is not in the
 * file's group), as the kernel does.
 */
export function chmodMask(stats: BigIntStats, cred: Cred, mode: number): number {
  if (cred.uid !== 0 && !isDir(stats) && !inGroup(cred, Number(stats.gid))) return mode & ~S_ISGID;
  return mode;
}

/**
 * ACCESS3 bits granted (a subset of `want`). For directories READ needs r, LOOKUP x, and
 * MODIFY/EXTEND/DELETE need w and x; for other objects READ needs r, MODIFY/EXTEND w, EXECUTE x
 * (DELETE is decided by the parent directory, so it is not granted on non-directories).
 * On a read-only export MODIFY, EXTEND and DELETE are never granted.
 */
export function accessBits(stats: BigIntStats, cred: Cred, want: number, readOnly = false): number {
  let granted = 0;
  const dir = isDir(stats);
  if (want & ACCESS3_READ && mayAccess(stats, cred, MAY_READ)) granted |= ACCESS3_READ;
  if (dir) {
    if (want & ACCESS3_LOOKUP && mayAccess(stats, cred, MAY_EXEC)) granted |= ACCESS3_LOOKUP;
    if (!readOnly && mayAccess(stats, cred, MAY_WRITE | MAY_EXEC)) granted |= want & (ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE);
  } else {
    if (!readOnly && mayAccess(stats, cred, MAY_WRITE)) granted |= want & (ACCESS3_MODIFY | ACCESS3_EXTEND);
    if (want & ACCESS3_EXECUTE && mayAccess(stats, cred, MAY_EXEC)) granted |= ACCESS3_EXECUTE;
  }
  return granted;
}

/** The gid a new object in `dirStats` gets: the directory's when it is setgid, else the caller's. */
export function newObjectGid(dirStats: BigIntStats, cred: Cred): number {
  return (Number(dirStats.mode) & S_ISGID) !== 0 ? Number(dirStats.gid) : cred.gid;
}
