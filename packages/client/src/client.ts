import { clientMetrics, fsTraced, traceFs, type ClientMetrics } from './metrics.js';
import { posix } from 'node:path';
import { NlmLockClient, type LockOptions } from './locks/index.js';
import type { Logger } from 'pino';
import { RpcClient, authSys, type Credential } from '@nfsts/rpc';
import { LocalioTransport } from '@nfsts/localio';
import { getRegistry, type LocalioCounters } from '@nfsts/common';
import {
  IPPROTO_TCP, MOUNT_PROGRAM, NFS_PROGRAM, PMAPPROC_GETPORT, PMAP_PROG, PMAP_VERS, time_how, xdr_mapping, xdr_uint,
  type READDIRPLUS3res, type fattr3, type post_op_attr, type sattr3, type wcc_data,
} from '@nfsts/xdr';
import { NfsClientError, NfsError, NfsFsError, toFsError } from './errors.js';
import { parseNfsUrl, parseOptions, type NfsClientOptions, type ResolvedOptions } from './options.js';
import { Mount3Raw, Nfs3Raw, type ResOk } from './raw.js';
import type { RpcCaller } from './rpc-caller.js';
import { RpcTransport } from './rpc-transport.js';
import { TtlCache } from './cache.js';
import { NfsDirent, NfsStats, NF3DIR, NF3LNK, NF3REG } from './stats.js';
import { commitRanges, readInto, runWindowed, withRetries, writeFrom, type EngineOptions, type WrittenRange } from './engine.js';
import { FILE_SYNC, UNSTABLE, type NfsTransport } from './transport.js';
import { NfsReadStream, NfsWriteStream, type ReadStreamOptions, type WriteStreamOptions } from './streams.js';


/** ACCESS3 bits (RFC 1813 §3.3.4) */
export const ACCESS3_READ = 0x1, ACCESS3_LOOKUP = 0x2, ACCESS3_MODIFY = 0x4, ACCESS3_EXTEND = 0x8, ACCESS3_DELETE = 0x10, ACCESS3_EXECUTE = 0x20;
/** `fs.constants`-compatible access modes */
export const F_OK = 0, R_OK = 4, W_OK = 2, X_OK = 1;

const MAX_SYMLINK_DEPTH = 40;
const ZERO_VERF = Buffer.alloc(8);

function fhKey(fh: Buffer): string {
  return fh.toString('latin1');
}

/** The lookup cache's key for `name` in directory `dir`. */
function nameKey(dir: Buffer, name: string): string {
  return `${fhKey(dir)}\0${name}`;
}

export interface SetAttrs {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: bigint | number;
  /** a Date, seconds since the epoch, or 'server' for the server's clock */
  atime?: Date | number | 'server';
  mtime?: Date | number | 'server';
}

function toNfsTime(t: Date | number): { seconds: number; nseconds: number } {
  const ms = typeof t === 'number' ? t * 1000 : t.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: Math.max(0, seconds), nseconds: Math.round((ms - seconds * 1000) * 1e6) % 1e9 };
}

/** Builds an sattr3 from the fields given; absent fields stay unchanged. */
export function makeSattr(a: SetAttrs = {}): sattr3 {
  // set_atime and set_mtime differ only in the name of the SET_TO_CLIENT_TIME arm's field
  const time = <K extends 'atime' | 'mtime'>(key: K, t: Date | number | 'server' | undefined): sattr3[K] =>
    t === undefined ? { set_it: time_how.DONT_CHANGE }
      : t === 'server' ? { set_it: time_how.SET_TO_SERVER_TIME }
        : { set_it: time_how.SET_TO_CLIENT_TIME, [key]: toNfsTime(t) } as sattr3[K];
  return {
    mode: a.mode !== undefined ? { set_it: true, mode: a.mode & 0o7777 } : { set_it: false },
    uid: a.uid !== undefined ? { set_it: true, uid: a.uid } : { set_it: false },
    gid: a.gid !== undefined ? { set_it: true, gid: a.gid } : { set_it: false },
    size: a.size !== undefined ? { set_it: true, size: BigInt(a.size) } : { set_it: false },
    atime: time('atime', a.atime),
    mtime: time('mtime', a.mtime),
  };
}

interface Resolved {
  fh: Buffer;
  attr: fattr3;
}

export type OpenFlags = 'r' | 'r+' | 'rs+' | 'w' | 'wx' | 'w+' | 'wx+' | 'a' | 'ax' | 'a+' | 'ax+';

interface ParsedFlags { read: boolean; write: boolean; create: boolean; exclusive: boolean; truncate: boolean; append: boolean }

function parseFlags(flags: string): ParsedFlags {
  switch (flags) {
    case 'r': return { read: true, write: false, create: false, exclusive: false, truncate: false, append: false };
    case 'r+': case 'rs+': return { read: true, write: true, create: false, exclusive: false, truncate: false, append: false };
    case 'w': case 'w+': return { read: flags === 'w+', write: true, create: true, exclusive: false, truncate: true, append: false };
    case 'wx': case 'wx+': case 'xw': case 'xw+': return { read: flags.endsWith('+'), write: true, create: true, exclusive: true, truncate: true, append: false };
    case 'a': case 'a+': return { read: flags === 'a+', write: true, create: true, exclusive: false, truncate: false, append: true };
    case 'ax': case 'ax+': case 'xa': case 'xa+': return { read: flags.endsWith('+'), write: true, create: true, exclusive: true, truncate: false, append: true };
    default: throw new NfsClientError('ERR_NFS_INVALID_OPTION', `unknown open flags '${flags}'`);
  }
}

export interface OpenOptions {
  /** write FILE_SYNC instead of UNSTABLE + COMMIT */
  stable?: boolean;
}

/** Counters for tests and benchmarks. */
export interface ClientCounters {
  /** bytes written again because a COMMIT or WRITE returned a new verifier */
  resentBytes: number;
  commits: number;
}

/** `client.stats()`: the client's counters and LOCALIO's (local vs RPC reads, writes, commits, fallbacks, probes). */
export interface NfsClientStats extends LocalioCounters, ClientCounters {
  /** true while READ/WRITE/COMMIT go to the server's files directly (LOCALIO) */
  isLocal: boolean;
}

