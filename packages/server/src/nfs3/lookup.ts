/**
 * NFSPROC3_LOOKUP (3): a name in a directory. Never follows a symlink; '.' is the directory,
 * '..' its parent, and '..' at the export root is the root itself (nothing above an export is
 * reachable). Needs search (x) permission on the directory. Answered without a promise when
 * the directory handle resolves and the name is stat'ed synchronously (targetSync,
 * lookupChildSync); otherwise the same steps awaited.
 */
import type { CallContext, Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_LOOKUP3args, xdr_LOOKUP3res, type LOOKUP3args, type LOOKUP3res } from '@nfsts/xdr';
import { asErr, errStatus, fattr, postOp, target, targetSync, NO_ATTR, type Nfs3Env, type Target } from './common.js';
import type { Resolved } from '../core/index.js';

/** The name to look up: '..' at the export root is the root itself. */
function nameIn(dir: Target, name: string): string {
  return name === '..' && dir.rel === '' && dir.stats.isDirectory() ? '.' : name;
}

function reply(env: Nfs3Env, dir: Target, r: Resolved | number): LOOKUP3res {
  if (typeof r === 'number') return { status: asErr(r), resfail: { dir_attributes: postOp(env, dir.stats) } };
  return {
    status: nfsstat3.NFS3_OK,
    resok: {
      object: { data: env.core.handles.handleFor(r.exp, r, r.stats) },
      obj_attributes: { attributes_follow: true, attributes: fattr(env, r.stats) },
      dir_attributes: postOp(env, dir.stats),
    },
  };
}

async function lookupAsync(env: Nfs3Env, args: LOOKUP3args, ctx: CallContext, known: Target | null): Promise<LOOKUP3res> {
  const dir = known ?? await target(env, args.what.dir, ctx);
  if (typeof dir === 'number') return { status: dir, resfail: { dir_attributes: NO_ATTR } };
  let r: Resolved | number;
  try {
    r = await env.core.children.lookupChild(dir, nameIn(dir, args.what.name), dir.cred);
  } catch (err) {
    r = errStatus(env, err, 'LOOKUP');
  }
  return reply(env, dir, r);
}

export function lookup(env: Nfs3Env): Procedure<LOOKUP3args, LOOKUP3res> {
  return {
    name: 'LOOKUP',
    args: xdr_LOOKUP3args,
    res: xdr_LOOKUP3res,
    handler(args, ctx) {
      const dir = targetSync(env, args.what.dir, ctx);
      if (dir === null) return lookupAsync(env, args, ctx, null);
      let r: Resolved | number | null;
      try {
        r = env.core.children.lookupChildSync(dir, nameIn(dir, args.what.name), dir.cred);
      } catch (err) {
        r = errStatus(env, err, 'LOOKUP');
      }
      return r === null ? lookupAsync(env, args, ctx, dir) : reply(env, dir, r);
    },
  };
}
