/**
 * `LocalioTransport`: the client's second `NfsTransport`. While the client is bound to a
 * server in this process, READ/WRITE/COMMIT become pread/pwrite/fsync on the server's own
 * descriptor; otherwise (and whenever a local operation cannot be done) they go by RPC
 * through the `fallback` transport, so the caller sees exactly what RPC would answer.
 *
 * This file routes (local or RPC, and the binding's lifecycle); its parts live beside it:
 * `open-files.ts` (the per-handle cached LocalFiles and their grant re-check),
 * `sync-policy.ts` (calling thread or threadpool, and the bound on event-loop blocking),
 * `local-io.ts` (threadpool I/O and READ's eof rule), `transport-options.ts`.
 *
 * Threadpool path, per operation: take the server's liveness reference (`tryGet`; fails once
 * the server is closing), take a reference on the cached `LocalFile` for the handle (opening
 * it through the server's `openLocalFh` on a miss: its handle, export and permission checks),
 * do the I/O into or out of the caller's buffer, put both references. The server's `close()`
 * unbinds us (we drop our cached files synchronously) and waits for the references of
 * in-flight operations, so a descriptor is never used after it is closed.
 *
 * Synchronous path (a read, or an UNSTABLE write, of at most `syncReadMaxBytes` on a handle
 * whose LocalFile is cached, while the sync policy allows): `fs.readSync`/`fs.writeSync` on
 * the calling thread with no reference taken. That is sound because nothing of this thread
 * runs between the checks and the end of the synchronous call: the server's close() (same
 * thread) cannot put the descriptor meanwhile, and the checks are the slow path's (bound,
 * server not closing, the slot's `dropped`: the server's grant re-check). The slot's own
 * reference, taken once at open, is what keeps the descriptor for the handle; the per-operation
 * references of the threadpool path are for I/O that crosses an await. `readNow`/`writeNow`
 * are that path without a promise, for a caller (the client's file handle) that can use a
 * plain count.
 */
import type { Logger } from 'pino';
import { AUTH_NONE_CRED, type Credential } from '@nfsts/rpc';
import {
  channels, createCounters, getRegistry, LocalioError, isLocalioError,
  type ClientEntry, type LocalFile, type LocalFileMode, type LocalioCounters, type LocalioRegistry,
} from '@nfsts/common';
import { probeLocal } from './probe.js';
import {
  isLocalioTable, DATA_SYNC, FILE_SYNC, UNSTABLE,
  type LocalioTable, type NfsTransport, type ReadResult, type RpcCallerLike, type WriteResult,
} from './types.js';
import { parseTransportOptions, type LocalioTransportOptions, type ParsedTransportOptions } from './transport-options.js';
import { OpenFiles } from './open-files.js';
import { SyncPolicy, SYNC_LATER, SYNC_OK } from './sync-policy.js';
import { FileSizes, fsyncFd, position, preadFully, pwriteFully } from './local-io.js';

export * from './transport-options.js';

const NFS3ERR_STALE = 70;
const NFS3ERR_BADHANDLE = 10001;
/** highest offset the synchronous paths take as a number: leaves room for any buffer */
const MAX_SYNC_POS = Number.MAX_SAFE_INTEGER - 2 ** 32;

type Op = 'read' | 'write' | 'commit';

/** Why a local operation went by RPC instead */
interface Fallback {
  reason: 'status' | 'error' | 'closing' | 'gone' | 'stale';
  code: string | number | undefined;
}

