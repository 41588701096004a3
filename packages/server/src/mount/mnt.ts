import type { CallContext, Procedure } from '@nfsts/rpc';
import { mountstat3, xdr_dirpath, xdr_fhstatus, xdr_mountres3 } from '@nfsts/xdr';
import type { fhstatus, mountres3 } from '@nfsts/xdr';
import { authorizeMount } from './authorize.js';
import type { MountContext } from './context.js';

/** Flavors offered to a v3 client, in order of preference (RFC 1813 mountres3_ok.auth_flavors). */
export const MOUNT_AUTH_FLAVORS = [1 /* AUTH_SYS */, 0 /* AUTH_NONE */];

/** MOUNTPROC3_MNT: the handle of the export (or a directory below it) and the auth flavors. */
export function mnt3(m: MountContext): Procedure<string, mountres3> {
  return {
    name: 'MNT',
    args: xdr_dirpath,
    res: xdr_mountres3,
    async handler(dirpath: string, ctx: CallContext): Promise<mountres3> {
      const g = await authorizeMount(m, dirpath, ctx);
      if (typeof g === 'number') return { fhs_status: g } as mountres3;
      m.mounts.add(ctx.remoteAddress, g.path);
      ctx.logger.trace({ client: ctx.remoteAddress, dirpath: g.path }, 'mounted');
      return { fhs_status: mountstat3.MNT3_OK, mountinfo: { fhandle: g.handle, auth_flavors: MOUNT_AUTH_FLAVORS } };
    },
  };
}

/** Size of an NFSv2 handle (RFC 1094 FHSIZE), which MOUNT v1 returns. */
export const FHSIZE = 32;

/**
 * MOUNTPROC_MNT (v1): RFC 1094 `fhstatus`, a fixed 32-byte NFSv2 handle. We serve NFSv3
 * only (NFSv2 calls get PROG_MISMATCH 3..3), so a v1 handle is of no use for file access;
 * it is answered for clients that probe with v1. Our handles fit in 32 bytes only when the
 * core makes them that short; then they are zero-padded, else the answer is NFSERR_NODEV
 * (19: "no such device" as far as NFSv2 is concerned) rather than a truncated handle.
 */
export function mnt1(m: MountContext): Procedure<string, fhstatus> {
  return {
    name: 'MNT',
    args: xdr_dirpath,
    res: xdr_fhstatus,
    async handler(dirpath: string, ctx: CallContext): Promise<fhstatus> {
      const g = await authorizeMount(m, dirpath, ctx);
      if (typeof g === 'number') return { fhs_status: g } as fhstatus;
      if (g.handle.length > FHSIZE) return { fhs_status: 19 } as fhstatus;
      const fh = Buffer.alloc(FHSIZE);
      g.handle.copy(fh);
      m.mounts.add(ctx.remoteAddress, g.path);
      return { fhs_status: 0, fhs_fhandle: fh } as fhstatus;
    },
  };
}
