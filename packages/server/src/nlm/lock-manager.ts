/**
 * The server's lock table: POSIX byte-range locks per file, owned by (client host, svid, oh).
 * It owns the truth for NLM and LOCALIO callers alike; the backing file's OFD locks (when a
 * `BackingLocks` is given) mirror it so local processes see NFS clients' locks and the other
 * way round. Ranges are [start, end) in bigint; a length of 0 means "to the end of the file
 * and beyond", end = LOCK_EOF (2^64).
 *
 * Semantics (fcntl(2) F_SETLK): a lock conflicts only with another owner's overlapping lock
 * when either is exclusive; an owner's new lock replaces whatever it held on the range
 * (upgrade, downgrade), splitting its older locks and merging with touching ones of the same
 * type; unlocking a sub-range splits. Blocking requests wait in FIFO order per file and are
 * retried whenever anything on the file is released.
 */
import type { Logger } from 'pino';

/** End of a lock with length 0: past every 64-bit offset. */
export const LOCK_EOF = 1n << 64n;

/** Locks (ranges) one client host may hold across all files; more get DENIED_NOLOCKS. */
export const DEFAULT_MAX_LOCKS_PER_HOST = 4096;
/**
 * Locks across all hosts: caller_name is the client's own word, so a hostile one could spread
 * its locks over many invented names; this bounds the table whatever they claim.
 */
export const DEFAULT_MAX_LOCKS = 65_536;
/** Blocked requests across all hosts. */
export const DEFAULT_MAX_WAITERS = 4096;
/** Blocked requests one client host may have queued. */
export const DEFAULT_MAX_WAITERS_PER_HOST = 256;
/** How often requests blocked by a local process's lock (which sends no event) are retried. */
export const DEFAULT_LOCAL_RETRY_MS = 200;

export interface LockOwner {
  /** the client's caller_name (NLM) or a LOCALIO client id */
  host: string;
  svid: number;
  oh: Buffer;
}

/** The owner reported for a lock held by a process outside the table (a local fcntl user). */
export const LOCAL_OWNER: LockOwner = Object.freeze({ host: '', svid: 0, oh: Buffer.alloc(0) }) as LockOwner;

/** One held lock. */
export interface HeldLock {
  owner: LockOwner;
  start: bigint;
  /** exclusive; LOCK_EOF for "to the end" */
  end: bigint;
  exclusive: boolean;
}

/** The file a lock is on: a stable key, and the path for the backing OFD lock. */
export interface LockFile {
  key: string;
}

export type LockResult =
  | { status: 'granted' }
  | { status: 'denied'; holder: HeldLock }
  | { status: 'blocked' }
  | { status: 'nolocks' };

/** Mirrors the table into the backing file (OFD locks); see ofd-backing.ts. */
export interface BackingLocks {
  /**
   * Sets owner's lock state on [start, end) to `type`. 'conflict' when a process outside
   * this table holds a conflicting lock (then nothing changed); 'unavailable' when the kernel
   * cannot take it (the table alone then decides).
   */
  set(file: LockFile, owner: string, start: bigint, end: bigint, type: 'read' | 'write' | 'unlock'): 'ok' | 'conflict' | 'unavailable';
  /** The owner holds nothing on the file any more (close its description). */
  drop(file: LockFile, owner: string): void;
  /** The lock a process outside the table holds on the range, if any (for TEST). */
  test?(file: LockFile, owner: string, start: bigint, end: bigint, exclusive: boolean): { start: bigint; end: bigint; exclusive: boolean } | null;
  close?(): void;
}

/** Called when a queued request has been granted (the lock is held from then on). */
export type GrantCallback = (lock: HeldLock) => void;

interface Waiter {
  owner: LockOwner;
  ownerKey: string;
  start: bigint;
  end: bigint;
  exclusive: boolean;
  granted: GrantCallback;
}

interface FileState {
  file: LockFile;
  locks: HeldLock[];
  waiters: Waiter[];
}

