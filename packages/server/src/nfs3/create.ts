/**
 * NFSPROC3_CREATE (8): a regular file.
 * - UNCHECKED: an existing regular file is kept (only a requested size is applied, as nfsd
 *   does); anything else existing is EXIST.
 * - GUARDED: an existing name is EXIST.
 * - EXCLUSIVE: the 8-byte verifier is stored in the new file's atime and mtime seconds (as
 *   Linux nfsd does), so a retransmitted CREATE with the same verifier finds its own file and
 *   succeeds while a different verifier gets EXIST. The client then sets the real attributes
 *   with SETATTR.
 *
 * A CREATE of a new name (any mode) answers without a promise when the directory
 * handle resolves synchronously to an open descriptor of it (dirTargetSync: one walk of the
 * directory's path) and the backend creates on the calling thread in that descriptor
 * (createSync: open O_CREAT|O_EXCL, the owner, the new file's stats and the directory's
 * after, in one step); its checks are createTarget()'s. When
 * the new file already has every attribute asked for (the usual mode-only request), nothing is
 * stat'ed again. Anything else (an existing name, an error) runs the awaited path from the start.
 */
import type { Stats as BigIntStats } from '../core/index.js';
import type { CallContext, Procedure } from '@nfsts/rpc';
import {
  createmode3, nfsstat3, time_how, xdr_CREATE3args, xdr_CREATE3res, type CREATE3args, type CREATE3res, type createhow3, type sattr3,
} from '@nfsts/xdr';
import {
  applySattr, createChecks, createTarget, dirTargetSync, errStatus, fhOf, finishCreate, hasCode, modeOr, postOp, wcc, wccPath, NO_WCC,
  type CreateTarget, type DirTarget, type Nfs3Env,
} from './common.js';

const NS = 1_000_000_000n;

function verfTimes(verf: Buffer): [bigint, bigint] {
  return [BigInt(verf.readUInt32BE(0)) * NS, BigInt(verf.readUInt32BE(4)) * NS];
}

const SIZE_ONLY = (a: sattr3): sattr3 => ({
  mode: { set_it: false },
  uid: { set_it: false },
  gid: { set_it: false },
  size: a.size,
  atime: { set_it: time_how.DONT_CHANGE },
  mtime: { set_it: time_how.DONT_CHANGE },
});

/** Does the new file already have every attribute `a` asks for (so applying them would change nothing)? */
function asAsked(a: sattr3, st: BigIntStats): boolean {
  return !a.uid.set_it && !a.gid.set_it && a.atime.set_it === time_how.DONT_CHANGE && a.mtime.set_it === time_how.DONT_CHANGE
    && (!a.size.set_it || a.size.size === st.size)
    && (!a.mode.set_it || (a.mode.mode & 0o7777) === (Number(st.mode) & 0o7777));
}

/**
 * A new file created on the calling thread, or null (the caller then runs the awaited CREATE
 * from the start: nothing was created). A promise only when attributes remain to be applied.
 * EXCLUSIVE too: the verifier becomes the new file's times in the same step (no window where
 * the file exists without it); a name an awaited EXCLUSIVE CREATE is still working on
 * (`pending`) goes to the awaited path, which waits for it.
 */
function createSync(env: Nfs3Env, args: CREATE3args, ctx: CallContext, pending: ReadonlyMap<string, unknown>): CREATE3res | Promise<CREATE3res> | null {
  const backend = env.core.backend;
  if (backend.createSync === undefined) return null;
  // one walk: the descriptor that resolved the handle is the one the file is created in
  const dir = dirTargetSync(env, args.where.dir, ctx);
  if (dir === null) return null;
  try {
    return createIn(env, dir, args, pending);
  } finally {
    backend.closeSync!(dir.fd);
  }
}

