import { randomBytes } from 'node:crypto';
import { clientMetrics, fsTraced, traceFs, type ClientMetrics } from './metrics.js';
import type { Logger } from 'pino';
import type { RpcClient, Credential } from '@nfsts/rpc';
import { LocalioTransport } from '@nfsts/localio';
import type { LocalioCounters } from '@nfsts/common';
import { NfsClientError, NfsError, NfsFsError, abortable, toFsError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { Mount3Raw, type Nfs3Raw } from './raw.js';
import type { RpcCaller } from './rpc-caller.js';
import { RpcTransport } from './rpc-transport.js';
import { pathString, type PathLike, type Resolved } from './paths.js';
import { Session, type ClientCounters } from './session.js';
import type { NlmLockClient } from './locks/index.js';
import { parseFlags, type OpenFlags } from './flags.js';
import { makeSattr, parseMode, parseTime, type SetAttrs } from './sattr.js';
import { NfsDirent, makeStats, type NfsBigIntStats, type NfsStats, NF3DIR, NF3LNK } from './stats.js';
import type { NfsTransport } from './transport.js';
import { NfsFileHandle } from './file-handle.js';
import { NfsReadStream, NfsWriteStream, type ReadStreamOptions, type WriteStreamOptions } from './streams.js';
import { toBuffer, type WriteFileData } from './write-data.js';
import { NfsDir, readdirRecursive } from './dir.js';
import { copyFile, cp, type CpOptions } from './copy.js';
import { watch, type WatchEvent, type WatchOptions } from './watch.js';
import { kStartLocalio } from './internal.js';
import { mkdirOne, mkdirRecursive, removeName, rm } from './tree.js';

/** ACCESS3 bits (RFC 1813 §3.3.4) */
export const ACCESS3_READ = 0x1, ACCESS3_LOOKUP = 0x2, ACCESS3_MODIFY = 0x4, ACCESS3_EXTEND = 0x8, ACCESS3_DELETE = 0x10, ACCESS3_EXECUTE = 0x20;
/** `fs.constants`-compatible access modes */
export const F_OK = 0, R_OK = 4, W_OK = 2, X_OK = 1;
/** `fs.constants.COPYFILE_EXCL`: copyFile fails when the destination exists */
export const COPYFILE_EXCL = 1;

export interface OpenOptions {
  /** write FILE_SYNC instead of UNSTABLE + COMMIT (also what flags 'rs+'/'as' and O_SYNC ask for) */
  stable?: boolean;
}

/** `client.stats()`: the client's counters and LOCALIO's (local vs RPC reads, writes, commits, fallbacks, probes). */
export interface NfsClientStats extends LocalioCounters, ClientCounters {
  /** true while READ/WRITE/COMMIT go to the server's files directly (LOCALIO) */
  isLocal: boolean;
}

/** `signal` as every path method takes it */
export interface Abortable { signal?: AbortSignal }

type Encoding = BufferEncoding | null | undefined;

interface ClientInit {
  options: ResolvedOptions; rpc: RpcClient; nfsPort: number; mountPort: number; cred: Credential; rootFh: Buffer; rsize: number; wsize: number;
  newRpc: (o: ResolvedOptions, port: number, cred: Credential) => RpcClient;
}

/**
 * An NFSv3 client: `client.raw` / `client.mount` are the procedures, the rest mirrors
 * `node:fs/promises` on paths relative to the export root (see the README's table for
 * where it differs and why).
 */
export class NfsClient {
  readonly raw: Nfs3Raw;
  readonly mount: Mount3Raw;
  /** the export's root file handle */
  readonly rootFh: Buffer;
  /** transfer sizes in use (FSINFO rtmax/wtmax capped by the options) */
  readonly rsize: number;
  readonly wsize: number;
  readonly options: ResolvedOptions;
  readonly counters: ClientCounters;
  /**
   * LOCALIO: READ/WRITE/COMMIT on the server's own descriptors while the server shares this
   * process, else (and with `localio: false`, which never probes) by RPC through `rpcTransport`.
   */
  readonly localio: LocalioTransport;
  /** READ/WRITE/COMMIT by RPC */
  readonly rpcTransport: RpcTransport;
  /** the NFS port in use */
  readonly nfsPort: number;
  readonly log: Logger | undefined;

  readonly #s: Session;
  readonly #rpc: RpcClient;
  readonly #cred: Credential;
  readonly #mountPort: number;
  readonly #newRpc: ClientInit['newRpc'];
  #mountRpc: RpcClient | undefined;

  /** @internal use `connect()` */
  constructor(init: ClientInit) {
    this.options = init.options;
    this.#rpc = init.rpc;
    this.#mountPort = init.mountPort;
    this.#newRpc = init.newRpc;
    this.nfsPort = init.nfsPort;
    this.#cred = init.cred;
    this.rootFh = init.rootFh;
    this.rsize = init.rsize;
    this.wsize = init.wsize;
    this.log = init.options.logger;
    this.mount = new Mount3Raw(() => this.#getMountRpc());
    let s: Session | undefined;
    this.rpcTransport = new RpcTransport(init.rpc, (fh, attr) => s?.paths.setAttr(fh, attr));
    this.localio = new LocalioTransport({
      rpc: init.rpc,
      fallback: this.rpcTransport,
      cred: init.cred,
      enabled: init.options.localio,
      // a local write changes size and times behind the attribute cache
      onLocalWrite: (fh) => s?.paths.forgetAttr(fh),
      ...(init.options.logger !== undefined ? { logger: init.options.logger } : {}),
    });
    s = new Session(init.options, init.rpc, init.rootFh, init.rsize, init.wsize, this.localio);
    this.#s = s;
    this.raw = s.raw;
    this.counters = s.counters;
  }

  /** @internal connect() calls it after MOUNT */
  [kStartLocalio](): Promise<boolean> {
    return this.#s.startLocalio();
  }

  /**
   * The transport the request engine drives: `localio` (which sends by RPC whatever it cannot
   * do locally). Swappable, e.g. for tests.
   */
  get transport(): NfsTransport {
    return this.#s.transport;
  }

  set transport(t: NfsTransport) {
    this.#s.transport = t;
  }

  /** True while READ/WRITE/COMMIT go to the server's files directly (LOCALIO). */
  get isLocal(): boolean {
    return this.localio.isLocal;
  }

  /** Calls per procedure, RPC against LOCALIO, retransmissions and reconnects (see metrics.ts). */
  metrics(): ClientMetrics {
    return clientMetrics(this.#rpc, this.#mountRpc, this.localio.stats(), this.localio.isLocal);
  }

  /** A snapshot of the counters; also published on `diagnostics_channel` 'nfsts:localio:stats'. */
  stats(): NfsClientStats {
    this.localio.publishStats();
    return { ...this.localio.stats(), ...this.counters, isLocal: this.localio.isLocal };
  }

  /** the RPC client of the NFS connection (LOCALIO probes on this same connection) */
  get rpcClient(): RpcClient {
    return this.#rpc;
  }

  /** the AUTH_SYS credential every call carries */
  get credential(): Credential {
    return this.#cred;
  }

  async #getMountRpc(): Promise<RpcCaller> {
    if (this.#s.closed) throw new NfsClientError('ERR_NFS_CLOSED', 'client is closed');
    if (this.#mountPort === this.nfsPort) return this.#rpc;
    if (this.#mountRpc === undefined) {
      this.#mountRpc = this.#newRpc(this.options, this.#mountPort, this.#cred);
      await this.#mountRpc.connect();
    }
    return this.#mountRpc;
  }

  /** Commits and closes open file handles, then closes the connections. */
  async close(): Promise<void> {
    const s = this.#s;
    if (s.closed) return;
    const results = await Promise.allSettled(s.openHandles().map((h) => (h as NfsFileHandle).close()));
    s.closed = true;
    // LOCALIO first: put every LocalFile and leave the registry before the connection goes
    s.stopLocalio();
    this.localio.publishStats();
    await this.localio.close();
    await s.closeLocks();
    await Promise.allSettled([this.#rpc.close(), this.#mountRpc?.close()]);
    s.paths.clear();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** `await using client = await connect(…)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  isClosed(): boolean {
    return this.#s.closed;
  }

  /** Byte-range locks over NLM (src/locks), started on first use; `NfsFileHandle.lock` uses it. */
  get locks(): NlmLockClient {
    return this.#s.locks;
  }

  /** Drops every cached lookup and attribute (e.g. after changing the export behind the client's back). */
  dropCaches(): void {
    this.#s.paths.clear();
  }

  /** Resolves a path (relative to the export root) to a handle and attributes, following symlinks. */
  resolve(path: PathLike, followLast = true): Promise<Resolved> {
    return this.#s.paths.resolve(path, followLast);
  }

  /**
   * Runs a path method: closed-client check, `signal`, and errors in node:fs's shape (code,
   * syscall, path, dest); traced on nfsts:fs (with the fs-shaped error) only while someone subscribes.
   */
  #call<T>(syscall: string, path: PathLike, fn: () => Promise<T>, o?: { dest?: PathLike | undefined; signal?: AbortSignal | undefined }): Promise<T> {
    if (!fsTraced()) return this.#run(syscall, path, fn, o);
    let p: string;
    let dest: string | undefined;
    try {
      p = pathString(path);
      dest = o?.dest !== undefined ? pathString(o.dest) : undefined;
    } catch {
      return this.#run(syscall, path, fn, o);
    }
    return traceFs(syscall, p, dest, () => this.#run(syscall, path, fn, o));
  }

  async #run<T>(syscall: string, path: PathLike, fn: () => Promise<T>, o?: { dest?: PathLike | undefined; signal?: AbortSignal | undefined }): Promise<T> {
    let p: string;
    try {
      p = pathString(path);
    } catch (err) {
      throw new TypeError((err as Error).message, { cause: err });
    }
    if (this.#s.closed) throw new NfsFsError('EBADF', syscall, p, { cause: new NfsClientError('ERR_NFS_CLOSED', 'client is closed') });
    const dest = o?.dest !== undefined ? pathString(o.dest) : undefined;
    try {
      return await abortable(o?.signal, fn);
    } catch (err) {
      if (err instanceof NfsFsError && err.path !== p) {
        throw new NfsFsError(err.code, syscall, p, { ...(err.status !== undefined ? { status: err.status } : {}), cause: err });
      }
      throw toFsError(err, syscall, p, dest);
    }
  }

  // ---- the fs/promises-shaped API ---------------------------------------------------

  stat(path: PathLike, options?: Abortable & { bigint?: false }): Promise<NfsStats>;
  stat(path: PathLike, options: Abortable & { bigint: true }): Promise<NfsBigIntStats>;
  stat(path: PathLike, options?: Abortable & { bigint?: boolean }): Promise<NfsStats | NfsBigIntStats>;
  stat(path: PathLike, options: Abortable & { bigint?: boolean } = {}): Promise<NfsStats | NfsBigIntStats> {
    return this.#call('stat', path, async () => makeStats((await this.#s.paths.resolve(path, true)).attr, options.bigint), options);
  }

  lstat(path: PathLike, options?: Abortable & { bigint?: false }): Promise<NfsStats>;
  lstat(path: PathLike, options: Abortable & { bigint: true }): Promise<NfsBigIntStats>;
  lstat(path: PathLike, options?: Abortable & { bigint?: boolean }): Promise<NfsStats | NfsBigIntStats>;
  lstat(path: PathLike, options: Abortable & { bigint?: boolean } = {}): Promise<NfsStats | NfsBigIntStats> {
    return this.#call('lstat', path, async () => makeStats((await this.#s.paths.resolve(path, false)).attr, options.bigint), options);
  }

  /** Whether the path exists (follows symlinks). */
  async exists(path: PathLike): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** ACCESS for the credential in use (the server decides, as for a kernel mount). */
  access(path: PathLike, mode = F_OK, options: Abortable = {}): Promise<void> {
    return this.#call('access', path, async () => {
      const { fh, attr } = await this.#s.paths.resolve(path, true);
      if (mode === F_OK) return;
      let want = 0;
      if (mode & R_OK) want |= ACCESS3_READ;
      if (mode & W_OK) want |= ACCESS3_MODIFY;
      if (mode & X_OK) want |= attr.type === NF3DIR ? ACCESS3_LOOKUP : ACCESS3_EXECUTE;
      const r = await this.raw.access({ object: { data: fh }, access: want });
      this.#s.paths.noteAttr(fh, r.obj_attributes);
      if ((r.access & want) !== want) throw new NfsFsError('EACCES', 'access', pathString(path));
    }, options);
  }

  /**
   * Lists a directory with READDIRPLUS, following cookies across replies. With `recursive`,
   * the whole tree (paths relative to `path`, as node:fs).
   */
  readdir(path: PathLike, options?: Abortable & { withFileTypes?: false; recursive?: boolean; encoding?: Encoding } | BufferEncoding): Promise<string[]>;
  readdir(path: PathLike, options: Abortable & { withFileTypes: true; recursive?: boolean; encoding?: Encoding }): Promise<NfsDirent[]>;
  readdir(path: PathLike, options: Abortable & { withFileTypes?: boolean; recursive?: boolean; encoding?: Encoding } | BufferEncoding = {}): Promise<string[] | NfsDirent[]> {
    const o = typeof options === 'string' ? {} : options;
    const p = pathString(path);
    return this.#call('scandir', path, async () => {
      const { fh, attr } = await this.#s.paths.resolve(path, true);
      if (attr.type !== NF3DIR) throw new NfsError('READDIRPLUS', 20, undefined);
      if (o.recursive === true) return readdirRecursive(this.#s, fh, p, o.withFileTypes === true, () => o.signal?.aborted === true);
      const dirents = await this.#s.dirs.list(fh, p);
      return o.withFileTypes === true ? dirents : dirents.map((d) => d.name);
    }, o);
  }

  /** An async-iterable `Dir` that asks for one READDIRPLUS reply at a time (never the whole listing in memory). */
  opendir(path: PathLike, options: Abortable & { recursive?: boolean; bufferSize?: number } = {}): Promise<NfsDir> {
    const p = pathString(path);
    return this.#call('opendir', path, async () => {
      const { fh, attr } = await this.#s.paths.resolve(path, true);
      if (attr.type !== NF3DIR) throw new NfsError('READDIRPLUS', 20, undefined);
      return new NfsDir(this.#s, fh, p, options.recursive === true);
    }, options);
  }

  /** Creates a directory; with `recursive`, its missing parents too, returning the first directory created. */
  mkdir(path: PathLike, options: Abortable & { recursive?: boolean; mode?: number | string } | number | string = {}): Promise<string | undefined> {
    const o = typeof options === 'object' ? options : { mode: options };
    return this.#call('mkdir', path, async () => {
      const mode = o.mode !== undefined ? parseMode(o.mode) : 0o777;
      if (o.recursive !== true) {
        await mkdirOne(this.#s, path, mode);
        return undefined;
      }
      return mkdirRecursive(this.#s, path, mode);
    }, o);
  }

  /** Creates a directory named `prefix` + six random characters (mode 0700); its path. */
  mkdtemp(prefix: PathLike, options: Abortable = {}): Promise<string> {
    const pre = pathString(prefix);
    return this.#call('mkdtemp', `${pre}XXXXXX`, async () => {
      for (let attempt = 0; ; attempt++) {
        const path = pre + randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
        try {
          await mkdirOne(this.#s, path, 0o700);
          return path;
        } catch (err) {
          if (attempt >= 100 || !(err instanceof NfsError && err.code === 'NFS3ERR_EXIST')) throw err;
        }
      }
    }, options);
  }

  unlink(path: PathLike, options: Abortable = {}): Promise<void> {
    return this.#call('unlink', path, async () => {
      const { dir, name } = await this.#s.paths.resolveParent(path);
      await removeName(this.#s, dir, name);
    }, options);
  }

  rmdir(path: PathLike, options: Abortable = {}): Promise<void> {
    return this.#call('rmdir', path, async () => {
      const { dir, name } = await this.#s.paths.resolveParent(path);
      await removeName(this.#s, dir, name, true);
    }, options);
  }

  /** Removes a file or (with `recursive`) a whole tree; `force` ignores a missing path. */
  rm(path: PathLike, options: Abortable & { recursive?: boolean; force?: boolean } = {}): Promise<void> {
    const p = pathString(path);
    return this.#call('rm', path, () => rm(this.#s, p, options), options);
  }

  rename(oldPath: PathLike, newPath: PathLike, options: Abortable = {}): Promise<void> {
    return this.#call('rename', oldPath, async () => {
      const paths = this.#s.paths;
      const from = await paths.resolveParent(oldPath);
      const to = await paths.resolveParent(newPath);
      const moved = paths.cachedName(from.dir, from.name);
      const replaced = paths.cachedName(to.dir, to.name);
      paths.forgetName(from.dir, from.name);
      paths.forgetName(to.dir, to.name);
      if (replaced) paths.forgetAttr(replaced);
      const r = await this.raw.rename({ from: { dir: { data: from.dir }, name: from.name }, to: { dir: { data: to.dir }, name: to.name } });
      paths.noteWcc(from.dir, r.fromdir_wcc);
      paths.noteWcc(to.dir, r.todir_wcc);
      if (moved) paths.forgetAttr(moved); // ctime changed
    }, { dest: newPath, signal: options.signal });
  }

  /** A symbolic link at `path` whose text is `target` (the `type` argument of node:fs is for Windows; ignored). */
  symlink(target: PathLike, path: PathLike, _type?: string | null, options: Abortable = {}): Promise<void> {
    const text = pathString(target);
    return this.#call('symlink', text, async () => {
      const paths = this.#s.paths;
      const { dir, name } = await paths.resolveParent(path);
      const r = await this.raw.symlink({ where: { dir: { data: dir }, name }, symlink: { symlink_attributes: makeSattr({ mode: 0o777 }), symlink_data: text } });
      paths.noteWcc(dir, r.dir_wcc);
      await paths.learnCreated(dir, name, r.obj, r.obj_attributes);
    }, { dest: path, signal: options.signal });
  }

  readlink(path: PathLike, options: Abortable = {}): Promise<string> {
    return this.#call('readlink', path, async () => {
      const { fh, attr } = await this.#s.paths.resolve(path, false);
      if (attr.type !== NF3LNK) throw new NfsFsError('EINVAL', 'readlink', pathString(path));
      const r = await this.raw.readlink({ symlink: { data: fh } });
      this.#s.paths.noteAttr(fh, r.symlink_attributes);
      return r.data;
    }, options);
  }

  /** The canonical path within the export (symlinks followed, '.' and '..' resolved). */
  realpath(path: PathLike, options: Abortable = {}): Promise<string> {
    return this.#call('realpath', path, () => this.#s.paths.realpath(path), options);
  }

  link(existingPath: PathLike, newPath: PathLike, options: Abortable = {}): Promise<void> {
    return this.#call('link', existingPath, async () => {
      const paths = this.#s.paths;
      const src = await paths.resolve(existingPath, false);
      const { dir, name } = await paths.resolveParent(newPath);
      const r = await this.raw.link({ file: { data: src.fh }, link: { dir: { data: dir }, name } });
      paths.noteAttr(src.fh, r.file_attributes);
      paths.noteWcc(dir, r.linkdir_wcc);
      paths.rememberName(dir, name, src.fh);
    }, { dest: newPath, signal: options.signal });
  }

  /** SETATTR on a path (follows symlinks unless `follow` is false). */
  setattr(path: PathLike, attrs: SetAttrs, syscall = 'setattr', follow = true, options: Abortable = {}): Promise<void> {
    return this.#call(syscall, path, async () => {
      const { fh } = await this.#s.paths.resolve(path, follow);
      await this.#s.setattr(fh, attrs);
    }, options);
  }

  /** `mode` as a number or a string of octal digits ('644'), as node:fs. */
  chmod(path: PathLike, mode: number | string): Promise<void> {
    return this.setattr(path, { mode: parseMode(mode) }, 'chmod');
  }

  /** -1 leaves the id unchanged, as chown(2). */
  chown(path: PathLike, uid: number, gid: number): Promise<void> {
    return this.setattr(path, ids(uid, gid), 'chown');
  }

  /** chown of a symbolic link itself (SETATTR on the link's handle). */
  lchown(path: PathLike, uid: number, gid: number): Promise<void> {
    return this.setattr(path, ids(uid, gid), 'lchown', false);
  }

  /** Times as a Date, seconds since the epoch, or a numeric string of seconds (as node:fs). */
  utimes(path: PathLike, atime: Date | number | string, mtime: Date | number | string): Promise<void> {
    return this.setattr(path, { atime: parseTime(atime, 'atime'), mtime: parseTime(mtime, 'mtime') }, 'utime');
  }

  /** utimes of a symbolic link itself. */
  lutimes(path: PathLike, atime: Date | number | string, mtime: Date | number | string): Promise<void> {
    return this.setattr(path, { atime: parseTime(atime, 'atime'), mtime: parseTime(mtime, 'mtime') }, 'lutime', false);
  }

  truncate(path: PathLike, len = 0): Promise<void> {
    return this.setattr(path, { size: BigInt(len) }, 'open');
  }

  /** Opens (and per the flags creates or truncates) a file. Flags: node:fs's strings or a number from `fs.constants`. */
  open(path: PathLike, flags: OpenFlags | string | number = 'r', mode: number | string = 0o666, options: OpenOptions = {}): Promise<NfsFileHandle> {
    const p = pathString(path);
    return this.#call('open', path, async () => {
      const f = parseFlags(flags);
      const fh = await this.#s.openFh(path, f, parseMode(mode));
      const h = new NfsFileHandle(this.#s, fh, p, f, options.stable === true || f.sync);
      this.#s.paths.pinKey(fh);
      this.#s.track(h);
      return h;
    });
  }

  /** Reads a whole file: sized by a fresh GETATTR, allocated once, read in concurrent rsize pieces. */
  readFile(path: PathLike, options?: Abortable & { encoding?: null; flag?: string | number } | null): Promise<Buffer>;
  readFile(path: PathLike, options: Abortable & { encoding: BufferEncoding; flag?: string | number } | BufferEncoding): Promise<string>;
  readFile(path: PathLike, options?: Abortable & { encoding?: Encoding; flag?: string | number } | BufferEncoding | null): Promise<Buffer | string>;
  async readFile(path: PathLike, options?: Abortable & { encoding?: Encoding; flag?: string | number } | BufferEncoding | null): Promise<Buffer | string> {
    const o = typeof options === 'string' ? { encoding: options } : options ?? {};
    const s = this.#s;
    const data = await this.#call('open', path, async () => {
      const f = parseFlags(o.flag ?? 'r');
      const fh = f.create || f.truncate ? await s.openFh(path, f, 0o666) : (await s.paths.resolve(path, true)).fh;
      // as node:fs: the open succeeds, the read fails
      if ((await s.paths.getattr(fh)).type === NF3DIR) throw new NfsFsError('EISDIR', 'read', pathString(path));
      try {
        return await s.readWhole(fh, () => s.closed || o.signal?.aborted === true);
      } finally {
        s.releaseIfUnused(fh);
      }
    }, o);
    return o.encoding !== null && o.encoding !== undefined ? data.toString(o.encoding) : data;
  }

  /**
   * Writes a whole file ('w' truncates, 'a' appends, 'wx' fails if it exists). The data is
   * sent UNSTABLE by reference from the caller's buffer and COMMITted before this resolves;
   * ranges the server lost (new verifier) are resent from the same buffer. No copy is made.
   * Iterables, async iterables and streams are gathered first.
   */
  async writeFile(path: PathLike, data: WriteFileData, options: Abortable & { flag?: string | number; mode?: number | string; encoding?: BufferEncoding; stable?: boolean } | BufferEncoding = {}): Promise<void> {
    const o = typeof options === 'string' ? { encoding: options } : options;
    const buf = await toBuffer(data, o.encoding, o.signal);
    const s = this.#s;
    return this.#call('open', path, async () => {
      const f = parseFlags(o.flag ?? 'w');
      if (!f.write) throw new NfsFsError('EBADF', 'write', pathString(path));
      const fh = await s.openFh(path, f, o.mode !== undefined ? parseMode(o.mode) : 0o666);
      try {
        const position = f.append ? (await s.paths.getattr(fh, true)).size : 0n;
        await s.write(fh, buf, position, o.stable === true || f.sync, true, () => s.closed || o.signal?.aborted === true);
      } finally {
        s.releaseIfUnused(fh);
      }
    }, o);
  }

  /** writeFile with flag 'a' (unless another is given). */
  appendFile(path: PathLike, data: WriteFileData, options: Abortable & { flag?: string | number; mode?: number | string; encoding?: BufferEncoding; stable?: boolean } | BufferEncoding = {}): Promise<void> {
    const o = typeof options === 'string' ? { encoding: options } : options;
    return this.writeFile(path, data, { ...o, flag: o.flag ?? 'a' });
  }

  /**
   * Copies a file within this export: READs into buffers and WRITEs them back to the same
   * server (UNSTABLE, one COMMIT), never the whole file at once; with LOCALIO both ends are
   * the server's own descriptors. `mode` COPYFILE_EXCL fails if `dest` exists. The copy
   * gets the source's permission bits, as node:fs's.
   */
  copyFile(src: PathLike, dest: PathLike, mode = 0, options: Abortable = {}): Promise<void> {
    return this.#call('copyfile', src, () => copyFile(this.#s, pathString(src), pathString(dest), mode, options.signal), { dest, signal: options.signal });
  }

  /** Copies a file or (with `recursive`) a tree within this export, with node:fs's `filter`, `force`, `errorOnExist`, `preserveTimestamps`. */
  cp(src: PathLike, dest: PathLike, options: CpOptions & Abortable = {}): Promise<void> {
    return this.#call('cp', src, () => cp(this.#s, pathString(src), pathString(dest), options), { dest, signal: options.signal });
  }

  /**
   * Watches a file or directory by polling (GETATTR / READDIRPLUS every `interval` ms,
   * default 1000): NFSv3 has no change notification. Yields `{ eventType, filename }` as
   * node:fs's watch: 'change' when a file's change attributes (ctime, mtime, size) moved,
   * 'rename' when a directory entry came or went. Ends when `signal` fires (AbortError).
   */
  watch(path: PathLike, options: WatchOptions = {}): AsyncIterableIterator<WatchEvent> {
    return watch(this.#s, pathString(path), options);
  }

  createReadStream(path: PathLike, options: ReadStreamOptions = {}): NfsReadStream {
    return new NfsReadStream(this.#s, pathString(path), options);
  }

  createWriteStream(path: PathLike, options: WriteStreamOptions = {}): NfsWriteStream {
    const p = pathString(path);
    return new NfsWriteStream(this.#s, p, options, (flags) => this.open(p, flags, options.mode ?? 0o666, { stable: options.stable === true }));
  }

  /**
   * FSSTAT of the export (one file system: `_path` is accepted for node:fs's signature and
   * not needed): `fs.StatFs`'s fields (`type` is Linux's NFS_SUPER_MAGIC) plus the exact byte counts.
   */
  async statfs(_path?: PathLike): Promise<{ type: number; bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number; tbytes: bigint; fbytes: bigint; abytes: bigint }> {
    const r = await this.raw.fsstat({ fsroot: { data: this.rootFh } });
    return {
      type: 0x6969, bsize: 4096, blocks: Number(r.tbytes / 4096n), bfree: Number(r.fbytes / 4096n), bavail: Number(r.abytes / 4096n),
      files: Number(r.tfiles), ffree: Number(r.ffiles), tbytes: r.tbytes, fbytes: r.fbytes, abytes: r.abytes,
    };
  }
}

function ids(uid: number, gid: number): SetAttrs {
  return { ...(uid !== -1 ? { uid } : {}), ...(gid !== -1 ? { gid } : {}) };
}