export interface LockManagerOptions {
  backing?: BackingLocks | null;
  maxLocksPerHost?: number;
  maxWaitersPerHost?: number;
  maxLocks?: number;
  maxWaiters?: number;
  localRetryMs?: number;
  logger?: Logger;
}

/** A stable string for an owner: host, svid and oh together. */
export function ownerKey(o: LockOwner): string {
  return `${o.host}\0${o.svid}\0${o.oh.toString('hex')}`;
}

/** [offset, offset+length) with length 0 (or a range past 2^64) → to LOCK_EOF. */
export function lockRange(offset: bigint, length: bigint): { start: bigint; end: bigint } {
  const end = length === 0n ? LOCK_EOF : offset + length;
  return { start: offset, end: end > LOCK_EOF ? LOCK_EOF : end };
}

function overlaps(a: { start: bigint; end: bigint }, start: bigint, end: bigint): boolean {
  return a.start < end && start < a.end;
}

export class LockManager {
  private readonly files = new Map<string, FileState>();
  private readonly hostLocks = new Map<string, number>();
  private readonly hostWaiters = new Map<string, number>();
  private readonly backing: BackingLocks | null;
  private readonly maxLocksPerHost: number;
  private readonly maxWaitersPerHost: number;
  private readonly maxLocks: number;
  private readonly maxWaiters: number;
  private totalLocks = 0;
  private totalWaiters = 0;
  private readonly localRetryMs: number;
  private readonly logger: Logger | undefined;
  /** files with waiters blocked by a lock outside the table (retried on a timer) */
  private readonly localBlocked = new Set<string>();
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(opts: LockManagerOptions = {}) {
    this.backing = opts.backing ?? null;
    this.maxLocksPerHost = opts.maxLocksPerHost ?? DEFAULT_MAX_LOCKS_PER_HOST;
    this.maxWaitersPerHost = opts.maxWaitersPerHost ?? DEFAULT_MAX_WAITERS_PER_HOST;
    this.maxLocks = opts.maxLocks ?? DEFAULT_MAX_LOCKS;
    this.maxWaiters = opts.maxWaiters ?? DEFAULT_MAX_WAITERS;
    this.localRetryMs = opts.localRetryMs ?? DEFAULT_LOCAL_RETRY_MS;
    this.logger = opts.logger;
  }

