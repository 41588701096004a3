import type { CallContext, Procedure } from '@nfsts/rpc';
import { xdr_dirpath, xdr_void } from '@nfsts/xdr';
import { normalizeDirpath } from './authorize.js';
import type { MountContext } from './context.js';

/** MOUNTPROC_UMNT: forget that this client mounted `dirpath`. Always void, as in RFC 1813. */
export function umnt(m: MountContext): Procedure<string, void> {
  return {
    name: 'UMNT',
    args: xdr_dirpath,
    res: xdr_void,
    handler(dirpath: string, ctx: CallContext): void {
      const path = normalizeDirpath(dirpath);
      if (path !== null) m.mounts.remove(ctx.remoteAddress, path);
    },
  };
}