/**
 * An NFSv3 client: `client.raw` / `client.mount` are the procedures, the rest mirrors
 * `node:fs/promises` on paths relative to the export root.
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
  readonly counters: ClientCounters = { resentBytes: 0, commits: 0 };
  /**
   * The transport the request engine drives: `localio` (which sends by RPC whatever it cannot
   * do locally). Swappable, e.g. for tests.
   */
  transport: NfsTransport;
  /**
   * LOCALIO: READ/WRITE/COMMIT on the server's own descriptors while the server shares this
   * process, else (and with `localio: false`, which never probes) by RPC through `rpcTransport`.
   * Its counters say which way each operation went.
   */
  readonly localio: LocalioTransport;
  /** READ/WRITE/COMMIT by RPC */
  readonly rpcTransport: RpcTransport;

  private readonly rpc: RpcClient;
  private mountRpc: RpcClient | undefined;
  private readonly mountPort: number;
  /** the NFS port in use */
  readonly nfsPort: number;
  private readonly cred: Credential;
  private readonly attrs: TtlCache<fattr3>;
  private readonly lookups: TtlCache<Buffer>;
  private readonly openHandles = new Set<NfsFileHandle>();
  private closed = false;
  private noReaddirPlus = false;
  private onReconnect: (() => void) | null = null;
  readonly log: Logger | undefined;

  /** @internal use `connect()` */
  constructor(init: { options: ResolvedOptions; rpc: RpcClient; nfsPort: number; mountPort: number; cred: Credential; rootFh: Buffer; rsize: number; wsize: number }) {
    this.options = init.options;
    this.rpc = init.rpc;
    this.mountPort = init.mountPort;
    this.nfsPort = init.nfsPort;
    this.cred = init.cred;
    this.rootFh = init.rootFh;
    this.rsize = init.rsize;
    this.wsize = init.wsize;
    this.log = init.options.logger;
    this.raw = new Nfs3Raw(this.rpc);
    this.mount = new Mount3Raw(() => this.getMountRpc());
    this.attrs = new TtlCache(init.options.actimeoMs);
    this.lookups = new TtlCache(init.options.actimeoMs);
    this.rpcTransport = new RpcTransport(this.rpc, (fh, attr) => this.attrs.set(fhKey(fh), attr));
    this.localio = new LocalioTransport({
      rpc: this.rpc,
      fallback: this.rpcTransport,
      cred: this.cred,
      enabled: init.options.localio,
      // a local write changes size and times behind the attribute cache
      onLocalWrite: (fh) => this.attrs.delete(fhKey(fh)),
      ...(init.options.logger !== undefined ? { logger: init.options.logger } : {}),
    });
    this.transport = this.localio;
  }

  /**
   * @internal (connect() calls it after MOUNT) Probes for LOCALIO now and after every
   * reconnect. Resolves whether the client is local; never rejects.
   */
  async startLocalio(): Promise<boolean> {
    if (!this.options.localio || this.closed) return false;
    if (this.onReconnect === null) {
      const fn = (): void => { void this.probeLocalio(); };
      this.onReconnect = fn;
      this.rpc.on('reconnect', fn);
    }
    return this.probeLocalio();
  }

  /**
   * Probes (UUID_IS_LOCAL) unless no server has published a LOCALIO table in this process
   * (this thread): then nobody could bind our uuid, and the round trip is saved (a remote
   * server, or one that ignores unknown programs, costs nothing at connect and reconnect).
   */
  private probeLocalio(): Promise<boolean> {
    if (this.closed || getRegistry().serverCount() === 0) return Promise.resolve(false);
    return this.localio.probe();
  }

  /** True while READ/WRITE/COMMIT go to the server's files directly (LOCALIO). */
  get isLocal(): boolean {
    return this.localio.isLocal;
  }

  /** Calls per procedure, RPC against LOCALIO, retransmissions and reconnects (see metrics.ts). */
  metrics(): ClientMetrics {
    return clientMetrics(this.rpc, this.mountRpc, this.localio.stats(), this.localio.isLocal);
  }

  /** A snapshot of the counters; also published on `diagnostics_channel` 'nfsts:localio:stats'. */
  stats(): NfsClientStats {
    this.localio.publishStats();
    return { ...this.localio.stats(), ...this.counters, isLocal: this.localio.isLocal };
  }

  /** the RPC client of the NFS connection (LOCALIO probes on this same connection) */
  get rpcClient(): RpcClient {
    return this.rpc;
  }

  private lockClient: NlmLockClient | null = null;
  /** Byte-range locks over NLM (src/locks), started on first use. */
  get locks(): NlmLockClient {
    return (this.lockClient ??= new NlmLockClient({
      host: this.options.host, portmapPort: this.options.portmapPort, nfsRpc: this.rpc, timeoutMs: this.options.timeoutMs,
      local: (prog, vers, proc, args) => this.localio.localCall(prog, vers, proc, args),
    }));
  }

  /** the AUTH_SYS credential every call carries */
  get credential(): Credential {
    return this.cred;
  }

  get engineOptions(): EngineOptions {
    return { window: this.options.window, retries: this.options.retries };
  }

  private async getMountRpc(): Promise<RpcCaller> {
    if (this.closed) throw new NfsClientError('ERR_NFS_CLOSED', 'client is closed');
    if (this.mountPort === this.nfsPort) return this.rpc;
    if (this.mountRpc === undefined) {
      this.mountRpc = newRpc(this.options, this.mountPort, this.cred);
      await this.mountRpc.connect();
    }
    return this.mountRpc;
  }

  /** Commits and closes open file handles, then closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    const handles = [...this.openHandles];
    const results = await Promise.allSettled(handles.map((h) => h.close()));
    this.closed = true;
    // LOCALIO first: put every LocalFile and leave the registry before the connection goes
    if (this.onReconnect !== null) this.rpc.off('reconnect', this.onReconnect);
    this.onReconnect = null;
    this.localio.publishStats();
    await this.localio.close();
    await this.lockClient?.close().catch(() => {});
    await Promise.allSettled([this.rpc.close(), this.mountRpc?.close()]);
    this.attrs.clear();
    this.lookups.clear();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  isClosed(): boolean {
    return this.closed;
  }

  private checkOpen(syscall: string, path: string): void {
    if (this.closed) throw new NfsFsError('EBADF', syscall, path, { cause: new NfsClientError('ERR_NFS_CLOSED', 'client is closed') });
  }

  // ---- caches -------------------------------------------------------------------------

  /** @internal */ noteAttr(fh: Buffer, a: post_op_attr | undefined): fattr3 | undefined {
    if (a !== undefined && a.attributes_follow) {
      this.attrs.set(fhKey(fh), a.attributes);
      return a.attributes;
    }
    this.attrs.delete(fhKey(fh));
    return undefined;
  }

  /** @internal */ noteWcc(fh: Buffer, w: wcc_data): void {
    this.noteAttr(fh, w.after);
  }

  /** @internal */ forgetAttr(fh: Buffer): void {
    this.attrs.delete(fhKey(fh));
  }

  private forgetName(dir: Buffer, name: string): void {
    this.lookups.delete(nameKey(dir, name));
  }

  /** Drops every cached lookup and attribute (e.g. after changing the export behind the client's back). */
  dropCaches(): void {
    this.attrs.clear();
    this.lookups.clear();
  }

  /** @internal */ async getattr(fh: Buffer, fresh = false): Promise<fattr3> {
    if (!fresh) {
      const a = this.attrs.get(fhKey(fh));
      if (a !== undefined) return a;
    }
    const r = await this.raw.getattr({ object: { data: fh } });
    this.attrs.set(fhKey(fh), r.obj_attributes);
    return r.obj_attributes;
  }

  private async lookupChild(dir: Buffer, name: string): Promise<Resolved> {
    const key = nameKey(dir, name);
    const cached = this.lookups.get(key);
    if (cached !== undefined) {
      try {
        return { fh: cached, attr: await this.getattr(cached) };
      } catch (err) {
        this.lookups.delete(key);
        if (!(err instanceof NfsError && (err.code === 'NFS3ERR_STALE' || err.code === 'NFS3ERR_BADHANDLE'))) throw err;
      }
    }
    const r = await this.raw.lookup({ what: { dir: { data: dir }, name } });
    this.noteAttr(dir, r.dir_attributes);
    const fh = Buffer.from(r.object.data);
    this.lookups.set(key, fh);
    const attr = this.noteAttr(fh, r.obj_attributes) ?? (await this.getattr(fh, true));
    return { fh, attr };
  }

  private components(path: string): string[] {
    if (typeof path !== 'string') throw new NfsClientError('ERR_NFS_INVALID_OPTION', 'path must be a string');
    return posix.normalize(`/${path}`).split('/').filter((c) => c !== '' && c !== '.');
  }

  /** Resolves a path (relative to the export root) to a handle and attributes, following symlinks. */
  async resolve(path: string, followLast = true): Promise<Resolved> {
    let todo = this.components(path);
    const stack: Resolved[] = [{ fh: this.rootFh, attr: await this.getattr(this.rootFh) }];
    let links = 0;
    while (todo.length > 0) {
      const name = todo[0]!;
      todo = todo.slice(1);
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const dir = stack[stack.length - 1]!;
      if (dir.attr.type !== NF3DIR) throw new NfsError('LOOKUP', 20, undefined); // NOTDIR
      const child = await this.lookupChild(dir.fh, name);
      if (child.attr.type === NF3LNK && (todo.length > 0 || followLast)) {
        if (++links > MAX_SYMLINK_DEPTH) throw new NfsFsError('ELOOP', 'lookup', path);
        const target = (await this.raw.readlink({ symlink: { data: child.fh } })).data;
        if (target.startsWith('/')) stack.length = 1;
        todo = [...target.split('/').filter((c) => c !== '' && c !== '.'), ...todo];
        continue;
      }
      stack.push(child);
    }
    return stack[stack.length - 1]!;
  }

  /** The parent directory's handle and the last component. */
  private async resolveParent(path: string): Promise<{ dir: Buffer; name: string }> {
    const parts = this.components(path);
    const name = parts.pop();
    if (name === undefined || name === '..') throw new NfsFsError('EINVAL', 'resolve', path);
    const dir = await this.resolve(parts.join('/'), true);
    if (dir.attr.type !== NF3DIR) throw new NfsError('LOOKUP', 20, undefined);
    return { dir: dir.fh, name };
  }

  private fsCall<T>(syscall: string, path: string, fn: () => Promise<T>, dest?: string): Promise<T> {
    // traced on nfsts:fs (with the fs-shaped error) only while someone subscribes
    if (!fsTraced()) return this.fsRun(syscall, path, fn, dest);
    return traceFs(syscall, path, dest, () => this.fsRun(syscall, path, fn, dest));
  }

  private async fsRun<T>(syscall: string, path: string, fn: () => Promise<T>, dest?: string): Promise<T> {
    this.checkOpen(syscall, path);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof NfsFsError && err.path !== path) {
        throw new NfsFsError(err.code, syscall, path, { ...(err.status !== undefined ? { status: err.status } : {}), cause: err });
      }
      throw toFsError(err, syscall, path, dest);
    }
  }

  // ---- the fs/promises-shaped API ---------------------------------------------------

  stat(path: string): Promise<NfsStats> {
    return this.fsCall('stat', path, async () => new NfsStats((await this.resolve(path, true)).attr));
  }

  lstat(path: string): Promise<NfsStats> {
    return this.fsCall('lstat', path, async () => new NfsStats((await this.resolve(path, false)).attr));
  }

  /** Whether the path exists (follows symlinks). */
  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return false;
      throw err;
    }
  }

  async access(path: string, mode = F_OK): Promise<void> {
    return this.fsCall('access', path, async () => {
      const { fh, attr } = await this.resolve(path, true);
      if (mode === F_OK) return;
      let want = 0;
      if (mode & R_OK) want |= ACCESS3_READ;
      if (mode & W_OK) want |= ACCESS3_MODIFY;
      if (mode & X_OK) want |= attr.type === NF3DIR ? ACCESS3_LOOKUP : ACCESS3_EXECUTE;
      const r = await this.raw.access({ object: { data: fh }, access: want });
      this.noteAttr(fh, r.obj_attributes);
      if ((r.access & want) !== want) throw new NfsFsError('EACCES', 'access', path);
    });
  }

  /** Lists a directory with READDIRPLUS, following cookies across replies. */
  readdir(path: string, options?: { withFileTypes?: false }): Promise<string[]>;
  readdir(path: string, options: { withFileTypes: true }): Promise<NfsDirent[]>;
  async readdir(path: string, options: { withFileTypes?: boolean } = {}): Promise<string[] | NfsDirent[]> {
    return this.fsCall('scandir', path, async () => {
      const { fh, attr } = await this.resolve(path, true);
      if (attr.type !== NF3DIR) throw new NfsError('READDIRPLUS', 20, undefined);
      const dirents = await this.readdirHandle(fh, path);
      return options.withFileTypes === true ? dirents : dirents.map((d) => d.name);
    });
  }

  /**
   * @internal READDIRPLUS over a directory handle, following cookies across replies; fills
   * the lookup and attribute caches. Falls back to READDIR when the server has no READDIRPLUS.
   */
  async readdirHandle(dir: Buffer, parentPath: string): Promise<NfsDirent[]> {
    if (this.noReaddirPlus) return this.readdirPlain(dir, parentPath);
    const out: NfsDirent[] = [];
    let cookie = 0n;
    let verf = ZERO_VERF;
    const dirKey = fhKey(dir);
    for (;;) {
      let r: ResOk<READDIRPLUS3res>;
      try {
        r = await this.raw.readdirplus({
          dir: { data: dir }, cookie, cookieverf: verf,
          dircount: Math.max(1024, this.options.readdirSize >> 2), maxcount: this.options.readdirSize,
        });
      } catch (err) {
        if (cookie === 0n && err instanceof NfsError && err.code === 'NFS3ERR_NOTSUPP') {
          this.noReaddirPlus = true;
          return this.readdirPlain(dir, parentPath);
        }
        throw err;
      }
      this.noteAttr(dir, r.dir_attributes);
      verf = Buffer.from(r.cookieverf);
      for (const e of r.reply.entries) {
        cookie = e.cookie;
        if (e.name === '.' || e.name === '..') continue;
        const attr = e.name_attributes.attributes_follow ? e.name_attributes.attributes : undefined;
        const efh = e.name_handle.handle_follows ? Buffer.from(e.name_handle.handle.data) : undefined;
        if (efh !== undefined) {
          this.lookups.set(`${dirKey}\0${e.name}`, efh); // nameKey(dir, e.name), dirKey hoisted out of the loop
          if (attr !== undefined) this.attrs.set(fhKey(efh), attr);
        }
        out.push(new NfsDirent(e.name, parentPath, attr?.type ?? 0, attr !== undefined ? new NfsStats(attr) : undefined, efh));
      }
      if (r.reply.eof) return out;
      if (r.reply.entries.length === 0) throw new NfsClientError('ERR_NFS_NO_PROGRESS', 'READDIRPLUS returned no entries and no EOF');
    }
  }

  private async readdirPlain(dir: Buffer, parentPath: string): Promise<NfsDirent[]> {
    const out: NfsDirent[] = [];
    let cookie = 0n;
    let verf = ZERO_VERF;
    for (;;) {
      const r = await this.raw.readdir({ dir: { data: dir }, cookie, cookieverf: verf, count: this.options.readdirSize });
      this.noteAttr(dir, r.dir_attributes);
      verf = Buffer.from(r.cookieverf);
      for (const e of r.reply.entries) {
        cookie = e.cookie;
        if (e.name === '.' || e.name === '..') continue;
        let ftype = 0;
        let stats: NfsStats | undefined;
        let fh: Buffer | undefined;
        try {
          const c = await this.lookupChild(dir, e.name);
          ftype = c.attr.type;
          stats = new NfsStats(c.attr);
          fh = c.fh;
        } catch (err) {
          if (!(err instanceof NfsError && err.code === 'NFS3ERR_NOENT')) throw err;
          continue; // removed while listing
        }
        out.push(new NfsDirent(e.name, parentPath, ftype, stats, fh));
      }
      if (r.reply.eof) return out;
      if (r.reply.entries.length === 0) throw new NfsClientError('ERR_NFS_NO_PROGRESS', 'READDIR returned no entries and no EOF');
    }
  }

  /** Creates a directory; with `recursive`, its missing parents too, returning the first directory created. */
  async mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): Promise<string | undefined> {
    return this.fsCall('mkdir', path, async () => {
      const mode = options.mode ?? 0o777;
      if (options.recursive !== true) {
        await this.mkdirOne(path, mode);
        return undefined;
      }
      const parts = this.components(path);
      let first: string | undefined;
      let cur = '';
      for (const p of parts) {
        cur = `${cur}/${p}`;
        if (p === '..') continue;
        try {
          const r = await this.resolve(cur, true);
          if (r.attr.type !== NF3DIR) throw new NfsFsError('ENOTDIR', 'mkdir', path);
        } catch (err) {
          if (!(err instanceof NfsError && err.code === 'NFS3ERR_NOENT')) throw err;
          try {
            await this.mkdirOne(cur, mode);
            first ??= cur;
          } catch (e2) {
            if (!(e2 instanceof NfsError && e2.code === 'NFS3ERR_EXIST')) throw e2;
          }
        }
      }
      return first;
    });
  }

  private async mkdirOne(path: string, mode: number): Promise<Buffer> {
    const { dir, name } = await this.resolveParent(path);
    const r = await this.raw.mkdir({ where: { dir: { data: dir }, name }, attributes: makeSattr({ mode: mode & ~this.options.umask }) });
    this.noteWcc(dir, r.dir_wcc);
    return this.learnCreated(dir, name, r.obj, r.obj_attributes);
  }

  private async learnCreated(dir: Buffer, name: string, obj: { handle_follows: boolean; handle?: { data: Buffer } }, attr: post_op_attr): Promise<Buffer> {
    let fh: Buffer;
    if (obj.handle_follows && obj.handle !== undefined) {
      fh = Buffer.from(obj.handle.data);
      this.lookups.set(nameKey(dir, name), fh);
      this.noteAttr(fh, attr);
    } else {
      this.forgetName(dir, name);
      fh = (await this.lookupChild(dir, name)).fh;
    }
    return fh;
  }

  unlink(path: string): Promise<void> {
    return this.fsCall('unlink', path, async () => {
      const { dir, name } = await this.resolveParent(path);
      await this.removeName(dir, name);
    });
  }

  /** REMOVE (or RMDIR with `isDir`) of dir/name, forgetting its cached lookup and attributes first. */
  private async removeName(dir: Buffer, name: string, isDir = false): Promise<void> {
    const known = this.lookups.get(nameKey(dir, name));
    this.forgetName(dir, name);
    if (known) this.forgetAttr(known);
    const args = { object: { dir: { data: dir }, name } };
    const r = await (isDir ? this.raw.rmdir(args) : this.raw.remove(args));
    this.noteWcc(dir, r.dir_wcc);
  }

  rmdir(path: string): Promise<void> {
    return this.fsCall('rmdir', path, async () => {
      const { dir, name } = await this.resolveParent(path);
      await this.removeName(dir, name, true);
    });
  }

  /** Removes a file or (with `recursive`) a whole tree; `force` ignores a missing path. */
  rm(path: string, options: { recursive?: boolean; force?: boolean } = {}): Promise<void> {
    return this.fsCall('rm', path, async () => {
      let target: Resolved;
      let parent: { dir: Buffer; name: string };
      try {
        parent = await this.resolveParent(path);
        target = await this.lookupChild(parent.dir, parent.name);
      } catch (err) {
        if (options.force === true && err instanceof NfsError && err.code === 'NFS3ERR_NOENT') return;
        throw err;
      }
      if (target.attr.type !== NF3DIR) {
        await this.removeName(parent.dir, parent.name);
        return;
      }
      if (options.recursive !== true) throw new NfsFsError('EISDIR', 'rm', path);
      await this.rmTree(target.fh, path);
      try {
        await this.removeName(parent.dir, parent.name, true);
      } catch (err) {
        if (!(options.force === true && err instanceof NfsError && err.code === 'NFS3ERR_NOENT')) throw err;
      }
    });
  }

  private async rmTree(dir: Buffer, path: string): Promise<void> {
    const entries = await this.readdirHandle(dir, path);
    // 8 at once; after a failure no further entry is started, and rm() settles only once
    // the removals in progress have
    await runWindowed(entries.length, 8, async (i) => {
      const e = entries[i]!;
      let isDir = e.isDirectory();
      let fh = e.fh;
      if (e.stats === undefined || fh === undefined) {
        const c = await this.lookupChild(dir, e.name);
        isDir = c.attr.type === NF3DIR;
        fh = c.fh;
      }
      if (isDir) await this.rmTree(fh, `${path}/${e.name}`);
      await this.removeName(dir, e.name, isDir);
    });
  }

  rename(oldPath: string, newPath: string): Promise<void> {
    return this.fsCall('rename', oldPath, async () => {
      const from = await this.resolveParent(oldPath);
      const to = await this.resolveParent(newPath);
      const moved = this.lookups.get(nameKey(from.dir, from.name));
      const replaced = this.lookups.get(nameKey(to.dir, to.name));
      this.forgetName(from.dir, from.name);
      this.forgetName(to.dir, to.name);
      if (replaced) this.forgetAttr(replaced);
      const r = await this.raw.rename({ from: { dir: { data: from.dir }, name: from.name }, to: { dir: { data: to.dir }, name: to.name } });
      this.noteWcc(from.dir, r.fromdir_wcc);
      this.noteWcc(to.dir, r.todir_wcc);
      if (moved) this.forgetAttr(moved); // ctime changed
    }, newPath);
  }

  symlink(target: string, path: string): Promise<void> {
    return this.fsCall('symlink', path, async () => {
      const { dir, name } = await this.resolveParent(path);
      const r = await this.raw.symlink({ where: { dir: { data: dir }, name }, symlink: { symlink_attributes: makeSattr({ mode: 0o777 }), symlink_data: target } });
      this.noteWcc(dir, r.dir_wcc);
      await this.learnCreated(dir, name, r.obj, r.obj_attributes);
    }, target);
  }

  readlink(path: string): Promise<string> {
    return this.fsCall('readlink', path, async () => {
      const { fh, attr } = await this.resolve(path, false);
      if (attr.type !== NF3LNK) throw new NfsFsError('EINVAL', 'readlink', path);
      const r = await this.raw.readlink({ symlink: { data: fh } });
      this.noteAttr(fh, r.symlink_attributes);
      return r.data;
    });
  }

  link(existingPath: string, newPath: string): Promise<void> {
    return this.fsCall('link', existingPath, async () => {
      const src = await this.resolve(existingPath, false);
      const { dir, name } = await this.resolveParent(newPath);
      const r = await this.raw.link({ file: { data: src.fh }, link: { dir: { data: dir }, name } });
      this.noteAttr(src.fh, r.file_attributes);
      this.noteWcc(dir, r.linkdir_wcc);
      this.lookups.set(nameKey(dir, name), src.fh);
    }, newPath);
  }

  /** SETATTR on a path (follows symlinks). */
  async setattr(path: string, attrs: SetAttrs, syscall = 'setattr'): Promise<void> {
    return this.fsCall(syscall, path, async () => {
      const { fh } = await this.resolve(path, true);
      await this.setattrFh(fh, attrs);
    });
  }

  /** @internal */ async setattrFh(fh: Buffer, attrs: SetAttrs): Promise<void> {
    this.forgetAttr(fh);
    const r = await this.raw.setattr({ object: { data: fh }, new_attributes: makeSattr(attrs), guard: { check: false } });
    this.noteWcc(fh, r.obj_wcc);
  }

  chmod(path: string, mode: number): Promise<void> {
    return this.setattr(path, { mode }, 'chmod');
  }

  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.setattr(path, { uid, gid }, 'chown');
  }

  utimes(path: string, atime: Date | number | string, mtime: Date | number | string): Promise<void> {
    const t = (v: Date | number | string): Date | number => (typeof v === 'string' ? new Date(v) : v);
    return this.setattr(path, { atime: t(atime), mtime: t(mtime) }, 'utime');
  }

  truncate(path: string, len = 0): Promise<void> {
    return this.setattr(path, { size: BigInt(len) }, 'truncate');
  }

  /** Opens (and per the flags creates or truncates) a file. */
  async open(path: string, flags: OpenFlags | string = 'r', mode = 0o666, options: OpenOptions = {}): Promise<NfsFileHandle> {
    return this.fsCall('open', path, async () => {
      const f = parseFlags(flags);
      const fh = await this.openFh(path, f, mode);
      const h = new NfsFileHandle(this, fh, path, f, options.stable === true);
      this.openHandles.add(h);
      return h;
    });
  }

  private async openFh(path: string, f: ParsedFlags, mode: number): Promise<Buffer> {
    let existing: Resolved | undefined;
    if (!f.exclusive) {
      try {
        existing = await this.resolve(path, true);
      } catch (err) {
        if (!(f.create && err instanceof NfsError && err.code === 'NFS3ERR_NOENT')) throw err;
      }
    }
    if (existing !== undefined) {
      // close-to-open: fresh attributes on open
      const attr = await this.getattr(existing.fh, true);
      if (attr.type === NF3DIR && f.write) throw new NfsError('OPEN', 21, undefined); // ISDIR
      if (f.truncate && attr.size !== 0n) await this.setattrFh(existing.fh, { size: 0n });
      return existing.fh;
    }
    const { dir, name } = await this.resolveParent(path);
    mode &= ~this.options.umask;
    const r = await this.raw.create({
      where: { dir: { data: dir }, name },
      how: f.exclusive ? { mode: 1, obj_attributes: makeSattr({ mode }) } : { mode: 0, obj_attributes: makeSattr({ mode }) },
    } as Parameters<Nfs3Raw['create']>[0]);
    this.noteWcc(dir, r.dir_wcc);
    return this.learnCreated(dir, name, r.obj, r.obj_attributes);
  }

  /** Reads a whole file: sized by a fresh GETATTR, allocated once, read in concurrent rsize pieces. */
  readFile(path: string): Promise<Buffer>;
  readFile(path: string, options: { encoding: BufferEncoding } | BufferEncoding): Promise<string>;
  readFile(path: string, options?: { encoding?: BufferEncoding | null } | BufferEncoding | null): Promise<Buffer | string>;
  async readFile(path: string, options?: { encoding?: BufferEncoding | null } | BufferEncoding | null): Promise<Buffer | string> {
    const encoding = typeof options === 'string' ? options : options?.encoding ?? null;
    const data = await this.fsCall('open', path, async () => {
      const { fh } = await this.resolve(path, true);
      try {
        return await this.readWholeFh(fh);
      } finally {
        this.releaseIfUnused(fh);
      }
    });
    return encoding !== null ? data.toString(encoding) : data;
  }

  /** @internal */ async readWholeFh(fh: Buffer): Promise<Buffer> {
    const attr = await this.getattr(fh, true);
    if (attr.type === NF3DIR) throw new NfsError('READ', 21, undefined);
    const size = Number(attr.size);
    const buf = Buffer.allocUnsafe(size);
    const r = size > 0 ? await readInto(this.transport, fh, buf, 0, size, 0n, this.rsize, this.engineOptions, () => this.closed) : { bytesRead: 0, eof: false };
    if (r.eof || size > 0 && r.bytesRead < size) return buf.subarray(0, r.bytesRead);
    // the file may have grown since GETATTR: read on until EOF
    const more: Buffer[] = [buf];
    let pos = size;
    for (let round = 0; ; round++) {
      const chunk = Buffer.allocUnsafe(round === 0 ? this.rsize : this.rsize * this.options.window);
      const m = await readInto(this.transport, fh, chunk, 0, chunk.length, BigInt(pos), this.rsize, this.engineOptions, () => this.closed);
      if (m.bytesRead > 0) more.push(chunk.subarray(0, m.bytesRead));
      pos += m.bytesRead;
      if (m.eof || m.bytesRead < chunk.length) break;
    }
    return more.length === 1 ? buf : Buffer.concat(more, pos);
  }

  /**
   * Writes a whole file ('w' truncates, 'a' appends, 'wx' fails if it exists). The data is
   * sent UNSTABLE by reference from the caller's buffer and COMMITted before this resolves;
   * ranges the server lost (new verifier) are resent from the same buffer. No copy is made.
   */
  async writeFile(path: string, data: Buffer | Uint8Array | string, options: { flag?: string; mode?: number; encoding?: BufferEncoding; stable?: boolean } | BufferEncoding = {}): Promise<void> {
    const o = typeof options === 'string' ? { encoding: options } : options;
    const buf = typeof data === 'string' ? Buffer.from(data, o.encoding ?? 'utf8') : Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return this.fsCall('open', path, async () => {
      const f = parseFlags(o.flag ?? 'w');
      if (!f.write) throw new NfsFsError('EBADF', 'write', path);
      const fh = await this.openFh(path, f, o.mode ?? 0o666);
      try {
        const position = f.append ? (await this.getattr(fh, true)).size : 0n;
        await this.writeFh(fh, buf, position, o.stable === true, true);
      } finally {
        this.releaseIfUnused(fh);
      }
    });
  }

  /** @internal writes and (when `commit`) commits, resending on a verifier change */
  async writeFh(fh: Buffer, data: Buffer, position: bigint, stable: boolean, commit: boolean): Promise<WrittenRange[]> {
    this.forgetAttr(fh);
    const w = await writeFrom(this.transport, fh, data, position, this.wsize, stable ? FILE_SYNC : UNSTABLE, this.engineOptions, () => this.closed);
    if (commit && w.unstable.length > 0) {
      await this.commitFh(fh, w.unstable);
      return [];
    }
    return w.unstable;
  }

  /** @internal */ async commitFh(fh: Buffer, ranges: WrittenRange[]): Promise<void> {
    this.counters.commits++;
    const { resent } = await commitRanges(this.transport, fh, ranges, this.wsize, this.engineOptions, () => this.closed);
    this.counters.resentBytes += resent;
  }

  /** @internal */ handleClosed(h: NfsFileHandle): void {
    this.openHandles.delete(h);
    this.releaseIfUnused(h.fh);
  }

  /** @internal LOCALIO keeps the server's file open per handle until no open file of ours uses it (like close(2)). */
  releaseIfUnused(fh: Buffer): void {
    for (const h of this.openHandles) if (h.fh.equals(fh)) return;
    this.localio.release(fh);
  }

  createReadStream(path: string, options: ReadStreamOptions = {}): NfsReadStream {
    return new NfsReadStream(this, path, options);
  }

  createWriteStream(path: string, options: WriteStreamOptions = {}): NfsWriteStream {
    return new NfsWriteStream(this, path, options);
  }

  /** FSSTAT of the export: sizes in bytes and file counts. */
  async statfs(): Promise<{ bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number; tbytes: bigint; fbytes: bigint; abytes: bigint }> {
    const r = await this.raw.fsstat({ fsroot: { data: this.rootFh } });
    return {
      bsize: 4096, blocks: Number(r.tbytes / 4096n), bfree: Number(r.fbytes / 4096n), bavail: Number(r.abytes / 4096n),
      files: Number(r.tfiles), ffree: Number(r.ffiles), tbytes: r.tbytes, fbytes: r.fbytes, abytes: r.abytes,
    };
  }
}

