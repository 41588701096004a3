/**
 * Sync or threadpool: may the next local operation run on the calling thread? (Measured by
 * bench/src/localio-policy.ts, see the README, "Sync or threadpool".) An operation runs
 * synchronously while, in the current event-loop turn (reset by `setImmediate`),
 *  - fewer than `syncReadsPerTurn` synchronous operations ran, and
 *  - they took less than `syncBudgetUs` in total;
 * past that it waits for the next turn (one `setImmediate`: timers and sockets run first) and
 * asks again. Two synchronous operations in a row slower than `slowSyncReadUs` plus 1 µs per
 * KiB (not served from the page cache; one alone is as often the thread being preempted on a loaded machine)
 * turn the synchronous path off for `syncReadCooldownMs`, and operations go through the
 * threadpool meanwhile.
 * Bound: per event-loop turn, synchronous I/O blocks the loop for at most `syncBudgetUs` plus
 * one operation, and slow ones happen at most twice per cooldown.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LocalioCounters } from '@nfsts/common';
import type { ParsedTransportOptions } from './transport-options.js';

export const SYNC_OK = 0;
/** this turn's share is used up: wait for the next turn and ask again */
export const SYNC_LATER = 1;
/** cooling down after slow operations (or off): use the threadpool */
export const SYNC_OFF = 2;

export class SyncPolicy {
  private thisTurn = 0;
  private usThisTurn = 0;
  private resetScheduled = false;
  private offUntil = 0;
  private slowStreak = 0;
  private waitTurn: Promise<void> | null = null;
  private readonly resetTurn = (): void => {
    this.thisTurn = 0;
    this.usThisTurn = 0;
    this.resetScheduled = false;
  };

  /** `options` is read live (the policy bench changes it between cells) */
  constructor(private readonly options: ParsedTransportOptions, private readonly counters: LocalioCounters) {}

  /** SYNC_OK (the operation is counted against this turn), SYNC_LATER or SYNC_OFF. */
  state(): number {
    if (this.offUntil !== 0) {
      if (performance.now() < this.offUntil) return SYNC_OFF;
      this.offUntil = 0;
    }
    if (this.thisTurn >= this.options.syncReadsPerTurn || this.usThisTurn >= this.options.syncBudgetUs) return SYNC_LATER;
    if (!this.resetScheduled) {
      this.resetScheduled = true;
      setImmediate(this.resetTurn);
    }
    this.thisTurn++;
    return SYNC_OK;
  }

  /** some operation waits for the next turn */
  get waiting(): boolean {
    return this.waitTurn !== null;
  }

  /**
   * Resolves in the next event-loop turn (after I/O callbacks): the synchronous share of this
   * one is used up. The operations that wait in one turn share one promise and one setImmediate.
   */
  nextTurn(): Promise<void> {
    this.counters.syncYields++;
    return (this.waitTurn ??= new Promise((resolve) => setImmediate(() => {
      this.waitTurn = null;
      resolve();
    })));
  }

  /** `fs.readSync` until `len` bytes or end of file, charged to the turn. The count (short only at EOF). */
  read(fd: number, dest: Buffer, off: number, len: number, pos: number): number {
    const t0 = performance.now();
    let n = 0;
    try {
      while (n < len) {
        const got = fs.readSync(fd, dest, off + n, len - n, pos + n);
        if (got === 0) break;
        n += got;
      }
    } finally {
      this.charge(t0, performance.now(), len);
    }
    return n;
  }

  /** `fs.writeSync` of all `len` bytes, charged to the turn. */
  write(fd: number, data: Buffer, off: number, len: number, pos: number): void {
    const t0 = performance.now();
    let n = 0;
    try {
      while (n < len) n += fs.writeSync(fd, data, off + n, len - n, pos + n);
    } finally {
      this.charge(t0, performance.now(), len);
    }
  }

  /**
   * A synchronous operation of `len` bytes took `t1 - t0` ms: charge it to the turn; slow ones
   * turn the sync path off for a while. Slow is `slowSyncReadUs` plus 1 µs per KiB: a page-cache
   * copy runs at several GB/s, so a large operation is slow only past ~1 GB/s.
   */
  private charge(t0: number, t1: number, len: number): void {
    const us = (t1 - t0) * 1000;
    this.usThisTurn += us;
    // two slow ones in a row: one alone is as likely the thread being preempted on a loaded
    // machine as a read from the device (measured: see README, "Sync or threadpool")
    if (us <= this.options.slowSyncReadUs + len / 1024) this.slowStreak = 0;
    else if (++this.slowStreak >= 2) {
      this.slowStreak = 0;
      this.offUntil = t1 + this.options.syncReadCooldownMs;
    }
  }
}
