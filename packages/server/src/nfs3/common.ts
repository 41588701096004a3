/**
 * Helpers shared by the NFSv3 procedures: handle resolution with the export checks, the
 * squashed credential, post_op_attr / wcc_data capture, sattr3 application and the
 * permission rules nfsd applies on top of the plain mode bits.
 *
 * NFS statuses are data: helpers return an nfsstat3 (a number) or a value, and only
 * `errnoToNfsStat` turns a backend error into a status.
 */
import type { Stats as BigIntStats } from '../core/index.js';
import type { CallContext } from '@nfsts/rpc';
import {
  nfsstat3, time_how,
  type diropargs3, type fattr3, type nfs_fh3, type post_op_attr, type post_op_fh3, type pre_op_attr, type sattr3, type wcc_data,
} from '@nfsts/xdr';
import type { Logger } from 'pino';
import {
  errnoToNfsStat, fattrOf, refusalReason, squash, nfstime, inGroup, mayAccess, mayWrite, mayChmod, mayChown, maySetTimes, chmodMask, MAY_READ, MAY_WRITE, MAY_EXEC,
  type ChildLoc, type Cred, type Export, type Loc, type OpenFile, type OpenMode, type Resolved, type ServerCore,
} from '../core/index.js';
import type { DirListings } from './dircache.js';
import type { BufferPool } from './buffer-pool.js';
import type { StaleWatch } from './stale-watch.js';

/** Any nfsstat3 but NFS3_OK. */
export type NfsErr = Exclude<nfsstat3, nfsstat3.NFS3_OK>;

/** Per-program state shared by the procedures of one `createNfs3Program()`. */
export interface Nfs3Env {
  core: ServerCore;
  logger: Logger;
  /** READDIR/READDIRPLUS listings by cookie verifier */
  dirs: DirListings;
  /** client allow-list verdicts that needed reverse DNS, per connection and export */
  verdicts: Map<string, boolean>;
  /** buffers for large READs, lent until the reply is written (see read.ts) */
  readBuffers: BufferPool;
  /** buffers for small READs (up to their size), lent until the reply is written */
  smallReadBuffers: BufferPool;
  /** STALE answers per client, to warn about storms */
  staleWatch?: StaleWatch;
}

/** A resolved handle the caller may use, with the caller's squashed credential. */
export interface Target extends Resolved {
  cred: Cred;
}

const MAX_VERDICTS = 4096;

/** A status from the core (never OK when it is an error) as an NfsErr. */
export function asErr(s: number): NfsErr {
  return (s === 0 ? nfsstat3.NFS3ERR_SERVERFAULT : s) as NfsErr;
}

/** The one way a thrown backend error becomes a status (through the core's errnoToNfsStat). */
export function errStatus(env: Nfs3Env, err: unknown, what: string): NfsErr {
  const st = asErr(errnoToNfsStat(err));
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (st === nfsstat3.NFS3ERR_SERVERFAULT && typeof code !== 'string') env.logger.error({ err }, `${what}: unexpected error`);
  else env.logger.trace({ err }, `${what} failed`);
  return st;
}

/** May this client use this export (allow-list, `secure`)? Host names are resolved once per connection. */
export async function clientMayUse(env: Nfs3Env, exp: Export, ctx: CallContext): Promise<boolean> {
  if (env.core.table.clientAllowed(exp, ctx.remoteAddress, ctx.remotePort)) return true;
  const key = `${ctx.connectionId}:${ctx.remoteAddress}:${ctx.remotePort}:${exp.id}`;
  const known = env.verdicts.get(key);
  if (known !== undefined) return known;
  let ok = false;
  try {
    ok = await env.core.table.clientAllowedResolve(exp, ctx.remoteAddress, ctx.remotePort);
  } catch {
    ok = false;
  }
  if (env.verdicts.size >= MAX_VERDICTS) {
    const first = env.verdicts.keys().next().value;
    if (first !== undefined) env.verdicts.delete(first);
  }
  env.verdicts.set(key, ok);
  // once per connection and export: the verdict is remembered from here on
  if (!ok) env.logger.warn({ client: ctx.remoteAddress, port: ctx.remotePort, export: exp.path, reason: refusalReason(exp.options, ctx.remotePort) }, 'NFS access refused');
  return ok;
}

/**
 * Resolves a handle (BADHANDLE / STALE from the core), checks that the client may use its
 * export (else NFS3ERR_ACCES) and squashes the credential.
 */
