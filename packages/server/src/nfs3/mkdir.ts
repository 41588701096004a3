/** NFSPROC3_MKDIR (9): a directory (EXIST if the name is taken), owned by the caller when root. */
import type { Procedure } from '@nfsts/rpc';
import { xdr_MKDIR3args, xdr_MKDIR3res, type MKDIR3args, type MKDIR3res } from '@nfsts/xdr';
import { createTarget, errStatus, finishCreate, modeOr, wcc, wccPath, NO_WCC, type Nfs3Env } from './common.js';

export function mkdir(env: Nfs3Env): Procedure<MKDIR3args, MKDIR3res> {
  return {
    name: 'MKDIR',
    args: xdr_MKDIR3args,
    res: xdr_MKDIR3res,
    async handler(args, ctx) {
      const c = await createTarget(env, args.where, ctx);
      if ('status' in c) return { status: c.status, resfail: { dir_wcc: c.dir ? wcc(env, c.dir.stats, c.dir.stats) : NO_WCC } };
      try {
        await env.core.backend.mkdir(c.dir, c.name, modeOr(args.attributes, 0o755));
      } catch (err) {
        return { status: errStatus(env, err, 'MKDIR'), resfail: { dir_wcc: await wccPath(env, c.dir.stats, c.dir) } };
      }
      return finishCreate(env, c, args.attributes);
    },
  };
}
