/**
 * HandleResolver: file handles given out and resolved. Verifies a handle's MAC (remembering
 * verified handles), finds its object through the inode index (repairing through the parent,
 * other names of a hard-linked object, then a search), keeps the fast paths READ, WRITE and
 * metadata procedures take (resolveSync, resolveOpen), and issues handles (handleFor).
 */
import type { Logger } from 'pino';
import { performance } from 'node:perf_hooks';
import type { Backend, Stats } from './backend.js';
import type { Export, ExportState, ExportTable, Resolved } from './export-table.js';
import type { FileCache, OpenFile, OpenMode } from './file-cache.js';
import type { GatedIo } from './gated-io.js';
import { FH_SIZE, decodeHandle, encodeHandle, handleExportId, inodeKey, type HandleFields } from './handles.js';
import type { HandleSearch } from './handle-search.js';
import { indexRel, markGaveUp, markGone } from './object-locations.js';
import { errnoToNfsStat, type NfsStat, NFS3ERR_BADHANDLE, NFS3ERR_JUKEBOX, NFS3ERR_NOENT, NFS3ERR_NOTDIR, NFS3ERR_STALE } from './nfsstat.js';

/**
 * How long a handle whose object a full resolve found at its path is trusted for the
 * READ/WRITE fast path (fstat of the cached descriptor instead of a path walk); any remove or
 * rename through this core ends the trust at once.
 */
const PATH_TRUST_MS = 1_000;
const VERIFIED_HANDLES = 8192;
/**
 * Handles given out recently per export, by object: READDIRPLUS and LOOKUP hand out the same
 * ones again and again (an HMAC each costs several µs). More than a large directory holds, so
 * that listing a 10,000-entry directory over and over does not MAC every entry every time.
 */
const ISSUED_HANDLES = 32_768;

/** A handle whose MAC was verified, and where a full resolve last found its object. */
interface HandleMemo {
  f: HandleFields;
  /** rel of the object at the last successful resolve(), null before one */
  rel: string | null;
  /** Date.now() until which `path` is trusted by resolveOpen() */
  until: number;
  /** the core's invalidation epoch when `path` was found */
  epoch: number;
  /** the open file resolveOpen() last found for the object (FileCache.again() says whether it still serves) */
  file: OpenFile | null;
}

/** A resolved regular file and the open descriptor the file cache holds for it (call `file.put()`). */
export interface ResolvedOpen {
  r: Resolved;
  file: OpenFile;
}

/** A resolved directory and an open descriptor of it, checked to be it (the caller closes `fd` with closeSync). */
export interface ResolvedDir {
  r: Resolved;
  fd: number;
}

/** What HandleResolver counts (the ServerCore's counters). */
export interface HandleCounters {
  repairs: number;
  fastResolves: number;
  resolves: number;
  stale: number;
  /** resolveDirSync() successes: directory handles resolved to an open descriptor in one walk */
  dirResolves: number;
}

export class HandleResolver {
  private readonly states: Map<number, ExportState>;
  private readonly verified = new Map<string, HandleMemo>();
  /** bumped by every remove/rename/directory change: ends the trust of every HandleMemo path */
  private epoch = 0;

  constructor(
    private readonly table: ExportTable,
    private readonly backend: Backend,
    private readonly io: GatedIo,
    private readonly fileCache: FileCache,
    private readonly search: HandleSearch,
    private readonly counters: HandleCounters,
    private readonly logger: Logger | undefined,
    /** whether birth times are usable as the handle's generation (else 0 is used) */
    private readonly useBirthtime: boolean,
  ) {
    this.states = table.states;
  }

  private gen(st: Stats): bigint {
    return this.useBirthtime ? st.birthtimeNs : 0n;
  }