export async function target(env: Nfs3Env, fh: nfs_fh3, ctx: CallContext): Promise<Target | NfsErr> {
  let r: Resolved | number;
  try {
    r = await env.core.handles.resolve(fh.data);
  } catch (err) {
    return errStatus(env, err, 'resolve');
  }
  if (typeof r === 'number') {
    if (r === nfsstat3.NFS3ERR_STALE) env.staleWatch?.stale(ctx.logger, ctx.remoteAddress, ctx.remotePort);
    return asErr(r);
  }
  if (!(await clientMayUse(env, r.exp, ctx))) return nfsstat3.NFS3ERR_ACCES;
  return { exp: r.exp, root: r.root, rel: r.rel, stats: r.stats, cred: squash(ctx.cred, r.exp.options) };
}

/**
 * target() without a promise when the core can resolve the handle synchronously and the
 * client is allowed without a DNS lookup; null otherwise (the caller then awaits target(),
 * which repeats every check).
 */
export function targetSync(env: Nfs3Env, fh: nfs_fh3, ctx: CallContext): Target | null {
  const r = env.core.handles.resolveSync(fh.data);
  if (r === null || !env.core.table.clientAllowed(r.exp, ctx.remoteAddress, ctx.remotePort)) return null;
  return { exp: r.exp, root: r.root, rel: r.rel, stats: r.stats, cred: squash(ctx.cred, r.exp.options) };
}

/** A directory Target and an open descriptor of it, checked to be it (close it with backend.closeSync). */
export interface DirTarget extends Target {
  fd: number;
}

/**
 * targetSync() for a directory the caller then changes (CREATE, REMOVE, RMDIR): the handle is
 * resolved by opening the directory (core.handles.resolveDirSync), and the caller hands `fd` to the
 * backend instead of a second walk of the same path. The caller closes `fd` (closeSync) in a
 * finally before it returns; null as targetSync() (nothing to close).
 */
export function dirTargetSync(env: Nfs3Env, fh: nfs_fh3, ctx: CallContext): DirTarget | null {
  const core = env.core;
  const d = core.handles.resolveDirSync(fh.data);
  if (d === null) return null;
  const r = d.r;
  if (!core.table.clientAllowed(r.exp, ctx.remoteAddress, ctx.remotePort)) {
    core.backend.closeSync!(d.fd);
    return null;
  }
  return { exp: r.exp, root: r.root, rel: r.rel, stats: r.stats, cred: squash(ctx.cred, r.exp.options), fd: d.fd };
}

/** A Target, and the descriptor the open-file cache already held for it, if any (put() it). */
export interface OpenTarget {
  t: Target;
  file: OpenFile | null;
}

/**
 * target() for READ and WRITE: tries the core's fast path first (a cached descriptor whose
 * object was resolved by path moments ago: attributes by fstat, no path walk), else resolves
 * as target() does. On success the caller owns `file` (when not null) and must put() it.
 */
export async function targetOpen(env: Nfs3Env, fh: nfs_fh3, ctx: CallContext, mode: OpenMode): Promise<OpenTarget | NfsErr> {
  const fast = env.core.handles.resolveOpen(fh.data, mode);
  if (fast === null) {
    const t = await target(env, fh, ctx);
    return typeof t === 'number' ? t : { t, file: null };
  }
  const r = fast.r;
  if (!env.core.table.clientAllowed(r.exp, ctx.remoteAddress, ctx.remotePort) && !(await clientMayUse(env, r.exp, ctx))) {
    fast.file.put();
    return nfsstat3.NFS3ERR_ACCES;
  }
  return { t: { exp: r.exp, root: r.root, rel: r.rel, stats: r.stats, cred: squash(ctx.cred, r.exp.options) }, file: fast.file };
}

export function fattr(env: Nfs3Env, stats: BigIntStats): fattr3 {
  return fattrOf(stats) as fattr3;
}

export function postOp(env: Nfs3Env, stats: BigIntStats | undefined | null): post_op_attr {
  if (!stats) return { attributes_follow: false };
  return { attributes_follow: true, attributes: fattr(env, stats) };
}

export const NO_ATTR: post_op_attr = Object.freeze({ attributes_follow: false }) as post_op_attr;
export const NO_WCC: wcc_data = Object.freeze({ before: { attributes_follow: false }, after: { attributes_follow: false } }) as wcc_data;
export const NO_FH: post_op_fh3 = Object.freeze({ handle_follows: false }) as post_op_fh3;

/** Fresh attributes of an object, or undefined when it cannot be stat'ed (never fails the call). */
export async function statOrUndefined(env: Nfs3Env, at: Loc): Promise<BigIntStats | undefined> {
  try {
    return await env.core.io.lstat(at);
  } catch {
    return undefined;
  }
}

