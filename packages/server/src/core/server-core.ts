/**
 * ServerCore: exports, file handles, credentials, permissions, attributes and the open-file
 * cache, tied together for the NFS and MOUNT procedures (which know nothing of `fs`).
 */
import type { BigIntStats } from 'node:fs';
import type { Logger } from 'pino';
import type { Backend, DirEntry } from './backend.js';
import type { ExportConfig, ExportOptions } from './exports.js';
import type { Cred, CredentialLike } from './auth.js';
import { FileCache, type FileCacheOptions } from './file-cache.js';
import type { NfsStat } from './nfsstat.js';

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

/** A handle or name resolved to an object inside an export. */
export interface Resolved {
  exp: Export;
  /** absolute path on the server, inside exp.root, no symlink in any component but maybe the last */
  path: string;
  stats: BigIntStats;
}

/** fattr3 of RFC 1813 (structurally the `fattr3` of `@nfsts/xdr`). */
export interface Fattr3 {
  type: number; // ftype3
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: bigint;
  used: bigint;
  rdev: { specdata1: number; specdata2: number };
  fsid: bigint;
  fileid: bigint;
  atime: { seconds: number; nseconds: number };
  mtime: { seconds: number; nseconds: number };
  ctime: { seconds: number; nseconds: number };
}

export interface ServerCoreOptions {
  exports: ExportConfig[];
  /** directory for per-export secrets, export ids and the inode index (created if missing) */
  stateDir: string;
  logger?: Logger;
  /** defaults to a NodeFsBackend */
  backend?: Backend;
  fileCache?: FileCacheOptions;
  /** entries the breadth-first search for a handle missing from the index visits at most */
  maxSearchEntries?: number;
}

export const DEFAULT_MAX_SEARCH_ENTRIES = 1_000_000;

export class ServerCore {
  readonly exports: Export[] = [];
  readonly backend: Backend;
  readonly fileCache: FileCache;
  /** 8 bytes, new per ServerCore: the WRITE/COMMIT verifier */
  readonly writeVerifier: Buffer;
  readonly logger: Logger | undefined;
  /** whether the server process runs as root (then new objects are chowned to the caller) */
  readonly runningAsRoot: boolean;

  protected constructor(backend: Backend, opts: ServerCoreOptions) {
    this.backend = backend;
    this.logger = opts.logger;
    this.fileCache = new FileCache(backend, opts.fileCache);
    this.writeVerifier = Buffer.alloc(8);
    this.runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  }

  /** Canonicalises every export root once, loads or creates the state, builds root handles. */
  static async open(opts: ServerCoreOptions): Promise<ServerCore> {
    void opts;
    throw new Error('not implemented');
  }

  /** The export whose mount path is `path` (trailing slashes ignored). */
  findExport(path: string): Export | undefined {
    void path;
    throw new Error('not implemented');
  }

  /** Allow-list and `secure` check for a client (remoteAddress as on the socket). */
  clientAllowed(exp: Export, remoteAddress: string, remotePort: number): boolean {
    void exp; void remoteAddress; void remotePort;
    throw new Error('not implemented');
  }

  /** The RPC credential after the export's squashing (AUTH_NONE → anonymous). */
  credFor(exp: Export, cred: CredentialLike): Cred {
    void exp; void cred;
    throw new Error('not implemented');
  }

  /** nfs_fh3 data → object, or NFS3ERR_BADHANDLE (malformed/forged) / NFS3ERR_STALE (gone). */
  async resolve(fh: Buffer): Promise<Resolved | NfsStat> {
    void fh;
    throw new Error('not implemented');
  }

  /**
   * A name in a directory → object (never follows a symlink). '.' is the directory itself,
   * '..' its parent but NFS3ERR_ACCES at the export root; '' → NFS3ERR_NOENT, '/' or NUL in a
   * name → NFS3ERR_ACCES, over 255 bytes → NFS3ERR_NAMETOOLONG, dir not a directory →
   * NFS3ERR_NOTDIR. With `cred`, search permission on dir is checked (NFS3ERR_ACCES).
   */
  async lookupChild(dir: Resolved, name: string, cred?: Cred): Promise<Resolved | NfsStat> {
    void dir; void name; void cred;
    throw new Error('not implemented');
  }

  /**
   * Checks a name for creating an entry: the same rules as lookupChild ('.' and '..' →
   * NFS3ERR_EXIST), returns the child's path or an nfsstat3.
   */
  childPath(dir: Resolved, name: string): string | NfsStat {
    void dir; void name;
    throw new Error('not implemented');
  }

  /** The handle of an object (≤ 64 bytes, stable across restarts and renames); indexes path. */
  handleFor(exp: Export, path: string, stats: BigIntStats): Buffer {
    void exp; void path; void stats;
    throw new Error('not implemented');
  }

  /** ACCESS3 bits granted of `want` (MODIFY/EXTEND/DELETE never on a read-only export). */
  access(stats: BigIntStats, cred: Cred, want: number, exp?: Export): number {
    void stats; void cred; void want; void exp;
    throw new Error('not implemented');
  }

  /** fattr3 from stats: type from mode, used = blocks*512, fsid = dev, fileid = ino. */
  fattr(stats: BigIntStats): Fattr3 {
    void stats;
    throw new Error('not implemented');
  }

  /**
   * After creating `path` in `dirStats` for `cred`: when the server runs as root, chown the new
   * object to the caller (gid of a setgid directory). No-op otherwise.
   */
  async chownNew(path: string, cred: Cred, dirStats: BigIntStats): Promise<void> {
    void path; void cred; void dirStats;
    throw new Error('not implemented');
  }

  /** Tell the core an object was removed (drops cached fds and index entry). */
  removed(exp: Export, stats: BigIntStats): void {
    void exp; void stats;
    throw new Error('not implemented');
  }

  /** Tell the core `from` was renamed to `to` (re-indexes; `replaced` is what `to` was, if anything). */
  renamed(exp: Export, toPath: string, stats: BigIntStats, replaced?: BigIntStats): void {
    void exp; void toPath; void stats; void replaced;
    throw new Error('not implemented');
  }

  /**
   * Directory entries sorted by `cookie` (a stable non-zero 63-bit hash of the name, unique in
   * the listing), cached per directory while its mtime/ctime are unchanged, for READDIR(PLUS).
   */
  async listDir(dir: Resolved): Promise<ListedEntry[]> {
    void dir;
    throw new Error('not implemented');
  }

  /** Saves the index, closes every cached file. */
  async close(): Promise<void> {
    throw new Error('not implemented');
  }
}

export interface ListedEntry extends DirEntry {
  cookie: bigint;
}
