/**
 * NFSPROC3_LOOKUP (3): a name in a directory. Never follows a symlink; '.' is the directory,
 * '..' its parent, and '..' at the export root is the root itself (nothing above an export is
 * reachable). Needs search (x) permission on the directory.
 */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_LOOKUP3args, xdr_LOOKUP3res, type LOOKUP3args, type LOOKUP3res } from '@nfsts/xdr';
import { asErr, errStatus, fattr, postOp, target, NO_ATTR, type Nfs3Env } from './common.js';
import type { Resolved } from '../core/index.js';

export function lookup(env: Nfs3Env): Procedure<LOOKUP3args, LOOKUP3res> {
  return {
    name: 'LOOKUP',
    args: xdr_LOOKUP3args,
    res: xdr_LOOKUP3res,
    async handler(args, ctx) {
      const dir = await target(env, args.what.dir, ctx);
      if (typeof dir === 'number') return { status: dir, resfail: { dir_attributes: NO_ATTR } };
      const name = args.what.name;
      let r: Resolved | number;
      try {
        r = name === '..' && dir.rel === '' && dir.stats.isDirectory()
          ? await env.core.lookupChild(dir, '.', dir.cred)
          : await env.core.lookupChild(dir, name, dir.cred);
      } catch (err) {
        r = errStatus(env, err, 'LOOKUP');
      }
      if (typeof r === 'number') return { status: asErr(r), resfail: { dir_attributes: postOp(env, dir.stats) } };
      return {
        status: nfsstat3.NFS3_OK,
        resok: {
          object: { data: env.core.handleFor(r.exp, r, r.stats) },
          obj_attributes: { attributes_follow: true, attributes: fattr(env, r.stats) },
          dir_attributes: postOp(env, dir.stats),
        },
      };
    },
  };
}