export class LocalioTransport implements NfsTransport {
  readonly counters: LocalioCounters = createCounters();
  readonly options: ParsedTransportOptions;
  private readonly rpc: RpcCallerLike;
  private readonly fallback: NfsTransport;
  private readonly cred: Credential;
  private readonly registry: LocalioRegistry;
  private readonly onLocalWrite: ((fh: Buffer, offset: bigint, count: number) => void) | undefined;
  private readonly logger: Logger | undefined;
  private entry: ClientEntry | null = null;
  /**
   * True once the server this client was local to has closed (in this process), until a
   * probe finds a server again: nothing listens there now, so waiting to reconnect is moot.
   */
  serverClosed = false;
  private removeUnbind: (() => void) | null = null;
  private readonly files: OpenFiles;
  private readonly sizes = new FileSizes();
  private readonly sync: SyncPolicy;
  private probing: Promise<boolean> | null = null;
  private ioSinceProbe = 0;
  private closed = false;
  private unwatch: (() => void) | null = null;

  constructor(opts: LocalioTransportOptions) {
    this.options = parseTransportOptions(opts);
    this.files = new OpenFiles(() => this.options.maxCachedHandles);
    this.sync = new SyncPolicy(this.options, this.counters);
    this.rpc = opts.rpc;
    this.fallback = opts.fallback;
    this.cred = opts.cred ?? AUTH_NONE_CRED;
    this.registry = opts.registry ?? getRegistry();
    this.onLocalWrite = opts.onLocalWrite;
    this.logger = opts.logger;
  }

  /** True while bound to a live server in this process. */
  get isLocal(): boolean {
    const t = this.entry?.boundTo;
    return isLocalioTable(t) && !t.liveness.closing;
  }

  /**
   * A call to another program of the bound server (NLM), in-process; undefined when not bound
   * or the server does not serve it so (the caller then sends it by RPC).
   */
  localCall(prog: number, vers: number, proc: number, args: unknown): Promise<unknown> | undefined {
    const entry = this.entry;
    const t = entry?.boundTo;
    if (!entry || !isLocalioTable(t) || t.liveness.closing || t.callLocal === undefined) return undefined;
    return t.callLocal(entry, prog, vers, proc, args);
  }

  /** Number of handles with cached local files. */
  get cachedHandles(): number {
    return this.files.size;
  }

  /** A snapshot of the counters. */
  stats(): LocalioCounters {
    return { ...this.counters };
  }

  /** Publishes a counters snapshot on `nfsts:localio:stats`. */
  publishStats(): void {
    if (channels.stats.hasSubscribers) channels.stats.publish(this.stats());
  }

  /**
   * Probes now (after mount and after every reconnect). Resolves true when local. Concurrent
   * calls share one probe. While it runs, I/O continues on the previous state.
   */
  probe(): Promise<boolean> {
    if (this.closed || !this.options.enabled) return Promise.resolve(false);
    this.probing ??= this.doProbe().finally(() => { this.probing = null; });
    return this.probing;
  }

  private async doProbe(): Promise<boolean> {
    this.counters.probes++;
    let e = await probeLocal(this.rpc, {
      registry: this.registry, ...(this.options.probeTimeoutMs !== undefined ? { timeoutMs: this.options.probeTimeoutMs } : {}),
    });
    // the server may have begun closing between its bind and our look at the entry
    if (e && (!isLocalioTable(e.boundTo) || e.boundTo.liveness.closing)) {
      this.registry.end(e);
      e = null;
    }
    if (this.closed) {
      if (e) this.registry.end(e);
      return false;
    }
    if (this.entry) this.disable('reprobe');
    this.ioSinceProbe = 0;
    if (e) {
      this.entry = e;
      this.serverClosed = false;
      this.removeUnbind = this.registry.onUnbind(e, (_entry, _server, reason) => {
        if (reason === 'shutdown') this.serverClosed = true;
        this.disable('unbound');
      });
      this.counters.probesLocal++;
    }
    this.logger?.debug({ local: e !== null }, 'LOCALIO probe');
    this.publishStats();
    return e !== null;
  }

