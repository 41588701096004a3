/**
 * NFSPROC3_REMOVE (12): unlinks a non-directory (a directory is ISDIR; RMDIR removes those).
 * Needs w+x on the directory and, in a sticky directory, ownership of it or the file. The
 * core forgets the file's cached descriptors and index entry.
 */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_REMOVE3args, xdr_REMOVE3res, type REMOVE3args, type REMOVE3res } from '@nfsts/xdr';
import { mayDelete } from '../core/index.js';
import { errStatus, existingEntry, wcc, wccPath, NO_WCC, type Nfs3Env } from './common.js';

export function remove(env: Nfs3Env): Procedure<REMOVE3args, REMOVE3res> {
  return {
    name: 'REMOVE',
    args: xdr_REMOVE3args,
    res: xdr_REMOVE3res,
    async handler(args, ctx) {
      const e = await existingEntry(env, args.object, ctx, nfsstat3.NFS3ERR_ACCES);
      if ('status' in e) return { status: e.status, resfail: { dir_wcc: e.dir ? wcc(env, e.dir.stats, e.dir.stats) : NO_WCC } };
      const { dir, obj } = e;
      if (obj.stats.isDirectory()) return { status: nfsstat3.NFS3ERR_ISDIR, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
      if (!mayDelete(dir.stats, obj.stats, dir.cred)) return { status: nfsstat3.NFS3ERR_ACCES, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
      try {
        await env.core.backend.unlink(obj.path);
      } catch (err) {
        return { status: errStatus(env, err, 'REMOVE'), resfail: { dir_wcc: await wccPath(env, dir.stats, dir.path) } };
      }
      env.core.removed(obj.exp, obj.stats);
      return { status: nfsstat3.NFS3_OK, resok: { dir_wcc: await wccPath(env, dir.stats, dir.path) } };
    },
  };
}
