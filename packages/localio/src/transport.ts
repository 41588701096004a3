/**
 * `LocalioTransport`: the client's second `NfsTransport`. While the client is bound to a
 * server in this process, READ/WRITE/COMMIT become pread/pwrite/fsync on the server's own
 * descriptor; otherwise (and whenever a local operation cannot be done) they go by RPC
 * through the `fallback` transport, so the caller sees exactly what RPC would answer.
 *
 * Per operation: take the server's liveness reference (`tryGet`; fails once the server is
 * closing), take a reference on the cached `LocalFile` for the handle (opening it through the
 * server's `openLocalFh` on a miss: its handle, export and permission checks), do the I/O into
 * or out of the caller's buffer, put both references. The server's `close()` unbinds us
 * (we drop our cached files synchronously) and waits for the references of in-flight
 * operations, so a descriptor is never used after it is closed.
 *
 * Fast path (a read, or an UNSTABLE write, of at most `syncReadMaxBytes` on a handle whose
 * LocalFile is cached): `fs.readSync`/`fs.writeSync` on the calling thread, with no
 * reference taken and no promise but the one returned. That is sound because nothing of this
 * thread runs between the checks and the end of the synchronous call: the server's close()
 * (same thread) cannot put the descriptor meanwhile, and the checks are the same as the slow
 * path's (bound, server not closing, the slot's `dropped`: the server's grant re-check). The
 * references of the slow path are for I/O that crosses an await.
 *
 * Sync or threadpool (measured by bench/src/localio-policy.ts, see the README: on 2 loaded
 * cores, 4 KiB reads all synchronous ran several times the IOPS of all-threadpool at QD 16 as
 * at QD 1, and a mix sat between them: a pool read costs the loop a handoff and a wakeup, more
 * CPU than its overlap saves when the data is cached): an operation runs synchronously while,
 * in the current event-loop turn (reset by `setImmediate`),
 *  - fewer than `syncReadsPerTurn` (default 64) synchronous operations ran, and
 *  - they took less than `syncBudgetUs` (default 500 µs) in total;
 * past that it waits for the next turn (one `setImmediate`: timers and sockets run first) and
 * asks again. Two synchronous operations in a row slower than `slowSyncReadUs` (default 200
 * µs: not served from the page cache; one alone is as often the thread being preempted on a
 * loaded machine) turn the synchronous path off for `syncReadCooldownMs` (default 200 ms), and
 * operations go through the threadpool meanwhile.
 * Bound: per event-loop turn, synchronous I/O blocks the loop for at most `syncBudgetUs` plus
 * one operation, and slow ones happen at most twice per cooldown. `syncReadMaxBytes: 0`
 * turns the synchronous path off.
 *
 * `eof` is exact as the server reports it (short read, or reaching the size): the size is
 * kept per file and refreshed with `fs.fstatSync` on the held descriptor only when a full read
 * reaches the size last seen (an in-memory inode: no device I/O on a local file system).
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
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

export const DEFAULT_PROBE_THROTTLE = 512;
export const DEFAULT_SYNC_READ_MAX_BYTES = 16 * 1024;
export const DEFAULT_SYNC_READS_PER_TURN = 64;
export const DEFAULT_SLOW_SYNC_READ_US = 200;
export const DEFAULT_SYNC_READ_COOLDOWN_MS = 200;
export const DEFAULT_SYNC_BUDGET_US = 500;
export const DEFAULT_MAX_CACHED_HANDLES = 64;

const NFS3ERR_STALE = 70;
/** highest offset the fast paths take without a BigInt sum: leaves room for any buffer */
const MAX_FAST_POS = BigInt(Number.MAX_SAFE_INTEGER - 2 ** 32);
const SYNC_OK = 0;
const SYNC_LATER = 1;
const SYNC_OFF = 2;
const NFS3ERR_BADHANDLE = 10001;