/** `fs/promises` FileHandle-shaped open file. */
/** flock() owners: one svid per handle that used it (svid 0 is the client's fcntl owner). */
let nextFlockSvid = 1;

export class NfsFileHandle {
  readonly fh: Buffer;
  readonly path: string;
  private position = 0n;
  private closed = false;
  private uncommitted: WrittenRange[] = [];
  private uncommittedBytes = 0;
  /** LOCALIO wrote UNSTABLE since the last COMMIT (nothing kept: see WriteResult.local) */
  private localUnstable = false;
  private readonly flags: ParsedFlags;

  /** @internal */
  constructor(private readonly client: NfsClient, fh: Buffer, path: string, flags: ParsedFlags, readonly stable: boolean) {
    this.fh = fh;
    this.path = path;
    this.flags = flags;
  }

  /** Bytes written UNSTABLE and held (as copies) until the next COMMIT. */
  get pendingBytes(): number {
    return this.uncommittedBytes;
  }

  private check(syscall: string): void {
    if (this.closed || this.client.isClosed()) throw new NfsFsError('EBADF', syscall, this.path);
  }

  private async wrap<T>(syscall: string, fn: () => Promise<T>): Promise<T> {
    this.check(syscall);
    try {
      return await fn();
    } catch (err) {
      throw toFsError(err, syscall, this.path);
    }
  }

