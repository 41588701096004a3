import type { CallContext, Procedure } from '@nfsts/rpc';
import { xdr_void } from '@nfsts/xdr';
import type { MountContext } from './context.js';

/** MOUNTPROC_UMNTALL: forget every mount of this client host. */
export function umntall(m: MountContext): Procedure<void, void> {
  return {
    name: 'UMNTALL',
    args: xdr_void,
    res: xdr_void,
    handler(_args: void, ctx: CallContext): void {
      m.mounts.removeHost(ctx.remoteAddress);
    },
  };
}
