import type { CallContext } from '@nfsts/rpc';
import { nlm4_stats, type nlm4_shareargs, type nlm4_shareres } from '@nfsts/xdr';
import type { NlmContext } from './context.js';
import { lockFileOf } from './file.js';

/** NLM4_SHARE: a DOS share reservation (access + deny mode) on the whole file. */
export async function nlmShare(n: NlmContext, a: nlm4_shareargs, _ctx: CallContext): Promise<nlm4_shareres> {
  const cookie = Buffer.from(a.cookie);
  if (n.grace.active && !a.reclaim) return { cookie, stat: nlm4_stats.NLM4_DENIED_GRACE_PERIOD, sequence: 0 };
  const file = await lockFileOf(n, a.share.fh);
  if (typeof file === 'number') return { cookie, stat: file, sequence: 0 };
  const ok = n.shares.share(file.key, { host: a.share.caller_name, oh: a.share.oh.toString('hex'), access: a.share.access, deny: a.share.mode });
  return { cookie, stat: ok ? nlm4_stats.NLM4_GRANTED : nlm4_stats.NLM4_DENIED, sequence: 0 };
}