  /**
   * Reads into `buffer[offset…offset+length)` at `position` (null: the file position, which
   * advances). The data lands directly in the buffer, rsize pieces in parallel.
   */
  async read<T extends Buffer>(buffer: T, offset = 0, length = buffer.length - offset, position: number | bigint | null = null): Promise<{ bytesRead: number; buffer: T }> {
    return this.wrap('read', async () => {
      if (!this.flags.read) throw new NfsFsError('EBADF', 'read', this.path);
      if (offset < 0 || length < 0 || offset + length > buffer.length) throw new NfsFsError('EINVAL', 'read', this.path);
      const usePos = position === null || position === undefined || (typeof position === 'number' && position < 0);
      const pos = usePos ? this.position : BigInt(position);
      if (usePos) this.position += BigInt(length);
      const r = await readInto(this.client.transport, this.fh, buffer, offset, length, pos, this.client.rsize, this.client.engineOptions, () => this.client.isClosed());
      if (usePos) this.position = pos + BigInt(r.bytesRead);
      return { bytesRead: r.bytesRead, buffer };
    });
  }

  /**
   * Writes `buffer[offset…offset+length)` at `position` (null: the file position; appends in
   * 'a' mode). UNSTABLE writes keep a copy of the data until COMMIT (see README: memory).
   */
  async write<T extends Buffer>(buffer: T | string, offset = 0, length?: number, position: number | bigint | null = null): Promise<{ bytesWritten: number; buffer: T | string }> {
    return this.wrap('write', async () => {
      if (!this.flags.write) throw new NfsFsError('EBADF', 'write', this.path);
      const src = typeof buffer === 'string' ? Buffer.from(buffer) : buffer;
      const len = length ?? src.length - offset;
      if (offset < 0 || len < 0 || offset + len > src.length) throw new NfsFsError('EINVAL', 'write', this.path);
      let pos: bigint;
      const usePos = position === null || position === undefined;
      if (this.flags.append) pos = (await this.client.getattr(this.fh, true)).size;
      else pos = usePos ? this.position : BigInt(position);
      if (usePos) this.position = pos + BigInt(len);
      // the caller's bytes go by reference (its buffer is ours until this resolves); what went
      // UNSTABLE by RPC may have to be resent after the caller reuses it: copied once, after
      const view = src.subarray(offset, offset + len);
      await this.pushWrite(view, pos, false);
      return { bytesWritten: len, buffer };
    });
  }

