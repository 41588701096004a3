/**
 * When a small READ may run synchronously on the event loop (the LOCALIO transport's policy,
 * applied to the server). A page-cache hit costs about 1-2 µs through `fs.readSync` against a
 * thread-pool round trip of 25-50 µs and two cross-thread wake-ups; a read that has to go to
 * the device would stall the loop instead, so it is bounded:
 *  - only writes of at most `maxBytes` (default 16 KiB) run synchronously, and READs of at most
 *    `maxReadBytes` (default 1 MiB, the largest READ: a page-cache copy of 128 KiB costs
 *    10-30 µs here, of 1 MiB about 200 µs, and the thread-pool hop's two cross-thread wake-ups
 *    were most of a 128 KiB READ's QD 1 time and tail; measured per size in
 *    bench/notes/read-path.md). The per-turn budget below is what spreads a burst: once it is
 *    spent (two or three 1 MiB reads) the rest of the turn's READs overlap on the thread pool;
 *  - per event-loop turn (reset by `setImmediate`, scheduled only once 8 reads or a quarter of
 *    the budget were counted, so a QD 1 server does not pay an immediate per call) at most
 *    `perTurn` (default 64) of them,
 *    taking at most `budgetUs` (default 500 µs) in total;
 *  - `slowStrikes` (default 3) in a row that each took longer than `slowUs` (default 200 µs:
 *    not from the page cache, or the thread was preempted; plus SLOW_US_PER_KIB for each KiB
 *    beyond 16, so a large read is judged by its size) turn synchronous reads off for
 *    `cooldownMs` (default 200 ms); a fast one in between clears the count.
 * So the loop is blocked at most `budgetUs` plus one read per turn, and a cold workload on a
 * slow device pays `slowStrikes` blocking reads per cooldown before it runs through the thread
 * pool; READs of NOWAIT_READ_MIN (64 KiB) and more pay none: the node:fs backends read those
 * from the page cache only (RWF_NOWAIT, descriptor-io.ts) and send a miss to the thread pool.
 * One strike was not enough: on a loaded machine a page-cache read is preempted now and then,
 * and each time every small READ then paid a thread-pool round trip for 200 ms, which was a
 * large part of the QD 1 tail (issue 12).
 * `maxBytes: 0` turns the synchronous path off. The same gate (and budget) also lets the
 * core's lstat of a path run synchronously (allowStat).
 */
import { performance } from 'node:perf_hooks';
import { NfsError } from './nfsstat.js';

export interface SyncReadOptions {
  /** largest WRITE (and lstat gate) served synchronously, in bytes (0: nothing synchronous at all). Default DEFAULT_SYNC_READ_MAX_BYTES */
  maxBytes?: number;
  /** largest READ served synchronously, in bytes (0: none; `maxBytes: 0` turns these off too). Default DEFAULT_SYNC_READ_MAX_READ_BYTES */
  maxReadBytes?: number;
  /** synchronous reads per event-loop turn at most. Default DEFAULT_SYNC_READS_PER_TURN */
  perTurn?: number;
  /** synchronous read time per event-loop turn at most, in µs. Default DEFAULT_SYNC_READ_BUDGET_US */
  budgetUs?: number;
  /** a synchronous read slower than this (µs) turns them off for `cooldownMs`. Default DEFAULT_SLOW_SYNC_READ_US */
  slowUs?: number;
  /** consecutive slow reads that start the cooldown. Default DEFAULT_SLOW_SYNC_READ_STRIKES */
  slowStrikes?: number;
  /** Default DEFAULT_SYNC_READ_COOLDOWN_MS */
  cooldownMs?: number;
}

export const DEFAULT_SYNC_READ_MAX_BYTES = 16 * 1024;
export const DEFAULT_SYNC_READ_MAX_READ_BYTES = 1024 * 1024;
/** A synchronous read or write of `len` bytes is slow beyond slowUs + this many µs per KiB above SLOW_BASE_BYTES (about 1 GB/s). */
const SLOW_US_PER_KIB = 1;
const SLOW_BASE_BYTES = 16 * 1024;
export const DEFAULT_SYNC_READS_PER_TURN = 64;
export const DEFAULT_SYNC_READ_BUDGET_US = 500;
export const DEFAULT_SLOW_SYNC_READ_US = 200;
export const DEFAULT_SYNC_READ_COOLDOWN_MS = 200;
export const DEFAULT_SLOW_SYNC_READ_STRIKES = 3;

export type ParsedSyncReadOptions = Required<SyncReadOptions>;

