/**
 * NFSPROC3_READDIRPLUS (17): READDIR with each entry's attributes and handle. Honours
 * `maxcount` (the whole reply, XDR included) and `dircount` (the entry3-equivalent part of the
 * entries: fileid, name, cookie), always returning at least one entry when maxcount allows.
 * '.' carries the directory's own handle, '..' its parent's; at the export root '..' is the root
 * itself (as LOOKUP '..' answers there, and as nfs-ganesha lists it: nothing above an export is
 * reachable). Without search permission on the directory, entries come without attributes and
 * handles.
 */
import type { Stats as BigIntStats } from '../core/index.js';
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_READDIRPLUS3args, type READDIRPLUS3args, type READDIRPLUS3res } from '@nfsts/xdr';
import { fattrOf, inodeKey, mayAccess, MAY_EXEC, type Resolved, type ServerCore } from '../core/index.js';
import { errStatus, listedStats, postOp, type Nfs3Env } from './common.js';
import { entrySize, listedDir, parentOf, Cursor, MAX_DIR_REPLY, STAT_BATCH } from './dircache.js';
import { notePageReader, PlusEntry, xdr_READDIRPLUS3res_listed } from './readdirplus-wire.js';

/** status + post_op_attr with attributes + cookieverf + list end + eof */
const FIXED = 4 + 88 + 8 + 4 + 4;
/** attributes + a handle of the maximum size */
const WORST_EXTRA = 88 + 4 + 4 + 64;

/** '.', '..' or (general path) an entry: its fileid, and the object when it has attributes and a handle. */
class Found {
  constructor(
    readonly fileid: bigint,
    /** undefined: no attributes and no handle */
    readonly obj?: Resolved,
    /** an entry of the directory (not '.' or '..'): indexed with the directory as its parent */
    readonly child?: boolean,
  ) {}
}

type StatBatch = (dir: Resolved, names: readonly string[]) => Array<BigIntStats | undefined>;

/**
 * The entries of `batch` with their stats from one lstatChildrenSync call (no promise per
 * entry); '..' is looked up as in the general path (the only await, and only when listed).
 * An entry of the directory is its bare Stats (a Found and a Resolved per entry were two of
 * its objects: the page builder makes the rel only for the handle).
 */
async function foundSync(core: ServerCore, t: Resolved, cur: Cursor, batch: number[], statBatch: StatBatch): Promise<Array<Found | BigIntStats | undefined>> {
  const names: string[] = [];
  for (const i of batch) {
    const c = cur.at(i);
    if (c.dot === undefined) names.push(c.name);
  }
  const stats = names.length > 0 ? statBatch(t, names) : [];
  const out: Array<Found | BigIntStats | undefined> = new Array<Found | BigIntStats | undefined>(batch.length);
  let k = 0;
  for (let j = 0; j < batch.length; j++) {
    const c = cur.at(batch[j]!);
    if (c.dot === 1) {
      out[j] = new Found(t.stats.ino, t);
    } else if (c.dot === 2) {
      const p = await parentOf(core, t);
      out[j] = p === undefined ? new Found(t.stats.ino) : new Found(p.stats.ino, p);
    } else {
      out[j] = stats[k++];
    }
  }
  return out;
}

/** One reply's entries, built once for every identical request in flight (DirListings.shared). */
interface Page {
  entries: PlusEntry[];
  eof: boolean;
  verf: Buffer;
}

/**
 * The entries of the reply to `args` on the listed directory `t`: with attributes and handles
 * when `plus` (the caller may search the directory). Depends on the directory, the arguments
 * and `plus` only, not on the caller otherwise: what the key of DirListings.shared holds.
 */
