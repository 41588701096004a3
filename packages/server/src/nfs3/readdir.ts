/**
 * NFSPROC3_READDIR (16): names and fileids, filling at most `count` bytes of reply (all XDR
 * included). '.' (cookie 1) and '..' (cookie 2) come first, as real servers return them; then
 * the entries in cookie order (see dircache.ts for why every cookie stays valid).
 */
import type { BigIntStats } from 'node:fs';
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_READDIR3args, xdr_READDIR3res, type entry3, type READDIR3args, type READDIR3res } from '@nfsts/xdr';
import { mayAccess, MAY_READ } from '../core/index.js';
import { errStatus, postOp, target, NO_ATTR, type Nfs3Env } from './common.js';
import { Cursor, MAX_DIR_REPLY, STAT_BATCH, xdrStringSize } from './dircache.js';

/** status + post_op_attr with attributes + cookieverf + list end + eof */
const FIXED = 4 + 88 + 8 + 4 + 4;

export function readdir(env: Nfs3Env): Procedure<READDIR3args, READDIR3res> {
  const { core } = env;
  return {
    name: 'READDIR',
    args: xdr_READDIR3args,
    res: xdr_READDIR3res,
    async handler(args, ctx) {
      const t = await target(env, args.dir, ctx);
      if (typeof t === 'number') return { status: t, resfail: { dir_attributes: NO_ATTR } };
      if (!t.stats.isDirectory()) return { status: nfsstat3.NFS3ERR_NOTDIR, resfail: { dir_attributes: postOp(env, t.stats) } };
      if (!mayAccess(t.stats, t.cred, MAY_READ)) return { status: nfsstat3.NFS3ERR_ACCES, resfail: { dir_attributes: postOp(env, t.stats) } };
      const max = Math.min(args.count >>> 0, MAX_DIR_REPLY);
      try {
        const listing = await env.dirs.get(core, t, args.cookie, args.cookieverf);
        const cur = new Cursor(listing.entries, args.cookie);
        const out: entry3[] = [];
        let used = FIXED;
        let pos = 0;
        let full = false;
        let parentIno: bigint | undefined;
        while (!full && pos < cur.length) {
          // take what fits (entry sizes do not depend on the stat), stat it concurrently
          const batch: number[] = [];
          let est = used;
          for (let i = pos; i < cur.length && batch.length < STAT_BATCH; i++) {
            const sz = 4 + 8 + xdrStringSize(cur.at(i).name) + 8;
            if (est + sz > max) break;
            est += sz;
            batch.push(i);
          }
          if (batch.length === 0) break;
          const stats = await Promise.all(batch.map(async (i): Promise<bigint | undefined> => {
            const c = cur.at(i);
            if (c.dot === 1) return t.stats.ino;
            if (c.dot === 2) {
              if (parentIno === undefined) {
                const p = t.path === t.exp.root ? t : await core.lookupChild(t, '..').catch(() => t);
                parentIno = typeof p === 'number' ? t.stats.ino : p.stats.ino;
              }
              return parentIno;
            }
            const st: BigIntStats | undefined = await core.lstat(`${t.path}/${c.name}`).catch(() => undefined);
            return st?.ino;
          }));
          for (let k = 0; k < batch.length; k++) {
            const c = cur.at(batch[k]!);
            const fileid = stats[k];
            pos = batch[k]! + 1;
            if (fileid === undefined) continue; // gone since the listing
            const sz = 4 + 8 + xdrStringSize(c.name) + 8;
            if (used + sz > max) {
              pos = batch[k]!;
              full = true;
              break;
            }
            used += sz;
            out.push({ fileid, name: c.name, cookie: c.cookie });
          }
        }
        const eof = pos >= cur.length;
        if (out.length === 0 && !eof) return { status: nfsstat3.NFS3ERR_TOOSMALL, resfail: { dir_attributes: postOp(env, t.stats) } };
        return {
          status: nfsstat3.NFS3_OK,
          resok: { dir_attributes: postOp(env, t.stats), cookieverf: listing.verf, reply: { entries: out, eof } },
        };
      } catch (err) {
        return { status: errStatus(env, err, 'READDIR'), resfail: { dir_attributes: postOp(env, t.stats) } };
      }
    },
  };
}
