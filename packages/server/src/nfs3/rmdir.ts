/**
 * NFSPROC3_RMDIR (13): removes an empty directory (NOTEMPTY otherwise, NOTDIR for anything
 * else). '.' and '..' are refused with ACCES, as nfsd does.
 */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_RMDIR3args, xdr_RMDIR3res, type RMDIR3args, type RMDIR3res } from '@nfsts/xdr';
import { mayDelete } from '../core/index.js';
import { errStatus, existingEntry, hasCode, wcc, wccPath, NO_WCC, type Nfs3Env } from './common.js';

export function rmdir(env: Nfs3Env): Procedure<RMDIR3args, RMDIR3res> {
  return {
    name: 'RMDIR',
    args: xdr_RMDIR3args,
    res: xdr_RMDIR3res,
    async handler(args, ctx) {
      const e = await existingEntry(env, args.object, ctx, nfsstat3.NFS3ERR_ACCES);
      if ('status' in e) return { status: e.status, resfail: { dir_wcc: e.dir ? wcc(env, e.dir.stats, e.dir.stats) : NO_WCC } };
      const { dir, obj } = e;
      if (!obj.stats.isDirectory()) return { status: nfsstat3.NFS3ERR_NOTDIR, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
      if (!mayDelete(dir.stats, obj.stats, dir.cred)) return { status: nfsstat3.NFS3ERR_ACCES, resfail: { dir_wcc: wcc(env, dir.stats, dir.stats) } };
      try {
        await env.core.backend.rmdir(obj.path);
      } catch (err) {
        const status = hasCode(err, 'EEXIST') ? nfsstat3.NFS3ERR_NOTEMPTY : errStatus(env, err, 'RMDIR');
        return { status, resfail: { dir_wcc: await wccPath(env, dir.stats, dir.path) } };
      }
      env.core.removed(obj.exp, obj.stats);
      return { status: nfsstat3.NFS3_OK, resok: { dir_wcc: await wccPath(env, dir.stats, dir.path) } };
    },
  };
}