  /** @internal sends `data` (owned by the handle from now on unless `owned` is false: then copied if it must be kept) and records what must be committed */
  async pushWrite(data: Buffer, pos: bigint, owned = true): Promise<void> {
    const unstable = await this.client.writeFh(this.fh, data, pos, this.stable, false);
    this.addUncommitted(unstable, owned);
    if (this.uncommittedBytes > this.client.options.maxUncommitted) await this.flush();
  }

  /** @internal */ addUncommitted(ranges: WrittenRange[], owned = true): void {
    for (const r of ranges) {
      // LOCALIO: nothing to keep, but a COMMIT is owed
      if (r.local === true) { this.localUnstable = true; continue; }
      if (!owned) r.data = Buffer.from(r.data);
      this.uncommitted.push(r);
      this.uncommittedBytes += r.data.length;
    }
  }

  private async flush(): Promise<void> {
    if (this.uncommitted.length === 0 && !this.localUnstable) return;
    const ranges = this.uncommitted;
    const bytes = this.uncommittedBytes;
    this.uncommitted = [];
    this.uncommittedBytes = 0;
    this.localUnstable = false;
    try {
      await this.client.commitFh(this.fh, ranges);
    } catch (err) {
      this.localUnstable = true;
      this.uncommitted = ranges.concat(this.uncommitted);
      this.uncommittedBytes += bytes;
      throw err;
    }
  }

