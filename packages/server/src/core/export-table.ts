/**
 * ExportTable: the exports a ServerCore serves and what it keeps per export: the root the
 * Backend opened, the handle secret and export id from the state directory, the client
 * allow-list, and the inode index (persisted there).
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup, reverse as dnsReverse } from 'node:dns/promises';
import { join, isAbsolute } from 'node:path';
import type { Logger } from 'pino';
import type { Backend, BackendRoot, Loc, Stats } from './backend.js';
import { ClientMatcher, parseOptions, type ExportConfig, type ExportOptions } from './exports.js';
import { encodeHandle, inodeKey } from './handles.js';
import { InodeIndex } from './inode-index.js';
import { writeFileAtomic } from './atomic-file.js';
import { NfsError } from './nfsstat.js';

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

/** What a search pass says of a key: where it is, gone (a complete pass missed it), or unknown (budget spent). */
export type SearchResult = string | 'gone' | 'gaveup';

/**
 * Everything kept per export, in one record so that resolving a handle costs one map lookup.
 * The fields below `rootIno` belong to the handle parts (object-locations.ts, handle-search.ts,
 * handle-resolver.ts); the table only creates them.
 */
export interface ExportState {
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

interface StateFile {
  version: 1;
  nextId: number;
  exports: Record<string, { id: number; secret: string }>;
}

function normalizeExportPath(p: string): string {
  let s = p.replace(/\/+/g, '/');
  if (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

export class ExportTable {
  /** in configuration order */
  readonly list: Export[] = [];
  /** by export id */
  readonly states = new Map<number, ExportState>();
  /** every export id this state directory ever gave out (a handle of one no longer exported is STALE, not BADHANDLE) */
  readonly knownIds = new Set<number>();

  private constructor(private readonly backend: Backend, private readonly logger: Logger | undefined) {}

  /**
   * Canonicalises every export root once, loads or creates the state (export ids and
   * secrets), loads the inode indexes and builds root handles (generation: birth time when
   * `useBirthtime`, else 0).
   */
  static async open(configs: ExportConfig[], stateDir: string, backend: Backend, useBirthtime: boolean, logger: Logger | undefined): Promise<ExportTable> {
    const table = new ExportTable(backend, logger);
    const stateFile = join(stateDir, 'exports.json');
    let state: StateFile = { version: 1, nextId: 1, exports: {} };
    try {
      const s = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as StateFile;
      if (s.version === 1 && typeof s.nextId === 'number' && typeof s.exports === 'object' && s.exports !== null) state = s;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger?.warn({ err }, 'state file unreadable, starting afresh');
    }
    for (const r of Object.values(state.exports)) if (r && typeof r.id === 'number') table.knownIds.add(r.id);
    let stateChanged = false;
    const seen = new Set<string>();
    try {
      for (const [i, cfg] of configs.entries()) {
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
          table.knownIds.add(rec.id);
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
        if (es.index.load(es.indexFile) === 'corrupt') table.setAsideIndex(es);
        es.index.set(es.rootKey, '', true, null);
        exp.rootHandle = encodeHandle({ exportId: exp.id, dev: st.dev, ino: st.ino, gen: useBirthtime ? st.birthtimeNs : 0n }, secret);
        table.states.set(exp.id, es);
        table.list.push(exp);
      }
    } catch (err) {
      // roots opened for earlier exports are not leaked by a later one's error
      table.closeRoots();
      throw err;
    }
    if (stateChanged) writeFileAtomic(stateFile, JSON.stringify(state, null, 2));
    return table;
  }

  /** The state of an export of this table (an Export of another ServerCore is a programming error). */
  stateOf(exp: Export): ExportState {
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
    return this.list.find((e) => e.path === p);
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

  /** Closes every export root the backend opened. */
  closeRoots(): void {
    for (const s of this.states.values()) this.backend.closeRoot(s.root);
  }
}
