import type { Procedure } from '@nfsts/rpc';
import { xdr_exports, xdr_void } from '@nfsts/xdr';
import type { exports } from '@nfsts/xdr';
import type { MountContext } from './context.js';

/**
 * MOUNTPROC_EXPORT: every export with the client groups allowed to mount it (an empty
 * group list means everyone, which showmount prints as "(everyone)").
 */
export function exportList(m: MountContext): Procedure<void, exports> {
  return {
    name: 'EXPORT',
    args: xdr_void,
    res: xdr_exports,
    handler(): exports {
      return m.core.exports.map((e) => ({
        ex_dir: e.path,
        ex_groups: e.options.clients.map((c) => ({ gr_name: c })),
      })) as exports;
    },
  };
}
