/** NFSPROC3_READLINK (5): the target of a symlink (returned, never followed). */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_READLINK3args, xdr_READLINK3res, type READLINK3args, type READLINK3res } from '@nfsts/xdr';
import { errStatus, postOp, target, NO_ATTR, type Nfs3Env } from './common.js';

export function readlink(env: Nfs3Env): Procedure<READLINK3args, READLINK3res> {
  return {
    name: 'READLINK',
    args: xdr_READLINK3args,
    res: xdr_READLINK3res,
    async handler(args, ctx) {
      const t = await target(env, args.symlink, ctx);
      if (typeof t === 'number') return { status: t, resfail: { symlink_attributes: NO_ATTR } };
      if (!t.stats.isSymbolicLink()) return { status: nfsstat3.NFS3ERR_INVAL, resfail: { symlink_attributes: postOp(env, t.stats) } };
      try {
        const data = await env.core.backend.readlink(t);
        return { status: nfsstat3.NFS3_OK, resok: { symlink_attributes: postOp(env, t.stats), data } };
      } catch (err) {
        return { status: errStatus(env, err, 'READLINK'), resfail: { symlink_attributes: postOp(env, t.stats) } };
      }
    },
  };
}
