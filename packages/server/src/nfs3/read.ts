/**
 * NFSPROC3_READ (6): reads through the open-file cache into one buffer that goes into the
 * reply by reference (the RPC layer writes it to the socket without a copy). `eof` is exact:
 * true when the read reached the end of the file.
 *
 * A READ of a file whose descriptor the open-file cache holds runs without a promise:
 * resolveOpen() (fstat of the cached descriptor), the checks and a page-cache read through the
 * SyncReadGate all happen on the event loop and the handler returns the result itself, which
 * the RPC server encodes at once. Anything else on the way (an uncached descriptor, a client
 * allow-list that needs DNS, a read the gate sends to the thread pool) continues in async code
 * with the same checks.
 */
import type { CallContext, Procedure } from '@nfsts/rpc';
import { nfsstat3, xdr_READ3args, xdr_READ3res, type READ3args, type READ3res } from '@nfsts/xdr';
import { squash, type Stats } from '../core/index.js';
import { errStatus, mayReadFile, notRegular, postOp, targetOpen, NO_ATTR, type Nfs3Env, type Target } from './common.js';
import type { OpenFile } from '../core/index.js';
import { RTMAX } from './fsinfo.js';

const EMPTY = Buffer.alloc(0);
/** READs of at least this many bytes use the program's reusable 1 MiB buffers */
const POOLED_READ_MIN = 64 * 1024;
/** A READ3resok around its data: status, post_op_attr with fattr3, count, eof, the opaque's length (RFC 1813) */
const READ_REPLY_OVERHEAD = 4 + 4 + 84 + 4 + 4 + 4;

/** The buffer a READ of `want` bytes fills: a view of a pooled one (small or large), or a fresh one. */
function dataBuffer(env: Nfs3Env, pooled: Buffer | null, want: number): Buffer {
  if (pooled !== null && want >= POOLED_READ_MIN) return pooled.subarray(0, want);
  if (want <= env.smallReadBuffers.size) return env.smallReadBuffers.take(want);
  return Buffer.allocUnsafe(want);
}

/** Gives back whichever pool `buf` (or the buffer it views) came from; each pool ignores the other's and fresh ones. */
function releaseData(env: Nfs3Env, buf: Buffer): void {
  env.smallReadBuffers.release(buf);
  env.readBuffers.release(buf);
}

/**
 * The backend's own bytes when it can lend them (Backend.readView: the memory backend), else
 * null; a throw (the descriptor went away) is null too, and the read path then says why.
 */
function viewOf(env: Nfs3Env, fd: number, offset: bigint, want: number): Buffer | null {
  const backend = env.core.backend;
  if (backend.readView === undefined) return null;
  try {
    return backend.readView(fd, offset, want);
  } catch {
    return null;
  }
}

/** The checks before any byte is read; 0 or the failed reply. */
function check(env: Nfs3Env, t: Target): READ3res | 0 {
  const bad = notRegular(t.stats);
  if (bad !== 0) return { status: bad, resfail: { file_attributes: postOp(env, t.stats) } };
  if (!mayReadFile(t.stats, t.cred)) return { status: nfsstat3.NFS3ERR_ACCES, resfail: { file_attributes: postOp(env, t.stats) } };
  return 0;
}

/** A READ at or past the end of the file, or of 0 bytes: no data, eof when at or past the end. */
function emptyRead(env: Nfs3Env, stats: Stats, offset: bigint): READ3res {
  return { status: nfsstat3.NFS3_OK, resok: { file_attributes: postOp(env, stats), count: 0, eof: offset >= stats.size, data: EMPTY } };
}

/** How many bytes to read: what the file holds from `offset`, at most `count` (a small file read with a large count allocates what it holds). */
function wanted(stats: Stats, offset: bigint, count: number): number {
  const remaining = stats.size - offset;
  return remaining < BigInt(count) ? Number(remaining) : count;
}

function okReply(env: Nfs3Env, stats: Stats, offset: bigint, count: number, buf: Buffer, n: number, want: number): READ3res {
  const eof = n < count || offset + BigInt(n) >= stats.size;
  return { status: nfsstat3.NFS3_OK, resok: { file_attributes: postOp(env, stats), count: n, eof, data: n === want ? buf : buf.subarray(0, n) } };
}

/**
 * The promise-free path, or null when it does not apply (the caller then runs the general
 * path, from the start, with the same `pooled` buffer, which this path leaves alone when it
 * returns null). Applies when the open-file cache holds the descriptor, the client is allowed
 * without a DNS lookup and the gate lets the first read run synchronously (READs up to the
 * gate's maxReadBytes: a page-cache copy of 128 KiB costs less than the thread-pool hop); a
 * read the gate sends to the thread pool, or a short read that needs a second one, continues
 * asynchronously. Whatever it returns owns `pooled`: the result's data when it is a view of it,
 * else it was given back.
 */
