/**
 * READDIR / READDIRPLUS listings.
 *
 * Cookies come from the core's `listDir()`: each name's cookie is a stable hash of the name
 * (≥ 16; 1 and 2 are '.' and '..'), and a listing is sorted by cookie, so "resume after cookie
 * c" means "the first entry whose cookie is > c" whatever happened to the directory in the
 * meantime: no entry is seen twice, none that stayed is skipped, and every cookie is honoured
 * (NFS3ERR_BAD_COOKIE is never needed, so a client is never sent into a loop).
 *
 * On top of that, the listing a client started (cookie 0) is kept under a cookie verifier so
 * the following replies of the same series reuse it instead of reading a 100k-entry directory
 * again per reply. An unknown or zero verifier simply gets a fresh listing.
 */
import { randomBytes } from 'node:crypto';
import type { CallContext } from '@nfsts/rpc';
import { nfsstat3, type nfs_fh3, type post_op_attr } from '@nfsts/xdr';
import { mayAccess, MAY_READ, type ListedEntry, type Resolved, type ServerCore } from '../core/index.js';
import { postOp, target, NO_ATTR, type Nfs3Env, type NfsErr, type Target } from './common.js';

export const DEFAULT_MAX_LISTINGS = 32;
export const DEFAULT_MAX_LISTED_ENTRIES = 2_000_000;

/** Cookie of '.' and '..' in every listing. */
export const COOKIE_DOT = 1n;
export const COOKIE_DOTDOT = 2n;

export interface Listing {
  dirKey: string;
  verf: Buffer;
  entries: ListedEntry[];
}

export class DirListings {
  private readonly byVerf = new Map<string, Listing>();
  private readonly prefix = randomBytes(4);
  private counter = 0;
  private total = 0;
  readonly maxListings: number;
  readonly maxEntries: number;
  /** listings read from the core and reused, for tests and stats */
  reads = 0;
  reuses = 0;

  constructor(maxListings = DEFAULT_MAX_LISTINGS, maxEntries = DEFAULT_MAX_LISTED_ENTRIES) {
    this.maxListings = maxListings;
    this.maxEntries = maxEntries;
  }

  /** The listing to answer from for (cookie, verf) on `dir`. */
  async get(core: ServerCore, dir: Resolved, cookie: bigint, verf: Buffer): Promise<Listing> {
    const dirKey = `${dir.exp.id}:${dir.stats.dev}:${dir.stats.ino}`;
    if (cookie !== 0n) {
      const hex = verf.toString('hex');
      const hit = this.byVerf.get(hex);
      if (hit && hit.dirKey === dirKey) {
        this.byVerf.delete(hex);
        this.byVerf.set(hex, hit);
        this.reuses++;
        return hit;
      }
    }
    const entries = await core.listings.list(dir);
    this.reads++;
    // the core caches listings of quiet directories: share one verifier for the same array
    for (const l of this.byVerf.values()) {
      if (l.dirKey === dirKey && l.entries === entries) return l;
    }
    const v = Buffer.allocUnsafe(8);
    this.prefix.copy(v, 0);
    this.counter = (this.counter + 1) >>> 0;
    if (this.counter === 0) this.counter = 1;
    v.writeUInt32BE(this.counter, 4);
    const l: Listing = { dirKey, verf: v, entries };
    this.byVerf.set(v.toString('hex'), l);
    this.total += entries.length;
    while (this.byVerf.size > this.maxListings || (this.total > this.maxEntries && this.byVerf.size > 1)) {
      const [k, old] = this.byVerf.entries().next().value as [string, Listing];
      this.byVerf.delete(k);
      this.total -= old.entries.length;
    }
    return l;
  }

  get size(): number {
    return this.byVerf.size;
  }

  /** Pages being built, by what determines them: identical concurrent requests share one build. */
  private readonly building = new Map<string, Promise<unknown>>();
  /** pages built and requests answered from another request's build in progress, for tests and stats */
  pagesBuilt = 0;
  pagesShared = 0;

