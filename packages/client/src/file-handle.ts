import { createInterface, type Interface } from 'node:readline';
import type { LockOptions } from './locks/index.js';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { NfsFsError, abortable, toFsError } from './errors.js';
import type { ParsedFlags } from './flags.js';
import { parseMode, parseTime } from './sattr.js';
import type { Session } from './session.js';
import { makeStats, type NfsBigIntStats, type NfsStats } from './stats.js';
import type { WrittenRange } from './engine.js';
import { NfsReadStream, NfsWriteStream, type ReadStreamOptions, type WriteStreamOptions } from './streams.js';
import { kPushWrite } from './internal.js';
import { CopySlab } from './copy-slab.js';
import { toBuffer, type WriteFileData } from './write-data.js';

/** Size of the buffer `read()` allocates when called without one (as node:fs: 16 KiB). */
export const DEFAULT_READ_BUFFER = 16 * 1024;

let nextFd = 1 << 20;

/** highest position the lean paths take as a number (the transport checks position + length) */
const MAX_LEAN_POS = BigInt(Number.MAX_SAFE_INTEGER);

export interface ReadOptions<T extends NodeJS.ArrayBufferView = Buffer> {
  buffer?: T;
  offset?: number;
  length?: number;
  position?: number | bigint | null;
}

/** `fs/promises` FileHandle-shaped open file. */
/** flock() owners: one svid per handle that used it (svid 0 is the client's fcntl owner). */
let nextFlockSvid = 1;

export class NfsFileHandle {
  readonly fh: Buffer;
  readonly path: string;
  /**
   * A number naming this open file for as long as it is open, unique in the process (as
   * `FileHandle.fd`); not a kernel descriptor: it works with nothing but this handle.
   */
  readonly fd: number;
  private position = 0n;
  private closed = false;
  private uncommitted: WrittenRange[] = [];
  private uncommittedBytes = 0;
  /** where the copies of small writes kept for a resend are made */
  private readonly copies = new CopySlab();
  /** LOCALIO wrote UNSTABLE since the last COMMIT (nothing kept: see WriteResult.local) */
  private localUnstable = false;

  /** @internal use `client.open()` */
  constructor(private readonly s: Session, fh: Buffer, path: string, private readonly flags: ParsedFlags, readonly stable: boolean) {
    this.fh = fh;
    this.path = path;
    this.fd = nextFd++;
  }

  /** Bytes written UNSTABLE and held (as copies) until the next COMMIT. */
  get pendingBytes(): number {
    return this.uncommittedBytes;
  }

  private check(syscall: string): void {
    if (this.closed || this.s.closed) throw new NfsFsError('EBADF', syscall, this.path);
  }

  private async wrap<T>(syscall: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.check(syscall);
    try {
      return await abortable(signal, fn);
    } catch (err) {
      throw toFsError(err, syscall, this.path);
    }
  }

  /**
   * Reads into `buffer[offset…offset+length)` at `position` (null: the file position, which
   * advances). The data lands directly in the buffer, rsize pieces in parallel. As node:fs:
   * `read()` alone reads 16 KiB into a new buffer; `read({ buffer, position, … })` and
   * `read(buffer, { offset, length, position })` work too.
   */
  async read<T extends Buffer = Buffer>(buffer?: T | ReadOptions<T>, offset?: number | ReadOptions<T>, length?: number, position?: number | bigint | null): Promise<{ bytesRead: number; buffer: T }> {
    // the lean path: a positional read the transport (LOCALIO) finishes on this thread; the
    // promise of this call is the only one
    if (Buffer.isBuffer(buffer) && (offset === undefined || typeof offset === 'number') && (length === undefined || typeof length === 'number')) {
      const off = offset ?? 0;
      const n = this.readNow(buffer, off, length ?? buffer.length - off, position);
      if (n >= 0) return { bytesRead: n, buffer };
    }
    // the positional form (the hot one) builds no options object
    let buf: T;
    let off: number;
    let len: number | undefined;
    let p: number | bigint | null | undefined;
    if (buffer !== undefined && ArrayBuffer.isView(buffer)) {
      buf = buffer as T;
      if (typeof offset === 'object' && offset !== null) {
        off = offset.offset ?? 0;
        len = offset.length;
        p = offset.position;
      } else {
        off = offset ?? 0;
        len = length;
        p = position;
      }
    } else {
      const o = (buffer ?? {}) as ReadOptions<T>;
      buf = (o.buffer ?? Buffer.alloc(DEFAULT_READ_BUFFER)) as T;
      off = o.offset ?? 0;
      len = o.length;
      p = o.position;
    }
    const u8 = buf as NodeJS.ArrayBufferView;
    const view = Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
    const len2 = len ?? view.length - off;
    // wrap()'s checks and error mapping inline (no signal here): this async function's promise
    // and the engine's are the only two a read makes
    this.check('read');
    if (!this.flags.read) throw new NfsFsError('EBADF', 'read', this.path);
    if (off < 0 || len2 < 0 || off + len2 > view.length) throw new NfsFsError('EINVAL', 'read', this.path);
    const usePos = p === null || p === undefined || (typeof p === 'number' && p < 0);
    const pos = usePos ? this.position : BigInt(p!);
    if (usePos) this.position += BigInt(len2);
    let r: { bytesRead: number };
    try {
      r = await this.s.read(this.fh, view, off, len2, pos);
    } catch (err) {
      throw toFsError(err, 'read', this.path);
    }
    if (usePos) this.position = pos + BigInt(r.bytesRead);
    return { bytesRead: r.bytesRead, buffer: buf };
  }