  async stat(): Promise<NfsStats> {
    return this.wrap('fstat', async () => new NfsStats(await this.client.getattr(this.fh, true)));
  }

  /** COMMITs everything written UNSTABLE, resending ranges the server lost. */
  async sync(): Promise<void> {
    return this.wrap('fsync', () => this.flush());
  }

  datasync(): Promise<void> {
    return this.sync();
  }

  async truncate(len = 0): Promise<void> {
    return this.wrap('ftruncate', () => this.client.setattrFh(this.fh, { size: BigInt(len) }));
  }

  async chmod(mode: number): Promise<void> {
    return this.wrap('fchmod', () => this.client.setattrFh(this.fh, { mode }));
  }

  async readFile(options?: { encoding?: BufferEncoding | null } | BufferEncoding): Promise<Buffer | string> {
    const encoding = typeof options === 'string' ? options : options?.encoding ?? null;
    const data = await this.wrap('read', () => this.client.readWholeFh(this.fh));
    return encoding !== null ? data.toString(encoding) : data;
  }

  /** fcntl-style byte-range lock (owner: the client) over NLM; length 0 is to the end of the file. */
  lock(start: number | bigint, length: number | bigint, options: Omit<LockOptions, 'svid'> = {}): Promise<void> {
    this.check('lock');
    return this.client.locks.lock(this.fh, this.path, BigInt(start), BigInt(length), options);
  }