  /** nfs_fh3 data → object, or NFS3ERR_BADHANDLE (malformed/forged) / NFS3ERR_STALE (gone). */
  async resolve(fh: Buffer): Promise<Resolved | NfsStat> {
    const id = handleExportId(fh);
    if (id === null) return NFS3ERR_BADHANDLE;
    const s = this.states.get(id);
    // an id this state directory once gave out but no longer exports: authentic enough to be STALE
    if (!s) {
      if (!this.table.knownIds.has(id)) return NFS3ERR_BADHANDLE;
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
      memo = { f: d, rel: null, until: 0, epoch: -1, file: null };
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
    const s = this.stateOfHandle(fh);
    if (s === undefined) return null;
    const m = this.verify(s, fh);
    if (m === null) return null;
    const f = m.f;
    const rel = this.indexedRel(s, f);
    if (rel === null) return null;
    const st = this.io.lstatNow({ root: s.root, rel });
    if (st === null || st.dev !== f.dev || st.ino !== f.ino || this.gen(st) !== f.gen) return null;
    // the backend holds the root open: a removed root is still there, unlinked
    if (rel === '' && st.nlink === 0n) return null;
    this.foundAt(m, rel);
    return { exp: s.exp, root: s.root, rel, stats: st };
  }

  /** The export state of a handle, or undefined (malformed or not exported). */
  private stateOfHandle(fh: Buffer): ExportState | undefined {
    const id = handleExportId(fh);
    return id === null ? undefined : this.states.get(id);
  }

  /** Where the index last saw the object ('' for the root), or null when it does not know. */
  private indexedRel(s: ExportState, f: HandleFields): string | null {
    const key = inodeKey(f.dev, f.ino);
    return key === s.rootKey ? '' : (s.index.get(key)?.rel ?? null);
  }

  /** A synchronous resolve found the object at rel: counted, and the path trusted by resolveOpen(). */
  private foundAt(m: HandleMemo, rel: string): void {
    this.counters.resolves++;
    m.rel = rel;
    m.epoch = this.epoch;
    m.until = Date.now() + PATH_TRUST_MS;
  }

  /**
   * resolveSync() for a directory the caller then acts in (CREATE, REMOVE): one walk of its
   * path opens an O_PATH descriptor (Backend.openDirSync), whose fstat gives the stats and is
   * checked to be the handle's object, so the walk that resolves the handle is also the one
   * that confines the change (the backend gets `fd` instead of opening the path again). The
   * caller closes `fd` before its call returns: a descriptor kept across calls would follow a
   * directory moved out of the export. Null as resolveSync() (and for a non-directory).
   */
  resolveDirSync(fh: Buffer): ResolvedDir | null {
    const backend = this.backend;
    if (backend.openDirSync === undefined || backend.fstatSync === undefined || backend.closeSync === undefined) return null;
    const s = this.stateOfHandle(fh);
    if (s === undefined) return null;
    const m = this.verify(s, fh);
    if (m === null) return null;
    const f = m.f;
    const rel = this.indexedRel(s, f);
    if (rel === null) return null;
    const gate = this.io.gate;
    if (!gate.allowStat()) return null;
    const t0 = performance.now();
    let fd = -1;
    let st: Stats;
    try {
      fd = backend.openDirSync({ root: s.root, rel });
      st = backend.fstatSync(fd);
    } catch {
      if (fd >= 0) backend.closeSync(fd);
      return null;
    } finally {
      gate.done(t0, performance.now());
    }
    // the backend holds the root open: a removed root is still there, unlinked
    if (st.dev !== f.dev || st.ino !== f.ino || this.gen(st) !== f.gen || (rel === '' && st.nlink === 0n)) {
      backend.closeSync(fd);
      return null;
    }
    this.foundAt(m, rel);
    this.counters.dirResolves++;
    return { r: { exp: s.exp, root: s.root, rel, stats: st }, fd };
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
    let file = m.file === null ? undefined : this.fileCache.again(m.file, mode);
    if (file === undefined) {
      file = this.fileCache.peek(s.exp.id, m.f.dev, m.f.ino, mode);
      if (file === undefined) return null;
      m.file = file;
    }
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

  private async resolveKey(s: ExportState, key: string, dev: bigint, ino: bigint, gen: bigint): Promise<Resolved | null | 'gaveup'> {
    if (key === s.rootKey) {
      const st = await this.io.lstat({ root: s.root, rel: '' });
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
    const found = await this.search.searchFor(s, key);
    if (found === 'gone') {
      markGone(s, key);
      return null;
    }
    if (found === 'gaveup') {
      markGaveUp(s, key);
      return 'gaveup';
    }
    const r = await this.check(s, found, dev, ino, gen);
    return r === 'reused' ? null : r;
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
      const st = await this.io.lstat({ root: s.root, rel });
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
   * The handle of an object (44 bytes, stable across restarts and renames); indexes it.
   * `parentKey`: the index key of the directory it was found in, when the caller knows it
   * (READDIRPLUS: the index then needs no lookup of the parent by path).
   */
  handleFor(exp: Export, at: { rel: string }, stats: Stats, parentKey: string | null = null): Buffer {
    const s = this.table.stateOf(exp);
    const ikey = inodeKey(stats.dev, stats.ino);
    indexRel(s, at.rel, stats, parentKey, ikey);
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

  /** Something was removed, renamed or changed: no path found before is trusted by resolveOpen() any more. */
  invalidate(): void {
    this.epoch++;
  }
}