function intOpt(o: Record<string, unknown>, name: string, dflt: number, min: number): number {
  const v = o[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new NfsError('ERR_NFS_BAD_OPTION', `syncReads option "${name}": expected an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

export function parseSyncReadOptions(opts: SyncReadOptions | undefined): ParsedSyncReadOptions {
  if (opts === undefined) opts = {};
  if (typeof opts !== 'object' || opts === null) throw new NfsError('ERR_NFS_BAD_OPTION', 'option "syncReads": expected an object');
  const o = opts as Record<string, unknown>;
  return {
    maxBytes: intOpt(o, 'maxBytes', DEFAULT_SYNC_READ_MAX_BYTES, 0),
    maxReadBytes: intOpt(o, 'maxReadBytes', DEFAULT_SYNC_READ_MAX_READ_BYTES, 0),
    perTurn: intOpt(o, 'perTurn', DEFAULT_SYNC_READS_PER_TURN, 1),
    budgetUs: intOpt(o, 'budgetUs', DEFAULT_SYNC_READ_BUDGET_US, 1),
    slowUs: intOpt(o, 'slowUs', DEFAULT_SLOW_SYNC_READ_US, 1),
    slowStrikes: intOpt(o, 'slowStrikes', DEFAULT_SLOW_SYNC_READ_STRIKES, 1),
    cooldownMs: intOpt(o, 'cooldownMs', DEFAULT_SYNC_READ_COOLDOWN_MS, 0),
  };
}

/** The gate: ask allow(len) before a synchronous read, report its duration with done(). */
export class SyncReadGate {
  readonly options: ParsedSyncReadOptions;
  private countThisTurn = 0;
  private usThisTurn = 0;
  private offUntil = 0;
  private strikes = 0;
  private resetScheduled = false;
  private readonly resetTurn = (): void => {
    this.resetScheduled = false;
    this.countThisTurn = 0;
    this.usThisTurn = 0;
  };

  /** reads counted before the reset is scheduled (see take()) */
  private readonly resetAfter: number;

  constructor(opts?: SyncReadOptions) {
    this.options = parseSyncReadOptions(opts);
    this.resetAfter = Math.min(8, this.options.perTurn);
  }

  /** May a write (or other I/O) of `len` bytes run synchronously now? (Counts it when yes.) */
  allow(len: number): boolean {
    return len <= this.options.maxBytes && this.take();
  }

  /** May a READ of `len` bytes run synchronously now? (Counts it when yes.) */
  allowRead(len: number): boolean {
    const o = this.options;
    return len <= o.maxReadBytes && o.maxBytes > 0 && this.take();
  }

  /**
   * May an lstat run synchronously now? Same bounds as reads (a dentry and inode in memory
   * cost a few µs; one that must come from the device is what the cooldown catches).
   * `maxBytes: 0` turns these off too.
   */
  allowStat(): boolean {
    return this.options.maxBytes > 0 && this.take();
  }

  private take(): boolean {
    const o = this.options;
    if (this.countThisTurn >= o.perTurn || this.usThisTurn >= o.budgetUs) return false;
    if (this.offUntil !== 0) {
      if (performance.now() < this.offUntil) return false;
      this.offUntil = 0;
    }
    // The per-turn counts are reset by an immediate, but only once they matter: at QD 1 every
    // call is a turn of its own, and an immediate per call cost an object and a zero-timeout
    // poll (one more epoll_pwait per call, issue 12). Counting a few reads of earlier turns
    // into this one can only make the bound stricter, never looser.
    if (++this.countThisTurn >= this.resetAfter) this.scheduleReset();
    return true;
  }

  private scheduleReset(): void {
    if (!this.resetScheduled) {
      this.resetScheduled = true;
      setImmediate(this.resetTurn);
    }
  }

  /** A synchronous read of `len` bytes (0: an lstat) allowed by the gate took from t0 to t1 (performance.now() ms). */
  done(t0: number, t1: number, len = 0): void {
    const us = (t1 - t0) * 1000;
    this.usThisTurn += us;
    if (this.usThisTurn * 4 >= this.options.budgetUs) this.scheduleReset();
    const slow = len > SLOW_BASE_BYTES ? this.options.slowUs + ((len - SLOW_BASE_BYTES) >>> 10) * SLOW_US_PER_KIB : this.options.slowUs;
    if (us <= slow) {
      this.strikes = 0;
    } else if (++this.strikes >= this.options.slowStrikes) {
      this.strikes = 0;
      this.offUntil = t1 + this.options.cooldownMs;
    }
  }
}
