import type { CallContext } from '@nfsts/rpc';
import { nlm4_stats, type nlm4_shareargs, type nlm4_shareres } from '@nfsts/xdr';
import type { NlmContext } from './context.js';
import { lockFileOf } from './file.js';

/** NLM4_UNSHARE: drops the caller's reservation on the file. */
export async function nlmUnshare(n: NlmContext, a: nlm4_shareargs, _ctx: CallContext): Promise<nlm4_shareres> {
  const cookie = Buffer.from(a.cookie);
  if (n.grace.active) return { cookie, stat: nlm4_stats.NLM4_DENIED_GRACE_PERIOD, sequence: 0 };
  const file = await lockFileOf(n, a.share.fh);
  if (typeof file === 'number') return { cookie, stat: file, sequence: 0 };
  n.shares.unshare(file.key, a.share.caller_name, a.share.oh.toString('hex'));
  return { cookie, stat: nlm4_stats.NLM4_GRANTED, sequence: 0 };
}
