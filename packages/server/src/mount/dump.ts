import type { Procedure } from '@nfsts/rpc';
import { xdr_mountlist, xdr_void } from '@nfsts/xdr';
import type { mountlist } from '@nfsts/xdr';
import type { MountContext } from './context.js';

/** MOUNTPROC_DUMP: the (client host, directory) pairs currently mounted. */
export function dump(m: MountContext): Procedure<void, mountlist> {
  return {
    name: 'DUMP',
    args: xdr_void,
    res: xdr_mountlist,
    handler(): mountlist {
      return m.mounts.list().map((e) => ({ ml_hostname: e.hostname, ml_directory: e.directory })) as mountlist;
    },
  };
}
