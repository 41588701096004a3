import type { CallContext } from '@nfsts/rpc';
import { nlm4_stats, type nlm4_res, type nlm4_unlockargs } from '@nfsts/xdr';
import type { NlmContext } from './context.js';
import { lockFileOf } from './file.js';
import { ownerOf, rangeOf } from './owner.js';

/** NLM4_UNLOCK: always GRANTED, also for a range not held (as POSIX F_UNLCK). */
export async function nlmUnlock(n: NlmContext, a: nlm4_unlockargs, _ctx: CallContext): Promise<nlm4_res> {
  const cookie = Buffer.from(a.cookie);
  if (n.grace.active) return { cookie, stat: { stat: nlm4_stats.NLM4_DENIED_GRACE_PERIOD } };
  const file = await lockFileOf(n, a.alock.fh);
  if (typeof file === 'number') return { cookie, stat: { stat: file } };
  const { start, end } = rangeOf(a.alock);
  n.locks.unlock(file, ownerOf(a.alock), start, end);
  n.watcher.hostsChanged();
  return { cookie, stat: { stat: nlm4_stats.NLM4_GRANTED } };
}
