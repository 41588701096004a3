/** NFSPROC3_GETATTR (1): the attributes of an object. No permission beyond the export's. */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_GETATTR3args, xdr_GETATTR3res, type GETATTR3args, type GETATTR3res } from '@nfsts/xdr';
import { fattr, target, type Nfs3Env } from './common.js';

export function getattr(env: Nfs3Env): Procedure<GETATTR3args, GETATTR3res> {
  return {
    name: 'GETATTR',
    args: xdr_GETATTR3args,
    res: xdr_GETATTR3res,
    async handler(args, ctx) {
      const t = await target(env, args.object, ctx);
      if (typeof t === 'number') return { status: t };
      return { status: nfsstat3.NFS3_OK, resok: { obj_attributes: fattr(env, t.stats) } };
    },
  };
}
