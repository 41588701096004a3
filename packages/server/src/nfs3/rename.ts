/**
 * NFSPROC3_RENAME (14) with POSIX replacement rules:
 * - source and target the same object (hard links to one inode): success, nothing changes;
 * - a directory may replace only an empty directory (NOTEMPTY), never a non-directory (NOTDIR);
 * - a non-directory may not replace a directory (ISDIR);
 * - a directory may not move into itself or below itself (INVAL);
 * - '.' and '..' as either name: INVAL; different exports: XDEV.
 * Permissions: w+x on both directories, sticky-directory ownership for the source and a
 * replaced target, and w on a directory that changes parent (its '..' changes). A replaced
 * target's cached descriptors are forgotten.
 */
import type { Stats as BigIntStats } from '../core/index.js';
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_RENAME3args, xdr_RENAME3res, type RENAME3args, type RENAME3res } from '@nfsts/xdr';
import { mayAccess, mayDelete, mayWrite, MAY_WRITE, type Resolved } from '../core/index.js';
import { asErr, errStatus, existingEntry, hasCode, statOrUndefined, target, wcc, NO_WCC, type Nfs3Env, type NfsErr, type Target } from './common.js';

export function rename(env: Nfs3Env): Procedure<RENAME3args, RENAME3res> {
  const { core } = env;
  return {
    name: 'RENAME',
    args: xdr_RENAME3args,
    res: xdr_RENAME3res,
    async handler(args, ctx) {
      const src = await existingEntry(env, args.from, ctx, nfsstat3.NFS3ERR_INVAL);
      const toDir = await target(env, args.to.dir, ctx);
      const fromDir: Target | null = src.dir;
      const toStats = typeof toDir === 'number' ? null : toDir.stats;
      const failNow = (status: NfsErr): RENAME3res => ({
        status,
        resfail: { fromdir_wcc: fromDir ? wcc(env, fromDir.stats, fromDir.stats) : NO_WCC, todir_wcc: toStats ? wcc(env, toStats, toStats) : NO_WCC },
      });
      if ('status' in src) return failNow(src.status);
      if (typeof toDir === 'number') return failNow(toDir);
      const { dir: from, obj } = src;
      const sameDir = from.stats.dev === toDir.stats.dev && from.stats.ino === toDir.stats.ino;
      const afterWcc = async (): Promise<{ fromdir_wcc: ReturnType<typeof wcc>; todir_wcc: ReturnType<typeof wcc> }> => {
        const fa = await statOrUndefined(env, from);
        const ta = sameDir ? fa : await statOrUndefined(env, toDir);
        return { fromdir_wcc: wcc(env, from.stats, fa), todir_wcc: wcc(env, toDir.stats, ta) };
      };
      const fail = async (status: NfsErr): Promise<RENAME3res> => ({ status, resfail: await afterWcc() });

      if (toDir.exp.id !== from.exp.id) return failNow(nfsstat3.NFS3ERR_XDEV);
      if (toDir.exp.options.ro) return failNow(nfsstat3.NFS3ERR_ROFS);
      const toName = args.to.name;
      if (toName === '.' || toName === '..') return failNow(nfsstat3.NFS3ERR_INVAL);
      const toPath = core.children.childPath(toDir, toName);
      if (typeof toPath === 'number') return failNow(asErr(toPath));
      if (!mayWrite(toDir.stats, toDir.cred)) return failNow(nfsstat3.NFS3ERR_ACCES);
      if (!mayDelete(from.stats, obj.stats, from.cred)) return failNow(nfsstat3.NFS3ERR_ACCES);
      const srcIsDir = obj.stats.isDirectory();
      if (srcIsDir && (toPath.rel === obj.rel || toPath.rel.startsWith(`${obj.rel}/`))) return failNow(nfsstat3.NFS3ERR_INVAL);
      if (srcIsDir && !sameDir && !mayAccess(obj.stats, from.cred, MAY_WRITE)) return failNow(nfsstat3.NFS3ERR_ACCES);

      let replaced: BigIntStats | undefined;
      let existing: Resolved | number;
      try {
        existing = await core.children.lookupChild(toDir, toName, toDir.cred);
      } catch (err) {
        existing = errStatus(env, err, 'RENAME');
      }
      if (typeof existing !== 'number') {
        const t = existing.stats;
        if (t.dev === obj.stats.dev && t.ino === obj.stats.ino) {
          // the same object under both names: POSIX says do nothing and succeed
          return { status: nfsstat3.NFS3_OK, resok: await afterWcc() };
        }
        if (srcIsDir && !t.isDirectory()) return failNow(nfsstat3.NFS3ERR_NOTDIR);
        if (!srcIsDir && t.isDirectory()) return failNow(nfsstat3.NFS3ERR_ISDIR);
        if (!mayDelete(toDir.stats, t, toDir.cred)) return failNow(nfsstat3.NFS3ERR_ACCES);
        replaced = t;
      } else if (existing !== nfsstat3.NFS3ERR_NOENT) {
        return failNow(asErr(existing));
      }
      try {
        await core.backend.rename(from, args.from.name, toDir, toName);
      } catch (err) {
        // rename(2) may say EEXIST for a non-empty target directory
        return fail(hasCode(err, 'EEXIST') && replaced?.isDirectory() ? nfsstat3.NFS3ERR_NOTEMPTY : errStatus(env, err, 'RENAME'));
      }
      core.renamed(obj.exp, toPath, obj.stats, replaced, obj.rel);
      return { status: nfsstat3.NFS3_OK, resok: await afterWcc() };
    },
  };
}
