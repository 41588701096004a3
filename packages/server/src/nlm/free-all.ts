import type { CallContext } from '@nfsts/rpc';
import type { nlm4_notify } from '@nfsts/xdr';
import { isLocalCaller } from '../portmap/common.js';
import { peerAddress, type NlmContext } from './context.js';

/** NLM4_FREE_ALL: the named client (an unmonitored one, after a reboot) drops every lock and share; only from itself or this machine. */
export function nlmFreeAll(n: NlmContext, a: nlm4_notify, ctx: CallContext): void {
  if (!n.watcher.mayRelease(a.name, peerAddress(ctx.remoteAddress), isLocalCaller(ctx))) {
    n.logger.warn({ host: a.name, from: ctx.remoteAddress }, 'FREE_ALL for a host from another address ignored');
    return;
  }
  n.locks.releaseHost(a.name);
  n.shares.releaseHost(a.name);
  n.watcher.hostsChanged();
}
