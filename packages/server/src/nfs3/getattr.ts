/**
 * NFSPROC3_GETATTR (1): the attributes of an object. No permission beyond the export's.
 * Answered without a promise when the handle resolves synchronously (targetSync).
 */
import type { CallContext, Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_GETATTR3args, xdr_GETATTR3res, type GETATTR3args, type GETATTR3res } from '@nfsts/xdr';
import { fattr, target, targetSync, type Nfs3Env, type Target } from './common.js';

function reply(env: Nfs3Env, t: Target): GETATTR3res {
  return { status: nfsstat3.NFS3_OK, resok: { obj_attributes: fattr(env, t.stats) } };
}

async function getattrAsync(env: Nfs3Env, args: GETATTR3args, ctx: CallContext): Promise<GETATTR3res> {
  const t = await target(env, args.object, ctx);
  if (typeof t === 'number') return { status: t };
  return reply(env, t);
}

export function getattr(env: Nfs3Env): Procedure<GETATTR3args, GETATTR3res> {
  return {
    name: 'GETATTR',
    args: xdr_GETATTR3args,
    res: xdr_GETATTR3res,
    handler(args, ctx) {
      const t = targetSync(env, args.object, ctx);
      return t !== null ? reply(env, t) : getattrAsync(env, args, ctx);
    },
  };
}
