/**
 * NFSPROC3_LINK (15): a hard link to a non-directory in the same export (XDEV otherwise).
 * Needs w+x on the directory; like Linux's protected_hardlinks, linking someone else's file
 * needs read and write permission on it (PERM otherwise).
 */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_LINK3args, xdr_LINK3res, type LINK3args, type LINK3res } from '@nfsts/xdr';
import { mayAccess, MAY_READ, MAY_WRITE } from '../core/index.js';
import { createTarget, errStatus, postOp, statOrUndefined, target, wcc, wccPath, NO_ATTR, NO_WCC, type Nfs3Env, type NfsErr } from './common.js';

export function link(env: Nfs3Env): Procedure<LINK3args, LINK3res> {
  const { core } = env;
  return {
    name: 'LINK',
    args: xdr_LINK3args,
    res: xdr_LINK3res,
    async handler(args, ctx) {
      const file = await target(env, args.file, ctx);
      if (typeof file === 'number') return { status: file, resfail: { file_attributes: NO_ATTR, linkdir_wcc: NO_WCC } };
      const c = await createTarget(env, args.link, ctx);
      if ('status' in c) {
        return { status: c.status, resfail: { file_attributes: postOp(env, file.stats), linkdir_wcc: c.dir ? wcc(env, c.dir.stats, c.dir.stats) : NO_WCC } };
      }
      const fail = (status: NfsErr): LINK3res => ({ status, resfail: { file_attributes: postOp(env, file.stats), linkdir_wcc: wcc(env, c.dir.stats, c.dir.stats) } });
      if (c.dir.exp.id !== file.exp.id) return fail(nfsstat3.NFS3ERR_XDEV);
      if (file.stats.isDirectory()) return fail(nfsstat3.NFS3ERR_ISDIR);
      const cred = c.dir.cred;
      if (cred.uid !== 0 && BigInt(cred.uid) !== file.stats.uid && !mayAccess(file.stats, cred, MAY_READ | MAY_WRITE)) return fail(nfsstat3.NFS3ERR_PERM);
      try {
        await core.backend.link(file, c.dir, c.name);
      } catch (err) {
        return {
          status: errStatus(env, err, 'LINK'),
          resfail: { file_attributes: postOp(env, await statOrUndefined(env, file)), linkdir_wcc: await wccPath(env, c.dir.stats, c.dir) },
        };
      }
      const after = await statOrUndefined(env, c.at);
      if (after) core.renamed(file.exp, c.at, after);
      return { status: nfsstat3.NFS3_OK, resok: { file_attributes: postOp(env, after), linkdir_wcc: await wccPath(env, c.dir.stats, c.dir) } };
    },
  };
}