  unlock(start: number | bigint, length: number | bigint): Promise<void> {
    this.check('unlock');
    return this.client.locks.unlock(this.fh, this.path, BigInt(start), BigInt(length));
  }

  private flockSvid = 0;
  /** flock(2)-style whole-file lock owned by this handle ('un' releases it; so does close()). */
  async flock(op: 'sh' | 'ex' | 'un', options: { wait?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    this.check('flock');
    this.flockSvid ||= nextFlockSvid++;
    if (op === 'un') return this.client.locks.unlock(this.fh, this.path, 0n, 0n, this.flockSvid);
    return this.client.locks.lock(this.fh, this.path, 0n, 0n, { ...options, exclusive: op === 'ex', svid: this.flockSvid });
  }

  /** Commits what is pending and releases the handle; a failed COMMIT is reported and the handle still closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flockSvid !== 0 && !this.client.isClosed()) await this.client.locks.unlock(this.fh, this.path, 0n, 0n, this.flockSvid).catch(() => {});
    try {
      if (!this.client.isClosed()) await this.wrap('close', () => this.flush());
    } finally {
      this.closed = true;
      this.uncommitted = [];
      this.uncommittedBytes = 0;
      this.client.handleClosed(this);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function newRpc(o: ResolvedOptions, port: number, cred: Credential): RpcClient {
  return new RpcClient({
    host: o.host, port, cred, timeoutMs: o.timeoutMs,
    maxRecordSize: Math.max(o.maxRsize, o.maxWsize, o.readdirSize) + 64 * 1024,
    ...(o.reconnect !== undefined ? { reconnect: o.reconnect } : {}),
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  });
}

/** Asks the portmapper (v2 GETPORT) for a program's TCP port; 0 means not registered. */
export async function pmapGetPort(host: string, portmapPort: number, prog: number, vers: number, timeoutMs = 5000): Promise<number> {
  const rpc = new RpcClient({ host, port: portmapPort, timeoutMs, reconnect: { retries: 0 } });
  try {
    await rpc.connect();
    return await rpc.call(PMAP_PROG, PMAP_VERS, PMAPPROC_GETPORT, xdr_mapping, { prog, vers, prot: IPPROTO_TCP, port: 0 }, xdr_uint);
  } finally {
    await rpc.close();
  }
}

/**
 * Connects to an export: `connect('nfs://host[:port]/export?nfsport=N&mountport=M&uid=U&gid=G')`
 * or `connect({ host, export, nfsPort, mountPort, ... })`. Ports not given are asked of the
 * portmapper. MNT gives the root handle; FSINFO the transfer sizes.
 */
export async function connect(target: string | NfsClientOptions, extra: Partial<NfsClientOptions> = {}): Promise<NfsClient> {
  const options = parseOptions(typeof target === 'string' ? parseNfsUrl(target, extra) : { ...target, ...extra } as NfsClientOptions);
  const cred = authSys({ uid: options.uid, gid: options.gid, gids: options.gids, machinename: options.machinename });
  let nfsPort = options.nfsPort;
  let mountPort = options.mountPort;
  if (nfsPort === undefined || mountPort === undefined) {
    const lookup = async (prog: number, name: string): Promise<number> => {
      let port: number;
      try {
        port = await pmapGetPort(options.host, options.portmapPort, prog, 3, Math.min(options.timeoutMs, 10_000));
      } catch (err) {
        throw new NfsClientError('ERR_NFS_PORTMAP', `portmapper at ${options.host}:${options.portmapPort} did not answer for ${name}`, { cause: err });
      }
      if (port === 0) throw new NfsClientError('ERR_NFS_PORTMAP', `${name} v3 over TCP is not registered with the portmapper at ${options.host}:${options.portmapPort}`);
      return port;
    };
    nfsPort ??= await lookup(NFS_PROGRAM, 'NFS');
    if (mountPort === undefined) {
      try {
        mountPort = await lookup(MOUNT_PROGRAM, 'MOUNT');
      } catch (err) {
        // no portmapper, or MOUNT not registered: servers such as nfsts serve MOUNT on the NFS port
        if (options.nfsPort === undefined) throw err;
        options.logger?.debug({ err }, 'MOUNT port lookup failed; trying the NFS port');
        mountPort = nfsPort;
      }
    }
  }
  const rpc = newRpc(options, nfsPort, cred);
  let mountRpc: RpcClient | undefined;
  try {
    mountRpc = mountPort === nfsPort ? undefined : newRpc(options, mountPort, cred);
    const m = new Mount3Raw(async () => {
      const c = mountRpc ?? rpc;
      if (!c.connected) await c.connect();
      return c;
    });
    const mi = await m.mnt(options.export);
    const rootFh = Buffer.from(mi.fhandle);
    if (!rpc.connected) await rpc.connect();
    const raw = new Nfs3Raw(rpc);
    const info = await raw.fsinfo({ fsroot: { data: rootFh } });
    const pick = (serverMax: number, pref: number, cap: number): number => {
      let n = Math.min(serverMax > 0 ? serverMax : pref > 0 ? pref : 32768, cap);
      if (n >= 4096) n -= n % 4096;
      return Math.max(512, n);
    };
    const rsize = pick(info.rtmax, info.rtpref, options.maxRsize);
    const wsize = pick(info.wtmax, info.wtpref, options.maxWsize);
    options.logger?.debug({ nfsPort, mountPort, rsize, wsize }, 'nfs client connected');
    const client = new NfsClient({ options, rpc, nfsPort, mountPort, cred, rootFh, rsize, wsize });
    // after MOUNT: until the probe says local, I/O goes by RPC
    await client.startLocalio();
    return client;
  } catch (err) {
    await rpc.close();
    throw err;
  } finally {
    await mountRpc?.close(); // MOUNT is only needed for MNT; raw mount calls reconnect lazily
  }
}

export { withRetries };
