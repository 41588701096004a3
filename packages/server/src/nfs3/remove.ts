/**
 * NFSPROC3_REMOVE (12): unlinks a non-directory (a directory is ISDIR; RMDIR removes those).
 * Needs w+x on the directory and, in a sticky directory, ownership of it or the file. The
 * core forgets the file's cached descriptors and index entry.
 *
 * Answered without a promise when the directory handle resolves synchronously (targetSync),
 * the name is stat'ed synchronously (lookupChildSync) and the backend removes on the calling
 * thread (removeSync, which also gives the directory's attributes after, from its checked
 * descriptor): the same checks in the same order as the awaited path, which runs instead, from
 * the start, whenever any of that does not hold or the removal itself fails.
 */
import type { CallContext, Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_REMOVE3args, xdr_REMOVE3res, type diropargs3, type REMOVE3args, type REMOVE3res } from '@nfsts/xdr';
import { mayDelete, type Resolved } from '../core/index.js';
import { asErr, entryChecks, errStatus, existingEntry, hasCode, targetSync, wcc, wccPath, NO_WCC, type Nfs3Env, type Target } from './common.js';

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

/** removeEntry() without a promise, or null: then the caller runs removeEntry() from the start. */
export function removeEntrySync(env: Nfs3Env, where: diropargs3, ctx: CallContext, directory: boolean): REMOVE3res | null {
  const { core } = env;
  if (core.backend.removeSync === undefined) return null;
  const dir = targetSync(env, where.dir, ctx);
  if (dir === null) return null;
  const bad = entryChecks(dir, where.name, nfsstat3.NFS3ERR_ACCES);
  if (bad !== 0) return { status: bad, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
  let obj: Resolved | number | null;
  try {
    obj = core.lookupChildSync(dir, where.name, dir.cred);
  } catch (err) {
    obj = errStatus(env, err, 'lookup');
  }
  if (obj === null) return null;
  if (typeof obj === 'number') return { status: asErr(obj), resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
  const no = refused(env, dir, obj, directory);
  if (no !== null) return no;
  let after;
  try {
    after = core.backend.removeSync(dir, where.name, directory);
  } catch {
    // nothing was removed: the awaited path tries again and answers the error with fresh wcc_data
    return null;
  }
  if (after === null) return null;
  core.counters.syncRemoves++;
  core.removed(obj.exp, obj.stats, obj.rel);
  return { status: nfsstat3.NFS3_OK, resok: { dir_wcc: wcc(env, dir.stats, after) } };
}