async function buildPage(env: Nfs3Env, t: Resolved, args: READDIRPLUS3args, plus: boolean): Promise<Page> {
  const { core } = env;
  const statBatch = core.backend.lstatChildrenSync?.bind(core.backend);
  const dirKey = inodeKey(t.stats.dev, t.stats.ino);
  const max = Math.min(args.maxcount >>> 0, MAX_DIR_REPLY);
  const dirMax = args.dircount >>> 0 === 0 ? Infinity : args.dircount >>> 0;
  const listing = await env.dirs.get(core, t, args.cookie, args.cookieverf);
  const cur = new Cursor(listing.entries, args.cookie);
  const out: PlusEntry[] = [];
  let used = FIXED;
  let dirUsed = 0;
  let pos = 0;
  let full = false;
  while (!full && pos < cur.length) {
    const batch: number[] = [];
    /** entrySize of each batch entry, measured once */
    const sizes: number[] = [];
    let est = used;
    let dirEst = dirUsed;
    for (let i = pos; i < cur.length && batch.length < STAT_BATCH; i++) {
      const base = entrySize(cur.at(i).name);
      if (est + base + WORST_EXTRA > max) break;
      if (dirEst + base > dirMax && (out.length > 0 || batch.length > 0)) break;
      est += base + WORST_EXTRA;
      dirEst += base;
      batch.push(i);
      sizes.push(base);
    }
    if (batch.length === 0) {
      // the worst case does not fit, the real entry may: try the next one alone
      if (pos < cur.length && out.length === 0) {
        batch.push(pos);
        sizes.push(entrySize(cur.at(pos).name));
      } else break;
    }
    const found = statBatch !== undefined ? await foundSync(core, t, cur, batch, statBatch) : await Promise.all(batch.map(async (i): Promise<Found | BigIntStats | undefined> => {
      const c = cur.at(i);
      if (c.dot === 1) return new Found(t.stats.ino, t);
      if (c.dot === 2) {
        const p = await parentOf(core, t);
        return p === undefined ? new Found(t.stats.ino) : new Found(p.stats.ino, p);
      }
      const rel = t.rel === '' ? c.name : `${t.rel}/${c.name}`;
      const st: BigIntStats | undefined = await listedStats(core.io.lstat({ root: t.root, rel }));
      if (!st) return undefined;
      return new Found(st.ino, { exp: t.exp, root: t.root, rel, stats: st }, true);
    }));
    for (let k = 0; k < batch.length; k++) {
      const i = batch[k]!;
      const c = cur.at(i);
      const f = found[k];
      pos = i + 1;
      if (!f) continue; // gone since the listing (ENOENT; other failures threw)
      let fileid: bigint;
      let st: BigIntStats | undefined;
      let handle: Buffer | undefined;
      if (f instanceof Found) {
        fileid = f.fileid;
        const obj = plus ? f.obj : undefined;
        st = obj?.stats;
        handle = obj ? core.handles.handleFor(obj.exp, obj, obj.stats, f.child === true ? dirKey : null) : undefined;
      } else {
        // an entry of the directory, from lstatChildrenSync: indexed with the directory as its parent
        fileid = f.ino;
        st = plus ? f : undefined;
        handle = plus ? core.handles.handleFor(t.exp, { rel: t.rel === '' ? c.name : `${t.rel}/${c.name}` }, f, dirKey) : undefined;
      }
      const base = sizes[k]!;
      const sz = base + (st ? 88 : 4) + (handle ? 8 + handle.length + ((4 - (handle.length & 3)) & 3) : 4);
      if (used + sz > max || (dirUsed + base > dirMax && out.length > 0)) {
        pos = i;
        full = true;
        break;
      }
      used += sz;
      dirUsed += base;
      // encoded from the stats and handle (readdirplus-wire.ts): no attribute objects per entry
      out.push(new PlusEntry(fileid, c.name, c.cookie, st, handle, sz, fattrOf));
    }
  }
  return { entries: out, eof: pos >= cur.length, verf: listing.verf };
}

export function readdirplus(env: Nfs3Env): Procedure<READDIRPLUS3args, READDIRPLUS3res> {
  return {
    name: 'READDIRPLUS',
    args: xdr_READDIRPLUS3args,
    res: xdr_READDIRPLUS3res_listed,
    async handler(args, ctx) {
      // each request's own checks (handle, client, read permission), shared or not
      const t = await listedDir(env, args.dir, ctx);
      if ('status' in t) return { status: t.status, resfail: { dir_attributes: t.dir_attributes } };
      const plus = mayAccess(t.stats, t.cred, MAY_EXEC);
      const key = `${t.exp.id}:${t.stats.dev}:${t.stats.ino}:${t.rel}:${args.cookie}:${args.cookieverf.toString('hex')}:${args.dircount >>> 0}:${args.maxcount >>> 0}:${plus ? 1 : 0}`;
      try {
        const page = await env.dirs.shared(key, () => buildPage(env, t, args, plus));
        notePageReader(page.entries);
        if (page.entries.length === 0 && !page.eof) return { status: nfsstat3.NFS3ERR_TOOSMALL, resfail: { dir_attributes: postOp(env, t.stats) } };
        return {
          status: nfsstat3.NFS3_OK,
          resok: { dir_attributes: postOp(env, t.stats), cookieverf: page.verf, reply: { entries: page.entries, eof: page.eof } },
        };
      } catch (err) {
        return { status: errStatus(env, err, 'READDIRPLUS'), resfail: { dir_attributes: postOp(env, t.stats) } };
      }
    },
  };
}