  /**
   * read() done now by the transport's `readNow` (LOCALIO, synchronously): the count, or -1
   * when anything is unusual (closed, not readable, bad range, longer than rsize, a position
   * not a safe integer, or the transport cannot now): then the full path runs and decides.
   */
  private readNow(buf: Buffer, off: number, len: number, p: number | bigint | null | undefined): number {
    const t = this.s.transport;
    if (t.readNow === undefined || this.closed || this.s.closed || !this.flags.read) return -1;
    if (!(off >= 0 && len > 0 && off + len <= buf.length && len <= this.s.rsize)) return -1;
    const usePos = p === null || p === undefined || (typeof p === 'number' && p < 0);
    let pos: number;
    if (usePos) {
      if (this.position > MAX_LEAN_POS) return -1;
      pos = Number(this.position);
    } else if (Number.isSafeInteger(p)) {
      pos = p as number;
    } else {
      return -1;
    }
    const n = t.readNow(this.fh, pos, buf, off, len);
    if (n >= 0 && usePos) this.position = BigInt(pos + n);
    return n;
  }

  /** Reads into each buffer in turn from `position` (null: the file position). */
  async readv<T extends Buffer[]>(buffers: T, position: number | bigint | null = null): Promise<{ bytesRead: number; buffers: T }> {
    let total = 0;
    let pos = position === null ? null : BigInt(position);
    for (const b of buffers) {
      const { bytesRead } = await this.read(b, 0, b.length, pos);
      total += bytesRead;
      if (pos !== null) pos += BigInt(bytesRead);
      if (bytesRead < b.length) break;
    }
    return { bytesRead: total, buffers };
  }

  /**
   * Writes `buffer[offset…offset+length)` at `position` (null: the file position; appends in
   * 'a' mode). UNSTABLE writes keep a copy of the data until COMMIT (see README: memory).
   */
  async write<T extends Buffer>(buffer: T | string, offset: number | null | BufferEncoding = 0, length?: number | BufferEncoding, position: number | bigint | null = null): Promise<{ bytesWritten: number; buffer: T | string }> {
    // the lean path: an UNSTABLE write the transport (LOCALIO) finishes on this thread
    if (Buffer.isBuffer(buffer) && typeof offset === 'number' && (length === undefined || typeof length === 'number')) {
      const n = this.writeNow(buffer, offset, length ?? buffer.length - offset, position);
      if (n >= 0) return { bytesWritten: n, buffer };
    }
    // wrap()'s checks and error mapping inline (no signal here), as in read()
    this.check('write');
    try {
      if (!this.flags.write) throw new NfsFsError('EBADF', 'write', this.path);
      let src: Buffer;
      let off = 0;
      let len: number;
      if (typeof buffer === 'string') {
        // write(string, position?, encoding?) as node:fs
        src = Buffer.from(buffer, typeof length === 'string' ? length : 'utf8');
        if (typeof offset === 'number') position = offset;
        len = src.length;
      } else {
        src = buffer;
        off = typeof offset === 'number' ? offset : 0;
        len = typeof length === 'number' ? length : src.length - off;
      }
      if (off < 0 || len < 0 || off + len > src.length) throw new NfsFsError('EINVAL', 'write', this.path);
      let pos: bigint;
      const usePos = position === null || position === undefined;
      if (this.flags.append) pos = (await this.s.paths.getattr(this.fh, true)).size;
      else pos = usePos ? this.position : BigInt(position!);
      if (usePos) this.position = pos + BigInt(len);
      const view = src.subarray(off, off + len);
      // the caller's bytes go by reference (its buffer is ours until this resolves); what went
      // UNSTABLE by RPC may have to be resent after the caller reuses it: copied once, after
      await this[kPushWrite](view, pos, false);
      return { bytesWritten: len, buffer };
    } catch (err) {
      throw toFsError(err, 'write', this.path);
    }
  }

