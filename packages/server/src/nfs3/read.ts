/**
 * NFSPROC3_READ (6): reads through the open-file cache into one buffer that goes into the
 * reply by reference (the RPC layer writes it to the socket without a copy). `eof` is exact:
 * true when the read reached the end of the file.
 */
import type { Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_READ3args, xdr_READ3res, type READ3args, type READ3res } from '@nfsts/xdr';
import { errStatus, mayReadFile, notRegular, postOp, targetOpen, NO_ATTR, type Nfs3Env } from './common.js';
import { RTMAX } from './fsinfo.js';

const EMPTY = Buffer.alloc(0);
/** READs of at least this many bytes use the program's reusable buffers */
const POOLED_READ_MIN = 64 * 1024;
/** A READ3resok around its data: status, post_op_attr with fattr3, count, eof, the opaque's length (RFC 1813) */
const READ_REPLY_OVERHEAD = 4 + 4 + 84 + 4 + 4 + 4;

export function read(env: Nfs3Env): Procedure<READ3args, READ3res> {
  return {
    name: 'READ',
    args: xdr_READ3args,
    res: xdr_READ3res,
    // charged against the RPC server's reply budgets from dispatch, so READs still being read count too
    replyBytes: (args) => Math.min(args.count >>> 0, RTMAX) + READ_REPLY_OVERHEAD,
    // a large count takes a pooled buffer before the first await: the RPC server dispatches the
    // call only while the pool has one free, so the pool never lends more than its maximum
    bufferPool: (args) => (Math.min(args.count >>> 0, RTMAX) >= POOLED_READ_MIN ? env.readBuffers : null),
    async handler(args, ctx) {
      const count = Math.min(args.count >>> 0, RTMAX);
      let pooled = count >= POOLED_READ_MIN ? env.readBuffers.take(count) : null;
      try {
        const ot = await targetOpen(env, args.file, ctx, 'r');
        if (typeof ot === 'number') return { status: ot, resfail: { file_attributes: NO_ATTR } };
        const t = ot.t;
        let held = ot.file;
        try {
          const bad = notRegular(t.stats);
          if (bad !== 0) return { status: bad, resfail: { file_attributes: postOp(env, t.stats) } };
          if (!mayReadFile(t.stats, t.cred)) return { status: nfsstat3.NFS3ERR_ACCES, resfail: { file_attributes: postOp(env, t.stats) } };
          const offset = args.offset;
          if (count === 0 || offset >= t.stats.size) {
            return { status: nfsstat3.NFS3_OK, resok: { file_attributes: postOp(env, t.stats), count: 0, eof: offset >= t.stats.size, data: EMPTY } };
          }
          // size first: a small file read with a large count allocates what the file holds
          const remaining = t.stats.size - offset;
          const want = remaining < BigInt(count) ? Number(remaining) : count;
          const buf = pooled !== null && want >= POOLED_READ_MIN ? pooled.subarray(0, want) : Buffer.allocUnsafe(want);
          let n = 0;
          try {
            const f = held ?? (held = await env.core.fileCache.get(t.exp.id, t, t.stats, 'r'));
            // a short read that is not at EOF (rare: signals, some filesystems) is continued
            while (n < want) {
              const r = env.core.readAt(f.fd, buf, n, want - n, offset + BigInt(n));
              const got = typeof r === 'number' ? r : await r;
              if (got === 0) break;
              n += got;
            }
          } catch (err) {
            return { status: errStatus(env, err, 'READ'), resfail: { file_attributes: postOp(env, t.stats) } };
          }
          // the reply owns a pooled buffer from here on; sent() gives it back
          if (buf.buffer === pooled?.buffer) pooled = null;
          const size = t.stats.size;
          const eof = n < count || offset + BigInt(n) >= size;
          return {
            status: nfsstat3.NFS3_OK,
            resok: { file_attributes: postOp(env, t.stats), count: n, eof, data: n === want ? buf : buf.subarray(0, n) },
          };
        } finally {
          held?.put();
        }
      } finally {
        if (pooled !== null) env.readBuffers.release(pooled);
      }
    },
    sent(res) {
      // the reply is in the kernel (or will never be sent): a pooled data buffer is free again
      if (res.status === nfsstat3.NFS3_OK) env.readBuffers.release(res.resok.data);
    },
  };
}
