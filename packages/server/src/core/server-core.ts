/**
 * ServerCore: exports, file handles, credentials, permissions, attributes and the open-file
 * cache, tied together for the NFS and MOUNT procedures (which know nothing of `fs`).
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup, reverse as dnsReverse } from 'node:dns/promises';
import { join, isAbsolute } from 'node:path';
import type { Logger } from 'pino';
import { ftype3, type fattr3 } from '@nfsts/xdr';
import type { Backend, BackendRoot, DirEntry, Loc, Stats } from './backend.js';
import { AtBackend } from './at-backend.js';
import { ClientMatcher, parseOptions, type ExportConfig, type ExportOptions } from './exports.js';
import { accessBits, mayLookup, newObjectGid, squash, type Cred, type CredentialLike } from './auth.js';
import { FileCache, type FileCacheOptions, type OpenFile, type OpenMode } from './file-cache.js';
import { FH_SIZE, decodeHandle, encodeHandle, handleExportId, inodeKey, type HandleFields } from './handles.js';
import { InodeIndex } from './inode-index.js';
import { writeFileAtomic } from './atomic-file.js';
import { SyncReadGate, parseSyncReadOptions, type SyncReadOptions } from './sync-reads.js';
import { performance } from 'node:perf_hooks';
import { NodeFsBackend } from './node-backend.js';
import {
  NfsError, errnoToNfsStat, type NfsStat,
  NFS3ERR_ACCES, NFS3ERR_BADHANDLE, NFS3ERR_EXIST, NFS3ERR_JUKEBOX, NFS3ERR_NAMETOOLONG, NFS3ERR_NOENT, NFS3ERR_NOTDIR, NFS3ERR_STALE,
} from './nfsstat.js';

/** An export as the server sees it. */
export interface Export {
  /** stable across restarts (kept in the state directory), carried in every handle */
  id: number;
  /** the name clients mount, e.g. '/export' */
  path: string;
  /** canonical (realpath) directory served */
  root: string;
  options: ExportOptions;
  /** nfs_fh3 data of the export root */
  rootHandle: Buffer;
}

/**
 * A handle or name resolved to an object inside an export: where it was found (the export's
 * backend root and the path below it, for the Backend) and its stats.
 */
export interface Resolved {
  exp: Export;
  root: BackendRoot;
  /** path below the export root ('' for the root); may exceed PATH_MAX */
  rel: string;
  stats: Stats;
}

/** A name checked for creating an entry in a directory: the new entry's Loc. */
export interface ChildLoc extends Loc {
  name: string;
}

/** fattr3 of RFC 1813 (the generated type of `@nfsts/xdr`). */
export type Fattr3 = fattr3;

export interface ListedEntry extends DirEntry {
  /** stable READDIR cookie of this name: ≥ 16 (0..15 are free for '.', '..'), unique in the listing */
  cookie: bigint;
}

export interface ServerCoreOptions {
  exports: ExportConfig[];
  /** directory for per-export secrets, export ids and the inode index (created if missing) */
  stateDir: string;
  logger?: Logger;
  /** defaults to AtBackend on Linux (race-safe), else the portable NodeFsBackend */
  backend?: Backend;
  fileCache?: FileCacheOptions;
  /** entries the breadth-first search for a handle missing from the index visits at most */
  maxSearchEntries?: number;
  /** when READs and small WRITEs run synchronously (see SyncReadGate); `{ maxBytes: 0 }` turns that off */
  syncReads?: SyncReadOptions;
}

/** Entries one search pass of an export visits at most (a pass looks for every handle waiting). */
export const DEFAULT_MAX_SEARCH_ENTRIES = 1_000_000;
/**
 * How long an object known to be gone is remembered: removed through this server (a
 * tombstone) or not found by a complete search. A client replaying stale handles costs a map
 * lookup each, not a walk of the export.
 */
export const STALE_NEGATIVE_TTL_MS = 10 * 60_000;
/** How long a search that stopped at maxSearchEntries answers JUKEBOX (try later) without a new pass */
export const SEARCH_GAVE_UP_TTL_MS = 30_000;
/** Objects remembered as gone at most (oldest forgotten first) */
const MAX_GONE = 100_000;
/** Objects with several names whose names are remembered, and names per object */
const MAX_LINKED = 100_000;
const MAX_NAMES_PER_OBJECT = 8;
/**
 * How long a handle whose object a full resolve found at its path is trusted for the
 * READ/WRITE fast path (fstat of the cached descriptor instead of a path walk); any remove or
 * rename through this core ends the trust at once.
 */
const PATH_TRUST_MS = 1_000;
const MAX_NAME_BYTES = 255;
const LISTING_CACHE_DIRS = 8;
const INDEX_SAVE_INTERVAL_MS = 30_000;
const SEARCH_BATCH = 64;
const VERIFIED_HANDLES = 8192;
/**
 * Handles given out recently per export, by object: READDIRPLUS and LOOKUP hand out the same
 * ones again and again (an HMAC each costs several µs). More than a large directory holds, so
 * that listing a 10,000-entry directory over and over does not MAC every entry every time.
 */
const ISSUED_HANDLES = 32_768;

const S_IFMT = 0o170000;
const FTYPE: Record<number, ftype3> = {
  0o100000: ftype3.NF3REG,
  0o040000: ftype3.NF3DIR,
  0o060000: ftype3.NF3BLK,
  0o020000: ftype3.NF3CHR,
  0o120000: ftype3.NF3LNK,
  0o140000: ftype3.NF3SOCK,
  0o010000: ftype3.NF3FIFO,
};

interface ExportState {
  exp: Export;
  root: BackendRoot;
  secret: Buffer;
  matcher: ClientMatcher;
  index: InodeIndex;
  indexFile: string;
  rootKey: string;
  rootDev: bigint;
  rootIno: bigint;
  /** keys waiting for the next search pass, with their waiters */
  wanted: Map<string, Array<(r: SearchResult) => void>>;
  /** whether a search pass is running */
  searching: boolean;
  /** keys known to be gone (tombstones and complete searches that missed) → until */
  gone: Map<string, number>;
  /** keys a search gave up on (budget) → until: JUKEBOX, never STALE */
  gaveUp: Map<string, number>;
  /** every name known for objects with more than one link (hard links), so removing one finds another */
  names: Map<string, Set<string>>;
  /** handles given out, by inode key (with the generation they carry), so that the same object's handle is MACed once (bounded: the oldest goes first) */
  issued: Map<string, { gen: bigint; fh: Buffer }>;
}

