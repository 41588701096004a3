/** NFSPROC3_NULL (0): does nothing; clients ping with it. */
import type { Procedure } from '@nfsts/rpc';
import { xdr_void } from '@nfsts/xdr';

export function nfsNull(): Procedure<void, void> {
  return { name: 'NULL', args: xdr_void, res: xdr_void, handler: () => undefined };
}
