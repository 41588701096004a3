/**
 * NFSPROC3_SYMLINK (10): a symlink holding symlink_data verbatim (the server never follows
 * it). Its mode is not settable (as on Linux); owner and times are.
 */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_SYMLINK3args, xdr_SYMLINK3res, type SYMLINK3args, type SYMLINK3res } from '@nfsts/xdr';
import { createTarget, errStatus, finishCreate, wcc, wccPath, NO_WCC, type Nfs3Env } from './common.js';

export function symlink(env: Nfs3Env): Procedure<SYMLINK3args, SYMLINK3res> {
  return {
    name: 'SYMLINK',
    args: xdr_SYMLINK3args,
    res: xdr_SYMLINK3res,
    async handler(args, ctx) {
      const c = await createTarget(env, args.where, ctx);
      if ('status' in c) return { status: c.status, resfail: { dir_wcc: c.dir ? wcc(env, c.dir.stats, c.dir.stats) : NO_WCC } };
      const data = args.symlink.symlink_data;
      if (data === '' || data.includes('\0')) return { status: nfsstat3.NFS3ERR_INVAL, resfail: { dir_wcc: wcc(env, c.dir.stats, c.dir.stats) } };
      try {
        await env.core.backend.symlink(c.dir, c.name, data);
      } catch (err) {
        return { status: errStatus(env, err, 'SYMLINK'), resfail: { dir_wcc: await wccPath(env, c.dir.stats, c.dir) } };
      }
      const a = args.symlink.symlink_attributes;
      return finishCreate(env, c, { ...a, mode: { set_it: false }, size: { set_it: false } });
    },
  };
}
