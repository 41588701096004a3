/**
 * Byte-range locks over NLM v4 for one NfsClient: each client is one lock owner (as a process
 * is for fcntl), each NfsFileHandle's flock() another (as an open file description is).
 * NLM is asked on the NFS port first (nfsts serves it there), then through the server's
 * portmapper (nfs-ganesha, knfsd). Blocked requests wait for NLM_GRANTED at the process's
 * lockd, and are re-sent every `pollMs` in case the callback cannot reach us. After the
 * server's SM_NOTIFY every held lock is reclaimed.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RpcClient, type CallOptions, type RpcCallable } from '@nfsts/rpc';
import {
  IPPROTO_TCP, NLM4_VERS, NLM_PROG, NLMPROC4_CANCEL, NLMPROC4_LOCK, NLMPROC4_NULL, NLMPROC4_TEST, NLMPROC4_UNLOCK, PMAPPROC_GETPORT, PMAP_PROG, PMAP_VERS,
  nlm4_stats, xdr_mapping, xdr_nlm4_cancargs, xdr_nlm4_lockargs, xdr_nlm4_res, xdr_nlm4_testargs, xdr_nlm4_testres, xdr_nlm4_unlockargs, xdr_uint, xdr_void,
  type Codec, type nlm4_lock,
} from '@nfsts/xdr';
import { NfsFsError } from '../errors.js';
import { carve, END, type HeldRange } from './held.js';
import { ClientLockd, grantKey } from './lockd.js';

/** How often a blocked request is re-sent when no NLM_GRANTED came (Linux: 30 s). */
export const DEFAULT_LOCK_POLL_MS = 5_000;
/** How often a lock refused for the server's grace period is retried while waiting. */
export const DEFAULT_GRACE_RETRY_MS = 1_000;

export interface LockDefaults {
  /** our name in NLM calls (the server's SM_NOTIFY goes to it). Default: the host name. */
  callerName?: string;
  /** the portmapper the process's lockd registers with. Default 111. */
  lockdPortmapPort?: number;
  pollMs?: number;
  graceRetryMs?: number;
}

const defaults: Required<LockDefaults> = { callerName: hostname(), lockdPortmapPort: 111, pollMs: DEFAULT_LOCK_POLL_MS, graceRetryMs: DEFAULT_GRACE_RETRY_MS };

/** Sets what lock clients created from now on use (tests: a portmapper on an ephemeral port). */
export function setLockDefaults(d: LockDefaults): void {
  Object.assign(defaults, Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)));
}

let lockd: { d: ClientLockd; ready: Promise<void>; users: number } | null = null;

function acquireLockd(): { d: ClientLockd; ready: Promise<void> } {
  if (lockd === null) {
    const d = new ClientLockd({ portmapPort: defaults.lockdPortmapPort });
    lockd = { d, ready: d.start(), users: 0 };
  }
  lockd.users++;
  return lockd;
}

async function releaseLockd(): Promise<void> {
  if (lockd === null) return;
  if (--lockd.users > 0) return;
  const l = lockd;
  lockd = null;
  await l.ready.catch(() => {});
  await l.d.close();
}

/** The process's lockd, if one runs (tests read its grant count). */
export function currentLockd(): ClientLockd | null {
  return lockd?.d ?? null;
}

export interface LockOptions {
  exclusive?: boolean;
  /** wait for a conflicting lock to go (F_SETLKW) instead of failing with EAGAIN */
  wait?: boolean;
  signal?: AbortSignal;
  /** @internal a handle's flock owner */
  svid?: number;
}