function readFast(env: Nfs3Env, args: READ3args, ctx: CallContext, count: number, pooled: Buffer | null): READ3res | Promise<READ3res> | null {
  const core = env.core;
  const fast = core.handles.resolveOpen(args.file.data, 'r');
  if (fast === null) return null;
  const r = fast.r;
  const file = fast.file;
  if (!core.table.clientAllowed(r.exp, ctx.remoteAddress, ctx.remotePort)) {
    file.put();
    return null;
  }
  const t: Target = { exp: r.exp, root: r.root, rel: r.rel, stats: r.stats, cred: squash(ctx.cred, r.exp.options) };
  const failed = check(env, t);
  const offset = args.offset;
  if (failed !== 0 || count === 0 || offset >= t.stats.size) {
    file.put();
    if (pooled !== null) env.readBuffers.release(pooled);
    return failed !== 0 ? failed : emptyRead(env, t.stats, offset);
  }
  const want = wanted(t.stats, offset, count);
  const view = viewOf(env, file.fd, offset, want);
  if (view !== null) {
    file.put();
    if (pooled !== null) env.readBuffers.release(pooled);
    return okReply(env, t.stats, offset, count, view, view.length, want);
  }
  const buf = dataBuffer(env, pooled, want);
  let got: number | Promise<number>;
  try {
    got = core.io.readAt(file.fd, buf, 0, want, offset);
  } catch (err) {
    file.put();
    releaseData(env, buf);
    if (pooled !== null && buf.buffer !== pooled.buffer) env.readBuffers.release(pooled);
    return { status: errStatus(env, err, 'READ'), resfail: { file_attributes: postOp(env, t.stats) } };
  }
  if (typeof got === 'number' && (got === want || got === 0)) {
    file.put();
    // the reply owns the data buffer from here on; sent() gives it back
    if (pooled !== null && buf.buffer !== pooled.buffer) env.readBuffers.release(pooled);
    return okReply(env, t.stats, offset, count, buf, got, want);
  }
  // the gate sent it to the thread pool, or a short read: finish asynchronously
  return readRest(env, t, file, pooled, buf, got, offset, count, want);
}

/** Reads the rest of [n, want) into buf (n may still be pending), puts `file` and releases `pooled` when unused. */
async function readRest(env: Nfs3Env, t: Target, file: OpenFile, pooled: Buffer | null, buf: Buffer, first: number | Promise<number>, offset: bigint, count: number, want: number): Promise<READ3res> {
  let n = 0;
  try {
    let got = typeof first === 'number' ? first : await first;
    // a short read that is not at EOF (rare: signals, some filesystems) is continued
    while (got !== 0) {
      n += got;
      if (n >= want) break;
      const r = env.core.io.readAt(file.fd, buf, n, want - n, offset + BigInt(n));
      got = typeof r === 'number' ? r : await r;
    }
  } catch (err) {
    releaseData(env, buf);
    if (pooled !== null) env.readBuffers.release(pooled);
    return { status: errStatus(env, err, 'READ'), resfail: { file_attributes: postOp(env, t.stats) } };
  } finally {
    file.put();
  }
  // the reply owns the data buffer from here on; sent() gives it back
  if (pooled !== null && buf.buffer !== pooled.buffer) env.readBuffers.release(pooled);
  return okReply(env, t.stats, offset, count, buf, n, want);
}

/** The general path: full resolve when needed, the descriptor from the open-file cache. */
async function readSlow(env: Nfs3Env, args: READ3args, ctx: CallContext, count: number, pooled: Buffer | null): Promise<READ3res> {
  let file: OpenFile | null = null;
  try {
    const ot = await targetOpen(env, args.file, ctx, 'r');
    if (typeof ot === 'number') return { status: ot, resfail: { file_attributes: NO_ATTR } };
    const t = ot.t;
    file = ot.file;
    const failed = check(env, t);
    const offset = args.offset;
    if (failed !== 0) return failed;
    if (count === 0 || offset >= t.stats.size) return emptyRead(env, t.stats, offset);
    try {
      if (file === null) file = await env.core.fileCache.get(t.exp.id, t, t.stats, 'r');
    } catch (err) {
      return { status: errStatus(env, err, 'READ'), resfail: { file_attributes: postOp(env, t.stats) } };
    }
    const want = wanted(t.stats, offset, count);
    // the finally below puts the file and gives the pooled buffer back
    const view = viewOf(env, file.fd, offset, want);
    if (view !== null) return okReply(env, t.stats, offset, count, view, view.length, want);
    const buf = dataBuffer(env, pooled, want);
    const held = file;
    const p = pooled;
    // readRest puts the file and releases what the reply does not own
    file = null;
    pooled = null;
    let first: number | Promise<number>;
    try {
      first = env.core.io.readAt(held.fd, buf, 0, want, offset);
    } catch (err) {
      first = Promise.reject(err);
    }
    return await readRest(env, t, held, p, buf, first, offset, count, want);
  } finally {
    file?.put();
    if (pooled !== null) env.readBuffers.release(pooled);
  }
}

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
    handler(args, ctx) {
      const count = Math.min(args.count >>> 0, RTMAX);
      const pooled = count >= POOLED_READ_MIN ? env.readBuffers.take(count) : null;
      return readFast(env, args, ctx, count, pooled) ?? readSlow(env, args, ctx, count, pooled);
    },
    sent(res) {
      // the reply is in the kernel (or will never be sent): a pooled data buffer is free again
      if (res.status === nfsstat3.NFS3_OK) releaseData(env, res.resok.data);
    },
  };
}
