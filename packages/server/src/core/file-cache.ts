/**
 * Open-file cache, like nfsd's filecache: READ and WRITE reuse descriptors keyed by
 * (export, device, fileid, mode); the device matters because an export may span filesystems,
 * whose inode numbers collide. Entries are refcounted; the cache itself holds no reference, so an
 * entry is "idle" when nobody holds it. Idle entries are closed LRU-first past `maxOpen` and
 * after `idleMs`. `forget(fileid)` (the object was removed or renamed over) drops the entry:
 * its descriptor closes as soon as the last holder puts it.
 */
import type { Stats as BigIntStats } from './backend.js';
import type { Logger } from 'pino';
import type { Backend, Node } from './backend.js';
import { NfsError } from './nfsstat.js';

export type OpenMode = 'r' | 'rw';

export const DEFAULT_FILE_CACHE_MAX_OPEN = 512;
export const DEFAULT_FILE_CACHE_IDLE_MS = 5_000;

export interface FileCacheOptions {
  /** idle descriptors kept at most (busy ones are never closed) */
  maxOpen?: number;
  /** an idle descriptor is closed after this long unused */
  idleMs?: number;
  logger?: Logger;
}

/** A refcounted open descriptor. LOCALIO shares these objects with the RPC path. */
export class OpenFile {
  /** the descriptor: valid while you hold a reference */
  readonly fd: number;
  readonly exportId: number;
  readonly fileid: bigint;
  readonly mode: OpenMode;
  /** holders (each get() adds one, each put() removes one) */
  refs = 0;
  /** dropped from the cache (forgotten, evicted or cache closed): close at last put */
  dropped = false;
  /** told once when `dropped` becomes true (a LOCALIO grant held for another thread mirrors it into shared memory) */
  private dropWatchers: Set<() => void> | null = null;
  closed = false;
  lastUsed = 0;
  /** @internal */ readonly cache: FileCache;
  /** @internal */ readonly key: string;

  constructor(cache: FileCache, key: string, fd: number, exportId: number, fileid: bigint, mode: OpenMode) {
    this.cache = cache;
    this.key = key;
    this.fd = fd;
    this.exportId = exportId;
    this.fileid = fileid;
    this.mode = mode;
  }

  /** Takes another reference; returns this. */
  get(): this {
    if (this.closed) throw new NfsError('ERR_NFS_CLOSED', 'open file already closed');
    this.refs++;
    return this;
  }

  /**
   * Calls `fn` once when this file is dropped (at once if it is already); returns the remover.
   * For a holder in another thread, which cannot read `dropped` itself.
   */
  onDropped(fn: () => void): () => void {
    if (this.dropped) {
      fn();
      return () => {};
    }
    (this.dropWatchers ??= new Set()).add(fn);
    return () => { this.dropWatchers?.delete(fn); };
  }

  /** @internal sets `dropped` and tells the watchers */
  _drop(): void {
    this.dropped = true;
    const w = this.dropWatchers;
    if (w === null) return;
    this.dropWatchers = null;
    for (const fn of w) fn();
  }

  /** Drops a reference; the descriptor closes when dropped and unreferenced. */
  put(): void {
    if (this.refs <= 0) throw new Error('OpenFile.put() without a matching get()');
    this.refs--;
    this.lastUsed = Date.now();
    if (this.refs === 0) this.cache._idle(this);
  }
}

function fileKey(exportId: number, dev: bigint, fileid: bigint, mode: OpenMode): string {
  return `${exportId}:${dev}:${fileid}:${mode}`;
}

export class FileCache {
  readonly maxOpen: number;
  readonly idleMs: number;
  private readonly backend: Backend;
  private readonly logger: Logger | undefined;
  /** live entries in LRU order (Map keeps insertion order; touched entries move to the end) */
  private readonly entries = new Map<string, OpenFile>();
  private readonly opening = new Map<string, Promise<OpenFile>>();
  private readonly pendingClose = new Set<Promise<void>>();
  /** every OpenFile whose descriptor is open (cached or dropped-but-held) */
  private readonly live = new Set<OpenFile>();
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  /** descriptors currently open through this cache (cached or dropped-but-held) */
  openCount = 0;
  /** opens performed and cache hits, for tests and stats */
  opens = 0;
  hits = 0;
  /** idle descriptors closed to stay under maxOpen or after idleMs (for metrics) */
  evictions = 0;
  /** LRU moves made (an entry moved to the newest end of `entries`), for tests */
  touches = 0;
  /** the entry set last in `entries`, so at its newest end: touching it would move nothing */
  private newest: OpenFile | undefined;

