/**
 * NFSPROC3_RMDIR (13): removes an empty directory (NOTEMPTY otherwise, NOTDIR for anything
 * else). '.' and '..' are refused with ACCES, as nfsd does. The checks are REMOVE's
 * (`removeEntry`), and so is the synchronous path (`removeEntrySync`).
 */
import type { Procedure } from '@nfsts/rpc';
import { xdr_RMDIR3args, xdr_RMDIR3res, type RMDIR3args, type RMDIR3res } from '@nfsts/xdr';
import type { Nfs3Env } from './common.js';
import { removeEntry, removeEntrySync } from './remove.js';

export function rmdir(env: Nfs3Env): Procedure<RMDIR3args, RMDIR3res> {
  return {
    name: 'RMDIR',
    args: xdr_RMDIR3args,
    res: xdr_RMDIR3res,
    handler: (args, ctx) => removeEntrySync(env, args.object, ctx, true) ?? removeEntry(env, args.object, ctx, true),
  };
}
