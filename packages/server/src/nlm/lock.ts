import type { CallContext } from '@nfsts/rpc';
import { NLMPROC4_GRANTED as NLMPROC_GRANTED, nlm4_stats, xdr_nlm4_res, xdr_nlm4_testargs, xdr_nlm_res, xdr_nlm_testargs, type nlm4_lockargs, type nlm4_res } from '@nfsts/xdr';
import { peerAddress, type NlmContext } from './context.js';
import { toV1Lock, toV4Stat } from './convert.js';
import { lockFileOf } from './file.js';
import type { HeldLock, LockFile, LockOwner } from './lock-manager.js';
import { ownerOf, rangeOf } from './owner.js';

/**
 * NLM4_LOCK. In the grace period only reclaims pass. A blocking request that conflicts is
 * queued (NLM4_BLOCKED); when granted, the client's lockd is called back with NLM_GRANTED (in
 * the version it spoke) and, if it does not accept in time, the lock is released again.
 * `monitor` false is NM_LOCK: the caller is not monitored and does not block.
 */
export async function nlmLock(n: NlmContext, a: nlm4_lockargs, ctx: CallContext, monitor = true): Promise<nlm4_res> {
  const cookie = Buffer.from(a.cookie);
  if (n.grace.active && !a.reclaim) return { cookie, stat: { stat: nlm4_stats.NLM4_DENIED_GRACE_PERIOD } };
  const file = await lockFileOf(n, a.alock.fh);
  if (typeof file === 'number') return { cookie, stat: { stat: file } };
  const owner = ownerOf(a.alock);
  const { start, end } = rangeOf(a.alock);
  const address = peerAddress(ctx.remoteAddress);
  const block = a.block && monitor;
  const onGrant = block ? grantBack(n, file, owner, a, ctx.vers, address, cookie) : undefined;
  const r = n.locks.lock(file, owner, start, end, a.exclusive, onGrant);
  if (r.status === 'granted') {
    if (monitor) n.watcher.hostLocked(owner.host, address);
    return { cookie, stat: { stat: nlm4_stats.NLM4_GRANTED } };
  }
  if (r.status === 'blocked') return { cookie, stat: { stat: nlm4_stats.NLM4_BLOCKED } };
  if (r.status === 'nolocks') return { cookie, stat: { stat: nlm4_stats.NLM4_DENIED_NOLOCKS } };
  return { cookie, stat: { stat: nlm4_stats.NLM4_DENIED } };
}

function grantBack(n: NlmContext, file: LockFile, owner: LockOwner, a: nlm4_lockargs, vers: number, address: string, cookie: Buffer): (l: HeldLock) => void {
  // the request's fh and oh are views of the call record: keep copies for the callback
  const alock = { ...a.alock, fh: Buffer.from(a.alock.fh), oh: owner.oh };
  const args = { cookie, exclusive: a.exclusive, alock };
  return (l: HeldLock) => {
    n.watcher.hostLocked(owner.host, address);
    const call = vers >= 4
      ? n.callbacks.nlm(address, vers, NLMPROC_GRANTED, xdr_nlm4_testargs, args, xdr_nlm4_res).then((r) => r.stat.stat)
      : n.callbacks.nlm(address, vers, NLMPROC_GRANTED, xdr_nlm_testargs, { cookie, exclusive: a.exclusive, alock: toV1Lock(alock) }, xdr_nlm_res).then((r) => toV4Stat(r.stat.stat));
    call.then(
      (stat) => {
        if (stat !== nlm4_stats.NLM4_GRANTED) {
          n.logger.debug({ host: owner.host, stat }, 'client refused NLM_GRANTED; lock released');
          n.locks.unlock(file, owner, l.start, l.end);
        }
      },
      (err: unknown) => {
        n.logger.info({ err, host: owner.host, address }, 'client did not answer NLM_GRANTED; lock released');
        n.locks.unlock(file, owner, l.start, l.end);
        n.watcher.hostsChanged();
      },
    );
  };
}
