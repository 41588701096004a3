/**
 * NFSPROC3_ACCESS (4): which of the asked ACCESS3 bits the (squashed) credential has on the
 * object, from its owner/group/other bits; MODIFY/EXTEND/DELETE are never granted on a
 * read-only export.
 */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_ACCESS3args, xdr_ACCESS3res, type ACCESS3args, type ACCESS3res } from '@nfsts/xdr';
import { accessBits } from '../core/index.js';
import { postOp, target, NO_ATTR, type Nfs3Env } from './common.js';

export function access(env: Nfs3Env): Procedure<ACCESS3args, ACCESS3res> {
  return {
    name: 'ACCESS',
    args: xdr_ACCESS3args,
    res: xdr_ACCESS3res,
    async handler(args, ctx) {
      const t = await target(env, args.object, ctx);
      if (typeof t === 'number') return { status: t, resfail: { obj_attributes: NO_ATTR } };
      const granted = accessBits(t.stats, t.cred, args.access >>> 0, t.exp.options.ro);
      return { status: nfsstat3.NFS3_OK, resok: { obj_attributes: postOp(env, t.stats), access: granted } };
    },
  };
}