  /** Re-probes on every 'reconnect' of an RpcClient-like emitter. Returns the remover. */
  watch(emitter: { on(ev: 'reconnect', fn: () => void): unknown; off(ev: 'reconnect', fn: () => void): unknown }): () => void {
    const fn = (): void => { void this.probe(); };
    emitter.on('reconnect', fn);
    const off = (): void => { emitter.off('reconnect', fn); if (this.unwatch === off) this.unwatch = null; };
    this.unwatch?.();
    this.unwatch = off;
    return off;
  }

  /** Puts the cached local files of one handle (the client closed the file). */
  release(fh: Buffer): void {
    this.files.release(fh);
  }

  /**
   * The server's LocalFile for `fh`, opened (or taken from the cache) with the same checks as
   * a local READ ('r') or WRITE/COMMIT ('rw'), with a reference for the caller, who puts it;
   * null when not local or when the server refused (the caller then does its I/O through this
   * transport as usual). For handing the descriptor on, e.g. to the kernel as a FUSE
   * passthrough backing file.
   */
  async localFile(fh: Buffer, mode: LocalFileMode): Promise<LocalFile | null> {
    const entry = this.entry;
    const tbl = entry?.boundTo;
    if (!entry || !isLocalioTable(tbl) || !tbl.liveness.tryGet()) return null;
    try {
      const cached = this.files.get(fh, mode);
      if (cached !== null) return cached;
      const f = await this.open(entry, tbl, fh, mode);
      return typeof f === 'number' ? null : f;
    } catch {
      return null;
    } finally {
      tbl.liveness.put();
    }
  }

  /** Puts every cached file, leaves the registry; later I/O goes by RPC. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.unwatch?.();
    this.disable('close');
    if (this.probing) await this.probing.catch(() => false);
  }

  /** Not local any more: forget the entry and put every cached file. */
  private disable(reason: string): void {
    const e = this.entry;
    this.entry = null;
    this.removeUnbind?.();
    this.removeUnbind = null;
    this.files.clear();
    if (e) {
      this.registry.end(e);
      this.logger?.debug({ reason }, 'LOCALIO off');
    }
  }

  // ---- the three operations ----

  read(fh: Buffer, offset: bigint, dest: Buffer): Promise<ReadResult> {
    const len = dest.length;
    if (len > 0 && len <= this.options.syncReadMaxBytes && offset >= 0n && offset <= MAX_SYNC_POS) {
      const f = this.syncFile(fh, 'r');
      if (f !== null) {
        const st = this.sync.state();
        if (st === SYNC_LATER && !this.poolInstead(len)) return this.readLater(fh, offset, dest);
        if (st === SYNC_OK) {
          const pos = Number(offset);
          let n: number;
          try {
            n = this.sync.read(f.fd, dest, 0, len, pos);
          } catch (err) {
            return this.readFailed(err, fh, offset, dest);
          }
          this.counters.readsSync++;
          this.counters.readsLocal++;
          return Promise.resolve(this.sizes.readResult(f, pos, n, len));
        }
      }
    }
    // not bound (LOCALIO off, or not local): straight to RPC, without run()'s two closures
    if (this.entry === null) {
      this.notLocal('read');
      return this.fallback.read(fh, offset, dest);
    }
    return this.runRead(fh, offset, dest);
  }

  // The closures of read() and write() live in these helpers: a closure in read() itself would
  // make every call allocate a context for its arguments, on the RPC path too.
  private readLater(fh: Buffer, offset: bigint, dest: Buffer): Promise<ReadResult> {
    return this.sync.nextTurn().then(() => this.read(fh, offset, dest));
  }

  private readFailed(err: unknown, fh: Buffer, offset: bigint, dest: Buffer): Promise<ReadResult> {
    return this.failed('read', this.entry!, err, () => this.fallback.read(fh, offset, dest));
  }

  private runRead(fh: Buffer, offset: bigint, dest: Buffer): Promise<ReadResult> {
    return this.run('read', fh, 'r', (f) => this.readAsync(f, offset, dest), () => this.fallback.read(fh, offset, dest));
  }

