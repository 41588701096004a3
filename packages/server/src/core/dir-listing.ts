/**
 * DirListings: a directory's entries with stable READDIR cookies, sorted by cookie, cached for
 * the few directories being listed while they do not change.
 */
import type { Backend, DirEntry } from './backend.js';
import type { Resolved } from './export-table.js';
import type { GatedIo } from './gated-io.js';

export interface ListedEntry extends DirEntry {
  /** stable READDIR cookie of this name: ≥ 16 (0..15 are free for '.', '..'), unique in the listing */
  cookie: bigint;
}

const LISTING_CACHE_DIRS = 8;

export class DirListings {
  private readonly cache = new Map<string, { mtime: bigint; ctime: bigint; entries: ListedEntry[] }>();

  constructor(private readonly backend: Backend, private readonly io: GatedIo) {}

  /**
   * Directory entries sorted by `cookie` (a stable hash of the name, ≥ 16, unique in the
   * listing), for READDIR(PLUS): resume after cookie c at the first entry whose cookie is > c,
   * which stays right while entries come and go. Cached per directory while its mtime/ctime
   * are unchanged and more than a second old.
   */
  async list(dir: Resolved): Promise<ListedEntry[]> {
    const key = `${dir.exp.id}:${dir.stats.dev}:${dir.stats.ino}`;
    const st = await this.io.lstat(dir);
    const hit = this.cache.get(key);
    if (hit && hit.mtime === st.mtimeNs && hit.ctime === st.ctimeNs) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.entries;
    }
    const list = await this.backend.readdir(dir);
    const entries: ListedEntry[] = list.map((d) => ({ name: d.name, kind: d.kind, cookie: nameCookie(d.name) }));
    entries.sort((a, b) => (a.cookie < b.cookie ? -1 : a.cookie > b.cookie ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = 1; i < entries.length; i++) {
      const prev = entries[i - 1]!;
      const e = entries[i]!;
      if (e.cookie <= prev.cookie) e.cookie = prev.cookie + 1n;
    }
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    if (nowNs - st.mtimeNs > 1_000_000_000n && nowNs - st.ctimeNs > 1_000_000_000n) {
      this.cache.set(key, { mtime: st.mtimeNs, ctime: st.ctimeNs, entries });
      if (this.cache.size > LISTING_CACHE_DIRS) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
    }
    return entries;
  }

  /** Forget every cached listing (a directory's entries changed). */
  clear(): void {
    this.cache.clear();
  }
}

/**
 * FNV-1a 64 of the UTF-8 name, folded into [16, 2^63). Computed in two 32-bit halves (the
 * prime is 2^40 + 0x1b3, so h * prime = (h << 40) + h * 0x1b3): a BigInt per byte made a
 * 10,000-entry listing cost milliseconds. The values are those of the BigInt form (the cookies clients hold stay valid).
 */
function nameCookie(name: string): bigint {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const n = name.length;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (name.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  // an ASCII name's UTF-8 bytes are its char codes
  const b = ascii ? null : Buffer.from(name, 'utf8');
  const len = b === null ? n : b.length;
  for (let i = 0; i < len; i++) {
    lo = (lo ^ (b === null ? name.charCodeAt(i) : b[i]!)) >>> 0;
    const l = lo * 0x1b3;
    hi = (hi * 0x1b3 + Math.floor(l / 0x100000000) + ((lo << 8) >>> 0)) >>> 0;
    lo = l >>> 0;
  }
  const h = (BigInt(hi & 0x7fffffff) << 32n) | BigInt(lo);
  return h < 16n ? h + 16n : h;
}