export interface LocalioTransportOptions {
  /** the NFS connection: probes (UUID_IS_LOCAL) go here */
  rpc: RpcCallerLike;
  /** READ/WRITE/COMMIT by RPC (the client's RpcTransport) for whatever cannot be done locally */
  fallback: NfsTransport;
  /** the credential local opens are checked with (the client's AUTH_SYS credential); default AUTH_NONE */
  cred?: Credential;
  /** false: never probe, everything by RPC. Default true */
  enabled?: boolean;
  registry?: LocalioRegistry;
  /** while not local, probe again every this many I/Os (0: only when probe() is called). Default 512 */
  probeThrottle?: number;
  probeTimeoutMs?: number;
  syncReadMaxBytes?: number;
  syncReadsPerTurn?: number;
  slowSyncReadUs?: number;
  syncReadCooldownMs?: number;
  /** synchronous read time allowed per event-loop turn, in µs */
  syncBudgetUs?: number;
  /** handles whose LocalFiles are kept open (oldest-opened dropped first). Default 64 */
  maxCachedHandles?: number;
  /** told after every local write (the client's attribute cache no longer matches) */
  onLocalWrite?: (fh: Buffer, offset: bigint, count: number) => void;
  logger?: Logger;
}

export interface ParsedTransportOptions {
  enabled: boolean;
  probeThrottle: number;
  probeTimeoutMs: number | undefined;
  syncReadMaxBytes: number;
  syncReadsPerTurn: number;
  slowSyncReadUs: number;
  syncReadCooldownMs: number;
  syncBudgetUs: number;
  maxCachedHandles: number;
}

function bad(name: string, what: string): LocalioError {
  return new LocalioError('ERR_LOCALIO_BAD_OPTION', `LocalioTransport option "${name}": expected ${what}`);
}

function intOpt(o: Record<string, unknown>, name: string, def: number, min: number): number {
  const v = o[name];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(name, `an integer >= ${min}`);
  return v;
}

export function parseTransportOptions(opts: LocalioTransportOptions): ParsedTransportOptions {
  if (!opts || typeof opts !== 'object') throw new LocalioError('ERR_LOCALIO_BAD_OPTION', 'LocalioTransport options: expected an object');
  if (!opts.rpc || typeof opts.rpc.call !== 'function') throw bad('rpc', 'an RPC caller with call()');
  const fb = opts.fallback as Partial<NfsTransport> | undefined;
  if (!fb || typeof fb.read !== 'function' || typeof fb.write !== 'function' || typeof fb.commit !== 'function') throw bad('fallback', 'an NfsTransport');
  if (opts.enabled !== undefined && typeof opts.enabled !== 'boolean') throw bad('enabled', 'a boolean');
  if (opts.onLocalWrite !== undefined && typeof opts.onLocalWrite !== 'function') throw bad('onLocalWrite', 'a function');
  const o = opts as unknown as Record<string, unknown>;
  const probeTimeoutMs = o.probeTimeoutMs === undefined ? undefined : intOpt(o, 'probeTimeoutMs', 0, 1);
  return {
    enabled: opts.enabled ?? true,
    probeThrottle: intOpt(o, 'probeThrottle', DEFAULT_PROBE_THROTTLE, 0),
    probeTimeoutMs,
    syncReadMaxBytes: intOpt(o, 'syncReadMaxBytes', DEFAULT_SYNC_READ_MAX_BYTES, 0),
    syncReadsPerTurn: intOpt(o, 'syncReadsPerTurn', DEFAULT_SYNC_READS_PER_TURN, 1),
    slowSyncReadUs: intOpt(o, 'slowSyncReadUs', DEFAULT_SLOW_SYNC_READ_US, 1),
    syncReadCooldownMs: intOpt(o, 'syncReadCooldownMs', DEFAULT_SYNC_READ_COOLDOWN_MS, 0),
    syncBudgetUs: intOpt(o, 'syncBudgetUs', DEFAULT_SYNC_BUDGET_US, 1),
    maxCachedHandles: intOpt(o, 'maxCachedHandles', DEFAULT_MAX_CACHED_HANDLES, 1),
  };
}

interface Slot {
  r: LocalFile | null;
  rw: LocalFile | null;
}

type Op = 'read' | 'write' | 'commit';

/** Why a local operation went by RPC instead */
interface Fallback {
  reason: 'status' | 'error' | 'closing' | 'gone' | 'stale';
  code: string | number | undefined;
}

