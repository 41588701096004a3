import type { Procedure } from '@nfsts/rpc';
import { xdr_void } from '@nfsts/xdr';

/** NLM_NULL / NLMPROC4_NULL: does nothing. */
export function nlmNull(): Procedure<void, void> {
  return { name: 'NULL', args: xdr_void, res: xdr_void, handler: () => {} };
}
