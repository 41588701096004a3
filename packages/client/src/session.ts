import { isMainThread } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { RpcClient } from '@nfsts/rpc';
import { getRegistry } from '@nfsts/common';
import type { LocalioTransport } from '@nfsts/localio';
import { Nfs3Raw } from './raw.js';
import { NfsError, NfsFsError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { PathResolver, type PathLike, type Resolved } from './paths.js';
import { DirLister } from './listing.js';
import { makeSattr, type SetAttrs } from './sattr.js';
import type { ParsedFlags } from './flags.js';
import { NF3DIR } from './stats.js';
import { commitRanges, readInto, writeFrom, type EngineOptions, type WrittenRange } from './engine.js';
import { FILE_SYNC, UNSTABLE, type NfsTransport } from './transport.js';
import { NlmLockClient } from './locks/index.js';

/** Counters for tests and benchmarks. */
export interface ClientCounters {
  /** bytes written again because a COMMIT or WRITE returned a new verifier */
  resentBytes: number;
  commits: number;
}

/** What the session needs to know of an open file handle. */
export interface OpenFile {
  readonly fh: Buffer;
}

/**
 * One mounted export as the client's parts share it: the procedures, the caches and path
 * resolution, directory listing, and data I/O on file handles (whole-file reads, writes
 * with COMMIT and resend, SETATTR, the open-handle table LOCALIO's release follows).
 * `NfsClient`, `NfsFileHandle` and the streams each hold it; none of it is public API.
 */
export class Session {
  readonly raw: Nfs3Raw;
  readonly paths: PathResolver;
  readonly dirs: DirLister;
  readonly counters: ClientCounters = { resentBytes: 0, commits: 0 };
  readonly engineOptions: EngineOptions;
  /** swappable (tests wrap it): the engine reads it on every call */
  transport: NfsTransport;
  closed = false;
  private readonly openFiles = new Set<OpenFile>();
  private onReconnect: (() => void) | null = null;
  readonly isClosed = (): boolean => this.closed;
  private lockClient: NlmLockClient | null = null;

  constructor(
    readonly options: ResolvedOptions,
    readonly rpc: RpcClient,
    readonly rootFh: Buffer,
    readonly rsize: number,
    readonly wsize: number,
    readonly localio: LocalioTransport,
  ) {
    this.raw = new Nfs3Raw(rpc);
    this.paths = new PathResolver(this.raw, rootFh, options.actimeoMs);
    this.dirs = new DirLister(this.raw, this.paths, options.readdirSize);
    this.engineOptions = { window: options.window, retries: options.retries };
    this.transport = localio;
  }

  get log(): Logger | undefined {
    return this.options.logger;
  }

  /** Byte-range locks over NLM (src/locks), started on first use. */
  get locks(): NlmLockClient {
    return (this.lockClient ??= new NlmLockClient({
      host: this.options.host, portmapPort: this.options.portmapPort, nfsRpc: this.rpc, timeoutMs: this.options.timeoutMs,
      local: (prog, vers, proc, args) => this.localio.localCall(prog, vers, proc, args),
    }));
  }

  /** Stops the lock client, if one was started (its lockd registration and callbacks). */
  async closeLocks(): Promise<void> {
    await this.lockClient?.close().catch(() => {});
  }

  /** Probes for LOCALIO now and after every reconnect. Resolves whether the client is local; never rejects. */
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
   * Probes (UUID_IS_LOCAL) unless, in the main thread, no server has published a LOCALIO table
   * in this thread: then nobody could bind our uuid, and the round trip is saved. A worker
   * always probes: a server of another thread may bind it (see @nfsts/localio remote-client).
   */
  private probeLocalio(): Promise<boolean> {
    if (this.closed || (isMainThread && getRegistry().serverCount() === 0)) return Promise.resolve(false);
    return this.localio.probe();
  }

  stopLocalio(): void {
    if (this.onReconnect !== null) this.rpc.off('reconnect', this.onReconnect);
    this.onReconnect = null;
  }

  // ---- open handles -----------------------------------------------------------------

  track(h: OpenFile): void {
    this.openFiles.add(h);
  }

  openHandles(): OpenFile[] {
    return [...this.openFiles];
  }

  handleClosed(h: OpenFile): void {
    this.openFiles.delete(h);
    this.releaseIfUnused(h.fh);
  }

  /** LOCALIO keeps the server's file open per handle until no open file of ours uses it (like close(2)). */
  releaseIfUnused(fh: Buffer): void {
    for (const h of this.openFiles) if (h.fh.equals(fh)) return;
    this.localio.release(fh);
  }

  // ---- data I/O on handles ----------------------------------------------------------

  /** A whole file: sized by a fresh GETATTR, allocated once, read in concurrent rsize pieces. */
  async readWhole(fh: Buffer, stop: () => boolean = this.isClosed): Promise<Buffer> {
    const attr = await this.paths.getattr(fh, true);
    if (attr.type === NF3DIR) throw new NfsError('READ', 21, undefined);
    const size = Number(attr.size);
    const buf = Buffer.allocUnsafe(size);
    const r = size > 0 ? await readInto(this.transport, fh, buf, 0, size, 0n, this.rsize, this.engineOptions, stop) : { bytesRead: 0, eof: false };
    if (r.eof || size > 0 && r.bytesRead < size) return buf.subarray(0, r.bytesRead);
    // the file may have grown since GETATTR: read on until EOF
    const more: Buffer[] = [buf];
    let pos = size;
    for (let round = 0; ; round++) {
      const chunk = Buffer.allocUnsafe(round === 0 ? this.rsize : this.rsize * this.options.window);
      const m = await readInto(this.transport, fh, chunk, 0, chunk.length, BigInt(pos), this.rsize, this.engineOptions, stop);
      if (m.bytesRead > 0) more.push(chunk.subarray(0, m.bytesRead));
      pos += m.bytesRead;
      if (m.eof || m.bytesRead < chunk.length) break;
    }
    return more.length === 1 ? buf : Buffer.concat(more, pos);
  }

  read(fh: Buffer, buf: Buffer, offset: number, length: number, position: bigint, stop: () => boolean = this.isClosed): ReturnType<typeof readInto> {
    return readInto(this.transport, fh, buf, offset, length, position, this.rsize, this.engineOptions, stop);
  }

  /** Writes and (when `commit`) commits, resending on a verifier change; returns what is left to commit. */
  async write(fh: Buffer, data: Buffer, position: bigint, stable: boolean, commit: boolean, stop: () => boolean = this.isClosed): Promise<WrittenRange[]> {
    this.paths.forgetAttr(fh);
    const w = await writeFrom(this.transport, fh, data, position, this.wsize, stable ? FILE_SYNC : UNSTABLE, this.engineOptions, stop);
    if (commit && w.unstable.length > 0) {
      await this.commit(fh, w.unstable);
      return [];
    }
    return w.unstable;
  }

  async commit(fh: Buffer, ranges: WrittenRange[]): Promise<void> {
    this.counters.commits++;
    const { resent } = await commitRanges(this.transport, fh, ranges, this.wsize, this.engineOptions, this.isClosed);
    this.counters.resentBytes += resent;
  }

  async setattr(fh: Buffer, attrs: SetAttrs): Promise<void> {
    this.paths.forgetAttr(fh);
    const r = await this.raw.setattr({ object: { data: fh }, new_attributes: makeSattr(attrs), guard: { check: false } });
    this.paths.noteWcc(fh, r.obj_wcc);
  }

  /** Finds, creates or truncates the file `path` as the open flags say; its handle. */
  async openFh(path: PathLike, f: ParsedFlags, mode: number): Promise<Buffer> {
    let existing: Resolved | undefined;
    if (!f.exclusive) {
      try {
        existing = await this.paths.resolve(path, true);
      } catch (err) {
        if (!(f.create && err instanceof NfsError && err.code === 'NFS3ERR_NOENT')) throw err;
      }
    }
    if (existing !== undefined) {
      // close-to-open: fresh attributes on open
      const attr = await this.paths.getattr(existing.fh, true);
      if (attr.type === NF3DIR && f.write) throw new NfsError('OPEN', 21, undefined); // ISDIR
      if (f.truncate && f.write && attr.size !== 0n) await this.setattr(existing.fh, { size: 0n });
      return existing.fh;
    }
    if (!f.create) throw new NfsFsError('ENOENT', 'open', String(path));
    const { dir, name } = await this.paths.resolveParent(path);
    mode &= ~this.options.umask;
    const r = await this.raw.create({
      where: { dir: { data: dir }, name },
      how: f.exclusive ? { mode: 1, obj_attributes: makeSattr({ mode }) } : { mode: 0, obj_attributes: makeSattr({ mode }) },
    } as Parameters<Nfs3Raw['create']>[0]);
    this.paths.noteWcc(dir, r.dir_wcc);
    return this.paths.learnCreated(dir, name, r.obj, r.obj_attributes);
  }
}