  /**
   * write() done now by the transport's `writeNow` (LOCALIO: into the page cache, nothing kept
   * for a resend, a COMMIT owed; the transport tells the attribute cache): the count, or -1
   * when anything is unusual (as readNow; also append mode and stable handles).
   */
  private writeNow(src: Buffer, off: number, len: number, p: number | bigint | null | undefined): number {
    const t = this.s.transport;
    if (t.writeNow === undefined || this.closed || this.s.closed || !this.flags.write || this.flags.append || this.stable) return -1;
    if (!(off >= 0 && len > 0 && off + len <= src.length && len <= this.s.wsize)) return -1;
    const usePos = p === null || p === undefined;
    let pos: number;
    if (usePos) {
      if (this.position > MAX_LEAN_POS) return -1;
      pos = Number(this.position);
    } else if (Number.isSafeInteger(p) && (p as number) >= 0) {
      pos = p as number;
    } else {
      return -1;
    }
    const n = t.writeNow(this.fh, pos, src, off, len);
    if (n < 0) return -1;
    this.localUnstable = true;
    if (usePos) this.position = BigInt(pos + n);
    return n;
  }

  /** Writes each buffer in turn at `position` (null: the file position). */
  async writev<T extends Buffer[]>(buffers: T, position: number | bigint | null = null): Promise<{ bytesWritten: number; buffers: T }> {
    let total = 0;
    let pos = position === null ? null : BigInt(position);
    for (const b of buffers) {
      await this.write(b, 0, b.length, pos);
      total += b.length;
      if (pos !== null) pos += BigInt(b.length);
    }
    return { bytesWritten: total, buffers };
  }