export async function postOpPath(env: Nfs3Env, at: Loc): Promise<post_op_attr> {
  return postOp(env, await statOrUndefined(env, at));
}

/**
 * The stats of an entry a directory listing named: undefined when it is gone (ENOENT: removed
 * since the listing was read), which READDIR and READDIRPLUS skip. Any other failure throws,
 * so that the reply is an error and a listing never silently hides an entry that exists.
 */
export function listedStats<S>(stat: Promise<S>): Promise<S | undefined> {
  return stat.catch((err: unknown) => {
    if ((err as { code?: unknown } | null)?.code === 'ENOENT') return undefined;
    throw err;
  });
}

/** pre_op_attr (size, mtime, ctime) of stats taken before the operation. */
export function preOp(stats: BigIntStats | undefined | null): pre_op_attr {
  if (!stats) return { attributes_follow: false };
  return { attributes_follow: true, attributes: { size: stats.size, mtime: nfstime(stats.mtimeNs), ctime: nfstime(stats.ctimeNs) } };
}

export function wcc(env: Nfs3Env, before: BigIntStats | undefined | null, after: BigIntStats | undefined | null): wcc_data {
  return { before: preOp(before), after: postOp(env, after) };
}

/** wcc_data of a directory after an operation: `before` as resolved, `after` stat'ed now. */
export async function wccPath(env: Nfs3Env, before: BigIntStats | undefined | null, at: Loc): Promise<wcc_data> {
  return wcc(env, before, await statOrUndefined(env, at));
}

/** A handle and attributes for a newly created (or found) object. */
export function fhOf(env: Nfs3Env, exp: Export, at: { rel: string }, stats: BigIntStats): post_op_fh3 {
  return { handle_follows: true, handle: { data: env.core.handles.handleFor(exp, at, stats) } };
}

function isOwner(stats: BigIntStats, cred: Cred): boolean {
  return BigInt(cred.uid) === stats.uid;
}

/**
 * READ permission as nfsd grants it: the owner always (a client checks at open time and may
 * read a file it created 0200), anyone with r, and anyone with x (clients execute by reading).
 */
export function mayReadFile(stats: BigIntStats, cred: Cred): boolean {
  return isOwner(stats, cred) || mayAccess(stats, cred, MAY_READ) || mayAccess(stats, cred, MAY_EXEC);
}

/** WRITE permission as nfsd grants it: the owner always (files created 0444 stay writable), else w. */
export function mayWriteFile(stats: BigIntStats, cred: Cred): boolean {
  return isOwner(stats, cred) || mayAccess(stats, cred, MAY_WRITE);
}

/** Status for an object that is not a regular file where one is needed (READ, WRITE, COMMIT). */
export function notRegular(stats: BigIntStats): NfsErr | 0 {
  if (stats.isFile()) return 0;
  return stats.isDirectory() ? nfsstat3.NFS3ERR_ISDIR : nfsstat3.NFS3ERR_INVAL;
}

const NS = 1_000_000_000n;
const S_ISGID = 0o2000;

const S_ISUID = 0o4000;
const S_IXGRP = 0o010;

/**
 * The mode a file must take after `cred` wrote to it or changed its size, or -1 when it keeps
 * its own: Linux's rule for a caller without CAP_FSETID (here: anyone but root), so that nobody
 * changes the code of a set-id program and keeps its privilege. S_ISUID always goes; S_ISGID
 * goes when group-execute is set (without it the bit marks mandatory locking, not a set-gid
 * program) or when the caller is not in the file's group. Only regular files.
 */
export function modeAfterWrite(stats: { mode: bigint; gid: bigint; isFile(): boolean }, cred: Cred): number {
  if (cred.uid === 0 || !stats.isFile()) return -1;
  const mode = Number(stats.mode) & 0o7777;
  if ((mode & (S_ISUID | S_ISGID)) === 0) return -1;
  let kill = mode & S_ISUID;
  if ((mode & S_ISGID) !== 0 && ((mode & S_IXGRP) !== 0 || !inGroup(cred, Number(stats.gid)))) kill |= S_ISGID;
  return kill === 0 ? -1 : mode & ~kill;
}

function timeNs(t: { seconds: number; nseconds: number }): bigint {
  return BigInt(t.seconds) * NS + BigInt(Math.min(t.nseconds, 999_999_999));
}

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Does sattr3 set anything at all? */
export function sattrEmpty(a: sattr3): boolean {
  return !a.mode.set_it && !a.uid.set_it && !a.gid.set_it && !a.size.set_it
    && a.atime.set_it === time_how.DONT_CHANGE && a.mtime.set_it === time_how.DONT_CHANGE;
}