function pread(fd: number, buf: Buffer, off: number, len: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, off, len, pos, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

function pwrite(fd: number, buf: Buffer, off: number, len: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.write(fd, buf, off, len, pos, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

function fsyncFd(fd: number, dataOnly: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    (dataOnly ? fs.fdatasync : fs.fsync)(fd, (err) => (err ? reject(err) : resolve()));
  });
}

function position(offset: bigint, len: number): number {
  if (offset < 0n || offset + BigInt(len) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new LocalioError('ERR_LOCALIO_OPEN', 'offset beyond 2^53: sent by RPC');
  }
  return Number(offset);
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
  private readonly slots = new Map<string, Slot>();
  /** the handle Buffer last looked up and its slot: a file handle passes the same Buffer every call, so no key string is built */
  private lastFh: Buffer | null = null;
  private lastSlot: Slot | null = null;
  /** file size last seen per local file (for eof without a stat per read) */
  private readonly sizes = new WeakMap<LocalFile, number>();
  private probing: Promise<boolean> | null = null;
  private ioSinceProbe = 0;
  private closed = false;
  private syncThisTurn = 0;
  private syncUsThisTurn = 0;
  private syncResetScheduled = false;
  private syncOffUntil = 0;
  private slowStreak = 0;
  private readonly resetTurn = (): void => {
    this.syncThisTurn = 0;
    this.syncUsThisTurn = 0;
    this.syncResetScheduled = false;
  };
  private unwatch: (() => void) | null = null;

  constructor(opts: LocalioTransportOptions) {
    this.options = parseTransportOptions(opts);
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
    return this.slots.size;
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
    const key = fh.toString('latin1');
    const slot = this.slots.get(key);
    if (!slot) return;
    this.slots.delete(key);
    this.putSlot(slot);
    this.lastFh = null;
    this.lastSlot = null;
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
      const cached = this.cachedFile(fh, mode);
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
    for (const slot of this.slots.values()) this.putSlot(slot);
    this.slots.clear();
    this.lastFh = null;
    this.lastSlot = null;
    if (e) {
      this.registry.end(e);
      this.logger?.debug({ reason }, 'LOCALIO off');
    }
  }

  private putSlot(slot: Slot): void {
    const { r, rw } = slot;
    slot.r = null;
    slot.rw = null;
    r?.put();
    rw?.put();
  }

  // ---- the three operations ----

  read(fh: Buffer, offset: bigint, dest: Buffer): Promise<ReadResult> {
    const len = dest.length;
    // the fast path: a synchronous read on the cached descriptor (see "Fast path" above)
    if (len > 0 && len <= this.options.syncReadMaxBytes && offset >= 0n && offset <= MAX_FAST_POS) {
      const f = this.fastFile(fh, 'r');
      const st = f === null ? SYNC_OFF : this.syncState();
      if (st === SYNC_LATER) return this.nextTurn().then(() => this.read(fh, offset, dest));
      if (st === SYNC_OK) {
        const pos = Number(offset);
        let n: number;
        try {
          n = this.readSyncTimed(f!.fd, dest, pos, len);
        } catch (err) {
          return this.failed('read', this.entry!, err, () => this.fallback.read(fh, offset, dest));
        }
        this.counters.readsSync++;
        this.counters.readsLocal++;
        return Promise.resolve(this.readResult(f!, pos, n, len));
      }
    }
    return this.run('read', fh, 'r', (f) => this.readLocal(f, offset, dest), () => this.fallback.read(fh, offset, dest));
  }

  write(fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult> {
    if (stable !== UNSTABLE && stable !== DATA_SYNC && stable !== FILE_SYNC) {
      this.counters.writesRpc++;
      return this.fallback.write(fh, offset, data, stable);
    }
    const len = data.length;
    // the fast path for small UNSTABLE writes: pwrite into the page cache on the calling thread
    if (stable === UNSTABLE && len > 0 && len <= this.options.syncReadMaxBytes && offset >= 0n && offset <= MAX_FAST_POS) {
      const f = this.fastFile(fh, 'rw');
      const st = f === null ? SYNC_OFF : this.syncState();
      if (st === SYNC_LATER) return this.nextTurn().then(() => this.write(fh, offset, data, stable));
      if (st === SYNC_OK) {
        const pos = Number(offset);
        const tbl = this.entry!.boundTo as LocalioTable;
        try {
          this.writeSyncTimed(f!.fd, data, pos, len);
        } catch (err) {
          return this.failed('write', this.entry!, err, () => this.fallback.write(fh, offset, data, stable));
        }
        this.wrote(f!, fh, offset, pos, len);
        this.counters.writesSync++;
        this.counters.writesLocal++;
        return Promise.resolve({ count: len, committed: UNSTABLE, verf: tbl.verifier, local: true });
      }
    }
    return this.run('write', fh, 'rw', (f, tbl) => this.writeLocal(f, tbl, fh, offset, data, stable), () => this.fallback.write(fh, offset, data, stable));
  }

  commit(fh: Buffer, offset: bigint, count: number): Promise<Buffer> {
    // 'rw': the same permission check as an RPC COMMIT (write access, not on a read-only export)
    return this.run('commit', fh, 'rw', async (f, tbl) => {
      await fsyncFd(f.fd, false);
      return tbl.verifier;
    }, () => this.fallback.commit(fh, offset, count));
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
    const f = this.cachedFile(fh, mode);
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

  private slotOf(fh: Buffer): Slot | null {
    if (fh === this.lastFh) return this.lastSlot;
    if (this.slots.size === 0) return null;
    const slot = this.slots.get(fh.toString('latin1'));
    if (slot === undefined) return null;
    this.lastFh = fh;
    this.lastSlot = slot;
    return slot;
  }

  /**
   * The fast paths' file: the cached LocalFile for `fh` serving `mode`, WITHOUT a reference,
   * or null (not bound, server closing, miss, or the grant re-check dropped it). Valid only
   * until this thread next yields: the caller must finish its I/O synchronously.
   */
  private fastFile(fh: Buffer, mode: LocalFileMode): LocalFile | null {
    const entry = this.entry;
    if (entry === null) return null;
    const tbl = entry.boundTo;
    if (tbl === null || tbl.liveness.closing) return null;
    const slot = this.slotOf(fh);
    if (slot === null) return null;
    const f = mode === 'r' ? slot.r : slot.rw;
    if (f === null) return null;
    if (f.dropped) { // the server's permission re-check (LocalGrant): refused or changed → open afresh
      f.put();
      slot[mode] = null;
      return null;
    }
    return f;
  }

  /** The cached LocalFile for `fh` in a slot serving `mode`, with a reference taken for the caller; null on a miss. */
  private cachedFile(fh: Buffer, mode: LocalFileMode): LocalFile | null {
    const slot = this.slotOf(fh);
    if (slot === null) return null;
    // strictly by the mode asked for: a read slot may hold a read-write descriptor (the server's
    // cache shares one), but it was opened with READ's checks only, so it never serves a write;
    // nor does a write slot serve reads (write permission does not imply read permission).
    // `dropped` is asked before every use: the server re-checks the grant there (a chmod since
    // the open may have revoked it), so only the slot about to be used is asked.
    const f = mode === 'r' ? slot.r : slot.rw;
    if (f === null) return null;
    if (f.dropped) {
      f.put();
      slot[mode] = null;
      return null;
    }
    return f.get();
  }

  /** Opens through the server's table: a LocalFile holding one reference for the caller, or the nfsstat3 of a refusal. */
  private async open(entry: ClientEntry, tbl: LocalioTable, fh: Buffer, mode: LocalFileMode): Promise<LocalFile | number> {
    const key = fh.toString('latin1');
    const gen = entry.generation;
    const opened = await tbl.openLocalFh(entry, this.cred, fh, mode);
    if (typeof opened === 'number') return opened;
    if (mode === 'rw' && opened.mode !== 'rw') {
      opened.put();
      throw new LocalioError('ERR_LOCALIO_OPEN', 'the server returned a read-only file for a write');
    }
    // unbound, re-probed or closed while opening: use it for this operation only
    if (this.entry !== entry || entry.generation !== gen || this.closed) return opened;
    let s = this.slots.get(key);
    if (!s) {
      s = { r: null, rw: null };
      this.slots.set(key, s);
      if (this.slots.size > this.options.maxCachedHandles) {
        const oldest = this.slots.keys().next().value as string;
        const o = this.slots.get(oldest);
        this.slots.delete(oldest);
        if (o) this.putSlot(o);
      }
    }
    this.lastFh = null; // the key maps to a (possibly new) slot
    this.lastSlot = null;
    if (s[mode]) return opened; // another operation cached one meanwhile: this one is used once
    s[mode] = opened; // the slot keeps the open's reference
    return opened.get();
  }

  /**
   * May one more operation run synchronously now? SYNC_OK (counted), SYNC_LATER when this
   * event-loop turn's share is used up (the caller waits for the next turn and asks again), or
   * SYNC_OFF in the cooldown after a slow one (the caller uses the threadpool).
   */
  private syncState(): number {
    if (this.syncOffUntil !== 0) {
      if (performance.now() < this.syncOffUntil) return SYNC_OFF;
      this.syncOffUntil = 0;
    }
    if (this.syncThisTurn >= this.options.syncReadsPerTurn || this.syncUsThisTurn >= this.options.syncBudgetUs) return SYNC_LATER;
    if (!this.syncResetScheduled) {
      this.syncResetScheduled = true;
      setImmediate(this.resetTurn);
    }
    this.syncThisTurn++;
    return SYNC_OK;
  }

  /** syncState() for the slow path: SYNC_LATER counts as no (the operation is already async). */
  private syncAllowed(): boolean {
    return this.syncState() === SYNC_OK;
  }

  /** Resolves in the next event-loop turn (after I/O callbacks): the synchronous share of this one is used up. */
  private nextTurn(): Promise<void> {
    this.counters.syncYields++;
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** A synchronous operation took `t1 - t0` ms: charge it to the turn; a slow one turns the sync path off for a while. */
  private charge(t0: number, t1: number): void {
    const us = (t1 - t0) * 1000;
    this.syncUsThisTurn += us;
    // two slow ones in a row: one alone is as likely the thread being preempted on a loaded
    // machine as a read from the device (measured: see README, "Sync or threadpool")
    if (us <= this.options.slowSyncReadUs) this.slowStreak = 0;
    else if (++this.slowStreak >= 2) {
      this.slowStreak = 0;
      this.syncOffUntil = t1 + this.options.syncReadCooldownMs;
    }
  }

  private readSyncTimed(fd: number, dest: Buffer, pos: number, len: number): number {
    const t0 = performance.now();
    let n = 0;
    while (n < len) {
      const got = fs.readSync(fd, dest, n, len - n, pos + n);
      if (got === 0) break;
      n += got;
    }
    this.charge(t0, performance.now());
    return n;
  }

  private writeSyncTimed(fd: number, data: Buffer, pos: number, len: number): void {
    const t0 = performance.now();
    let n = 0;
    while (n < len) n += fs.writeSync(fd, data, n, len - n, pos + n);
    this.charge(t0, performance.now());
  }

  private readLocal(f: LocalFile, offset: bigint, dest: Buffer): ReadResult | Promise<ReadResult> {
    const len = dest.length;
    const pos = position(offset, len);
    if (len > 0 && len <= this.options.syncReadMaxBytes && this.syncAllowed()) {
      const n = this.readSyncTimed(f.fd, dest, pos, len);
      this.counters.readsSync++;
      return this.readResult(f, pos, n, len);
    }
    return this.readAsync(f, pos, dest);
  }

  private async readAsync(f: LocalFile, pos: number, dest: Buffer): Promise<ReadResult> {
    const len = dest.length;
    let n = 0;
    while (n < len) {
      const got = await pread(f.fd, dest, n, len - n, pos + n);
      if (got === 0) break;
      n += got;
    }
    return this.readResult(f, pos, n, len);
  }

  /**
   * eof as the server's READ reports it: a short read, or one reaching the current size. The
   * size is kept per file and refreshed by `fstatSync` only when a full read reaches the size
   * last seen (or none was seen), so sequential and random reads inside the file cost no stat.
   */
  private readResult(f: LocalFile, pos: number, n: number, len: number): ReadResult {
    if (n < len) return { count: n, eof: true };
    const end = pos + n;
    const known = this.sizes.get(f);
    if (known !== undefined && end < known) return { count: n, eof: false };
    const size = fs.fstatSync(f.fd).size;
    this.sizes.set(f, size);
    return { count: n, eof: end >= size };
  }

  /** After a local write: the size we know grows, and the client's attribute cache is told. */
  private wrote(f: LocalFile, fh: Buffer, offset: bigint, pos: number, len: number): void {
    const known = this.sizes.get(f);
    if (known !== undefined && pos + len > known) this.sizes.set(f, pos + len);
    this.onLocalWrite?.(fh, offset, len);
  }

  private async writeLocal(f: LocalFile, tbl: LocalioTable, fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult> {
    const fd = f.fd;
    const len = data.length;
    const pos = position(offset, len);
    let n = 0;
    while (n < len) {
      n += await pwrite(fd, data, n, len - n, pos + n);
    }
    if (stable === FILE_SYNC) await fsyncFd(fd, false);
    else if (stable === DATA_SYNC) await fsyncFd(fd, true);
    this.wrote(f, fh, offset, pos, len);
    return { count: len, committed: stable, verf: tbl.verifier, local: true };
  }
}