export interface NlmTarget {
  host: string;
  portmapPort: number;
  /** the NFS connection, where nfsts also serves NLM */
  nfsRpc: RpcClient;
  timeoutMs: number;
  /** LOCALIO: the same call in-process when the server shares this process (undefined: send it by RPC) */
  local?: (prog: number, vers: number, proc: number, args: unknown) => Promise<unknown> | undefined;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((resolve, reject) => {
  if (signal?.aborted) return reject(signal.reason);
  const t = setTimeout(() => {
    signal?.removeEventListener('abort', onAbort);
    resolve();
  }, ms);
  const onAbort = (): void => {
    clearTimeout(t);
    reject(signal!.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
});

export class NlmLockClient {
  /** this client's owner handle (oh); svid 0 is its fcntl-style owner */
  readonly oh = randomBytes(8);
  readonly callerName = defaults.callerName;
  private rpc: RpcCallable | null = null;
  private ownRpc: RpcClient | null = null;
  private readonly held = new Map<string, { fh: Buffer; svid: number; ranges: HeldRange[] }>();
  private readonly lockd = acquireLockd();
  private readonly offReboot: () => void;
  private closed = false;
  /** reclaims done after SM_NOTIFY (tests) */
  reclaims = 0;
  /** NLM calls made in-process through LOCALIO rather than by RPC (tests) */
  localCalls = 0;

  constructor(private readonly t: NlmTarget) {
    this.offReboot = this.lockd.d.onReboot(() => void this.reclaim());
  }

  /** NLM by RPC, or in-process while LOCALIO binds us to the server (one lock table either way). */
  private async nlm(): Promise<RpcCallable> {
    const rpc = await this.nlmRpc();
    const local = this.t.local;
    if (local === undefined) return rpc;
    return {
      call: <A, R>(prog: number, vers: number, proc: number, args: Codec<A>, value: A, res: Codec<R>, opts?: CallOptions): Promise<R> => {
        const p = local(prog, vers, proc, value);
        if (p === undefined) return rpc.call(prog, vers, proc, args, value, res, opts);
        this.localCalls++;
        return p as Promise<R>;
      },
    };
  }

  private async nlmRpc(): Promise<RpcCallable> {
    if (this.rpc) return this.rpc;
    await this.lockd.ready;
    try {
      await this.t.nfsRpc.call(NLM_PROG, NLM4_VERS, NLMPROC4_NULL, xdr_void, undefined, xdr_void, { timeoutMs: this.t.timeoutMs });
      this.rpc = this.t.nfsRpc;
      return this.rpc;
    } catch {
      // not on the NFS port: ask the server's portmapper
    }
    const pm = new RpcClient({ host: this.t.host, port: this.t.portmapPort, timeoutMs: this.t.timeoutMs, reconnect: { retries: 0 } });
    let port: number;
    try {
      await pm.connect();
      port = await pm.call(PMAP_PROG, PMAP_VERS, PMAPPROC_GETPORT, xdr_mapping, { prog: NLM_PROG, vers: NLM4_VERS, prot: IPPROTO_TCP, port: 0 }, xdr_uint);
    } catch (err) {
      throw new NfsFsError('ENOLCK', 'lock', '', { cause: err });
    } finally {
      await pm.close();
    }
    if (port === 0) throw new NfsFsError('ENOLCK', 'lock', '');
    this.ownRpc = new RpcClient({ host: this.t.host, port, timeoutMs: this.t.timeoutMs });
    this.rpc = this.ownRpc;
    return this.rpc;
  }

  private alock(fh: Buffer, svid: number, start: bigint, length: bigint): nlm4_lock {
    return { caller_name: this.callerName, fh, oh: this.oh, svid, l_offset: start, l_len: length };
  }

  /**
   * Locks [start, start+length) (length 0: to the end of the file and beyond). Without `wait` a
   * conflict throws EAGAIN; in the server's grace period ENOLCK (with `wait`: retried).
   */
  async lock(fh: Buffer, path: string, start: bigint, length: bigint, o: LockOptions = {}, reclaim = false): Promise<void> {
    const exclusive = o.exclusive ?? true;
    const svid = o.svid ?? 0;
    const rpc = await this.nlm();
    const alock = this.alock(fh, svid, start, length);
    const wait = o.wait === true;
    for (;;) {
      let granted = false;
      let wake: (() => void) | null = null;
      const undo = wait ? this.lockd.d.expect(grantKey(fh, this.oh, svid, start, length, exclusive), () => {
        granted = true;
        wake?.();
      }) : () => {};
      try {
        const r = await rpc.call(NLM_PROG, NLM4_VERS, NLMPROC4_LOCK, xdr_nlm4_lockargs,
          { cookie: randomBytes(4), block: wait, exclusive, alock, reclaim, state: 0 }, xdr_nlm4_res, { timeoutMs: this.t.timeoutMs });
        const s = r.stat.stat;
        if (s === nlm4_stats.NLM4_GRANTED) granted = true;
        else if (s === nlm4_stats.NLM4_DENIED) throw new NfsFsError('EAGAIN', 'lock', path);
        else if (s === nlm4_stats.NLM4_DENIED_GRACE_PERIOD) {
          if (!wait) throw new NfsFsError('ENOLCK', 'lock', path);
          await sleep(defaults.graceRetryMs, o.signal);
          continue;
        } else if (s === nlm4_stats.NLM4_STALE_FH) throw new NfsFsError('ESTALE', 'lock', path);
        else if (s !== nlm4_stats.NLM4_BLOCKED) throw new NfsFsError('ENOLCK', 'lock', path, { cause: new Error(`NLM status ${nlm4_stats[s] ?? s}`) });
        if (!granted) {
          // blocked: the grant comes by NLM_GRANTED, or a re-sent request finds it free
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, defaults.pollMs);
            const onAbort = (): void => finish(() => reject(o.signal!.reason));
            const finish = (f: () => void): void => {
              clearTimeout(timer);
              o.signal?.removeEventListener('abort', onAbort);
              wake = null;
              f();
            };
            wake = () => finish(resolve);
            if (o.signal?.aborted) onAbort();
            else o.signal?.addEventListener('abort', onAbort, { once: true });
          }).catch(async (err: unknown) => {
            await rpc.call(NLM_PROG, NLM4_VERS, NLMPROC4_CANCEL, xdr_nlm4_cancargs, { cookie: randomBytes(4), block: true, exclusive, alock }, xdr_nlm4_res).catch(() => {});
            // a grant that raced the cancel is given back
            if (granted) await this.unlock(fh, path, start, length, svid).catch(() => {});
            throw err;
          });
          if (!granted) continue;
        }
      } finally {
        undo();
      }
      this.remember(fh, svid, start, length, exclusive);
      return;
    }
  }

