/**
 * NFSPROC3_REMOVE (12): unlinks a non-directory (a directory is ISDIR; RMDIR removes those).
 * Needs w+x on the directory and, in a sticky directory, ownership of it or the file. The
 * core forgets the file's cached descriptors and index entry.
 */
import type { CallContext, Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_REMOVE3args, xdr_REMOVE3res, type diropargs3, type REMOVE3args, type REMOVE3res } from '@nfsts/xdr';
import { mayDelete } from '../core/index.js';
import { errStatus, existingEntry, hasCode, wcc, wccPath, NO_WCC, type Nfs3Env } from './common.js';

export function remove(env: Nfs3Env): Procedure<REMOVE3args, REMOVE3res> {
  return {
    name: 'REMOVE',
    args: xdr_REMOVE3args,
    res: xdr_REMOVE3res,
    handler: (args, ctx) => removeEntry(env, args.object, ctx, false),
  };
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
  if (obj.stats.isDirectory() !== directory) {
    return { status: directory ? nfsstat3.NFS3ERR_NOTDIR : nfsstat3.NFS3ERR_ISDIR, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
  }
  if (!mayDelete(dir.stats, obj.stats, dir.cred)) return { status: nfsstat3.NFS3ERR_ACCES, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
  try {
    await (directory ? env.core.backend.rmdir(dir, where.name) : env.core.backend.unlink(dir, where.name));
  } catch (err) {
    const status = directory && hasCode(err, 'EEXIST') ? nfsstat3.NFS3ERR_NOTEMPTY : errStatus(env, err, directory ? 'RMDIR' : 'REMOVE');
    return { status, resfail: { dir_wcc: await wccPath(env, dir.stats, dir) } };
  }
  env.core.removed(obj.exp, obj.stats, obj.rel);
  return { status: nfsstat3.NFS3_OK, resok: { dir_wcc: await wccPath(env, dir.stats, dir) } };
}