function createIn(env: Nfs3Env, dir: DirTarget, args: CREATE3args, pending: ReadonlyMap<string, unknown>): CREATE3res | Promise<CREATE3res> | null {
  const { core } = env;
  const how = args.how;
  const c = createChecks(env, dir, args.where);
  if ('status' in c) return { status: c.status, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
  const exclusive = how.mode === createmode3.EXCLUSIVE;
  let times = null;
  if (exclusive) {
    if (pending.size !== 0 && pending.has(exclusiveKey(c))) return null;
    const [atimeNs, mtimeNs] = verfTimes(how.verf);
    times = { atimeNs, mtimeNs };
  }
  let made;
  try {
    made = core.backend.createSync!(dir, c.name, exclusive ? 0o600 : modeOr(how.obj_attributes, 0o644), core.ownerOfNew(dir.cred, dir.stats), times, dir.fd);
  } catch {
    // EEXIST (the GUARDED/UNCHECKED/EXCLUSIVE rules) or an error: the awaited path tries again and answers
    return null;
  }
  core.counters.syncCreates++;
  if (!exclusive && !asAsked(how.obj_attributes, made.stats)) return finishCreate(env, c, how.obj_attributes, { owned: true, stats: made.stats });
  return {
    status: nfsstat3.NFS3_OK,
    resok: { obj: fhOf(env, dir.exp, c.at, made.stats), obj_attributes: postOp(env, made.stats), dir_wcc: wcc(env, dir.stats, made.dir) },
  };
}

/** The key of an EXCLUSIVE CREATE in progress: export and path of the new name. */
function exclusiveKey(c: CreateTarget): string {
  return `${c.dir.exp.id}:${c.at.rel}`;
}

export function create(env: Nfs3Env): Procedure<CREATE3args, CREATE3res> {
  const { core } = env;
  const exclusive = new Map<string, Promise<CREATE3res>>();

  async function existing(c: CreateTarget, stats: BigIntStats): Promise<CREATE3res> {
    return {
      status: nfsstat3.NFS3_OK,
      resok: { obj: fhOf(env, c.dir.exp, c.at, stats), obj_attributes: postOp(env, stats), dir_wcc: await wccPath(env, c.dir.stats, c.dir) },
    };
  }

  async function make(c: CreateTarget, how: createhow3): Promise<CREATE3res> {
    const failWith = async (err: unknown): Promise<CREATE3res> => ({ status: errStatus(env, err, 'CREATE'), resfail: { dir_wcc: await wccPath(env, c.dir.stats, c.dir) } });
    const exists = async (): Promise<CREATE3res> => ({ status: nfsstat3.NFS3ERR_EXIST, resfail: { dir_wcc: await wccPath(env, c.dir.stats, c.dir) } });
    const mode = how.mode === createmode3.EXCLUSIVE ? 0o600 : modeOr(how.obj_attributes, 0o644);
    let created: BigIntStats;
    try {
      created = await core.backend.create(c.dir, c.name, mode, core.ownerOfNew(c.dir.cred, c.dir.stats));
    } catch (err) {
      if (!hasCode(err, 'EEXIST')) return failWith(err);
      if (how.mode === createmode3.GUARDED) return exists();
      let st: BigIntStats;
      try {
        st = await core.io.lstat(c.at);
      } catch (e) {
        return failWith(e);
      }
      if (!st.isFile()) return exists();
      if (how.mode === createmode3.EXCLUSIVE) {
        const [a, m] = verfTimes(how.verf);
        // our own earlier reply was lost: the same verifier finds the same file
        if (st.atimeNs === a && st.mtimeNs === m) return existing(c, st);
        return exists();
      }
      // UNCHECKED over an existing regular file: keep it, apply only the size (nfsd)
      if (how.obj_attributes.size.set_it) {
        const s = await applySattr(env, { exp: c.dir.exp, root: c.at.root, rel: c.at.rel, stats: st }, c.dir.cred, SIZE_ONLY(how.obj_attributes));
        if (s !== 0) return { status: s, resfail: { dir_wcc: await wccPath(env, c.dir.stats, c.dir) } };
        try {
          st = await core.io.lstat(c.at);
        } catch (e) {
          return failWith(e);
        }
      }
      return existing(c, st);
    }
    if (how.mode === createmode3.EXCLUSIVE) {
      const [a, m] = verfTimes(how.verf);
      try {
        await core.backend.utimes({ root: c.at.root, rel: c.at.rel, stats: created }, a, m);
      } catch (err) {
        return failWith(err);
      }
      return finishCreate(env, c, null, { owned: true });
    }
    return finishCreate(env, c, how.obj_attributes, { owned: true, stats: created });
  }

  async function createAsync(args: CREATE3args, ctx: CallContext): Promise<CREATE3res> {
    const c = await createTarget(env, args.where, ctx);
    if ('status' in c) return { status: c.status, resfail: { dir_wcc: c.dir ? wcc(env, c.dir.stats, c.dir.stats) : NO_WCC } };
    const how = args.how;
    if (how.mode !== createmode3.EXCLUSIVE) return make(c, how);
    // a retransmission arriving while the first call is still creating waits for it, then
    // finds the file with its verifier
    const key = exclusiveKey(c);
    const prev = exclusive.get(key);
    const run = (prev ?? Promise.resolve()).then(() => make(c, how), () => make(c, how));
    exclusive.set(key, run);
    try {
      return await run;
    } finally {
      if (exclusive.get(key) === run) exclusive.delete(key);
    }
  }

  return {
    name: 'CREATE',
    args: xdr_CREATE3args,
    res: xdr_CREATE3res,
    handler(args, ctx) {
      return createSync(env, args, ctx, exclusive) ?? createAsync(args, ctx);
    },
  };
}
