import type { CallContext } from '@nfsts/rpc';
import { nlm4_stats, type nlm4_testargs, type nlm4_testres } from '@nfsts/xdr';
import { LOCK_EOF } from './lock-manager.js';
import type { NlmContext } from './context.js';
import { lockFileOf } from './file.js';
import { ownerOf, rangeOf } from './owner.js';

/** NLM4_TEST: would this lock be granted? If not, who holds the conflicting one. */
export async function nlmTest(n: NlmContext, a: nlm4_testargs, _ctx: CallContext): Promise<nlm4_testres> {
  const cookie = Buffer.from(a.cookie);
  if (n.grace.active) return { cookie, stat: { stat: nlm4_stats.NLM4_DENIED_GRACE_PERIOD } };
  const file = await lockFileOf(n, a.alock.fh);
  if (typeof file === 'number') return { cookie, stat: { stat: file } } as nlm4_testres;
  const { start, end } = rangeOf(a.alock);
  const h = n.locks.test(file, ownerOf(a.alock), start, end, a.exclusive);
  if (h === null) return { cookie, stat: { stat: nlm4_stats.NLM4_GRANTED } };
  return {
    cookie,
    stat: {
      stat: nlm4_stats.NLM4_DENIED,
      holder: { exclusive: h.exclusive, svid: h.owner.svid, oh: h.owner.oh, l_offset: h.start, l_len: h.end === LOCK_EOF ? 0n : h.end - h.start },
    },
  };
}
