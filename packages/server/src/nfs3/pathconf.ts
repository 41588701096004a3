/** NFSPROC3_PATHCONF (20): POSIX pathconf values of the export (as on Linux local filesystems). */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_PATHCONF3args, xdr_PATHCONF3res, type PATHCONF3args, type PATHCONF3res } from '@nfsts/xdr';
import { postOp, target, NO_ATTR, type Nfs3Env } from './common.js';

export const LINK_MAX = 32000;
export const NAME_MAX = 255;

export function pathconf(env: Nfs3Env): Procedure<PATHCONF3args, PATHCONF3res> {
  return {
    name: 'PATHCONF',
    args: xdr_PATHCONF3args,
    res: xdr_PATHCONF3res,
    async handler(args, ctx) {
      const t = await target(env, args.object, ctx);
      if (typeof t === 'number') return { status: t, resfail: { obj_attributes: NO_ATTR } };
      return {
        status: nfsstat3.NFS3_OK,
        resok: {
          obj_attributes: postOp(env, t.stats),
          linkmax: LINK_MAX,
          name_max: NAME_MAX,
          no_trunc: true,
          chown_restricted: true,
          case_insensitive: false,
          case_preserving: true,
        },
      };
    },
  };
}
