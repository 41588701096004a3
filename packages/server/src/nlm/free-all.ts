import type { CallContext } from '@nfsts/rpc';
import type { nlm4_notify } from '@nfsts/xdr';
import type { NlmContext } from './context.js';

/** NLM4_FREE_ALL: the named client (an unmonitored one, after a reboot) drops every lock and share. */
export function nlmFreeAll(n: NlmContext, a: nlm4_notify, _ctx: CallContext): void {
  n.locks.releaseHost(a.name);
  n.shares.releaseHost(a.name);
  n.watcher.hostsChanged();
}