/** What a search pass says of a key: where it is, gone (a complete pass missed it), or unknown (budget spent). */
type SearchResult = string | 'gone' | 'gaveup';

/** A handle whose MAC was verified, and where a full resolve last found its object. */
interface HandleMemo {
  f: HandleFields;
  /** rel of the object at the last successful resolve(), null before one */
  rel: string | null;
  /** Date.now() until which `path` is trusted by resolveOpen() */
  until: number;
  /** the core's invalidation epoch when `path` was found */
  epoch: number;
}

/** A resolved regular file and the open descriptor the file cache holds for it (call `file.put()`). */
export interface ResolvedOpen {
  r: Resolved;
  file: OpenFile;
}

interface StateFile {
  version: 1;
  nextId: number;
  exports: Record<string, { id: number; secret: string }>;
}

/** nfstime3 of a time in ns, as every attribute carries it: seconds as uint32 (wrapping), before 1970 → 0. */
export function nfstime(ns: bigint): { seconds: number; nseconds: number } {
  if (ns < 0n) return { seconds: 0, nseconds: 0 };
  // one BigInt operation instead of three (every reply carries three of these): the remainder is
  // exact; Number(ns) is off by at most 1024 ns below 2^64, so the rounded quotient is exact
  const nseconds = Number(ns % 1_000_000_000n);
  return { seconds: Math.round((Number(ns) - nseconds) / 1e9) >>> 0, nseconds };
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

function normalizeExportPath(p: string): string {
  let s = p.replace(/\/+/g, '/');
  if (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

export class ServerCore {
  readonly exports: Export[] = [];
  readonly backend: Backend;
  readonly fileCache: FileCache;
  /** 8 bytes, new per ServerCore: the WRITE/COMMIT verifier */
  readonly writeVerifier: Buffer;
  readonly logger: Logger | undefined;
  /** whether the server process runs as root (then new objects are chowned to the caller) */
  readonly runningAsRoot: boolean;
  /** whether birth times are usable as the handle's generation (else 0 is used) */
  readonly useBirthtime: boolean;
  readonly maxSearchEntries: number;
  readonly stateDir: string;

  /**
   * counters for tests and stats: full-tree searches run, index entries repaired through a
   * parent, READ/WRITE handles resolved by resolveOpen()'s fast path; handles resolved by a
   * full resolve() (index, repair or search) and answered STALE; CREATEs and REMOVE/RMDIRs
   * answered without a promise (Backend.createSync / removeSync)
   */
  readonly counters = { searches: 0, repairs: 0, fastResolves: 0, syncReads: 0, syncWrites: 0, resolves: 0, stale: 0, syncCreates: 0, syncRemoves: 0 };
  /** decides which READs run synchronously (Backend.readSync) */
  readonly syncReads: SyncReadGate;
  private readonly states = new Map<number, ExportState>();
  private readonly verified = new Map<string, HandleMemo>();
  /** bumped by every remove/rename/directory change: ends the trust of every HandleMemo path */
  private epoch = 0;
  private readonly knownIds = new Set<number>();
  private readonly listings = new Map<string, { mtime: bigint; ctime: bigint; entries: ListedEntry[] }>();
  private saveTimer: NodeJS.Timeout | undefined;
  private closed = false;

  protected constructor(backend: Backend, opts: ServerCoreOptions, useBirthtime: boolean) {
    this.backend = backend;
    this.logger = opts.logger;
    this.fileCache = new FileCache(backend, opts.logger ? { ...opts.fileCache, logger: opts.logger } : opts.fileCache);
    this.writeVerifier = randomBytes(8);
    this.runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    this.useBirthtime = useBirthtime;
    this.maxSearchEntries = opts.maxSearchEntries ?? DEFAULT_MAX_SEARCH_ENTRIES;
    this.stateDir = opts.stateDir;
    this.syncReads = new SyncReadGate(opts.syncReads);
  }

  /** Canonicalises every export root once, loads or creates the state, builds root handles. */
  static async open(opts: ServerCoreOptions): Promise<ServerCore> {
    if (typeof opts !== 'object' || opts === null) throw new NfsError('ERR_NFS_EXPORT', 'options: expected an object');
    if (!Array.isArray(opts.exports)) throw new NfsError('ERR_NFS_EXPORT', 'option "exports": expected an array');
    if (typeof opts.stateDir !== 'string' || opts.stateDir === '') throw new NfsError('ERR_NFS_STATE', 'option "stateDir": expected a directory path');
    if (opts.maxSearchEntries !== undefined && !(Number.isInteger(opts.maxSearchEntries) && opts.maxSearchEntries > 0)) {
      throw new NfsError('ERR_NFS_BAD_OPTION', 'option "maxSearchEntries": expected an integer > 0');
    }
    parseSyncReadOptions(opts.syncReads);
    const backend = opts.backend ?? (AtBackend.available() ? new AtBackend() : new NodeFsBackend());
    const stateDir = opts.stateDir;
    try {
      fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new NfsError('ERR_NFS_STATE', `state directory ${stateDir}: ${(err as Error).message}`);
    }
    const useBirthtime = probeBirthtime(stateDir);
    const core = new ServerCore(backend, opts, useBirthtime);
    const stateFile = join(stateDir, 'exports.json');
    let state: StateFile = { version: 1, nextId: 1, exports: {} };
    try {
      const s = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as StateFile;
      if (s.version === 1 && typeof s.nextId === 'number' && typeof s.exports === 'object' && s.exports !== null) state = s;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') core.logger?.warn({ err }, 'state file unreadable, starting afresh');
    }
    for (const r of Object.values(state.exports)) if (r && typeof r.id === 'number') core.knownIds.add(r.id);
    let stateChanged = false;
    const seen = new Set<string>();
    try {
      for (const [i, cfg] of opts.exports.entries()) {
        const where = `exports[${i}]`;
        if (typeof cfg !== 'object' || cfg === null) throw new NfsError('ERR_NFS_EXPORT', `${where}: expected an object`);
        if (typeof cfg.path !== 'string' || !cfg.path.startsWith('/')) throw new NfsError('ERR_NFS_EXPORT', `${where}.path: expected an absolute export name like "/export"`);
        if (typeof cfg.root !== 'string' || cfg.root === '') throw new NfsError('ERR_NFS_EXPORT', `${where}.root: expected a directory`);
        const path = normalizeExportPath(cfg.path);
        if (seen.has(path)) throw new NfsError('ERR_NFS_EXPORT', `${where}.path: "${path}" is exported twice`);
        seen.add(path);
        let options: ExportOptions;
        try {
          options = parseOptions(cfg.options);
        } catch (err) {
          throw new NfsError('ERR_NFS_BAD_OPTION', `${where}.options: ${(err as Error).message}`);
        }
        let broot: BackendRoot;
        let st: Stats;
        try {
          ({ root: broot, stats: st } = await backend.openRoot(isAbsolute(cfg.root) ? cfg.root : join(process.cwd(), cfg.root)));
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          const why = code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (err as Error).message;
          throw new NfsError('ERR_NFS_EXPORT', `${where}.root: ${cfg.root}: ${why}`);
        }
        if (!st.isDirectory()) {
          backend.closeRoot(broot);
          throw new NfsError('ERR_NFS_EXPORT', `${where}.root: ${cfg.root}: not a directory`);
        }
        const root = broot.path;
        let rec = state.exports[path];
        if (!rec || typeof rec.id !== 'number' || typeof rec.secret !== 'string' || rec.secret.length !== 64) {
          rec = { id: state.nextId++, secret: randomBytes(32).toString('hex') };
          if (rec.id > 0xffff) throw new NfsError('ERR_NFS_STATE', 'too many export ids in the state file');
          state.exports[path] = rec;
          core.knownIds.add(rec.id);
          stateChanged = true;
        }
        const secret = Buffer.from(rec.secret, 'hex');
        const exp: Export = { id: rec.id, path, root, options, rootHandle: Buffer.alloc(0) };
        const es: ExportState = {
          exp,
          root: broot,
          secret,
          matcher: new ClientMatcher(options.clients),
          index: new InodeIndex(),
          indexFile: join(stateDir, `index-${rec.id}.json`),
          rootKey: inodeKey(st.dev, st.ino),
          rootDev: st.dev,
          rootIno: st.ino,
          wanted: new Map(),
          searching: false,
          gone: new Map(),
          gaveUp: new Map(),
          names: new Map(),
          issued: new Map(),
        };
        if (es.index.load(es.indexFile) === 'corrupt') core.setAsideIndex(es);
        es.index.set(es.rootKey, '', true, null);
        exp.rootHandle = encodeHandle({ exportId: exp.id, dev: st.dev, ino: st.ino, gen: core.gen(st) }, secret);
        core.states.set(exp.id, es);
        core.exports.push(exp);
      }
    } catch (err) {
      // roots opened for earlier exports are not leaked by a later one's error
      for (const st of core.states.values()) backend.closeRoot(st.root);
      throw err;
    }
    if (stateChanged) writeFileAtomic(stateFile, JSON.stringify(state, null, 2));
    core.saveTimer = setInterval(() => core.saveIndexes(), INDEX_SAVE_INTERVAL_MS);
    core.saveTimer.unref();
    return core;
  }

  private gen(st: Stats): bigint {
    return this.useBirthtime ? st.birthtimeNs : 0n;
  }

  private stateOf(exp: Export): ExportState {
    const s = this.states.get(exp.id);
    if (!s || s.exp !== exp) throw new NfsError('ERR_NFS_EXPORT', `export ${exp.path} does not belong to this ServerCore`);
    return s;
  }

  /** The Loc of `rel` below an export's root (for tests and tools; procedures get Locs from resolve()). */
  loc(exp: Export, rel: string): Loc {
    return { root: this.stateOf(exp).root, rel };
  }

  /** The export whose mount path is `path` (repeated and trailing slashes ignored). */
  findExport(path: string): Export | undefined {
    const p = normalizeExportPath(path);
    return this.exports.find((e) => e.path === p);
  }

  /**
   * Allow-list and `secure` check for a client (remoteAddress as on the socket). Host-name
   * patterns match only 'localhost' here; use clientAllowedResolve() to match names by
   * reverse DNS.
   */
  clientAllowed(exp: Export, remoteAddress: string, remotePort: number, hostnames: readonly string[] = []): boolean {
    const s = this.stateOf(exp);
    if (exp.options.secure && !(remotePort > 0 && remotePort < 1024)) return false;
    return s.matcher.matches(remoteAddress, hostnames);
  }

  /**
   * clientAllowed() with a reverse DNS lookup when the export lists host names. Whoever owns
   * an address writes its PTR record, so a name counts only when its forward lookup gives the
   * address back (as mountd checks).
   */
  async clientAllowedResolve(exp: Export, remoteAddress: string, remotePort: number): Promise<boolean> {
    if (this.clientAllowed(exp, remoteAddress, remotePort)) return true;
    const s = this.stateOf(exp);
    if (!s.matcher.needsNames || (exp.options.secure && !(remotePort > 0 && remotePort < 1024))) return false;
    const ip = remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
    let names: string[] = [];
    try {
      names = await dnsReverse(ip);
    } catch { /* no name */ }
    const confirmed: string[] = [];
    for (const name of names) {
      try {
        if ((await dnsLookup(name, { all: true })).some((a) => a.address === ip)) confirmed.push(name);
      } catch { /* the name does not resolve */ }
    }
    return confirmed.length > 0 && s.matcher.matches(remoteAddress, confirmed);
  }

  /** The RPC credential after the export's squashing (AUTH_NONE → anonymous). */
  credFor(exp: Export, cred: CredentialLike): Cred {
    return squash(cred, exp.options);
  }

  /** nfs_fh3 data → object, or NFS3ERR_BADHANDLE (malformed/forged) / NFS3ERR_STALE (gone). */
  async resolve(fh: Buffer): Promise<Resolved | NfsStat> {
    const id = handleExportId(fh);
    if (id === null) return NFS3ERR_BADHANDLE;
    const s = this.states.get(id);
    // an id this state directory once gave out but no longer exports: authentic enough to be STALE
    if (!s) {
      if (!this.knownIds.has(id)) return NFS3ERR_BADHANDLE;
      this.counters.stale++;
      return NFS3ERR_STALE;
    }
    const memo = this.verify(s, fh);
    if (memo === null) return NFS3ERR_BADHANDLE;
    const f = memo.f;
    const key = inodeKey(f.dev, f.ino);
    const epoch = this.epoch;
    try {
      const r = await this.resolveKey(s, key, f.dev, f.ino, f.gen);
      if (r === null || r === 'gaveup') {
        memo.rel = null;
        if (r === null) this.counters.stale++;
        return r === null ? NFS3ERR_STALE : NFS3ERR_JUKEBOX;
      }
      this.counters.resolves++;
      memo.rel = r.rel;
      memo.epoch = epoch;
      memo.until = Date.now() + PATH_TRUST_MS;
      return r;
    } catch (err) {
      this.logger?.debug({ err }, 'resolving a handle failed');
      const st = errnoToNfsStat(err);
      if (st !== NFS3ERR_NOENT && st !== NFS3ERR_NOTDIR) return st;
      this.counters.stale++;
      return NFS3ERR_STALE;
    }
  }

  /** The handle's verified fields, or null when forged or malformed. Verified handles are remembered (an HMAC costs about 10 µs, the lookup well under 1). */
  private verify(s: ExportState, fh: Buffer): HandleMemo | null {
    const memoKey = fh.toString('latin1');
    let memo = this.verified.get(memoKey);
    if (memo === undefined) {
      const d = decodeHandle(fh, s.secret);
      if (!d) return null;
      memo = { f: d, rel: null, until: 0, epoch: -1 };
      if (this.verified.size >= VERIFIED_HANDLES) {
        const oldest = this.verified.keys().next().value;
        if (oldest !== undefined) this.verified.delete(oldest);
      }
      this.verified.set(memoKey, memo);
    }
    return memo;
  }

  /**
   * resolve() without a promise, for the common case: a handle verified before, whose object
   * is the export root or has a path in the index (its HMAC checked once and remembered), lstat'ed on the calling thread under the
   * SyncReadGate and still the handle's object (dev, ino, generation). Returns null whenever
   * any of that does not hold (unknown handle, gate closed, path gone or reused, any error):
   * the caller then awaits resolve(), which starts over, so the answers never differ.
   */
  resolveSync(fh: Buffer): Resolved | null {
    const backend = this.backend;
    if (backend.lstatSync === undefined) return null;
    const id = handleExportId(fh);
    const s = id === null ? undefined : this.states.get(id);
    if (s === undefined) return null;
    const m = this.verify(s, fh);
    if (m === null) return null;
    const f = m.f;
    const key = inodeKey(f.dev, f.ino);
    let rel = '';
    if (key !== s.rootKey) {
      const e = s.index.get(key);
      if (e === undefined) return null;
      rel = e.rel;
    }
    const st = this.lstatNow({ root: s.root, rel });
    if (st === null || st.dev !== f.dev || st.ino !== f.ino || this.gen(st) !== f.gen) return null;
    // the backend holds the root open: a removed root is still there, unlinked
    if (rel === '' && st.nlink === 0n) return null;
    this.counters.resolves++;
    m.rel = rel;
    m.epoch = this.epoch;
    m.until = Date.now() + PATH_TRUST_MS;
    return { exp: s.exp, root: s.root, rel, stats: st };
  }

  /** lstat on the calling thread when the backend can and the gate allows; null otherwise or on any error. */
  private lstatNow(at: Loc): Stats | null {
    const backend = this.backend;
    if (backend.lstatSync === undefined || !this.syncReads.allowStat()) return null;
    const t0 = performance.now();
    try {
      return backend.lstatSync(at);
    } catch {
      return null;
    } finally {
      this.syncReads.done(t0, performance.now());
    }
  }

  /**
   * The READ/WRITE fast path: when the open-file cache already holds a descriptor for the
   * handle's object in `mode`, and a full resolve() found the object at its path less than
   * PATH_TRUST_MS ago with no remove or rename through this core since, the attributes come
   * from a synchronous fstat of that descriptor: no path walk and no thread-pool round trip
   * (which cost more than the 4 KiB read itself). The descriptor must still be the handle's
   * object (dev, ino, generation), a regular file and linked (an unlinked file is STALE, which
   * the slow path then answers). Returns null whenever any of that does not hold: the caller
   * then uses resolve() and fileCache.get(). Needs Backend.fstatSync.
   */
  resolveOpen(fh: Buffer, mode: OpenMode): ResolvedOpen | null {
    const backend = this.backend;
    if (backend.fstatSync === undefined || fh.length !== FH_SIZE) return null;
    const m = this.verified.get(fh.toString('latin1'));
    if (m === undefined || m.rel === null || m.epoch !== this.epoch || m.until < Date.now()) return null;
    const s = this.states.get(m.f.exportId);
    if (s === undefined) return null;
    const file = this.fileCache.peek(s.exp.id, m.f.dev, m.f.ino, mode);
    if (file === undefined) return null;
    let st: Stats;
    try {
      st = backend.fstatSync(file.fd);
    } catch {
      file.put();
      return null;
    }
    if (st.ino !== m.f.ino || st.dev !== m.f.dev || st.nlink === 0n || this.gen(st) !== m.f.gen || !st.isFile()) {
      file.put();
      return null;
    }
    this.counters.fastResolves++;
    return { r: { exp: s.exp, root: s.root, rel: m.rel, stats: st }, file };
  }

  /**
   * lstat of a path inside an export: on the calling thread when the backend can and the
   * SyncReadGate allows it (a cached dentry costs a few µs, a thread-pool round trip 25 µs or
   * more and two wake-ups), else through backend.lstat. Same results and errors either way.
   */
  lstat(at: Loc): Promise<Stats> {
    const backend = this.backend;
    if (backend.lstatSync !== undefined && this.syncReads.allowStat()) {
      const t0 = performance.now();
      try {
        return Promise.resolve(backend.lstatSync(at));
      } catch (err) {
        return Promise.reject(err);
      } finally {
        this.syncReads.done(t0, performance.now());
      }
    }
    return backend.lstat(at);
  }

  /**
   * Reads into buf[off, off+len) at `position` from a descriptor the caller holds: on the
   * calling thread when the backend can and the SyncReadGate allows it (a number), else
   * through backend.read (a promise).
   */
  readAt(fd: number, buf: Buffer, off: number, len: number, position: bigint): number | Promise<number> {
    const backend = this.backend;
    if (backend.readSync !== undefined && this.syncReads.allowRead(len)) {
      this.counters.syncReads++;
      const n = this.gated(backend.readSync, fd, buf, off, len, position);
      if (n >= 0) return n; // else not in the page cache (descriptor-io.ts): the thread pool reads it
    }
    return backend.read(fd, buf, off, len, position);
  }

  /**
   * Writes buf[off, off+len) at `position` to a descriptor the caller holds, as readAt() reads:
   * on the calling thread when the gate allows it (a write into the page cache costs a few µs
   * against a thread-pool round trip of 25-50 µs and two wake-ups; one the kernel throttles for
   * dirty pages is slow and counts as a strike like a slow read), else through backend.write.
   */
  writeAt(fd: number, buf: Buffer, off: number, len: number, position: bigint): number | Promise<number> {
    const backend = this.backend;
    if (backend.writeSync !== undefined && this.syncReads.allow(len)) {
      this.counters.syncWrites++;
      return this.gated(backend.writeSync, fd, buf, off, len, position);
    }
    return backend.write(fd, buf, off, len, position);
  }

  /**
   * Writes all of `bufs` (in order) at `position` to a descriptor the caller holds, through
   * backend.writev (on the thread pool) and again for the rest after a short write; a backend
   * without writev gets them joined. Resolves with the bytes written (their total).
   */
  async writevAt(fd: number, bufs: readonly Buffer[], position: bigint): Promise<number> {
    const backend = this.backend;
    let total = 0;
    for (const b of bufs) total += b.length;
    if (backend.writev === undefined) {
      const one = Buffer.concat(bufs as Buffer[], total);
      let n = 0;
      while (n < total) n += progress(await backend.write(fd, one, n, total - n, position + BigInt(n)), n, total);
      return total;
    }
    let n = progress(await backend.writev(fd, bufs, position), 0, total);
    while (n < total) {
      // a short write: the buffers from the first unwritten byte on
      const rest: Buffer[] = [];
      let skip = n;
      for (const b of bufs) {
        if (skip >= b.length) skip -= b.length;
        else {
          rest.push(skip === 0 ? b : b.subarray(skip));
          skip = 0;
        }
      }
      n += progress(await backend.writev(fd, rest, position + BigInt(n)), n, total);
    }
    return total;
  }

  /** Runs a synchronous read or write the gate allowed, reporting its duration to the gate. */
  private gated(io: (fd: number, buf: Uint8Array, off: number, len: number, position: bigint) => number,
    fd: number, buf: Buffer, off: number, len: number, position: bigint): number {
    const t0 = performance.now();
    try {
      return io.call(this.backend, fd, buf, off, len, position);
    } finally {
      this.syncReads.done(t0, performance.now(), len);
    }
  }

  private async resolveKey(s: ExportState, key: string, dev: bigint, ino: bigint, gen: bigint): Promise<Resolved | null | 'gaveup'> {
    if (key === s.rootKey) {
      const st = await this.lstat({ root: s.root, rel: '' });
      // the backend holds the root open: a removed root is still there, unlinked
      if (st.dev !== dev || st.ino !== ino || this.gen(st) !== gen || st.nlink === 0n) return null;
      return { exp: s.exp, root: s.root, rel: '', stats: st };
    }
    const e = s.index.get(key);
    if (e) {
      const r = await this.check(s, e.rel, dev, ino, gen);
      if (r === 'reused') return null;
      if (r) return r;
      // repair through the parent (a renamed directory is found once; its children cheaply)
      if (e.parent !== null && e.parent !== key) {
        const name = e.rel.slice(e.rel.lastIndexOf('/') + 1);
        const parentPath = await this.pathOfKey(s, e.parent, 0);
        if (parentPath !== null) {
          const rel = parentPath === '' ? name : `${parentPath}/${name}`;
          const r2 = await this.check(s, rel, dev, ino, gen);
          if (r2 === 'reused') return null;
          if (r2) {
            s.index.set(key, rel, r2.stats.isDirectory(), e.parent);
            this.counters.repairs++;
            return r2;
          }
        }
      }
    }
    // another name of a hard-linked object
    const names = s.names.get(key);
    if (names !== undefined) {
      for (const rel of [...names]) {
        if (rel === e?.rel) continue;
        const r = await this.check(s, rel, dev, ino, gen);
        if (r === 'reused') return null;
        if (r) {
          s.index.set(key, rel, r.stats.isDirectory());
          this.counters.repairs++;
          return r;
        }
        names.delete(rel);
      }
    }
    const now = Date.now();
    const gone = s.gone.get(key);
    if (gone !== undefined) {
      if (gone > now) return null;
      s.gone.delete(key);
    }
    const gaveUp = s.gaveUp.get(key);
    if (gaveUp !== undefined) {
      if (gaveUp > now) return 'gaveup';
      s.gaveUp.delete(key);
    }
    const found = await this.searchFor(s, key);
    if (found === 'gone') {
      this.markGone(s, key);
      return null;
    }
    if (found === 'gaveup') {
      s.gaveUp.set(key, Date.now() + SEARCH_GAVE_UP_TTL_MS);
      if (s.gaveUp.size > MAX_GONE) s.gaveUp.delete(s.gaveUp.keys().next().value!);
      return 'gaveup';
    }
    const r = await this.check(s, found, dev, ino, gen);
    return r === 'reused' ? null : r;
  }

  /** Remember that key is gone (bounded: the oldest is forgotten first). */
  private markGone(s: ExportState, key: string): void {
    s.gone.delete(key);
    s.gone.set(key, Date.now() + STALE_NEGATIVE_TTL_MS);
    if (s.gone.size > MAX_GONE) s.gone.delete(s.gone.keys().next().value!);
  }

  /** Relative path of an indexed directory key (validated), repairing through parents; null if lost. */
  private async pathOfKey(s: ExportState, key: string, depth: number): Promise<string | null> {
    if (key === s.rootKey) return '';
    if (depth > 256) return null;
    const e = s.index.get(key);
    if (!e) return null;
    const [d, i] = key.split(':');
    const dev = BigInt(d ?? '0');
    const ino = BigInt(i ?? '0');
    const r = await this.check(s, e.rel, dev, ino, null);
    if (r && r !== 'reused') return e.rel;
    if (e.parent !== null && e.parent !== key) {
      const pp = await this.pathOfKey(s, e.parent, depth + 1);
      if (pp !== null) {
        const name = e.rel.slice(e.rel.lastIndexOf('/') + 1);
        const rel = pp === '' ? name : `${pp}/${name}`;
        const r2 = await this.check(s, rel, dev, ino, null);
        if (r2 && r2 !== 'reused') {
          s.index.set(key, rel, true, e.parent);
          this.counters.repairs++;
          return rel;
        }
      }
    }
    return null;
  }

  /**
   * Is the object at root/rel the one wanted (dev, ino and, unless gen is null, generation)?
   * The backend resolves rel beneath the root without following any symlink (a component
   * swapped for one is ELOOP here: not found). 'reused' = the inode number now belongs to a
   * younger object.
   */
  private async check(s: ExportState, rel: string, dev: bigint, ino: bigint, gen: bigint | null): Promise<Resolved | null | 'reused'> {
    try {
      const st = await this.lstat({ root: s.root, rel });
      if (st.dev !== dev || st.ino !== ino) return null;
      if (gen !== null && this.gen(st) !== gen) return 'reused';
      return { exp: s.exp, root: s.root, rel, stats: st };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EACCES' || code === 'EXDEV' || code === 'ENAMETOOLONG') return null;
      throw err;
    }
  }

  /**
   * Waits for a search pass to find key. Passes run one at a time per export, and one pass
   * looks for every key waiting when it starts, so N distinct unknown handles cost one walk
   * of the export, not N; a key arriving during a pass is also matched by what that pass
   * still sees, and otherwise waits for the next pass.
   */
  private searchFor(s: ExportState, key: string): Promise<SearchResult> {
    return new Promise((resolve) => {
      const w = s.wanted.get(key);
      if (w) w.push(resolve);
      else s.wanted.set(key, [resolve]);
      if (!s.searching) void this.runSearches(s);
    });
  }

  private async runSearches(s: ExportState): Promise<void> {
    s.searching = true;
    try {
      while (s.wanted.size > 0 && !this.closed) {
        const keys = new Set(s.wanted.keys());
        let complete = false;
        try {
          complete = await this.searchPass(s);
        } catch (err) {
          this.logger?.warn({ err, export: s.exp.path }, 'handle search failed');
        }
        // a key that arrived during the pass may have moved behind the walk: it waits for
        // the next pass, which serves every key waiting by then
        for (const k of keys) {
          const waiters = s.wanted.get(k);
          if (waiters === undefined) continue; // found during the pass
          s.wanted.delete(k);
          for (const w of waiters) w(complete ? 'gone' : 'gaveup');
        }
      }
    } finally {
      s.searching = false;
    }
  }

  /**
   * One breadth-first walk of the export (never following symlinks), indexing everything it
   * sees and answering every waiting key it meets. True when it covered the whole export,
   * false when it stopped at maxSearchEntries.
   */
  private async searchPass(s: ExportState): Promise<boolean> {
    let visited = 0;
    this.counters.searches++;
    this.logger?.debug({ export: s.exp.path, wanted: s.wanted.size }, 'handles not in index, searching the export');
    const queue: Array<{ rel: string; key: string }> = [{ rel: '', key: s.rootKey }];
    for (let qi = 0; qi < queue.length; qi++) {
      if (s.wanted.size === 0 || this.closed) return true;
      const dir = queue[qi]!;
      queue[qi] = undefined as unknown as { rel: string; key: string };
      let list: DirEntry[];
      try {
        list = await this.backend.readdir({ root: s.root, rel: dir.rel });
      } catch {
        continue;
      }
      for (let i = 0; i < list.length; i += SEARCH_BATCH) {
        const batch = list.slice(i, i + SEARCH_BATCH);
        for (const d of batch) {
          const rel = dir.rel === '' ? d.name : `${dir.rel}/${d.name}`;
          let st: Stats;
          try {
            st = await this.lstat({ root: s.root, rel });
          } catch {
            continue;
          }
          const k = inodeKey(st.dev, st.ino);
          const isDir = st.isDirectory();
          this.indexRel(s, rel, st, dir.key);
          const waiters = s.wanted.get(k);
          if (waiters !== undefined) {
            s.wanted.delete(k);
            for (const w of waiters) w(rel);
          }
          if (isDir) queue.push({ rel, key: k });
        }
        visited += batch.length;
        if (visited >= this.maxSearchEntries) {
          this.logger?.warn({ export: s.exp.path, visited }, 'handle search stopped at maxSearchEntries');
          return false;
        }
        // let other calls run between batches: a search must not starve well-behaved clients
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    return true;
  }

  /** Checks a name from a client: 0 when usable as a directory entry name, else an nfsstat3. */
  checkName(name: string): NfsStat {
    if (name === '') return NFS3ERR_NOENT;
    if (name.includes('/') || name.includes('\0')) return NFS3ERR_ACCES;
    if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return NFS3ERR_NAMETOOLONG;
    return 0;
  }

  /**
   * A name in a directory → object (never follows a symlink). '.' is the directory itself,
   * '..' its parent but NFS3ERR_ACCES at the export root; '' → NFS3ERR_NOENT, '/' or NUL in a
   * name → NFS3ERR_ACCES, over 255 bytes → NFS3ERR_NAMETOOLONG, dir not a directory →
   * NFS3ERR_NOTDIR. With `cred`, search permission on dir is checked (NFS3ERR_ACCES).
   */
  async lookupChild(dir: Resolved, name: string, cred?: Cred): Promise<Resolved | NfsStat> {
    const rel = this.childRel(dir, name, cred);
    if (typeof rel !== 'string') return rel;
    const s = this.stateOf(dir.exp);
    try {
      const st = await this.lstat({ root: s.root, rel });
      return this.foundChild(s, dir, name, rel, st);
    } catch (err) {
      return errnoToNfsStat(err);
    }
  }

  /**
   * lookupChild() without a promise: the same checks and answers, the lstat on the calling
   * thread under the SyncReadGate. null when the gate is closed or the backend has no lstatSync
   * (the caller then awaits lookupChild()).
   */
  lookupChildSync(dir: Resolved, name: string, cred?: Cred): Resolved | NfsStat | null {
    const rel = this.childRel(dir, name, cred);
    if (typeof rel !== 'string') return rel;
    const backend = this.backend;
    if (backend.lstatSync === undefined || !this.syncReads.allowStat()) return null;
    const s = this.stateOf(dir.exp);
    const t0 = performance.now();
    let st: Stats;
    try {
      st = backend.lstatSync({ root: s.root, rel });
    } catch (err) {
      return errnoToNfsStat(err);
    } finally {
      this.syncReads.done(t0, performance.now());
    }
    return this.foundChild(s, dir, name, rel, st);
  }

  /** The checks of a lookup and the child's path; `dir` itself for '.', else an nfsstat3. */
  private childRel(dir: Resolved, name: string, cred: Cred | undefined): string | Resolved | NfsStat {
    if (!dir.stats.isDirectory()) return NFS3ERR_NOTDIR;
    const bad = this.checkName(name);
    if (bad !== 0) return bad;
    if (cred && !mayLookup(dir.stats, cred)) return NFS3ERR_ACCES;
    if (name === '.') return dir;
    if (name === '..') {
      if (dir.rel === '') return NFS3ERR_ACCES;
      const slash = dir.rel.lastIndexOf('/');
      return slash < 0 ? '' : dir.rel.slice(0, slash);
    }
    return dir.rel === '' ? name : `${dir.rel}/${name}`;
  }

  private foundChild(s: ExportState, dir: Resolved, name: string, rel: string, st: Stats): Resolved {
    this.indexRel(s, rel, st, name === '..' ? null : inodeKey(dir.stats.dev, dir.stats.ino));
    return { exp: dir.exp, root: s.root, rel, stats: st };
  }

  /**
   * Checks a name for creating an entry in dir: '' / '/' / NUL / too long as checkName,
   * '.' and '..' → NFS3ERR_EXIST; returns the new entry's Loc or an nfsstat3.
   */
  childPath(dir: Resolved, name: string): ChildLoc | NfsStat {
    if (!dir.stats.isDirectory()) return NFS3ERR_NOTDIR;
    const bad = this.checkName(name);
    if (bad !== 0) return bad;
    if (name === '.' || name === '..') return NFS3ERR_EXIST;
    return { root: dir.root, rel: dir.rel === '' ? name : `${dir.rel}/${name}`, name };
  }

  /** Index the object found at rel (and remember every name of a hard-linked one). */
  private indexRel(s: ExportState, rel: string, stats: Stats, parentKey: string | null, key = inodeKey(stats.dev, stats.ino)): void {
    if (key === s.rootKey) return;
    if (stats.nlink > 1n && !stats.isDirectory()) {
      let names = s.names.get(key);
      if (names === undefined) {
        const old = s.index.get(key);
        names = new Set(old !== undefined && old.rel !== rel ? [old.rel] : []);
        s.names.set(key, names);
        if (s.names.size > MAX_LINKED) s.names.delete(s.names.keys().next().value!);
      }
      if (!names.has(rel)) {
        if (names.size >= MAX_NAMES_PER_OBJECT) names.delete(names.values().next().value!);
        names.add(rel);
      }
    }
    if (s.gone.size > 0) s.gone.delete(key);
    s.index.set(key, rel, stats.isDirectory(), parentKey);
  }

  /**
   * The name rel of key went away (removed, or renamed over): the index moves to another
   * known name of a hard-linked object; an object with no name left becomes a tombstone.
   */
  private dropName(s: ExportState, key: string, rel: string, stats: Stats): void {
    const names = s.names.get(key);
    if (names !== undefined) names.delete(rel);
    const e = s.index.get(key);
    if (stats.nlink > 1n && !stats.isDirectory()) {
      if (e !== undefined && e.rel === rel) {
        const other = names?.values().next().value;
        if (other !== undefined) s.index.set(key, other, false);
      }
      return;
    }
    s.names.delete(key);
    s.index.delete(key);
    this.markGone(s, key);
  }

  /**
   * The handle of an object (44 bytes, stable across restarts and renames); indexes it.
   * `parentKey`: the index key of the directory it was found in, when the caller knows it
   * (READDIRPLUS: the index then needs no lookup of the parent by path).
   */
  handleFor(exp: Export, at: { rel: string }, stats: Stats, parentKey: string | null = null): Buffer {
    const s = this.stateOf(exp);
    const ikey = inodeKey(stats.dev, stats.ino);
    this.indexRel(s, at.rel, stats, parentKey, ikey);
    const gen = this.gen(stats);
    const issued = s.issued;
    const known = issued.get(ikey);
    // shared by every reply that carries it: encoders only read it
    if (known !== undefined && known.gen === gen) return known.fh;
    const fh = encodeHandle({ exportId: exp.id, dev: stats.dev, ino: stats.ino, gen }, s.secret);
    if (known === undefined && issued.size >= ISSUED_HANDLES) issued.delete(issued.keys().next().value!);
    issued.set(ikey, { gen, fh });
    return fh;
  }

  /** ACCESS3 bits granted of `want` (MODIFY/EXTEND/DELETE never on a read-only export). */
  access(stats: Stats, cred: Cred, want: number, exp?: Export): number {
    return accessBits(stats, cred, want, exp?.options.ro ?? false);
  }

  /** fattr3 from stats: type from mode, used = blocks*512, fsid = dev, fileid = ino. */
  fattr(stats: Stats): Fattr3 {
    const mode = Number(stats.mode);
    const rdev = stats.rdev;
    // most objects are not devices: no BigInt arithmetic for them
    const major = rdev === 0n ? 0 : Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
    const minor = rdev === 0n ? 0 : Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
    return {
      type: FTYPE[mode & S_IFMT] ?? ftype3.NF3REG,
      mode: mode & 0o7777,
      nlink: Number(stats.nlink),
      uid: Number(stats.uid),
      gid: Number(stats.gid),
      size: stats.size,
      used: stats.blocks * 512n,
      rdev: { specdata1: major >>> 0, specdata2: minor >>> 0 },
      fsid: stats.dev,
      fileid: stats.ino,
      atime: nfstime(stats.atimeNs),
      mtime: nfstime(stats.mtimeNs),
      ctime: nfstime(stats.ctimeNs),
    };
  }

  /** The owner a new object gets when the server runs as root (gid of a setgid directory), else null. */
  ownerOfNew(cred: Cred, dirStats: Stats): { uid: number; gid: number } | null {
    return this.runningAsRoot ? { uid: cred.uid, gid: newObjectGid(dirStats, cred) } : null;
  }

  /**
   * After creating `obj` in a directory with `dirStats` for `cred`: when the server runs as
   * root, chown the new object to the caller (gid of a setgid directory). No-op otherwise.
   */
  async chownNew(obj: Loc, cred: Cred, dirStats: Stats): Promise<void> {
    if (!this.runningAsRoot) return;
    const st = await this.lstat(obj);
    await this.backend.chown({ root: obj.root, rel: obj.rel, stats: st }, cred.uid, newObjectGid(dirStats, cred));
  }

  /**
   * Tell the core an object was removed from `rel` (drops cached descriptors and listings; the
   * index moves to another name of a hard-linked file, else the object becomes a tombstone so
   * its handle is STALE at once, without a search).
   */
  removed(exp: Export, stats: Stats, rel?: string): void {
    const s = this.stateOf(exp);
    const key = inodeKey(stats.dev, stats.ino);
    if (stats.nlink <= 1n || stats.isDirectory()) this.fileCache.forget(stats.ino, exp.id);
    if (rel !== undefined) this.dropName(s, key, rel, stats);
    else if (stats.nlink <= 1n || stats.isDirectory()) {
      s.index.delete(key);
      this.markGone(s, key);
    }
    this.invalidate();
  }

  /**
   * Tell the core an object now lives at `to` (after RENAME or LINK; `fromRel` is the name a
   * RENAME moved it from); `replaced` is what the target name was before, if anything (its
   * cached descriptors are dropped).
   */
  renamed(exp: Export, to: { rel: string }, stats: Stats, replaced?: Stats, fromRel?: string): void {
    const s = this.stateOf(exp);
    if (replaced && !(replaced.dev === stats.dev && replaced.ino === stats.ino)) {
      if (replaced.nlink <= 1n || replaced.isDirectory()) this.fileCache.forget(replaced.ino, exp.id);
      this.dropName(s, inodeKey(replaced.dev, replaced.ino), to.rel, replaced);
    }
    if (fromRel !== undefined) s.names.get(inodeKey(stats.dev, stats.ino))?.delete(fromRel);
    this.indexRel(s, to.rel, stats, null);
    this.invalidate();
  }

  /** Tell the core a directory's entries changed (drops its cached listing). */
  dirChanged(): void {
    this.invalidate();
  }

  private invalidate(): void {
    this.epoch++;
    this.listings.clear();
  }

  /**
   * Directory entries sorted by `cookie` (a stable hash of the name, ≥ 16, unique in the
   * listing), for READDIR(PLUS): resume after cookie c at the first entry whose cookie is > c,
   * which stays right while entries come and go. Cached per directory while its mtime/ctime
   * are unchanged and more than a second old.
   */
  async listDir(dir: Resolved): Promise<ListedEntry[]> {
    const key = `${dir.exp.id}:${dir.stats.dev}:${dir.stats.ino}`;
    const st = await this.lstat(dir);
    const hit = this.listings.get(key);
    if (hit && hit.mtime === st.mtimeNs && hit.ctime === st.ctimeNs) {
      this.listings.delete(key);
      this.listings.set(key, hit);
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
      this.listings.set(key, { mtime: st.mtimeNs, ctime: st.ctimeNs, entries });
      if (this.listings.size > LISTING_CACHE_DIRS) {
        const oldest = this.listings.keys().next().value;
        if (oldest !== undefined) this.listings.delete(oldest);
      }
    }
    return entries;
  }

  /** Number of entries in an export's inode index (for tests and stats). */
  indexSize(exp: Export): number {
    return this.stateOf(exp).index.size;
  }

  /** A damaged index file is kept for inspection under another name; the index rebuilds as handles are resolved. */
  private setAsideIndex(s: ExportState): void {
    const aside = `${s.indexFile}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      fs.renameSync(s.indexFile, aside);
      this.logger?.warn({ export: s.exp.path, file: s.indexFile, movedTo: aside }, 'inode index is damaged; moved aside, rebuilding it as handles are resolved');
    } catch (err) {
      this.logger?.warn({ export: s.exp.path, file: s.indexFile, err }, 'inode index is damaged and could not be moved aside; it will be overwritten');
    }
    s.index.dirty = true;
  }

  /** Writes every dirty inode index to the state directory. */
  saveIndexes(): void {
    for (const s of this.states.values()) {
      if (!s.index.dirty) continue;
      try {
        s.index.save(s.indexFile);
      } catch (err) {
        this.logger?.warn({ err, export: s.exp.path }, 'saving the inode index failed');
      }
    }
  }

  /** Saves the index and closes every cached file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.saveTimer) clearInterval(this.saveTimer);
    this.saveTimer = undefined;
    this.saveIndexes();
    await this.fileCache.close();
    for (const s of this.states.values()) this.backend.closeRoot(s.root);
  }
}

/**
 * Birth times make good generation numbers, but when libuv falls back from statx to stat it
 * reports ctime as the birth time, which changes on chmod. Probe once: if a chmod changes the
 * birth time, do not use it.
 */
function probeBirthtime(stateDir: string): boolean {
  const p = join(stateDir, `.btime-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    fs.writeFileSync(p, '');
    const a = fs.lstatSync(p, { bigint: true });
    fs.chmodSync(p, 0o600);
    fs.utimesSync(p, new Date(0), new Date(0));
    const b = fs.lstatSync(p, { bigint: true });
    return a.birthtimeNs !== 0n && a.birthtimeNs === b.birthtimeNs;
  } catch {
    return false;
  } finally {
    try { fs.unlinkSync(p); } catch { /* gone */ }
  }
}

/** Bytes a write made, checked: a write that made no progress (or more than asked) fails with EIO. */
function progress(got: number, done: number, total: number): number {
  if (!(got > 0) || done + got > total) throw Object.assign(new Error(`write made no progress at ${done} of ${total} bytes`), { code: 'EIO' });
  return got;
}
