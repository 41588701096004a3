/** NFSPROC3_FSSTAT (18): space and inode counts of the export's filesystem, from statfs. */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_FSSTAT3args, xdr_FSSTAT3res, type FSSTAT3args, type FSSTAT3res } from '@nfsts/xdr';
import { errStatus, postOp, target, NO_ATTR, type Nfs3Env } from './common.js';

export function fsstat(env: Nfs3Env): Procedure<FSSTAT3args, FSSTAT3res> {
  return {
    name: 'FSSTAT',
    args: xdr_FSSTAT3args,
    res: xdr_FSSTAT3res,
    async handler(args, ctx) {
      const t = await target(env, args.fsroot, ctx);
      if (typeof t === 'number') return { status: t, resfail: { obj_attributes: NO_ATTR } };
      try {
        const s = await env.core.backend.statfs(t);
        return {
          status: nfsstat3.NFS3_OK,
          resok: {
            obj_attributes: postOp(env, t.stats),
            tbytes: s.blocks * s.bsize,
            fbytes: s.bfree * s.bsize,
            abytes: s.bavail * s.bsize,
            tfiles: s.files,
            ffiles: s.ffree,
            afiles: s.ffree,
            invarsec: 0,
          },
        };
      } catch (err) {
        return { status: errStatus(env, err, 'FSSTAT'), resfail: { obj_attributes: postOp(env, t.stats) } };
      }
    },
  };
}
