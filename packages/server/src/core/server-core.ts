/**
 * ServerCore: the composition root of the core. Opens the parts (ExportTable, GatedIo,
 * HandleSearch, HandleResolver, ChildLookup, DirListings, the FileCache) over one Backend,
 * SyncReadGate and set of counters and tells them of changes. Callers use the parts through
 * its fields (`core.handles.resolve(fh)`, `core.io.readAt(...)`, `core.table.findExport(path)`);
 * what stays here is construction, close, and what coordinates several parts or uses the
 * process's own identity (removed, renamed, dirChanged; ownerOfNew, chownNew).
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Backend, Loc, Stats } from './backend.js';
import { AtBackend } from './at-backend.js';
import { NodeFsBackend } from './node-backend.js';
import type { ExportConfig } from './exports.js';
import { newObjectGid, squash, type Cred, type CredentialLike } from './auth.js';
import { FileCache, type FileCacheOptions } from './file-cache.js';
import { SyncReadGate, parseSyncReadOptions, type SyncReadOptions } from './sync-reads.js';
import { GatedIo } from './gated-io.js';
import { ExportTable, type Export, type Resolved } from './export-table.js';
import { nameMoved, nameRemoved } from './object-locations.js';
import { HandleSearch } from './handle-search.js';
import { HandleResolver } from './handle-resolver.js';
import { ChildLookup } from './child-lookup.js';
import { DirListings } from './dir-listing.js';
import { NfsError, type NfsStat } from './nfsstat.js';

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
const INDEX_SAVE_INTERVAL_MS = 30_000;

export class ServerCore {
  /** the exports, in configuration order */
  readonly exports: Export[];
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
   * answered without a promise (Backend.createSync / removeSync); directory handles resolved
   * to a descriptor the change then happens in (resolveDirSync)
   */
  readonly counters = { searches: 0, repairs: 0, fastResolves: 0, syncReads: 0, syncWrites: 0, resolves: 0, stale: 0, syncCreates: 0, syncRemoves: 0, dirResolves: 0 };
  /** decides which READs run synchronously (Backend.readSync) */
  readonly syncReads: SyncReadGate;
  /** lstat, reads and writes under the SyncReadGate: `lstat`, `readAt`, `writeAt`, `writevAt` */
  readonly io: GatedIo;
  /** the exports and their per-export state: `findExport`, `clientAllowed(Resolve)`, `loc`, `indexSize`, `saveIndexes` */
  readonly table: ExportTable;
  /** cached directory listings: `list` (READDIR(PLUS)) */
  readonly listings: DirListings;
  /** file handles: issued, verified and resolved: `resolve`, `resolveSync`, `resolveOpen`, `resolveDirSync`, `handleFor` */
  readonly handles: HandleResolver;
  /** names in directories: `lookupChild(Sync)`, `childPath` for a new entry */
  readonly children: ChildLookup;
  /** the search for objects the index does not know */
  private readonly search: HandleSearch;
  private saveTimer: NodeJS.Timeout | undefined;
  private closed = false;

  protected constructor(backend: Backend, opts: ServerCoreOptions, useBirthtime: boolean, table: ExportTable) {
    this.table = table;
    this.exports = table.list;
    this.backend = backend;
    this.logger = opts.logger;
    this.fileCache = new FileCache(backend, opts.logger ? { ...opts.fileCache, logger: opts.logger } : opts.fileCache);
    this.writeVerifier = randomBytes(8);
    this.runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    this.useBirthtime = useBirthtime;
    this.maxSearchEntries = opts.maxSearchEntries ?? DEFAULT_MAX_SEARCH_ENTRIES;
    this.stateDir = opts.stateDir;
    this.syncReads = new SyncReadGate(opts.syncReads);
    this.io = new GatedIo(backend, this.syncReads, this.counters);
    this.listings = new DirListings(backend, this.io);
    this.search = new HandleSearch(backend, this.io, this.counters, opts.logger, this.maxSearchEntries);
    this.children = new ChildLookup(table, backend, this.io);
    this.handles = new HandleResolver(table, backend, this.io, this.fileCache, this.search, this.counters, opts.logger, useBirthtime);
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
    const table = await ExportTable.open(opts.exports, stateDir, backend, useBirthtime, opts.logger);
    const core = new ServerCore(backend, opts, useBirthtime, table);
    core.saveTimer = setInterval(() => table.saveIndexes(), INDEX_SAVE_INTERVAL_MS);
    core.saveTimer.unref();
    return core;
  }

  /**
   * The owner a new object gets when the server runs as root (gid of a setgid directory), else
   * null. Here, not in a part: it depends on the process's own identity (runningAsRoot).
   */
  ownerOfNew(cred: Cred, dirStats: Stats): { uid: number; gid: number } | null {
    return this.runningAsRoot ? { uid: cred.uid, gid: newObjectGid(dirStats, cred) } : null;
  }

  /**
   * After creating `obj` in a directory with `dirStats` for `cred`: when the server runs as
   * root, chown the new object to the caller (gid of a setgid directory). No-op otherwise.
   * Here: it joins runningAsRoot, GatedIo's lstat and the Backend.
   */
  async chownNew(obj: Loc, cred: Cred, dirStats: Stats): Promise<void> {
    if (!this.runningAsRoot) return;
    const st = await this.io.lstat(obj);
    await this.backend.chown({ root: obj.root, rel: obj.rel, stats: st }, cred.uid, newObjectGid(dirStats, cred));
  }

  /**
   * Tell the core an object was removed from `rel` (drops cached descriptors and listings; the
   * index moves to another name of a hard-linked file, else the object becomes a tombstone so
   * its handle is STALE at once, without a search). Here: it reaches the FileCache, the
   * export's index, the HandleResolver and the DirListings.
   */
  removed(exp: Export, stats: Stats, rel?: string): void {
    const s = this.table.stateOf(exp);
    if (stats.nlink <= 1n || stats.isDirectory()) this.fileCache.forget(stats.ino, exp.id);
    nameRemoved(s, stats, rel);
    this.invalidate();
  }

  /**
   * Tell the core an object now lives at `to` (after RENAME or LINK; `fromRel` is the name a
   * RENAME moved it from); `replaced` is what the target name was before, if anything (its
   * cached descriptors are dropped). Here: it reaches the same parts as removed().
   */
  renamed(exp: Export, to: { rel: string }, stats: Stats, replaced?: Stats, fromRel?: string): void {
    const s = this.table.stateOf(exp);
    if (replaced && !(replaced.dev === stats.dev && replaced.ino === stats.ino) && (replaced.nlink <= 1n || replaced.isDirectory())) {
      this.fileCache.forget(replaced.ino, exp.id);
    }
    nameMoved(s, to.rel, stats, replaced, fromRel);
    this.invalidate();
  }

  /** Tell the core a directory's entries changed (drops its cached listing; resolveOpen() trusts no path found before). */
  dirChanged(): void {
    this.invalidate();
  }

  private invalidate(): void {
    this.handles.invalidate();
    this.listings.clear();
  }

  /** Saves the index and closes every cached file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.search.close();
    if (this.saveTimer) clearInterval(this.saveTimer);
    this.saveTimer = undefined;
    this.table.saveIndexes();
    await this.fileCache.close();
    this.table.closeRoots();
  }

  // Thin forwarders kept only because earlier READMEs showed them to embedders (the core's and
  // @nfsts/localio's examples); nothing in this repository calls them.

  /** @deprecated use `core.handles.resolve(fh)` */
  resolve(fh: Buffer): Promise<Resolved | NfsStat> {
    return this.handles.resolve(fh);
  }

  /** @deprecated use `core.children.lookupChild(dir, name, cred)` */
  lookupChild(dir: Resolved, name: string, cred?: Cred): Promise<Resolved | NfsStat> {
    return this.children.lookupChild(dir, name, cred);
  }

  /** @deprecated use `core.handles.handleFor(exp, at, stats, parentKey)` */
  handleFor(exp: Export, at: { rel: string }, stats: Stats, parentKey: string | null = null): Buffer {
    return this.handles.handleFor(exp, at, stats, parentKey);
  }

  /** @deprecated use `core.table.clientAllowedResolve(exp, remoteAddress, remotePort)` */
  clientAllowedResolve(exp: Export, remoteAddress: string, remotePort: number): Promise<boolean> {
    return this.table.clientAllowedResolve(exp, remoteAddress, remotePort);
  }

  /** @deprecated use `squash(cred, exp.options)` (auth.ts) */
  credFor(exp: Export, cred: CredentialLike): Cred {
    return squash(cred, exp.options);
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
