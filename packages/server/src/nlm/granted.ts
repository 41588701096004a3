import type { CallContext } from '@nfsts/rpc';
import { nlm4_stats, type nlm4_res, type nlm4_testargs } from '@nfsts/xdr';
import type { NlmContext } from './context.js';

/**
 * NLM4_GRANTED to the server: only a client's lockd waits for grants, and this server never
 * asks another one for locks, so there is no request it could match: DENIED.
 */
export function nlmGranted(_n: NlmContext, a: nlm4_testargs, _ctx: CallContext): nlm4_res {
  return { cookie: Buffer.from(a.cookie), stat: { stat: nlm4_stats.NLM4_DENIED } };
}
