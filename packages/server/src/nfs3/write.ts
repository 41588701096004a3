/**
 * NFSPROC3_WRITE (7): writes the request's data (a view of the received record) through the
 * open-file cache. stable_how is honoured: UNSTABLE is not synced, DATA_SYNC is fdatasync'ed
 * and FILE_SYNC fsync'ed before the reply, and `committed` says which was done. The verifier
 * is the server's write verifier (constant for the server's lifetime). Set-id bits are
 * cleared as Linux clears them for an unprivileged writer (modeAfterWrite).
 *
 * A small UNSTABLE WRITE to a file whose descriptor the open-file cache holds runs without a
 * promise, as a small READ does: resolveOpen() (fstat of the cached descriptor), the same
 * checks, a page-cache write through the SyncReadGate and an fstat for the reply, all on the
 * event loop. Anything else (an uncached descriptor, a DNS-checked client, a stable write, a
 * set-id file to clear, a write the gate sends to the thread pool, a short write) takes or
 * continues on the general path with the same checks.
 */
import { squash, type Stats as BigIntStats } from '../core/index.js';
import type { CallContext, Procedure } from '@nfsts/rpc';
import { nfsstat3, stable_how, xdr_nfs_fh3, xdr_WRITE3args, xdr_WRITE3res, XdrError, type WRITE3args, type WRITE3res, type XdrReader } from '@nfsts/xdr';
import type { OpenFile } from '../core/index.js';
import { MAX_FILE_SIZE } from './fsinfo.js';
import { errStatus, mayWriteFile, modeAfterWrite, notRegular, targetOpen, wcc, type Nfs3Env, type NfsErr, type Target } from './common.js';

function failed(env: Nfs3Env, t: Target, status: NfsErr, after: BigIntStats | undefined = t.stats): WRITE3res {
  return { status, resfail: { file_wcc: wcc(env, t.stats, after) } };
}

/** The checks before any byte is written; 0 or the failed reply. */
function check(env: Nfs3Env, t: Target, args: WRITE3args, count: number, dataLength = args.data.length): WRITE3res | 0 {
  if (t.exp.options.ro) return failed(env, t, nfsstat3.NFS3ERR_ROFS);
  const bad = notRegular(t.stats);
  if (bad !== 0) return failed(env, t, bad);
  if (!mayWriteFile(t.stats, t.cred)) return failed(env, t, nfsstat3.NFS3ERR_ACCES);
  if (count > dataLength) return failed(env, t, nfsstat3.NFS3ERR_INVAL);
  if (args.offset + BigInt(count) > MAX_FILE_SIZE) return failed(env, t, nfsstat3.NFS3ERR_FBIG);
  return 0;
}

function okReply(env: Nfs3Env, t: Target, args: WRITE3args, count: number, after: BigIntStats): WRITE3res {
  return { status: nfsstat3.NFS3_OK, resok: { file_wcc: wcc(env, t.stats, after), count, committed: args.stable, verf: env.core.writeVerifier } };
}

/**
 * The promise-free path, or null when it does not apply before anything was written (the
 * caller then runs the general path from the start). Once the first write went to the thread
 * pool or came back short, the rest continues asynchronously (writeRest).
 */
