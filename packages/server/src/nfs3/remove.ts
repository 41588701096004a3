/**
 * NFSPROC3_REMOVE (12): unlinks a non-directory (a directory is ISDIR; RMDIR removes those).
 * Needs w+x on the directory and, in a sticky directory, ownership of it or the file. The
 * core forgets the file's cached descriptors and index entry.
 *
 * Answered without a promise when the directory handle resolves synchronously to an open
 * descriptor of it (dirTargetSync: one walk of the directory's path) and the backend looks
 * the name up and removes it on the calling thread in one step in that descriptor
 * (removeChildSync: the object's stats, the removal and the directory's attributes after,
 * with no walk of the child's path nor a second one of the directory's): the same checks in the
 * same order as the awaited path, which runs instead, from the start, whenever any of that does
 * not hold or the removal itself fails.
 */
import type { CallContext, Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_REMOVE3args, xdr_REMOVE3res, type diropargs3, type REMOVE3args, type REMOVE3res } from '@nfsts/xdr';
import { performance } from 'node:perf_hooks';
import { checkName, errnoStatus, mayDelete, mayLookup, type Resolved } from '../core/index.js';
import { asErr, dirTargetSync, entryChecks, errStatus, existingEntry, hasCode, wcc, wccPath, NO_WCC, type DirTarget, type NfsErr, type Nfs3Env, type Target } from './common.js';

export function remove(env: Nfs3Env): Procedure<REMOVE3args, REMOVE3res> {
  return {
    name: 'REMOVE',
    args: xdr_REMOVE3args,
    res: xdr_REMOVE3res,
    handler: (args, ctx) => removeEntrySync(env, args.object, ctx, false) ?? removeEntry(env, args.object, ctx, false),
  };
}

/** The kind and permission checks on the object found: the refusal, or null when it may go. */
function refused(env: Nfs3Env, dir: Target, obj: Resolved, directory: boolean): REMOVE3res | null {
  if (obj.stats.isDirectory() !== directory) {
    return { status: directory ? nfsstat3.NFS3ERR_NOTDIR : nfsstat3.NFS3ERR_ISDIR, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
  }
  if (!mayDelete(dir.stats, obj.stats, dir.cred)) return { status: nfsstat3.NFS3ERR_ACCES, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
  return null;
}

/**
 * REMOVE (`directory` false) and RMDIR (true): the same checks, the same wcc_data, one
 * backend call. The wrong kind of object is ISDIR / NOTDIR; '.' and '..' are ACCES, as
 * nfsd answers; RMDIR's EEXIST (POSIX allows it for a non-empty directory) is NOTEMPTY.
 */
export async function removeEntry(env: Nfs3Env, where: diropargs3, ctx: CallContext, directory: boolean): Promise<REMOVE3res> {
  const e = await existingEntry(env, where, ctx, nfsstat3.NFS3ERR_ACCES);
  if ('status' in e) return { status: e.status, resfail: { dir_wcc: e.dir ? wcc(env, e.dir.stats, e.dir.stats) : NO_WCC } };
  const { dir, obj } = e;
  const no = refused(env, dir, obj, directory);
  if (no !== null) return no;
  try {
    await (directory ? env.core.backend.rmdir(dir, where.name) : env.core.backend.unlink(dir, where.name));
  } catch (err) {
    const status = directory && hasCode(err, 'EEXIST') ? nfsstat3.NFS3ERR_NOTEMPTY : errStatus(env, err, directory ? 'RMDIR' : 'REMOVE');
    return { status, resfail: { dir_wcc: await wccPath(env, dir.stats, dir) } };
  }
  env.core.removed(obj.exp, obj.stats, obj.rel);
  return { status: nfsstat3.NFS3_OK, resok: { dir_wcc: await wccPath(env, dir.stats, dir) } };
}

/**
 * removeEntry() without a promise, or null: then the caller runs removeEntry() from the start.
 * The lookup and the removal are one backend step on one checked directory descriptor
 * (removeChildSync: the name stat'ed in it, refused() asked, then unlinked): lookupChild()'s
 * checks (the name, search permission) run first, in its order, and the stat runs under the
 * same gate as lookupChildSync()'s.
 */
export function removeEntrySync(env: Nfs3Env, where: diropargs3, ctx: CallContext, directory: boolean): REMOVE3res | null {
  const { core } = env;
  const backend = core.backend;
  if (backend.removeChildSync === undefined) return null;
  // one walk: the descriptor that resolved the handle is the one the name is removed from
  const dir = dirTargetSync(env, where.dir, ctx);
  if (dir === null) return null;
  try {
    return removeIn(env, dir, where.name, directory);
  } finally {
    backend.closeSync!(dir.fd);
  }
}

function removeIn(env: Nfs3Env, dir: DirTarget, name: string, directory: boolean): REMOVE3res | null {
  const { core } = env;
  const backend = core.backend;
  const bad = entryChecks(dir, name, nfsstat3.NFS3ERR_ACCES) || asChecked(checkName(name)) || (mayLookup(dir.stats, dir.cred) ? 0 : nfsstat3.NFS3ERR_ACCES);
  if (bad !== 0) return { status: bad, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
  const gate = core.syncReads;
  if (!gate.allowStat()) return null;
  const t0 = performance.now();
  let t1 = 0;
  let no: REMOVE3res | null = null;
  let r;
  try {
    r = backend.removeChildSync!(dir, name, directory, (obj) => {
      t1 = performance.now();
      no = refused(env, dir, { exp: dir.exp, root: dir.root, rel: '', stats: obj }, directory);
      return no === null;
    }, dir.fd);
  } catch {
    // nothing was removed: the awaited path tries again and answers the error with fresh wcc_data
    return null;
  } finally {
    gate.done(t0, t1 === 0 ? performance.now() : t1);
  }
  if (r === null) return null;
  if (typeof r === 'number') return { status: asErr(errnoStatus(r)), resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
  if (r.after === null) return no;
  core.counters.syncRemoves++;
  core.removed(dir.exp, r.obj, dir.rel === '' ? name : `${dir.rel}/${name}`);
  return { status: nfsstat3.NFS3_OK, resok: { dir_wcc: wcc(env, dir.stats, r.after) } };
}

/** A status from the core's name check (0: usable) as an NfsErr or 0. */
function asChecked(s: number): NfsErr | 0 {
  return s === 0 ? 0 : asErr(s);
}