  /**
   * Sends `data` and records what must be committed (also for the write stream). `owned`:
   * the handle keeps `data` from now on; false: the caller keeps its buffer, so what must be
   * kept for a resend is copied.
   */
  async [kPushWrite](data: Buffer, pos: bigint, owned = true): Promise<void> {
    const unstable = await this.s.write(this.fh, data, pos, this.stable, false);
    for (const r of unstable) {
      // LOCALIO: nothing to keep (see WriteResult.local), but a COMMIT is owed
      if (r.local === true) {
        this.localUnstable = true;
        continue;
      }
      if (!owned) r.data = this.copies.copy(r.data);
      this.uncommitted.push(r);
      this.uncommittedBytes += r.data.length;
    }
    if (this.uncommittedBytes > this.s.options.maxUncommitted) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.uncommitted.length === 0 && !this.localUnstable) return;
    const ranges = this.uncommitted;
    const bytes = this.uncommittedBytes;
    this.uncommitted = [];
    this.uncommittedBytes = 0;
    this.localUnstable = false;
    this.copies.reset();
    try {
      await this.s.commit(this.fh, ranges);
    } catch (err) {
      this.localUnstable = true;
      this.uncommitted = ranges.concat(this.uncommitted);
      this.uncommittedBytes += bytes;
      throw err;
    }
  }

  stat(options?: { bigint?: false }): Promise<NfsStats>;
  stat(options: { bigint: true }): Promise<NfsBigIntStats>;
  stat(options?: { bigint?: boolean }): Promise<NfsStats | NfsBigIntStats>;
  async stat(options: { bigint?: boolean } = {}): Promise<NfsStats | NfsBigIntStats> {
    return this.wrap('fstat', async () => makeStats(await this.s.paths.getattr(this.fh, true), options.bigint));
  }

  /** COMMITs everything written UNSTABLE, resending ranges the server lost. */
  async sync(): Promise<void> {
    return this.wrap('fsync', () => this.flush());
  }

  datasync(): Promise<void> {
    return this.sync();
  }

  async truncate(len = 0): Promise<void> {
    return this.wrap('ftruncate', () => this.s.setattr(this.fh, { size: BigInt(len) }));
  }

  async chmod(mode: number | string): Promise<void> {
    return this.wrap('fchmod', () => this.s.setattr(this.fh, { mode: parseMode(mode) }));
  }

  async chown(uid: number, gid: number): Promise<void> {
    return this.wrap('fchown', () => this.s.setattr(this.fh, { ...(uid !== -1 ? { uid } : {}), ...(gid !== -1 ? { gid } : {}) }));
  }

  async utimes(atime: Date | number | string, mtime: Date | number | string): Promise<void> {
    return this.wrap('futime', () => this.s.setattr(this.fh, { atime: parseTime(atime, 'atime'), mtime: parseTime(mtime, 'mtime') }));
  }

  readFile(options?: { encoding?: null; signal?: AbortSignal } | null): Promise<Buffer>;
  readFile(options: { encoding: BufferEncoding; signal?: AbortSignal } | BufferEncoding): Promise<string>;
  readFile(options?: { encoding?: BufferEncoding | null; signal?: AbortSignal } | BufferEncoding | null): Promise<Buffer | string>;
  async readFile(options?: { encoding?: BufferEncoding | null; signal?: AbortSignal } | BufferEncoding | null): Promise<Buffer | string> {
    const o = typeof options === 'string' ? { encoding: options } : options ?? {};
    const signal = o.signal;
    const data = await this.wrap('read', () => this.s.readWhole(this.fh, () => this.s.closed || signal?.aborted === true), signal);
    return o.encoding !== null && o.encoding !== undefined ? data.toString(o.encoding) : data;
  }

  /** Replaces the contents (from position 0, as node:fs's `filehandle.writeFile`; appends in 'a' mode). */
  async writeFile(data: WriteFileData, options: { encoding?: BufferEncoding; signal?: AbortSignal } | BufferEncoding = {}): Promise<void> {
    const o = typeof options === 'string' ? { encoding: options } : options;
    const buf = await toBuffer(data, o.encoding, o.signal);
    await this.wrap('write', async () => {
      const pos = this.flags.append ? (await this.s.paths.getattr(this.fh, true)).size : 0n;
      // sent by reference and committed before this resolves: nothing to keep a copy for
      await this.s.write(this.fh, buf, pos, this.stable, true, () => this.s.closed || o.signal?.aborted === true);
      if (!this.flags.append) this.position = BigInt(buf.length);
    }, o.signal);
  }

  /** Appends at the end of the file. */
  async appendFile(data: WriteFileData, options: { encoding?: BufferEncoding; signal?: AbortSignal } | BufferEncoding = {}): Promise<void> {
    const o = typeof options === 'string' ? { encoding: options } : options;
    const buf = await toBuffer(data, o.encoding, o.signal);
    await this.wrap('write', async () => {
      const pos = (await this.s.paths.getattr(this.fh, true)).size;
      await this.s.write(this.fh, buf, pos, this.stable, true, () => this.s.closed || o.signal?.aborted === true);
    }, o.signal);
  }

  /** The file's lines (as `readline` over `createReadStream()`). */
  readLines(options: ReadStreamOptions & { encoding?: BufferEncoding } = {}): Interface {
    const stream = this.createReadStream(options);
    if (options.encoding !== undefined) stream.setEncoding(options.encoding);
    return createInterface({ input: stream, crlfDelay: Infinity });
  }

  /** A read stream over this open file from its start (or `start`); closes the handle when it ends unless `autoClose: false`. */
  createReadStream(options: ReadStreamOptions = {}): NfsReadStream {
    this.check('read');
    return new NfsReadStream(this.s, this.path, options, this);
  }

  /** A write stream into this open file; it commits when it finishes and closes the handle unless `autoClose: false`. */
  createWriteStream(options: WriteStreamOptions = {}): NfsWriteStream {
    this.check('write');
    return new NfsWriteStream(this.s, this.path, options, undefined, this);
  }

  /** A web ReadableStream of the file's bytes. */
  readableWebStream(): ReadableStream<Uint8Array> {
    return Readable.toWeb(this.createReadStream()) as ReadableStream<Uint8Array>;
  }

  /** fcntl-style byte-range lock (owner: the client) over NLM; length 0 is to the end of the file. */
  lock(start: number | bigint, length: number | bigint, options: Omit<LockOptions, 'svid'> = {}): Promise<void> {
    this.check('lock');
    return this.s.locks.lock(this.fh, this.path, BigInt(start), BigInt(length), options);
  }

  unlock(start: number | bigint, length: number | bigint): Promise<void> {
    this.check('unlock');
    return this.s.locks.unlock(this.fh, this.path, BigInt(start), BigInt(length));
  }

  private flockSvid = 0;
  /** flock(2)-style whole-file lock owned by this handle ('un' releases it; so does close()). */
  async flock(op: 'sh' | 'ex' | 'un', options: { wait?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    this.check('flock');
    this.flockSvid ||= nextFlockSvid++;
    if (op === 'un') return this.s.locks.unlock(this.fh, this.path, 0n, 0n, this.flockSvid);
    return this.s.locks.lock(this.fh, this.path, 0n, 0n, { ...options, exclusive: op === 'ex', svid: this.flockSvid });
  }

  /** Commits what is pending and releases the handle; a failed COMMIT is reported and the handle still closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flockSvid !== 0 && !this.s.closed) await this.s.locks.unlock(this.fh, this.path, 0n, 0n, this.flockSvid).catch(() => {});
    try {
      if (!this.s.closed) await this.wrap('close', () => this.flush());
    } finally {
      this.closed = true;
      this.uncommitted = [];
      this.uncommittedBytes = 0;
      this.copies.reset();
      this.s.handleClosed(this);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
