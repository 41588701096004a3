/**
 * NFSPROC3_READDIR (16): names and fileids, filling at most `count` bytes of reply (all XDR
 * included). '.' (cookie 1) and '..' (cookie 2) come first, as real servers return them; then
 * the entries in cookie order (see dircache.ts for why every cookie stays valid).
 */
import type { Stats as BigIntStats } from '../core/index.js';
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_READDIR3args, xdr_READDIR3res, type entry3, type READDIR3args, type READDIR3res } from '@nfsts/xdr';
import { errStatus, listedStats, postOp, type Nfs3Env } from './common.js';
import { entrySize, listedDir, parentOf, Cursor, MAX_DIR_REPLY, STAT_BATCH } from './dircache.js';

/** status + post_op_attr with attributes + cookieverf + list end + eof */
const FIXED = 4 + 88 + 8 + 4 + 4;

export function readdir(env: Nfs3Env): Procedure<READDIR3args, READDIR3res> {
  const { core } = env;
  return {
    name: 'READDIR',
    args: xdr_READDIR3args,
    res: xdr_READDIR3res,
    async handler(args, ctx) {
      const t = await listedDir(env, args.dir, ctx);
      if ('status' in t) return { status: t.status, resfail: { dir_attributes: t.dir_attributes } };
      const max = Math.min(args.count >>> 0, MAX_DIR_REPLY);
      try {
        const listing = await env.dirs.get(core, t, args.cookie, args.cookieverf);
        const cur = new Cursor(listing.entries, args.cookie);
        const out: entry3[] = [];
        let used = FIXED;
        let pos = 0;
        let full = false;
        while (!full && pos < cur.length) {
          // take what fits (entry sizes do not depend on the stat), stat it concurrently
          const batch: number[] = [];
          let est = used;
          for (let i = pos; i < cur.length && batch.length < STAT_BATCH; i++) {
            const sz = entrySize(cur.at(i).name);
            if (est + sz > max) break;
            est += sz;
            batch.push(i);
          }
          if (batch.length === 0) break;
          const stats = await Promise.all(batch.map(async (i): Promise<bigint | undefined> => {
            const c = cur.at(i);
            if (c.dot === 1) return t.stats.ino;
            if (c.dot === 2) return ((await parentOf(core, t)) ?? t).stats.ino;
            const st: BigIntStats | undefined = await listedStats(core.io.lstat({ root: t.root, rel: t.rel === '' ? c.name : `${t.rel}/${c.name}` }));
            return st?.ino;
          }));
          for (let k = 0; k < batch.length; k++) {
            const c = cur.at(batch[k]!);
            const fileid = stats[k];
            pos = batch[k]! + 1;
            if (fileid === undefined) continue; // gone since the listing (ENOENT; other failures threw)
            const sz = entrySize(c.name);
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
