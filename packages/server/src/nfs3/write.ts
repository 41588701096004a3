/**
 * NFSPROC3_WRITE (7): writes the request's data (a view of the received record) through the
 * open-file cache. stable_how is honoured: UNSTABLE is not synced, DATA_SYNC is fdatasync'ed
 * and FILE_SYNC fsync'ed before the reply, and `committed` says which was done. The verifier
 * is the server's write verifier (constant for the server's lifetime). Set-id bits are
 * cleared as Linux clears them for an unprivileged writer (modeAfterWrite).
 */
import type { Stats as BigIntStats } from '../core/index.js';
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, stable_how, xdr_WRITE3args, xdr_WRITE3res, type WRITE3args, type WRITE3res } from '@nfsts/xdr';
import { MAX_FILE_SIZE } from './fsinfo.js';
import { errStatus, mayWriteFile, modeAfterWrite, notRegular, targetOpen, wcc, type Nfs3Env, type NfsErr } from './common.js';

export function write(env: Nfs3Env): Procedure<WRITE3args, WRITE3res> {
  return {
    name: 'WRITE',
    args: xdr_WRITE3args,
    res: xdr_WRITE3res,
    async handler(args, ctx) {
      const ot = await targetOpen(env, args.file, ctx, 'rw');
      if (typeof ot === 'number') return { status: ot, resfail: { file_wcc: wcc(env, null, null) } };
      const t = ot.t;
      let held = ot.file;
      try {
        const fail = (status: NfsErr, after: BigIntStats | undefined = t.stats): WRITE3res => ({ status, resfail: { file_wcc: wcc(env, t.stats, after) } });
        if (t.exp.options.ro) return fail(nfsstat3.NFS3ERR_ROFS);
        const bad = notRegular(t.stats);
        if (bad !== 0) return fail(bad);
        if (!mayWriteFile(t.stats, t.cred)) return fail(nfsstat3.NFS3ERR_ACCES);
        const count = args.count >>> 0;
        if (count > args.data.length) return fail(nfsstat3.NFS3ERR_INVAL);
        if (args.offset + BigInt(count) > MAX_FILE_SIZE) return fail(nfsstat3.NFS3ERR_FBIG);
        const data = count === args.data.length ? args.data : args.data.subarray(0, count);
        const backend = env.core.backend;
        let after: BigIntStats | undefined;
        try {
          const f = held ?? (held = await env.core.fileCache.get(t.exp.id, t, t.stats, 'rw'));
          let n = 0;
          while (n < count) {
            n += await backend.write(f.fd, data, n, count - n, args.offset + BigInt(n));
          }
          // as the kernel's write(2) by anyone but root: a written set-id file loses its set-id bits
          const killed = count > 0 ? modeAfterWrite(t.stats, t.cred) : -1;
          if (killed >= 0) await backend.chmod(t, killed);
          if (args.stable === stable_how.FILE_SYNC) await backend.fsync(f.fd);
          else if (args.stable === stable_how.DATA_SYNC) await backend.fdatasync(f.fd);
          // the descriptor is held: its inode's attributes are in memory, no round trip needed
          after = backend.fstatSync !== undefined ? backend.fstatSync(f.fd) : await backend.fstat(f.fd);
        } catch (err) {
          return fail(errStatus(env, err, 'WRITE'), undefined);
        }
        return {
          status: nfsstat3.NFS3_OK,
          resok: { file_wcc: wcc(env, t.stats, after), count, committed: args.stable, verf: env.core.writeVerifier },
        };
      } finally {
        held?.put();
      }
    },
  };
}
