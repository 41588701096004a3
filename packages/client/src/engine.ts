import { NfsClientError, NfsError } from './errors.js';
import { FILE_SYNC, UNSTABLE, type NfsTransport, type ReadResult, type WriteResult } from './transport.js';

/**
 * The request engine (after netfslib): a large read or write is cut into subrequests of at
 * most rsize/wsize bytes, each owning a slice of the caller's buffer; up to `window` of them
 * are in flight at once. Short transfers are continued from where they stopped; a
 * subrequest that fails with a transport error is tried again (the RPC layer reconnects);
 * once its retries run out the whole request fails with the first error, after every
 * subrequest in flight has settled, so the caller's buffer is never touched after the
 * promise settles and no partial success is reported as success.
 */
export interface EngineOptions {
  window: number;
  retries: number;
}

/** Transport-level failures worth another try after reconnecting; NFS statuses are not. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof NfsError) return err.code === 'NFS3ERR_JUKEBOX';
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_RPC_TIMEOUT' || code === 'ERR_RPC_CONNECT' || code === 'ERR_RPC_DISCONNECTED' ||
    code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE';
}

export async function withRetries<T>(retries: number, fn: () => Promise<T>, isClosed: () => boolean = () => false): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (retries === 0 || !isRetryable(err) || isClosed()) throw err;
    return retryAfter(err, retries, fn, isClosed);
  }
}

/**
 * The rest of withRetries once the first attempt failed with `first` (retryable, not closed):
 * attempts 1…retries, a back-off before each after a JUKEBOX; rejects with `first` when they
 * run out. Separate so that a hot path can make the first attempt without the loop's promise.
 */
export async function retryAfter<T>(first: unknown, retries: number, fn: () => Promise<T>, isClosed: () => boolean = () => false): Promise<T> {
  let err = first;
  for (let attempt = 1; ; attempt++) {
    if (err instanceof NfsError) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** (attempt - 1))));
    try {
      return await fn();
    } catch (e) {
      err = e;
      if (attempt >= retries || !isRetryable(e) || isClosed()) throw first;
    }
  }
}

/** Runs `count` tasks with at most `window` at once; rejects with the first error after all started ones settle. */
export async function runWindowed(count: number, window: number, task: (i: number) => Promise<void>, stopAfter?: () => boolean): Promise<void> {
  let next = 0;
  let failed = false;
  let firstErr: unknown;
  const lane = async (): Promise<void> => {
    while (!failed && next < count && !(stopAfter?.() ?? false)) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        if (!failed) { failed = true; firstErr = err; }
      }
    }
  };
  const lanes: Promise<void>[] = [];
  for (let k = 0; k < Math.min(window, count); k++) lanes.push(lane());
  await Promise.all(lanes);
  if (failed) throw firstErr;
}

export interface ReadIntoResult {
  bytesRead: number;
  /** true when the read stopped at end of file */
  eof: boolean;
}

/**
 * Reads `length` bytes at `position` into `buf[offset…]`, in rsize pieces, each landing
 * directly in its slice. Returns the exact number of bytes before EOF.
 */
export function readInto(t: NfsTransport, fh: Buffer, buf: Buffer, offset: number, length: number, position: bigint,
  rsize: number, opts: EngineOptions, isClosed?: () => boolean): Promise<ReadIntoResult> {
  if (length === 0) return Promise.resolve({ bytesRead: 0, eof: false });
  // not async: a small read's promise is readOne's own, not one wrapping it
  if (length <= rsize) return readOne(t, fh, buf, offset, length, position, opts, isClosed);
  return readPieces(t, fh, buf, offset, length, position, rsize, opts, isClosed);
}

async function readPieces(t: NfsTransport, fh: Buffer, buf: Buffer, offset: number, length: number, position: bigint,
  rsize: number, opts: EngineOptions, isClosed?: () => boolean): Promise<ReadIntoResult> {
  const pieces = Math.ceil(length / rsize);
  let eofAt = Infinity; // bytes from the start of the request at which the file ends
  await runWindowed(pieces, opts.window, async (i) => {
    const start = i * rsize;
    const end = Math.min(length, start + rsize);
    let done = start;
    while (done < end && done < eofAt) {
      const slice = buf.subarray(offset + done, offset + end);
      const r = await withRetries(opts.retries, () => t.read(fh, position + BigInt(done), slice), isClosed);
      if (r.count > slice.length) throw new NfsClientError('ERR_NFS_BAD_REPLY', `READ returned ${r.count} bytes for ${slice.length} asked`);
      done += r.count;
      // a zero-byte reply that does not say EOF would loop forever: treat it as the end
      if (r.eof || r.count === 0) { if (done < eofAt) eofAt = done; break; }
    }
  }, () => eofAt !== Infinity);
  const bytesRead = Math.min(length, eofAt);
  return { bytesRead, eof: eofAt !== Infinity };
}

/** readInto() of at most rsize bytes: one READ (continued when short), without the window machinery. */
async function readOne(t: NfsTransport, fh: Buffer, buf: Buffer, offset: number, length: number, position: bigint,
  opts: EngineOptions, isClosed?: () => boolean): Promise<ReadIntoResult> {
  let done = 0;
  for (;;) {
    const slice = buf.subarray(offset + done, offset + length);
    const pos = done === 0 ? position : position + BigInt(done);
    // the first attempt awaits the transport's promise itself; only a failure pays for the
    // retry loop's promise and closure (the same attempts as withRetries: the first error wins)
    let r: ReadResult;
    try {
      r = await t.read(fh, pos, slice);
    } catch (err) {
      if (opts.retries === 0 || !isRetryable(err) || (isClosed?.() ?? false)) throw err;
      r = await retryAfter(err, opts.retries, () => t.read(fh, pos, slice), isClosed);
    }
    if (r.count > slice.length) throw new NfsClientError('ERR_NFS_BAD_REPLY', `READ returned ${r.count} bytes for ${slice.length} asked`);
    done += r.count;
    // a zero-byte reply that does not say EOF would loop forever: treat it as the end
    if (r.eof || r.count === 0) return { bytesRead: done, eof: true };
    if (done >= length) return { bytesRead: done, eof: false };
  }
}

