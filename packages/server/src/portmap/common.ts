import { isIPv4, isIPv6 } from 'node:net';
import type { CallContext } from '@nfsts/rpc';

/** SET and UNSET are honoured only from this host, as rpcbind does. */
export function isLocalCaller(ctx: CallContext): boolean {
  const a = ctx.remoteAddress;
  if (isIPv4(a)) return a.startsWith('127.');
  if (a.startsWith('::ffff:')) return a.slice(7).startsWith('127.');
  return isIPv6(a) && a === '::1';
}
