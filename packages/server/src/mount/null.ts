import type { Procedure } from '@nfsts/rpc';
import { xdr_void } from '@nfsts/xdr';

/** MOUNTPROC_NULL / MOUNTPROC3_NULL: does nothing, answers void. */
export function mountNull(): Procedure<void, void> {
  return { name: 'NULL', args: xdr_void, res: xdr_void, handler: () => {} };
}