/** A range written UNSTABLE and not yet committed, and the verifier the server gave for it. */
export interface WrittenRange {
  position: bigint;
  data: Buffer;
  verf: Buffer;
  /**
   * written by LOCALIO (`WriteResult.local`): a marker that a COMMIT is owed, with no data
   * (empty) — no restart of the server in this process can lose it, so it is never resent.
   * writeFrom returns at most one per call.
   */
  local?: true;
}

const NO_DATA = Buffer.alloc(0);

export interface WriteFromResult {
  /** ranges the server holds only in memory (committed = UNSTABLE), with their verifiers */
  unstable: WrittenRange[];
}

/**
 * Writes all of `data` at `position` in wsize pieces (continuing short writes). With
 * `stable` FILE_SYNC every piece is on disk when it resolves; otherwise the result lists
 * the UNSTABLE ranges (views of `data`) and their verifiers, for COMMIT to check.
 */
export function writeFrom(t: NfsTransport, fh: Buffer, data: Buffer, position: bigint, wsize: number, stable: number,
  opts: EngineOptions, isClosed?: () => boolean): Promise<WriteFromResult> {
  const result: WriteFromResult = { unstable: [] };
  if (data.length === 0) return Promise.resolve(result);
  // one piece (the common small write): no window, no lanes, and its promise is the request's
  if (data.length <= wsize) return writeRange(t, fh, data, 0, data.length, position, stable, opts, isClosed, result);
  return writePieces(t, fh, data, position, wsize, stable, opts, isClosed, result);
}

async function writePieces(t: NfsTransport, fh: Buffer, data: Buffer, position: bigint, wsize: number, stable: number,
  opts: EngineOptions, isClosed: (() => boolean) | undefined, result: WriteFromResult): Promise<WriteFromResult> {
  const pieces = Math.ceil(data.length / wsize);
  await runWindowed(pieces, opts.window, async (i) => {
    const start = i * wsize;
    await writeRange(t, fh, data, start, Math.min(data.length, start + wsize), position, stable, opts, isClosed, result);
  });
  return result;
}

const isLocalMark = (r: WrittenRange): boolean => r.local === true;

/**
 * data[start…end) at position + start, continuing short writes; UNSTABLE ranges go to
 * `result.unstable`, LOCALIO's as one marker per request. Resolves with `result`.
 */
async function writeRange(t: NfsTransport, fh: Buffer, data: Buffer, start: number, end: number, position: bigint, stable: number,
  opts: EngineOptions, isClosed: (() => boolean) | undefined, result: WriteFromResult): Promise<WriteFromResult> {
  const unstable = result.unstable;
  let done = start;
  while (done < end) {
    const slice = done === 0 && end === data.length ? data : data.subarray(done, end);
    const pos = done === 0 ? position : position + BigInt(done);
    // the first attempt without the retry loop's promise and closure (see readOne)
    let r: WriteResult;
    try {
      r = await t.write(fh, pos, slice, stable);
    } catch (err) {
      if (opts.retries === 0 || !isRetryable(err) || (isClosed?.() ?? false)) throw err;
      r = await retryAfter(err, opts.retries, () => t.write(fh, pos, slice, stable), isClosed);
    }
    if (r.count === 0) throw new NfsClientError('ERR_NFS_NO_PROGRESS', `WRITE at ${pos} accepted 0 of ${slice.length} bytes`);
    if (r.count > slice.length) throw new NfsClientError('ERR_NFS_BAD_REPLY', `WRITE accepted ${r.count} bytes of ${slice.length} sent`);
    if (r.committed === UNSTABLE) {
      if (r.local !== true) unstable.push({ position: pos, data: r.count === slice.length ? slice : slice.subarray(0, r.count), verf: r.verf });
      else if (!unstable.some(isLocalMark)) unstable.push({ position: pos, data: NO_DATA, verf: r.verf, local: true });
    }
    done += r.count;
  }
  return result;
}

/**
 * Commits ranges written UNSTABLE. When COMMIT's verifier differs from the one a range was
 * written under (the server restarted and lost it), those ranges are written again and
 * committed again, up to `rounds` times, before success is reported.
 */
export async function commitRanges(t: NfsTransport, fh: Buffer, ranges: WrittenRange[], wsize: number, opts: EngineOptions,
  isClosed?: () => boolean, rounds = 5): Promise<{ resent: number }> {
  let resent = 0;
  let pending = ranges;
  for (let round = 0; ; round++) {
    const verf = await withRetries(opts.retries, () => t.commit(fh, 0n, 0), isClosed);
    // LOCALIO's ranges are in the page cache this COMMIT just flushed, whatever the verifier says
    const stale = pending.filter((r) => r.local !== true && !r.verf.equals(verf));
    if (stale.length === 0) return { resent };
    if (round >= rounds) throw new NfsClientError('ERR_NFS_RESEND_FAILED', `write verifier still changing after ${rounds} resends`);
    const next: WrittenRange[] = [];
    for (const r of stale) {
      resent += r.data.length;
      const w = await writeFrom(t, fh, r.data, r.position, wsize, UNSTABLE, opts, isClosed);
      next.push(...w.unstable);
    }
    pending = next;
  }
}

export { FILE_SYNC, UNSTABLE };