function writeFast(env: Nfs3Env, args: WRITE3args, ctx: CallContext, count: number): WRITE3res | Promise<WRITE3res> | null {
  const core = env.core;
  if (args.stable !== stable_how.UNSTABLE || count === 0 || count > core.syncReads.options.maxBytes) return null;
  const fast = core.handles.resolveOpen(args.file.data, 'rw');
  if (fast === null) return null;
  const file = fast.file;
  const r = fast.r;
  if (!core.table.clientAllowed(r.exp, ctx.remoteAddress, ctx.remotePort)) {
    file.put();
    return null;
  }
  const cred = squash(ctx.cred, r.exp.options);
  const t: Target = { exp: r.exp, root: r.root, rel: r.rel, stats: r.stats, cred };
  const bad = check(env, t, args, count);
  // a set-id file loses its bits after the write: the general path does the chmod
  if (bad === 0 && modeAfterWrite(t.stats, cred) >= 0) {
    file.put();
    return null;
  }
  if (bad !== 0) {
    file.put();
    return bad;
  }
  const data = count === args.data.length ? args.data : args.data.subarray(0, count);
  let n: number | Promise<number>;
  try {
    n = core.io.writeAt(file.fd, data, 0, count, args.offset);
  } catch (err) {
    file.put();
    return failed(env, t, errStatus(env, err, 'WRITE'), undefined);
  }
  if (n !== count) return writeRest(env, t, file, data, n, args, count);
  let after: BigIntStats;
  try {
    // the descriptor is held: its inode's attributes are in memory (resolveOpen needs fstatSync)
    after = core.backend.fstatSync!(file.fd);
  } catch (err) {
    return failed(env, t, errStatus(env, err, 'WRITE'), undefined);
  } finally {
    file.put();
  }
  return okReply(env, t, args, count, after);
}

/** Writes the rest of data[n, count) (n may still be pending), syncs as asked, puts `file`. */
async function writeRest(env: Nfs3Env, t: Target, file: OpenFile, data: Buffer, first: number | Promise<number>, args: WRITE3args, count: number): Promise<WRITE3res> {
  const backend = env.core.backend;
  let after: BigIntStats;
  try {
    let n = typeof first === 'number' ? first : await first;
    while (n < count) {
      const w = env.core.io.writeAt(file.fd, data, n, count - n, args.offset + BigInt(n));
      const got = typeof w === 'number' ? w : await w;
      if (got <= 0) throw Object.assign(new Error(`write made no progress at ${n} of ${count} bytes`), { code: 'EIO' });
      n += got;
    }
    // as the kernel's write(2) by anyone but root: a written set-id file loses its set-id bits
    const killed = count > 0 ? modeAfterWrite(t.stats, t.cred) : -1;
    if (killed >= 0) await backend.chmod(t, killed);
    if (args.stable === stable_how.FILE_SYNC) await backend.fsync(file.fd);
    else if (args.stable === stable_how.DATA_SYNC) await backend.fdatasync(file.fd);
    // the descriptor is held: its inode's attributes are in memory, no round trip needed
    after = backend.fstatSync !== undefined ? backend.fstatSync(file.fd) : await backend.fstat(file.fd);
  } catch (err) {
    return failed(env, t, errStatus(env, err, 'WRITE'), undefined);
  } finally {
    file.put();
  }
  return okReply(env, t, args, count, after);
}

/** The general path: full resolve when needed, the descriptor from the open-file cache. */
function writeSlow(env: Nfs3Env, args: WRITE3args, ctx: CallContext, count: number): Promise<WRITE3res> {
  const data = count === args.data.length ? args.data : args.data.subarray(0, count);
  return writeOpened(env, args, ctx, count, args.data.length, data, (fd) => env.core.io.writeAt(fd, data, 0, count, args.offset));
}

/**
 * Resolves, checks and opens the target (the descriptor from the open-file cache), then starts
 * the write with `submit` and finishes it in writeRest. `data`: what writeRest writes the rest
 * from after a short write (empty when `submit` completes its own).
 */
async function writeOpened(env: Nfs3Env, args: WRITE3args, ctx: CallContext, count: number, dataLength: number, data: Buffer,
  submit: (fd: number) => number | Promise<number>): Promise<WRITE3res> {
  const ot = await targetOpen(env, args.file, ctx, 'rw');
  if (typeof ot === 'number') return { status: ot, resfail: { file_wcc: wcc(env, null, null) } };
  const t = ot.t;
  let held = ot.file;
  try {
    const bad = check(env, t, args, count, dataLength);
    if (bad !== 0) return bad;
    let f: OpenFile;
    try {
      f = held ?? await env.core.fileCache.get(t.exp.id, t, t.stats, 'rw');
    } catch (err) {
      return failed(env, t, errStatus(env, err, 'WRITE'), undefined);
    }
    // writeRest puts the file
    held = null;
    let first: number | Promise<number>;
    try {
      first = count === 0 ? 0 : submit(f.fd);
    } catch (err) {
      first = Promise.reject(err);
    }
    return await writeRest(env, t, f, data, first, args, count);
  } finally {
    held?.put();
  }
}

