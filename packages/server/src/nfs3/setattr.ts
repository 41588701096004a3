/**
 * NFSPROC3_SETATTR (2): sattr3 with the ctime guard (NFS3ERR_NOT_SYNC when the object's ctime
 * is not the one the client expected), owner/permission rules as the kernel's, wcc_data.
 */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_SETATTR3args, xdr_SETATTR3res, type SETATTR3args, type SETATTR3res } from '@nfsts/xdr';
import { nfstime } from '../core/index.js';
import { applySattr, target, wcc, wccPath, type Nfs3Env, type NfsErr } from './common.js';

export function setattr(env: Nfs3Env): Procedure<SETATTR3args, SETATTR3res> {
  return {
    name: 'SETATTR',
    args: xdr_SETATTR3args,
    res: xdr_SETATTR3res,
    async handler(args, ctx) {
      const t = await target(env, args.object, ctx);
      if (typeof t === 'number') return { status: t, resfail: { obj_wcc: wcc(env, null, null) } };
      const fail = (status: NfsErr): SETATTR3res => ({ status, resfail: { obj_wcc: wcc(env, t.stats, t.stats) } });
      if (t.exp.options.ro) return fail(nfsstat3.NFS3ERR_ROFS);
      const g = args.guard;
      if (g.check) {
        // compared as the client was sent it (fattr3.ctime)
        const ctime = nfstime(t.stats.ctimeNs);
        if (g.obj_ctime.seconds !== ctime.seconds || g.obj_ctime.nseconds !== ctime.nseconds) return fail(nfsstat3.NFS3ERR_NOT_SYNC);
      }
      const st = await applySattr(env, t, t.cred, args.new_attributes);
      const obj_wcc = await wccPath(env, t.stats, t);
      if (st !== 0) return { status: st, resfail: { obj_wcc } };
      return { status: nfsstat3.NFS3_OK, resok: { obj_wcc } };
    },
  };
}
