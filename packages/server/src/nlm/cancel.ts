import type { CallContext } from '@nfsts/rpc';
import { nlm4_stats, type nlm4_cancargs, type nlm4_res } from '@nfsts/xdr';
import type { NlmContext } from './context.js';
import { lockFileOf } from './file.js';
import { ownerOf, rangeOf } from './owner.js';

/** NLM4_CANCEL: withdraws a queued blocking request; DENIED when there was none (already granted or never queued). */
export async function nlmCancel(n: NlmContext, a: nlm4_cancargs, _ctx: CallContext): Promise<nlm4_res> {
  const cookie = Buffer.from(a.cookie);
  if (n.grace.active) return { cookie, stat: { stat: nlm4_stats.NLM4_DENIED_GRACE_PERIOD } };
  const file = await lockFileOf(n, a.alock.fh);
  if (typeof file === 'number') return { cookie, stat: { stat: file } };
  const { start, end } = rangeOf(a.alock);
  const ok = n.locks.cancel(file, ownerOf(a.alock), start, end, a.exclusive);
  return { cookie, stat: { stat: ok ? nlm4_stats.NLM4_GRANTED : nlm4_stats.NLM4_DENIED } };
}
