/**
 * GatedIo: lstat, reads and writes on the calling thread while the SyncReadGate allows it
 * (a page-cache copy or a cached dentry costs a few µs, a thread-pool round trip 25 µs or more
 * and two wake-ups), else through the Backend's asynchronous calls; same results either way.
 */
import { performance } from 'node:perf_hooks';
import type { Backend, Loc, Stats } from './backend.js';
import type { SyncReadGate } from './sync-reads.js';

/** What GatedIo counts (the ServerCore's counters). */
export interface GatedIoCounters {
  syncReads: number;
  syncWrites: number;
}

export class GatedIo {
  constructor(
    private readonly backend: Backend,
    /** decides which calls run synchronously */
    readonly gate: SyncReadGate,
    private readonly counters: GatedIoCounters,
  ) {}

  /**
   * lstat of a path inside an export: on the calling thread when the backend can and the
   * SyncReadGate allows it (a cached dentry costs a few µs, a thread-pool round trip 25 µs or
   * more and two wake-ups), else through backend.lstat. Same results and errors either way.
   */
  lstat(at: Loc): Promise<Stats> {
    const backend = this.backend;
    if (backend.lstatSync !== undefined && this.gate.allowStat()) {
      const t0 = performance.now();
      try {
        return Promise.resolve(backend.lstatSync(at));
      } catch (err) {
        return Promise.reject(err);
      } finally {
        this.gate.done(t0, performance.now());
      }
    }
    return backend.lstat(at);
  }

  /** lstat on the calling thread when the backend can and the gate allows; null otherwise or on any error. */
  lstatNow(at: Loc): Stats | null {
    const backend = this.backend;
    if (backend.lstatSync === undefined || !this.gate.allowStat()) return null;
    const t0 = performance.now();
    try {
      return backend.lstatSync(at);
    } catch {
      return null;
    } finally {
      this.gate.done(t0, performance.now());
    }
  }

  /**
   * Reads into buf[off, off+len) at `position` from a descriptor the caller holds: on the
   * calling thread when the backend can and the SyncReadGate allows it (a number), else
   * through backend.read (a promise).
   */
  readAt(fd: number, buf: Buffer, off: number, len: number, position: bigint): number | Promise<number> {
    const backend = this.backend;
    if (backend.readSync !== undefined && this.gate.allowRead(len)) {
      this.counters.syncReads++;
      const n = this.gated(backend.readSync, fd, buf, off, len, position);
      if (n >= 0) return n; // else not in the page cache (descriptor-io.ts): the thread pool reads it
    }
    return backend.read(fd, buf, off, len, position);
  }

  /**
   * Writes buf[off, off+len) at `position` to a descriptor the caller holds, as readAt() reads:
   * on the calling thread when the gate allows it (a write into the page cache costs a few µs
   * against a thread-pool round trip of 25-50 µs and two wake-ups; one the kernel throttles for
   * dirty pages is slow and counts as a strike like a slow read), else through backend.write.
   */
  writeAt(fd: number, buf: Buffer, off: number, len: number, position: bigint): number | Promise<number> {
    const backend = this.backend;
    if (backend.writeSync !== undefined && this.gate.allow(len)) {
      this.counters.syncWrites++;
      return this.gated(backend.writeSync, fd, buf, off, len, position);
    }
    return backend.write(fd, buf, off, len, position);
  }

  /**
   * Writes all of `bufs` (in order) at `position` to a descriptor the caller holds, through
   * backend.writev (on the thread pool) and again for the rest after a short write; a backend
   * without writev gets them joined. Resolves with the bytes written (their total).
   */
  async writevAt(fd: number, bufs: readonly Buffer[], position: bigint): Promise<number> {
    const backend = this.backend;
    let total = 0;
    for (const b of bufs) total += b.length;
    if (backend.writev === undefined) {
      const one = Buffer.concat(bufs as Buffer[], total);
      let n = 0;
      while (n < total) n += progress(await backend.write(fd, one, n, total - n, position + BigInt(n)), n, total);
      return total;
    }
    let n = progress(await backend.writev(fd, bufs, position), 0, total);
    while (n < total) {
      // a short write: the buffers from the first unwritten byte on
      const rest: Buffer[] = [];
      let skip = n;
      for (const b of bufs) {
        if (skip >= b.length) skip -= b.length;
        else {
          rest.push(skip === 0 ? b : b.subarray(skip));
          skip = 0;
        }
      }
      n += progress(await backend.writev(fd, rest, position + BigInt(n)), n, total);
    }
    return total;
  }

  /** Runs a synchronous read or write the gate allowed, reporting its duration to the gate. */
  private gated(io: (fd: number, buf: Uint8Array, off: number, len: number, position: bigint) => number,
    fd: number, buf: Buffer, off: number, len: number, position: bigint): number {
    const t0 = performance.now();
    try {
      return io.call(this.backend, fd, buf, off, len, position);
    } finally {
      this.gate.done(t0, performance.now(), len);
    }
  }
}

/** Bytes a write made, checked: a write that made no progress (or more than asked) fails with EIO. */
function progress(got: number, done: number, total: number): number {
  if (!(got > 0) || done + got > total) throw Object.assign(new Error(`write made no progress at ${done} of ${total} bytes`), { code: 'EIO' });
  return got;
}