  /**
   * The result of `build()` for `key`, shared with the requests for the same key that arrive
   * while it runs. The build starts one turn of the event loop later (setImmediate), so the
   * requests read from the sockets in the same turn join it. Nothing outlives the build: once
   * it settles, the next request for the key builds afresh (attributes gathered during a
   * request's lifetime answer it, and no request that was not concurrent sees them).
   */
  shared<T>(key: string, build: () => Promise<T>): Promise<T> {
    const running = this.building.get(key);
    if (running !== undefined) {
      this.pagesShared++;
      return running as Promise<T>;
    }
    this.pagesBuilt++;
    const p = new Promise<void>((resolve) => setImmediate(resolve)).then(build).finally(() => this.building.delete(key));
    this.building.set(key, p);
    return p;
  }
}

/** Index of the first entry whose cookie is greater than `cookie`. */
export function indexAfter(entries: readonly ListedEntry[], cookie: bigint): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.cookie <= cookie) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** XDR size of a string of n bytes. */
export function xdrStringSize(name: string): number {
  const n = Buffer.byteLength(name, 'utf8');
  return 4 + n + ((4 - (n & 3)) & 3);
}

/** XDR size of an entry3, which is also the part of an entryplus3 that `dircount` bounds (value_follows, fileid, name, cookie). */
export function entrySize(name: string): number {
  return 4 + 8 + xdrStringSize(name) + 8;
}

/** The directory READDIR and READDIRPLUS list: target(), NOTDIR, and ACCES without read permission. */
export async function listedDir(env: Nfs3Env, fh: nfs_fh3, ctx: CallContext): Promise<Target | { status: NfsErr; dir_attributes: post_op_attr }> {
  const t = await target(env, fh, ctx);
  if (typeof t === 'number') return { status: t, dir_attributes: NO_ATTR };
  if (!t.stats.isDirectory()) return { status: nfsstat3.NFS3ERR_NOTDIR, dir_attributes: postOp(env, t.stats) };
  if (!mayAccess(t.stats, t.cred, MAY_READ)) return { status: nfsstat3.NFS3ERR_ACCES, dir_attributes: postOp(env, t.stats) };
  return t;
}

/**
 * What '..' of `dir` lists as: the directory itself at the export root (as LOOKUP '..' answers
 * there), else its parent; undefined when the parent cannot be resolved.
 */
export async function parentOf(core: ServerCore, dir: Resolved): Promise<Resolved | undefined> {
  if (dir.rel === '') return dir;
  const p = await core.children.lookupChild(dir, '..').catch(() => undefined);
  return p === undefined || typeof p === 'number' ? undefined : p;
}

/** One candidate of a reply: '.', '..' or a listed entry (the listing's own object: no copy per reply). */
export interface Candidate {
  readonly name: string;
  readonly cookie: bigint;
  /** 1 = '.', 2 = '..', undefined = an entry of the listing */
  readonly dot?: 1 | 2;
}

const DOT: Candidate = Object.freeze({ name: '.', cookie: COOKIE_DOT, dot: 1 });
const DOTDOT: Candidate = Object.freeze({ name: '..', cookie: COOKIE_DOTDOT, dot: 2 });

/** The candidates after `cookie`, in reply order, as an indexable view (no copying of 100k entries). */
export class Cursor {
  private readonly pseudo: Candidate[];
  private readonly start: number;
  readonly length: number;
  constructor(private readonly entries: readonly ListedEntry[], cookie: bigint) {
    this.pseudo = [];
    if (cookie < COOKIE_DOT) this.pseudo.push(DOT);
    if (cookie < COOKIE_DOTDOT) this.pseudo.push(DOTDOT);
    this.start = indexAfter(entries, cookie);
    this.length = this.pseudo.length + entries.length - this.start;
  }
  at(i: number): Candidate {
    if (i < this.pseudo.length) return this.pseudo[i]!;
    return this.entries[this.start + i - this.pseudo.length]!;
  }
}

/** Largest reply READDIR/READDIRPLUS builds, whatever the client asks (the RPC record limit). */
export const MAX_DIR_REPLY = 1024 * 1024;
/** Entries stat'ed concurrently while filling a reply. */
export const STAT_BATCH = 128;