/**
 * WRITE3args whose data arrived as views of the socket chunks (the RPC server's bulk path, for
 * a large WRITE): `data` is empty and the `dataLength` bytes are `views`, in order.
 */
interface BulkWRITE3args extends WRITE3args {
  views: Buffer[];
  dataLength: number;
}

/** The views' first `count` bytes (count <= their total). */
function firstBytes(views: Buffer[], count: number): Buffer[] {
  const out: Buffer[] = [];
  for (const v of views) {
    if (count === 0) break;
    out.push(v.length <= count ? v : v.subarray(0, count));
    count -= out[out.length - 1]!.length;
  }
  return out;
}

/**
 * A large WRITE from the bulk path: the same resolution and checks as writeSlow, then the
 * views go to the file with one pwritev (core.io.writevAt completes a short one), no join.
 */
function writeBulk(env: Nfs3Env, args: BulkWRITE3args, ctx: CallContext, count: number): Promise<WRITE3res> {
  return writeOpened(env, args, ctx, count, args.dataLength, EMPTY,
    (fd) => env.core.io.writevAt(fd, count === args.dataLength ? args.views : firstBytes(args.views, count), args.offset));
}

const EMPTY = Buffer.alloc(0);
const MAX_FH = 64;

/**
 * Where a WRITE's data starts in its record (pos: the arguments' start in head) and its length:
 * file handle, offset, count and stable_how come first, then the data's length word.
 */
function locateData(head: Buffer, pos: number): { start: number; length: number } | null {
  if (pos + 4 > head.length) return null;
  const fhLen = head.readUInt32BE(pos);
  if (fhLen > MAX_FH) return null;
  const at = pos + 4 + fhLen + ((4 - (fhLen & 3)) & 3) + 16;
  if (at + 4 > head.length) return null;
  const length = head.readUInt32BE(at);
  return length === 0 ? null : { start: at + 4, length };
}

/** Decodes WRITE3args from a record whose data was taken out as views (left: its padding). */
function decodeBulk(r: XdrReader, views: Buffer[], dataLength: number): BulkWRITE3args {
  const file = xdr_nfs_fh3.decode(r);
  const offset = r.u64();
  const count = r.u32();
  const stable = r.u32();
  if (stable > stable_how.FILE_SYNC) throw new XdrError('ERR_XDR_BAD_VALUE', `stable_how ${stable} is not valid`);
  if (r.u32() !== dataLength) throw new XdrError('ERR_XDR_BAD_VALUE', 'WRITE data length does not match its bulk bytes');
  const pad = (4 - (dataLength & 3)) & 3;
  if (r.remaining < pad) throw new XdrError('ERR_XDR_SHORT', 'WRITE data padding is missing');
  r.pos += pad;
  return { file, offset, count, stable, data: EMPTY, views, dataLength };
}

export function write(env: Nfs3Env): Procedure<WRITE3args, WRITE3res> {
  return {
    name: 'WRITE',
    args: xdr_WRITE3args,
    res: xdr_WRITE3res,
    bulk: { locate: locateData, decode: decodeBulk },
    handler(args, ctx) {
      const count = args.count >>> 0;
      if ((args as BulkWRITE3args).views !== undefined) return writeBulk(env, args as BulkWRITE3args, ctx, count);
      return writeFast(env, args, ctx, count) ?? writeSlow(env, args, ctx, count);
    },
  };
}