  /** NLM TEST: the conflicting lock, or null. */
  async test(fh: Buffer, start: bigint, length: bigint, exclusive = true, svid = 0): Promise<{ exclusive: boolean; start: bigint; length: bigint; svid: number } | null> {
    const rpc = await this.nlm();
    const r = await rpc.call(NLM_PROG, NLM4_VERS, NLMPROC4_TEST, xdr_nlm4_testargs,
      { cookie: randomBytes(4), exclusive, alock: this.alock(fh, svid, start, length) }, xdr_nlm4_testres, { timeoutMs: this.t.timeoutMs });
    if (r.stat.stat === nlm4_stats.NLM4_GRANTED) return null;
    if (r.stat.stat === nlm4_stats.NLM4_DENIED) return { exclusive: r.stat.holder.exclusive, start: r.stat.holder.l_offset, length: r.stat.holder.l_len, svid: r.stat.holder.svid };
    throw new NfsFsError('ENOLCK', 'lock', '');
  }

  async unlock(fh: Buffer, path: string, start: bigint, length: bigint, svid = 0): Promise<void> {
    const rpc = await this.nlm();
    for (;;) {
      const r = await rpc.call(NLM_PROG, NLM4_VERS, NLMPROC4_UNLOCK, xdr_nlm4_unlockargs,
        { cookie: randomBytes(4), alock: this.alock(fh, svid, start, length) }, xdr_nlm4_res, { timeoutMs: this.t.timeoutMs });
      if (r.stat.stat === nlm4_stats.NLM4_DENIED_GRACE_PERIOD) {
        await sleep(defaults.graceRetryMs);
        continue;
      }
      if (r.stat.stat !== nlm4_stats.NLM4_GRANTED) throw new NfsFsError('ENOLCK', 'unlock', path);
      break;
    }
    const k = `${fh.toString('hex')}:${svid}`;
    const h = this.held.get(k);
    if (h) {
      h.ranges = carve(h.ranges, start, length === 0n ? END : start + length);
      if (h.ranges.length === 0) this.held.delete(k);
    }
  }

  private remember(fh: Buffer, svid: number, start: bigint, length: bigint, exclusive: boolean): void {
    const k = `${fh.toString('hex')}:${svid}`;
    let h = this.held.get(k);
    if (!h) {
      h = { fh: Buffer.from(fh), svid, ranges: [] };
      this.held.set(k, h);
    }
    const end = length === 0n ? END : start + length;
    h.ranges = carve(h.ranges, start, end);
    h.ranges.push({ start, end, exclusive });
  }

  /** After the server restarted (SM_NOTIFY): every held lock again, as a reclaim. */
  async reclaim(): Promise<void> {
    if (this.closed) return;
    for (const h of [...this.held.values()]) {
      for (const r of [...h.ranges]) {
        try {
          await this.lock(h.fh, '', r.start, r.end === END ? 0n : r.end - r.start, { exclusive: r.exclusive, svid: h.svid }, true);
          this.reclaims++;
        } catch {
          // lost: the server gave it to someone else; nothing to do but forget it
        }
      }
    }
  }

  /** Releases what this client holds and the process lockd reference. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.offReboot();
    for (const h of [...this.held.values()]) await this.unlock(h.fh, '', 0n, 0n, h.svid).catch(() => {});
    await this.ownRpc?.close();
    await releaseLockd();
  }
}