  constructor(backend: Backend, opts: FileCacheOptions = {}) {
    this.backend = backend;
    this.maxOpen = opts.maxOpen ?? DEFAULT_FILE_CACHE_MAX_OPEN;
    this.idleMs = opts.idleMs ?? DEFAULT_FILE_CACHE_IDLE_MS;
    this.logger = opts.logger;
    if (!Number.isInteger(this.maxOpen) || this.maxOpen < 1) throw new NfsError('ERR_NFS_BAD_OPTION', 'fileCache option "maxOpen": expected an integer >= 1');
    if (!(this.idleMs > 0)) throw new NfsError('ERR_NFS_BAD_OPTION', 'fileCache option "idleMs": expected a number > 0');
  }

  /** Number of live (not dropped) entries. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Returns an OpenFile holding one reference for you (call `put()` when done).
   * `at` (its root and rel) and `stats` come from a resolved handle; the file must be regular. A read-write
   * entry also serves 'r'. The opened descriptor is checked to be the same inode.
   */
  async get(exportId: number, at: Node, stats: BigIntStats, mode: OpenMode): Promise<OpenFile> {
    if (this.closing) throw new NfsError('ERR_NFS_CLOSED', 'file cache is closed');
    if (!stats.isFile()) {
      const e = new Error(stats.isDirectory() ? 'is a directory' : 'not a regular file') as NodeJS.ErrnoException;
      e.code = stats.isDirectory() ? 'EISDIR' : 'EINVAL';
      throw e;
    }
    const hit = this.lookup(exportId, stats.dev, stats.ino, mode);
    if (hit) {
      this.hits++;
      return hit.get();
    }
    const key = fileKey(exportId, stats.dev, stats.ino, mode);
    const pending = this.opening.get(key);
    if (pending) {
      // someone is opening it: share their descriptor
      this.hits++;
      const f = await pending;
      if (f.closed) return this.get(exportId, at, stats, mode);
      return f.get();
    }
    const p = this.open(key, exportId, at, stats, mode);
    this.opening.set(key, p);
    p.then(() => this.opening.delete(key), () => this.opening.delete(key));
    return p; // carries the opener's reference
  }

  /**
   * The cached descriptor for (exportId, dev, fileid) usable in `mode`, with one reference
   * taken for you (call `put()`), or undefined when none is open: never opens anything.
   */
  peek(exportId: number, dev: bigint, fileid: bigint, mode: OpenMode): OpenFile | undefined {
    if (this.closing) return undefined;
    const hit = this.lookup(exportId, dev, fileid, mode);
    if (hit === undefined || hit.closed) return undefined;
    this.hits++;
    return hit.get();
  }

  /**
   * `f` again, as peek() would return it, when the caller remembered it from an earlier peek()
   * of the same object: still cached (not dropped, not closed) and usable in `mode`. Skips
   * building the keys and the lookup (a READ's BigInt-to-string keys cost more than the rest of
   * the cache's work); undefined when the caller must peek() again.
   */
  again(f: OpenFile, mode: OpenMode): OpenFile | undefined {
    if (this.closing || f.dropped || f.closed || (mode === 'rw' && f.mode !== 'rw')) return undefined;
    this.touch(f);
    this.hits++;
    return f.get();
  }

  private lookup(exportId: number, dev: bigint, fileid: bigint, mode: OpenMode): OpenFile | undefined {
    const rw = this.entries.get(fileKey(exportId, dev, fileid, 'rw'));
    const f = rw ?? (mode === 'r' ? this.entries.get(fileKey(exportId, dev, fileid, 'r')) : undefined);
    if (f !== undefined) this.touch(f);
    return f;
  }