export interface SattrOptions {
  /**
   * The object was just created by this caller: skip the permission checks (the creator may
   * set the initial attributes), skip mode when it is already right, and change uid/gid only
   * when the server runs as root.
   */
  creating?: boolean;
}

/**
 * Checks and applies sattr3 to `obj` (whose `stats` are current) for `cred`: size, owner, mode
 * (after the chown, which clears set-id bits), times. All permission checks come before any
 * change. Returns 0 or the status to answer.
 */
export async function applySattr(env: Nfs3Env, obj: Resolved, cred: Cred, a: sattr3, opts: SattrOptions = {}): Promise<0 | NfsErr> {
  const { core } = env;
  const st = obj.stats;
  const creating = opts.creating === true;
  const uid = a.uid.set_it ? a.uid.uid : undefined;
  const gid = a.gid.set_it ? a.gid.gid : undefined;
  const chownUid = uid !== undefined && BigInt(uid) !== st.uid ? uid : undefined;
  const chownGid = gid !== undefined && BigInt(gid) !== st.gid ? gid : undefined;
  const timesSet = a.atime.set_it !== time_how.DONT_CHANGE || a.mtime.set_it !== time_how.DONT_CHANGE;
  const toServerTime = a.atime.set_it !== time_how.SET_TO_CLIENT_TIME && a.mtime.set_it !== time_how.SET_TO_CLIENT_TIME;
  let mode = a.mode.set_it ? a.mode.mode & 0o7777 : undefined;

  if (a.size.set_it) {
    if (st.isDirectory()) return nfsstat3.NFS3ERR_ISDIR;
    if (!st.isFile()) return nfsstat3.NFS3ERR_INVAL;
    if (a.size.size > BigInt(Number.MAX_SAFE_INTEGER)) return nfsstat3.NFS3ERR_FBIG;
    if (!creating && !mayWriteFile(st, cred)) return nfsstat3.NFS3ERR_ACCES;
  }
  if (!creating) {
    if (mode !== undefined && !mayChmod(st, cred)) return nfsstat3.NFS3ERR_PERM;
    if ((uid !== undefined || gid !== undefined) && !mayChown(st, cred, uid, gid)) return nfsstat3.NFS3ERR_PERM;
    if (timesSet && !maySetTimes(st, cred, toServerTime)) return toServerTime ? nfsstat3.NFS3ERR_ACCES : nfsstat3.NFS3ERR_PERM;
    if (mode !== undefined) mode = chmodMask(st, cred, mode);
  } else if (mode !== undefined && st.isDirectory()) {
    // a directory made in a setgid directory inherits S_ISGID (as mkdir(2) does): keep it
    mode |= Number(st.mode) & S_ISGID;
  }
  try {
    if (a.size.set_it && !(creating && a.size.size === st.size)) {
      await core.backend.truncate(obj, a.size.size);
      // a size change drops set-id bits as a write does (unless this call sets the mode itself)
      const killed = mode === undefined && !creating ? modeAfterWrite(st, cred) : -1;
      if (killed >= 0) await core.backend.chmod(obj, killed);
    }
    if ((chownUid !== undefined || chownGid !== undefined) && (!creating || core.runningAsRoot)) {
      await core.backend.chown(obj, chownUid ?? -1, chownGid ?? -1);
    }
    if (mode !== undefined && !st.isSymbolicLink() && !(creating && (Number(st.mode) & 0o7777) === mode)) {
      await core.backend.chmod(obj, mode);
    }
    if (timesSet) {
      // a time the client does not set is left alone (UTIME_OMIT), never rewritten from st
      const now = nowNs();
      const at = a.atime.set_it === time_how.SET_TO_CLIENT_TIME ? timeNs(a.atime.atime)
        : a.atime.set_it === time_how.SET_TO_SERVER_TIME ? now : null;
      const mt = a.mtime.set_it === time_how.SET_TO_CLIENT_TIME ? timeNs(a.mtime.mtime)
        : a.mtime.set_it === time_how.SET_TO_SERVER_TIME ? now : null;
      await core.backend.utimes(obj, at, mt);
    }
  } catch (err) {
    return errStatus(env, err, 'setattr');
  }
  return 0;
}

/** The mode a new object gets when the client does not say. */
export function modeOr(a: sattr3, dflt: number): number {
  return a.mode.set_it ? a.mode.mode & 0o7777 : dflt;
}

/** A directory and the Loc of a new entry in it, checked for creating. */
export interface CreateTarget {
  dir: Target;
  at: ChildLoc;
  name: string;
}

