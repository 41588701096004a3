/**
 * NFSPROC3_FSINFO (19): transfer sizes and properties. rtmax/wtmax set the client's rsize and
 * wsize, so they are 1 MiB (the RPC layer's record limit is above 1 MiB + headers).
 */
import type { Procedure } from '@nfsts/rpc';
import {
  nfsstat3, xdr_FSINFO3args, xdr_FSINFO3res, FSF3_LINK, FSF3_SYMLINK, FSF3_HOMOGENEOUS, FSF3_CANSETTIME,
  type FSINFO3args, type FSINFO3res,
} from '@nfsts/xdr';
import { postOp, target, NO_ATTR, type Nfs3Env } from './common.js';

/** Largest READ the server answers in full, and its preferred size. */
export const RTMAX = 1024 * 1024;
/** Largest WRITE the server accepts, and its preferred size. */
export const WTMAX = 1024 * 1024;
/** Preferred READDIR size. */
export const DTPREF = 64 * 1024;
/**
 * Largest file size and write end offset: Node's fs takes positions and lengths as numbers,
 * exact up to 2^53 - 1 (8 PiB, above what ext4 or xfs allow per file anyway).
 */
export const MAX_FILE_SIZE = BigInt(Number.MAX_SAFE_INTEGER);
export const FSINFO_PROPERTIES = FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME;

export function fsinfo(env: Nfs3Env): Procedure<FSINFO3args, FSINFO3res> {
  return {
    name: 'FSINFO',
    args: xdr_FSINFO3args,
    res: xdr_FSINFO3res,
    async handler(args, ctx) {
      const t = await target(env, args.fsroot, ctx);
      if (typeof t === 'number') return { status: t, resfail: { obj_attributes: NO_ATTR } };
      return {
        status: nfsstat3.NFS3_OK,
        resok: {
          obj_attributes: postOp(env, t.stats),
          rtmax: RTMAX,
          rtpref: RTMAX,
          rtmult: 4096,
          wtmax: WTMAX,
          wtpref: WTMAX,
          wtmult: 4096,
          dtpref: DTPREF,
          maxfilesize: MAX_FILE_SIZE,
          time_delta: { seconds: 0, nseconds: 1 },
          properties: FSINFO_PROPERTIES,
        },
      };
    },
  };
}