  private touch(f: OpenFile): void {
    if (f !== this.newest) {
      // LRU touch, skipped for the entry already newest. A delete and set on this long-lived
      // Map leaves a hole that makes V8 rehash the table every few calls, and it allocates
      // the new table in old space (where the old one is): one file READ over and over left
      // ~190 bytes of old-space garbage per call (bench/notes/soak-and-libnfs-column.md)
      this.entries.delete(f.key);
      this.entries.set(f.key, f);
      this.newest = f;
      this.touches++;
    }
  }

  private async open(key: string, exportId: number, at: Node, stats: BigIntStats, mode: OpenMode): Promise<OpenFile> {
    const fd = await this.backend.open({ root: at.root, rel: at.rel, stats }, mode === 'rw' ? 2 /* O_RDWR */ : 0 /* O_RDONLY */);
    this.openCount++;
    this.opens++;
    try {
      const st = await this.backend.fstat(fd);
      if (st.ino !== stats.ino || st.dev !== stats.dev || st.nlink === 0n) {
        const e = new Error('file replaced while opening') as NodeJS.ErrnoException;
        e.code = 'ESTALE';
        throw e;
      }
    } catch (err) {
      this.openCount--;
      await this.backend.close(fd).catch(() => {});
      throw err;
    }
    const f = new OpenFile(this, key, fd, exportId, stats.ino, mode);
    f.lastUsed = Date.now();
    f.refs = 1; // the opener's reference, taken before anything can evict it
    this.live.add(f);
    if (this.closing) {
      f._drop();
    } else {
      this.entries.set(key, f);
      this.newest = f;
      this.ensureTimer();
      this.evictOverflow();
    }
    return f;
  }

  /** @internal called by OpenFile.put() when refs reaches 0 */
  _idle(f: OpenFile): void {
    if (f.dropped) {
      this.closeFile(f);
      return;
    }
    this.evictOverflow();
  }

  private evictOverflow(): void {
    if (this.entries.size <= this.maxOpen) return;
    for (const f of this.entries.values()) {
      if (this.entries.size <= this.maxOpen) break;
      if (f.refs === 0) {
        this.evictions++;
        this.drop(f);
      }
    }
  }

  private drop(f: OpenFile): void {
    if (this.entries.get(f.key) === f) this.entries.delete(f.key);
    f._drop();
    if (f.refs === 0) this.closeFile(f);
  }

  private closeFile(f: OpenFile): void {
    if (f.closed) return;
    f.closed = true;
    this.live.delete(f);
    const p = this.backend.close(f.fd).then(
      () => {},
      (err: unknown) => this.logger?.warn({ err, fileid: f.fileid.toString() }, 'closing cached file failed'),
    ).finally(() => {
      this.openCount--;
      this.pendingClose.delete(p);
    });
    this.pendingClose.add(p);
  }

  /**
   * The object is gone (removed, or renamed over): drop every entry for it (in every export
   * when exportId is omitted). Held descriptors close at their last put().
   */
  forget(fileid: bigint, exportId?: number): void {
    for (const f of [...this.entries.values()]) {
      if (f.fileid === fileid && (exportId === undefined || f.exportId === exportId)) this.drop(f);
    }
  }

  /** Closes idle entries unused for idleMs (run by the timer; callable from tests). */
  sweep(now = Date.now()): void {
    for (const f of [...this.entries.values()]) {
      if (f.refs === 0 && now - f.lastUsed >= this.idleMs) {
        this.evictions++;
        this.drop(f);
      }
    }
    if (this.entries.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private ensureTimer(): void {
    if (this.timer || this.closing) return;
    this.timer = setInterval(() => this.sweep(), Math.max(50, Math.floor(this.idleMs / 2)));
    this.timer.unref();
  }

  /**
   * Closes every idle descriptor now and every held one at its last put(); resolves when all
   * descriptors this cache opened are closed. Holders still not done after `forceAfterMs` are
   * closed anyway (with a warning): shutdown must not hang on a leaked reference.
   * No new gets afterwards.
   */
  async close(forceAfterMs = 10_000): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.opening.values()]);
    for (const f of [...this.entries.values()]) this.drop(f);
    const deadline = Date.now() + forceAfterMs;
    while (this.live.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    for (const f of [...this.live]) {
      this.logger?.warn({ fileid: f.fileid.toString(), refs: f.refs }, 'closing a cached file still referenced at shutdown');
      this.closeFile(f);
    }
    await Promise.allSettled([...this.pendingClose]);
  }
}