/**
 * The checks every creating procedure makes: the directory handle, read-only export (ROFS),
 * the name ('.'/'..' → EXIST, '' / '/' → ACCES, > 255 bytes → NAMETOOLONG), not a directory
 * (NOTDIR) and write+search permission on the directory (ACCES).
 */
export async function createTarget(env: Nfs3Env, where: diropargs3, ctx: CallContext): Promise<CreateTarget | { status: NfsErr; dir: Target | null }> {
  const dir = await target(env, where.dir, ctx);
  if (typeof dir === 'number') return { status: dir, dir: null };
  return createChecks(env, dir, where);
}

/** createTarget()'s checks on a resolved directory (also those of the synchronous CREATE). */
export function createChecks(env: Nfs3Env, dir: Target, where: diropargs3): CreateTarget | { status: NfsErr; dir: Target } {
  if (dir.exp.options.ro) return { status: nfsstat3.NFS3ERR_ROFS, dir };
  const p = env.core.children.childPath(dir, where.name);
  if (typeof p === 'number') return { status: asErr(p), dir };
  if (!mayWrite(dir.stats, dir.cred)) return { status: nfsstat3.NFS3ERR_ACCES, dir };
  return { dir, at: p, name: where.name };
}

/** Result body of CREATE, MKDIR, SYMLINK and MKNOD. */
export interface Created {
  obj: post_op_fh3;
  obj_attributes: post_op_attr;
  dir_wcc: wcc_data;
}

/**
 * After an object was created at c.at: chown it to the caller when the server runs as root
 * (unless `made.owned`: the backend already did), apply the initial attributes, and build the
 * reply body (handle, attributes, dir wcc). `made.stats`: the new object's stats, when known.
 */
export async function finishCreate(env: Nfs3Env, c: CreateTarget, attrs: sattr3 | null, made: { owned: boolean; stats?: BigIntStats } = { owned: false }): Promise<{ status: nfsstat3.NFS3_OK; resok: Created } | { status: NfsErr; resfail: { dir_wcc: wcc_data } }> {
  const { core } = env;
  let stats: BigIntStats;
  try {
    if (!made.owned) await core.chownNew(c.at, c.dir.cred, c.dir.stats);
    stats = made.stats ?? await core.io.lstat(c.at);
    if (attrs !== null && !sattrEmpty(attrs)) {
      const st = await applySattr(env, { exp: c.dir.exp, root: c.at.root, rel: c.at.rel, stats }, c.dir.cred, attrs, { creating: true });
      if (st !== 0) return { status: st, resfail: { dir_wcc: await wccPath(env, c.dir.stats, c.dir) } };
      stats = await core.io.lstat(c.at);
    }
  } catch (err) {
    return { status: errStatus(env, err, 'create'), resfail: { dir_wcc: await wccPath(env, c.dir.stats, c.dir) } };
  }
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      obj: fhOf(env, c.dir.exp, c.at, stats),
      obj_attributes: postOp(env, stats),
      dir_wcc: await wccPath(env, c.dir.stats, c.dir),
    },
  };
}

/** A directory entry to remove or rename away: the directory, the object, its path. */
export interface Entry {
  dir: Target;
  obj: Resolved;
}

/**
 * Looks up an existing entry that a modifying call works on (REMOVE, RMDIR, RENAME source):
 * ROFS on a read-only export; '.' and '..' → `dotStatus`; lookup errors as LOOKUP's.
 */
export async function existingEntry(env: Nfs3Env, where: diropargs3, ctx: CallContext, dotStatus: NfsErr): Promise<Entry | { status: NfsErr; dir: Target | null }> {
  const dir = await target(env, where.dir, ctx);
  if (typeof dir === 'number') return { status: dir, dir: null };
  const bad = entryChecks(dir, where.name, dotStatus);
  if (bad !== 0) return { status: bad, dir };
  let obj: Resolved | number;
  try {
    obj = await env.core.children.lookupChild(dir, where.name, dir.cred);
  } catch (err) {
    obj = errStatus(env, err, 'lookup');
  }
  if (typeof obj === 'number') return { status: asErr(obj), dir };
  return { dir, obj };
}

/** existingEntry()'s checks before the lookup (also those of the synchronous REMOVE/RMDIR): 0 or the status. */
export function entryChecks(dir: Target, name: string, dotStatus: NfsErr): NfsErr | 0 {
  if (dir.exp.options.ro) return nfsstat3.NFS3ERR_ROFS;
  if (!dir.stats.isDirectory()) return nfsstat3.NFS3ERR_NOTDIR;
  if (name === '.' || name === '..') return dotStatus;
  return 0;
}

/** Is errno-carrying `err` this code? */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