  /**
   * The lean read: `length` bytes at `pos` into `dest[off…]` on the calling thread, now, and
   * the count (short only at end of file); -1 when it cannot be done so now (not bound, not
   * cached, the grant re-check refused, too big, the turn's share used up, an I/O error): the
   * caller then uses read(), which decides again and falls back to RPC where RPC would answer.
   * No promise, no allocation.
   */
  readNow(fh: Buffer, pos: number, dest: Buffer, off: number, length: number): number {
    if (length <= 0 || length > this.options.syncReadMaxBytes || !(pos >= 0 && pos <= MAX_SYNC_POS)) return -1;
    const f = this.syncFile(fh, 'r');
    if (f === null || this.sync.state() !== SYNC_OK) return -1;
    let n: number;
    try {
      n = this.sync.read(f.fd, dest, off, length, pos);
    } catch {
      return -1;
    }
    this.counters.readsSync++;
    this.counters.readsLocal++;
    return n;
  }

  write(fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult> {
    if (stable !== UNSTABLE && stable !== DATA_SYNC && stable !== FILE_SYNC) {
      this.counters.writesRpc++;
      return this.fallback.write(fh, offset, data, stable);
    }
    const len = data.length;
    // small UNSTABLE writes: pwrite into the page cache on the calling thread
    if (stable === UNSTABLE && len > 0 && len <= this.options.syncReadMaxBytes && offset >= 0n && offset <= MAX_SYNC_POS) {
      const f = this.syncFile(fh, 'rw');
      if (f !== null) {
        const st = this.sync.state();
        if (st === SYNC_LATER && !this.poolInstead(len)) return this.writeLater(fh, offset, data, stable);
        if (st === SYNC_OK) {
          const pos = Number(offset);
          const tbl = this.entry!.boundTo as LocalioTable;
          try {
            this.sync.write(f.fd, data, 0, len, pos);
          } catch (err) {
            return this.writeFailed(err, fh, offset, data, stable);
          }
          this.wrote(f, fh, pos, len);
          this.counters.writesSync++;
          this.counters.writesLocal++;
          return Promise.resolve({ count: len, committed: UNSTABLE, verf: tbl.verifier, local: true });
        }
      }
    }
    if (this.entry === null) {
      this.notLocal('write');
      return this.fallback.write(fh, offset, data, stable);
    }
    return this.runWrite(fh, offset, data, stable);
  }

  private writeLater(fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult> {
    return this.sync.nextTurn().then(() => this.write(fh, offset, data, stable));
  }

  private writeFailed(err: unknown, fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult> {
    return this.failed('write', this.entry!, err, () => this.fallback.write(fh, offset, data, stable));
  }

  private runWrite(fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult> {
    return this.run('write', fh, 'rw', (f, tbl) => this.writeAsync(f, tbl, fh, offset, data, stable), () => this.fallback.write(fh, offset, data, stable));
  }

  /**
   * The lean UNSTABLE write: all `length` bytes of `data[off…]` at `pos` on the calling thread,
   * now; the count, or -1 as for readNow (then use write()). Written locally, so nothing is
   * kept for a resend (`WriteResult.local`); a COMMIT is still owed.
   */
  writeNow(fh: Buffer, pos: number, data: Buffer, off: number, length: number): number {
    if (length <= 0 || length > this.options.syncReadMaxBytes || !(pos >= 0 && pos <= MAX_SYNC_POS)) return -1;
    const f = this.syncFile(fh, 'rw');
    if (f === null || this.sync.state() !== SYNC_OK) return -1;
    try {
      this.sync.write(f.fd, data, off, length, pos);
    } catch {
      return -1;
    }
    this.wrote(f, fh, pos, length);
    this.counters.writesSync++;
    this.counters.writesLocal++;
    return length;
  }

  commit(fh: Buffer, offset: bigint, count: number): Promise<Buffer> {
    if (this.entry === null) {
      this.notLocal('commit');
      return this.fallback.commit(fh, offset, count);
    }
    return this.runCommit(fh, offset, count);
  }

  private runCommit(fh: Buffer, offset: bigint, count: number): Promise<Buffer> {
    // 'rw': the same permission check as an RPC COMMIT (write access, not on a read-only export)
    return this.run('commit', fh, 'rw', async (f, tbl) => {
      await fsyncFd(f.fd, false);
      return tbl.verifier;
    }, () => this.fallback.commit(fh, offset, count));
  }

  /**
   * This turn's synchronous share is used up: does an operation of `len` bytes go to the
   * threadpool rather than wait for the next turn? Only a large one (`largeOpBytes`), and only
   * when another operation already waits (operations are in flight at depth): then the pool's
   * threads overlap the kernel's dirty-page throttling and use the other core, while at depth 1
   * the operation waits one cheap turn and runs synchronously.
   */
  private poolInstead(len: number): boolean {
    return len >= this.options.largeOpBytes && this.sync.waiting;
  }

  /**
   * The synchronous paths' file: the cached LocalFile for `fh` serving `mode`, WITHOUT a
   * reference, or null (not bound, server closing, miss, or the grant re-check dropped it).
   * Valid only until this thread next yields: the caller must finish its I/O synchronously.
   */
  private syncFile(fh: Buffer, mode: LocalFileMode): LocalFile | null {
    const entry = this.entry;
    if (entry === null) return null;
    const tbl = entry.boundTo;
    if (tbl === null || tbl.liveness.closing) return null;
    return this.files.peek(fh, mode);
  }

  private async readAsync(f: LocalFile, offset: bigint, dest: Buffer): Promise<ReadResult> {
    const len = dest.length;
    const pos = position(offset, len);
    const n = await preadFully(f.fd, dest, 0, len, pos);
    return this.sizes.readResult(f, pos, n, len);
  }

  private async writeAsync(f: LocalFile, tbl: LocalioTable, fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult> {
    const fd = f.fd;
    const len = data.length;
    const pos = position(offset, len);
    await pwriteFully(fd, data, 0, len, pos);
    if (stable === FILE_SYNC) await fsyncFd(fd, false);
    else if (stable === DATA_SYNC) await fsyncFd(fd, true);
    this.wrote(f, fh, pos, len);
    return { count: len, committed: stable, verf: tbl.verifier, local: true };
  }

  /** After a local write: the size we know grows, and the client's attribute cache is told. */
  private wrote(f: LocalFile, fh: Buffer, pos: number, len: number): void {
    this.sizes.wrote(f, pos, len);
    this.onLocalWrite?.(fh, BigInt(pos), len);
  }

  private countRpc(op: Op): void {
    if (op === 'read') this.counters.readsRpc++;
    else if (op === 'write') this.counters.writesRpc++;
    else this.counters.commitsRpc++;
  }

  private countLocal(op: Op): void {
    if (op === 'read') this.counters.readsLocal++;
    else if (op === 'write') this.counters.writesLocal++;
    else this.counters.commitsLocal++;
  }

  private notLocal(op: Op): void {
    this.countRpc(op);
    if (this.closed || !this.options.enabled || this.options.probeThrottle === 0) return;
    if (++this.ioSinceProbe >= this.options.probeThrottle) {
      this.ioSinceProbe = 0;
      void this.probe();
    }
  }

  /**
   * One operation. The common case (bound, live, the file cached in its slot) takes its
   * references and starts the I/O synchronously; a synchronous read settles without any
   * further await. A miss opens through the server's table first.
   */
  private run<T>(op: Op, fh: Buffer, mode: LocalFileMode, io: (f: LocalFile, tbl: LocalioTable) => T | Promise<T>, viaRpc: () => Promise<T>): Promise<T> {
    const entry = this.entry;
    if (!entry) {
      this.notLocal(op);
      return viaRpc();
    }
    const tbl = entry.boundTo;
    if (!isLocalioTable(tbl)) {
      this.disable('unbound');
      this.notLocal(op);
      return viaRpc();
    }
    if (!tbl.liveness.tryGet()) {
      this.disable('closing');
      return this.fellBack(op, { reason: 'closing', code: undefined }, viaRpc);
    }
    const f = this.files.get(fh, mode);
    if (f === null) return this.runOpening(op, entry, tbl, fh, mode, io, viaRpc);
    let r: T | Promise<T>;
    try {
      r = io(f, tbl);
    } catch (err) {
      f.put();
      tbl.liveness.put();
      return this.failed(op, entry, err, viaRpc);
    }
    if (r instanceof Promise) {
      return r.then((v) => {
        f.put();
        tbl.liveness.put();
        this.countLocal(op);
        return v;
      }, (err: unknown) => {
        f.put();
        tbl.liveness.put();
        return this.failed(op, entry, err, viaRpc);
      });
    }
    f.put();
    tbl.liveness.put();
    this.countLocal(op);
    return Promise.resolve(r);
  }

  private async runOpening<T>(op: Op, entry: ClientEntry, tbl: LocalioTable, fh: Buffer, mode: LocalFileMode,
    io: (f: LocalFile, tbl: LocalioTable) => T | Promise<T>, viaRpc: () => Promise<T>): Promise<T> {
    let file: LocalFile | null = null;
    let result: T;
    try {
      const f = await this.open(entry, tbl, fh, mode);
      if (typeof f === 'number') {
        const stale = f === NFS3ERR_STALE || f === NFS3ERR_BADHANDLE;
        if (stale && this.entry === entry) this.disable('stale');
        return this.fellBack(op, { reason: stale ? 'stale' : 'status', code: f }, viaRpc);
      }
      file = f;
      result = await io(f, tbl);
    } catch (err) {
      return this.failed(op, entry, err, viaRpc);
    } finally {
      file?.put();
      tbl.liveness.put();
    }
    this.countLocal(op);
    return result;
  }

  /** A local operation threw: server gone (not local any more) or an I/O error; either way, by RPC. */
  private failed<T>(op: Op, entry: ClientEntry, err: unknown, viaRpc: () => Promise<T>): Promise<T> {
    const code = (err as { code?: string } | null)?.code;
    const gone = isLocalioError(err) && (err.code === 'ERR_LOCALIO_SERVER_GONE' || err.code === 'ERR_LOCALIO_NOT_BOUND');
    if (gone && this.entry === entry) this.disable('gone');
    this.logger?.trace({ err, op }, 'LOCALIO operation falls back to RPC');
    return this.fellBack(op, { reason: gone ? 'gone' : 'error', code }, viaRpc);
  }

  private fellBack<T>(op: Op, fb: Fallback, viaRpc: () => Promise<T>): Promise<T> {
    this.counters.fallbacks++;
    this.countRpc(op);
    if (channels.fallback.hasSubscribers) channels.fallback.publish({ op, reason: fb.reason, code: fb.code, counters: this.stats() });
    return viaRpc();
  }

  /** Opens through the server's table: a LocalFile holding one reference for the caller, or the nfsstat3 of a refusal. */
  private async open(entry: ClientEntry, tbl: LocalioTable, fh: Buffer, mode: LocalFileMode): Promise<LocalFile | number> {
    const gen = entry.generation;
    const opened = await tbl.openLocalFh(entry, this.cred, fh, mode);
    if (typeof opened === 'number') return opened;
    if (mode === 'rw' && opened.mode !== 'rw') {
      opened.put();
      throw new LocalioError('ERR_LOCALIO_OPEN', 'the server returned a read-only file for a write');
    }
    // unbound, re-probed or closed while opening: use it for this operation only
    if (this.entry !== entry || entry.generation !== gen || this.closed) return opened;
    return this.files.keep(fh, mode, opened);
  }
}
