/**
 * NFSPROC3_COMMIT (21): flushes the file (fsync; the whole file, which covers any range) and
 * answers the server's write verifier, so a client whose verifier changed resends its
 * unstable writes.
 */
import type { Stats as BigIntStats } from '../core/index.js';
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_COMMIT3args, xdr_COMMIT3res, type COMMIT3args, type COMMIT3res } from '@nfsts/xdr';
import { errStatus, mayWriteFile, notRegular, target, wcc, type Nfs3Env, type NfsErr } from './common.js';

export function commit(env: Nfs3Env): Procedure<COMMIT3args, COMMIT3res> {
  return {
    name: 'COMMIT',
    args: xdr_COMMIT3args,
    res: xdr_COMMIT3res,
    async handler(args, ctx) {
      const t = await target(env, args.file, ctx);
      if (typeof t === 'number') return { status: t, resfail: { file_wcc: wcc(env, null, null) } };
      const fail = (status: NfsErr, after: BigIntStats | undefined = t.stats): COMMIT3res => ({ status, resfail: { file_wcc: wcc(env, t.stats, after) } });
      if (t.exp.options.ro) return fail(nfsstat3.NFS3ERR_ROFS);
      const bad = notRegular(t.stats);
      if (bad !== 0) return fail(bad);
      if (!mayWriteFile(t.stats, t.cred)) return fail(nfsstat3.NFS3ERR_ACCES);
      let after: BigIntStats;
      try {
        const f = await env.core.fileCache.get(t.exp.id, t, t.stats, 'r');
        try {
          await env.core.backend.fsync(f.fd);
          after = await env.core.backend.fstat(f.fd);
        } finally {
          f.put();
        }
      } catch (err) {
        return fail(errStatus(env, err, 'COMMIT'), undefined);
      }
      return { status: nfsstat3.NFS3_OK, resok: { file_wcc: wcc(env, t.stats, after), verf: env.core.writeVerifier } };
    },
  };
}
