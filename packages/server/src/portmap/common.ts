import { isIPv4, isIPv6 } from 'node:net';
import type { CallContext } from '@nfsts/rpc';
import { stringSize } from '@nfsts/xdr';
import type { Codec } from '@nfsts/xdr';

/** SET and UNSET are honoured only from this host, as rpcbind does. */
export function isLocalCaller(ctx: CallContext): boolean {
  const a = ctx.remoteAddress;
  if (isIPv4(a)) return a.startsWith('127.');
  if (a.startsWith('::ffff:')) return a.slice(7).startsWith('127.');
  return isIPv6(a) && a === '::1';
}

/** `bool` results (SET/UNSET). */
export const xdr_bool_result: Codec<boolean> = {
  size: () => 4,
  encode: (w, v) => w.bool(v),
  decode: (r) => r.bool(),
};

/** `unsigned int` results (GETPORT, GETTIME). */
export const xdr_uint_result: Codec<number> = {
  size: () => 4,
  encode: (w, v) => w.u32(v),
  decode: (r) => r.u32(),
};

/** `string` results (GETADDR, GETVERSADDR: a universal address, '' when not registered). */
export const xdr_string_result: Codec<string> = {
  size: (v) => stringSize(v),
  encode: (w, v) => w.string(v),
  decode: (r) => r.string(),
};
