import type { CallContext } from '@nfsts/rpc';
import type { nlm4_lockargs, nlm4_res } from '@nfsts/xdr';
import type { NlmContext } from './context.js';
import { nlmLock } from './lock.js';

/** NLM4_NM_LOCK: a lock for a client that runs no status monitor: never blocks, never monitored. */
export function nlmNmLock(n: NlmContext, a: nlm4_lockargs, ctx: CallContext): Promise<nlm4_res> {
  return nlmLock(n, a, ctx, false);
}