  /** The locks held on a file, sorted by start (for tests and diagnostics). */
  locksOf(key: string): HeldLock[] {
    const s = this.files.get(key);
    return s ? [...s.locks].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)) : [];
  }

  /** Blocked requests queued on a file. */
  waitersOf(key: string): number {
    return this.files.get(key)?.waiters.length ?? 0;
  }

  /** Client hosts that hold locks now. */
  hosts(): string[] {
    return [...this.hostLocks.keys()];
  }

  /** A lock of another owner that conflicts with the request, or null (NLM TEST). */
  test(file: LockFile, owner: LockOwner, start: bigint, end: bigint, exclusive: boolean): HeldLock | null {
    const s = this.files.get(file.key);
    const c = s ? this.conflict(s, ownerKey(owner), start, end, exclusive) : null;
    if (c) return c;
    const local = this.backing?.test?.(file, ownerKey(owner), start, end, exclusive) ?? null;
    return local ? { owner: LOCAL_OWNER, ...local } : null;
  }

  /**
   * Takes a lock. Without `wait`, a conflict is 'denied' with the holder; with `wait`, the
   * request is queued ('blocked') and `wait` is called once it has been granted.
   */
  lock(file: LockFile, owner: LockOwner, start: bigint, end: bigint, exclusive: boolean, wait?: GrantCallback): LockResult {
    if (start >= end) return { status: 'granted' };
    const key = ownerKey(owner);
    const s = this.state(file);
    // a repeated blocking request (a client retransmits) replaces the queued one
    if (wait) this.removeWaiter(s, key, start, end, exclusive);
    const r = this.tryLock(s, owner, key, start, end, exclusive);
    if (r.status === 'granted' || r.status === 'nolocks' || !wait) {
      this.gc(s);
      return r;
    }
    const queued = this.hostWaiters.get(owner.host) ?? 0;
    if (queued >= this.maxWaitersPerHost || this.totalWaiters >= this.maxWaiters) {
      this.gc(s);
      return { status: 'nolocks' };
    }
    this.hostWaiters.set(owner.host, queued + 1);
    this.totalWaiters++;
    s.waiters.push({ owner, ownerKey: key, start, end, exclusive, granted: wait });
    if (r.status === 'denied' && r.holder.owner === LOCAL_OWNER) this.retryLater(s);
    return { status: 'blocked' };
  }

  /** Removes a queued request (NLM CANCEL); true when one was queued. */
  cancel(file: LockFile, owner: LockOwner, start: bigint, end: bigint, exclusive: boolean): boolean {
    const s = this.files.get(file.key);
    if (!s) return false;
    const removed = this.removeWaiter(s, ownerKey(owner), start, end, exclusive);
    this.gc(s);
    return removed;
  }

  /** Releases the owner's locks on [start, end) (splitting them), then retries waiters. */
  unlock(file: LockFile, owner: LockOwner, start: bigint, end: bigint): void {
    const s = this.files.get(file.key);
    if (!s) return;
    const key = ownerKey(owner);
    if (this.backing && s.locks.some((l) => ownerKey(l.owner) === key && overlaps(l, start, end))) {
      this.backing.set(s.file, key, start, end, 'unlock');
    }
    this.carve(s, key, start, end);
    this.dropIfIdle(s, key);
    this.wake(s);
    this.gc(s);
  }

  /** Releases everything a host holds or waits for (NSM: it rebooted; FREE_ALL). */
  releaseHost(host: string): number {
    let n = 0;
    for (const s of [...this.files.values()]) {
      for (const w of s.waiters.filter((x) => x.owner.host === host)) {
        this.removeWaiter(s, w.ownerKey, w.start, w.end, w.exclusive);
      }
      const owners = new Set(s.locks.filter((l) => l.owner.host === host).map((l) => ownerKey(l.owner)));
      for (const key of owners) {
        for (const l of s.locks.filter((x) => ownerKey(x.owner) === key)) {
          if (this.backing) this.backing.set(s.file, key, l.start, l.end, 'unlock');
          n++;
        }
        this.carve(s, key, 0n, LOCK_EOF);
        this.dropIfIdle(s, key);
      }
      this.wake(s);
      this.gc(s);
    }
    return n;
  }

  /** Drops every lock and waiter (server shutdown); the backing descriptors close. */
  close(): void {
    for (const host of this.hosts()) this.releaseHost(host);
    for (const s of this.files.values()) s.waiters.length = 0;
    this.files.clear();
    this.hostWaiters.clear();
    this.totalWaiters = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.backing?.close?.();
  }

  private state(file: LockFile): FileState {
    let s = this.files.get(file.key);
    if (!s) {
      s = { file, locks: [], waiters: [] };
      this.files.set(file.key, s);
    } else {
      s.file = file; // the newest path (a rename since)
    }
    return s;
  }

  private gc(s: FileState): void {
    if (s.locks.length === 0 && s.waiters.length === 0) this.files.delete(s.file.key);
  }

  private conflict(s: FileState, key: string, start: bigint, end: bigint, exclusive: boolean): HeldLock | null {
    for (const l of s.locks) {
      if ((exclusive || l.exclusive) && overlaps(l, start, end) && ownerKey(l.owner) !== key) return l;
    }
    return null;
  }

  private tryLock(s: FileState, owner: LockOwner, key: string, start: bigint, end: bigint, exclusive: boolean): LockResult {
    const c = this.conflict(s, key, start, end, exclusive);
    if (c) return { status: 'denied', holder: c };
    // one request adds at most two ranges (a split); bound the host's total
    if ((this.hostLocks.get(owner.host) ?? 0) + 2 > this.maxLocksPerHost || this.totalLocks + 2 > this.maxLocks) return { status: 'nolocks' };
    if (this.backing) {
      const b = this.backing.set(s.file, key, start, end, exclusive ? 'write' : 'read');
      if (b === 'conflict') {
        const local = this.backing.test?.(s.file, key, start, end, exclusive);
        return { status: 'denied', holder: { owner: LOCAL_OWNER, start: local?.start ?? start, end: local?.end ?? end, exclusive: local?.exclusive ?? true } };
      }
    }
    this.carve(s, key, start, end);
    this.insertMerged(s, { owner, start, end, exclusive }, key);
    return { status: 'granted' };
  }

  /** Removes the owner's coverage of [start, end), keeping the parts outside it. */
  private carve(s: FileState, key: string, start: bigint, end: bigint): void {
    const out: HeldLock[] = [];
    let delta = 0;
    let host = '';
    for (const l of s.locks) {
      if (ownerKey(l.owner) !== key || !overlaps(l, start, end)) {
        out.push(l);
        continue;
      }
      host = l.owner.host;
      delta--;
      if (l.start < start) {
        out.push({ ...l, end: start });
        delta++;
      }
      if (l.end > end) {
        out.push({ ...l, start: end });
        delta++;
      }
    }
    s.locks = out;
    if (delta !== 0) this.countLocks(host, delta);
  }

  /** Adds a lock, merged with the owner's touching locks of the same type. */
  private insertMerged(s: FileState, n: HeldLock, key: string): void {
    let { start, end } = n;
    const out: HeldLock[] = [];
    let merged = 0;
    for (const l of s.locks) {
      if (ownerKey(l.owner) === key && l.exclusive === n.exclusive && l.start <= end && start <= l.end) {
        if (l.start < start) start = l.start;
        if (l.end > end) end = l.end;
        merged++;
        continue;
      }
      out.push(l);
    }
    out.push({ owner: n.owner, start, end, exclusive: n.exclusive });
    s.locks = out;
    this.countLocks(n.owner.host, 1 - merged);
  }

  private countLocks(host: string, delta: number): void {
    this.totalLocks += delta;
    const n = (this.hostLocks.get(host) ?? 0) + delta;
    if (n <= 0) this.hostLocks.delete(host);
    else this.hostLocks.set(host, n);
  }

  private dropIfIdle(s: FileState, key: string): void {
    if (this.backing && !s.locks.some((l) => ownerKey(l.owner) === key)) this.backing.drop(s.file, key);
  }

  private removeWaiter(s: FileState, key: string, start: bigint, end: bigint, exclusive: boolean): boolean {
    const i = s.waiters.findIndex((w) => w.ownerKey === key && w.start === start && w.end === end && w.exclusive === exclusive);
    if (i < 0) return false;
    const [w] = s.waiters.splice(i, 1);
    this.totalWaiters--;
    const n = (this.hostWaiters.get(w!.owner.host) ?? 1) - 1;
    if (n <= 0) this.hostWaiters.delete(w!.owner.host);
    else this.hostWaiters.set(w!.owner.host, n);
    return true;
  }

  /** Grants the queued requests that no longer conflict, in order. */
  private wake(s: FileState): void {
    let blockedLocally = false;
    for (const w of [...s.waiters]) {
      const r = this.tryLock(s, w.owner, w.ownerKey, w.start, w.end, w.exclusive);
      if (r.status === 'granted') {
        this.removeWaiter(s, w.ownerKey, w.start, w.end, w.exclusive);
        try {
          w.granted({ owner: w.owner, start: w.start, end: w.end, exclusive: w.exclusive });
        } catch (err) {
          this.logger?.warn({ err }, 'lock grant callback failed');
        }
      } else if (r.status === 'denied' && r.holder.owner === LOCAL_OWNER) {
        blockedLocally = true;
      }
    }
    if (blockedLocally) this.retryLater(s);
  }

  /** Waiters blocked by a process outside the table get no event: retry them on a timer. */
  private retryLater(s: FileState): void {
    this.localBlocked.add(s.file.key);
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      const keys = [...this.localBlocked];
      this.localBlocked.clear();
      for (const k of keys) {
        const st = this.files.get(k);
        if (st && st.waiters.length > 0) {
          this.wake(st);
          this.gc(st);
        }
      }
    }, this.localRetryMs);
    this.retryTimer.unref();
  }
}
