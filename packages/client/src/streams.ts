import { Readable, Writable } from 'node:stream';
import { toFsError, NfsFsError } from './errors.js';
import { parseFlags } from './flags.js';
import { kPushWrite } from './internal.js';
import type { Session } from './session.js';
import type { NfsFileHandle } from './file-handle.js';

/** Bytes a read stream asks for per engine request (split into rsize pieces run in parallel). */
export const DEFAULT_STREAM_CHUNK = 4 * 1024 * 1024;

export interface ReadStreamOptions {
  /** first byte to read */
  start?: number;
  /** last byte to read (inclusive, as in `fs.createReadStream`) */
  end?: number;
  /** bytes per request (default 4 MiB); the stream buffers up to two of them ahead */
  chunkSize?: number;
  /** destroys the stream with an AbortError (code 'ABORT_ERR') when it fires */
  signal?: AbortSignal;
  /** for a stream from `filehandle.createReadStream()`: close the handle at the end (default true) */
  autoClose?: boolean;
}

/**
 * A Readable over an NFS file. Each `_read` fills one freshly allocated chunk with the
 * request engine (pieces land in their slices, no concatenation) and pushes it; Readable's
 * own high-water mark gives read-ahead and backpressure. `pending` is true until the file
 * is found, as for `fs.ReadStream`.
 */
export class NfsReadStream extends Readable {
  readonly path: string;
  bytesRead = 0;
  pending = true;
  private fh: Buffer | undefined;
  private pos: number;
  private readonly end: number;
  private readonly chunk: number;

  /** @internal use `client.createReadStream()` or `filehandle.createReadStream()` */
  constructor(private readonly s: Session, path: string, private readonly o: ReadStreamOptions = {}, private readonly handle?: NfsFileHandle) {
    const chunk = o.chunkSize ?? DEFAULT_STREAM_CHUNK;
    super({ highWaterMark: chunk * 2, ...(o.signal !== undefined ? { signal: o.signal } : {}) });
    this.path = path;
    this.chunk = chunk;
    this.pos = o.start ?? 0;
    this.end = o.end ?? Infinity;
  }

  override _construct(cb: (err?: Error | null) => void): void {
    if (this.handle !== undefined) {
      this.fh = this.handle.fh;
      this.opened(cb);
      return;
    }
    this.s.paths.resolve(this.path, true).then((r) => {
      if (r.attr.type === 2) return cb(new NfsFsError('EISDIR', 'read', this.path));
      this.fh = r.fh;
      this.opened(cb);
    }, (err: unknown) => cb(toFsError(err, 'open', this.path) as Error));
  }

  /** as fs.ReadStream: 'open' (with the handle's fd-like number, or -1 for a path) and 'ready' */
  private opened(cb: (err?: Error | null) => void): void {
    this.pending = false;
    cb();
    this.emit('open', this.handle?.fd ?? -1);
    this.emit('ready');
  }

  override _read(): void {
    const n = Math.min(this.chunk, this.end + 1 - this.pos);
    if (n <= 0 || this.fh === undefined) {
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafe(n);
    this.s.read(this.fh, buf, 0, n, BigInt(this.pos), () => this.s.closed || this.destroyed)
      .then((r) => {
        this.pos += r.bytesRead;
        this.bytesRead += r.bytesRead;
        if (r.bytesRead > 0) this.push(r.bytesRead === n ? buf : buf.subarray(0, r.bytesRead));
        if (r.eof || r.bytesRead < n || this.pos > this.end) this.push(null);
      }, (err: unknown) => this.destroy(toFsError(err, 'read', this.path) as Error));
  }

  /** Ends the stream early (as `fs.ReadStream#close`). */
  close(cb?: (err?: Error | null) => void): void {
    if (cb !== undefined) this.once('close', () => cb(this.errored));
    this.destroy();
  }

  /** Ended or destroyed: like readFile(), let LOCALIO put the server's file unless an open handle uses it. */
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.handle !== undefined) {
      if (this.o.autoClose === false) return cb(err);
      this.handle.close().then(() => cb(err), (e: unknown) => cb(err ?? e as Error));
      return;
    }
    if (this.fh !== undefined) this.s.releaseIfUnused(this.fh);
    cb(err);
  }
}

export interface WriteStreamOptions {
  /** open flags, default 'w' (use 'r+' with `start` to modify a file in place, as with node:fs) */
  flags?: string | number;
  mode?: number;
  /** byte position to start writing at */
  start?: number;
  /** FILE_SYNC writes instead of UNSTABLE + COMMIT on close */
  stable?: boolean;
  /** WRITEs in flight at once (default: the client's window) */
  window?: number;
  highWaterMark?: number;
  /** destroys the stream with an AbortError (code 'ABORT_ERR') when it fires */
  signal?: AbortSignal;
  /** for a stream from `filehandle.createWriteStream()`: close the handle at the end (default true) */
  autoClose?: boolean;
}

/**
 * A Writable over an NFS file. Incoming chunks are gathered into wsize staging buffers
 * (the one copy: it is also what COMMIT may have to resend) and sent as full-size WRITEs,
 * up to `window` at once; the write callback waits only when the window is full
 * (backpressure). `end()` sends the rest, COMMITs (resending on a verifier change) and
 * closes; the first failure fails the stream.
 */
export class NfsWriteStream extends Writable {
  readonly path: string;
  bytesWritten = 0;
  pending = true;
  private h: NfsFileHandle | undefined;
  private pos: bigint;
  private stage: Buffer | null = null;
  private staged = 0;
  private readonly inflight = new Set<Promise<void>>();
  private firstErr: unknown;
  private readonly window: number;

  /** @internal use `client.createWriteStream()` or `filehandle.createWriteStream()` */
  constructor(private readonly s: Session, path: string, private readonly o: WriteStreamOptions = {}, private readonly open?: (flags: string | number) => Promise<NfsFileHandle>, handle?: NfsFileHandle) {
    super({ highWaterMark: o.highWaterMark ?? 1024 * 1024, decodeStrings: true, ...(o.signal !== undefined ? { signal: o.signal } : {}) });
    this.path = path;
    this.pos = BigInt(o.start ?? 0);
    this.window = o.window ?? s.options.window;
    this.h = handle;
  }

  override _construct(cb: (err?: Error | null) => void): void {
    const flags = this.o.flags ?? 'w'; // as in node:fs: modifying in place needs flags 'r+'
    const opened = this.h !== undefined ? Promise.resolve(this.h) : this.open!(flags);
    opened.then(async (h) => {
      this.h = h;
      if (parseFlags(flags).append) this.pos = BigInt((await h.stat()).size);
      this.pending = false;
      cb();
      this.emit('open', h.fd);
      this.emit('ready');
    }, (err: unknown) => cb(err as Error));
  }

  private launch(): void {
    if (this.stage === null || this.staged === 0 || this.h === undefined) return;
    const data = this.stage.subarray(0, this.staged);
    const pos = this.pos;
    this.pos += BigInt(this.staged);
    this.stage = null;
    this.staged = 0;
    const h = this.h;
    const p: Promise<void> = h[kPushWrite](data, pos).then(() => {
      this.bytesWritten += data.length;
    }, (err: unknown) => {
      this.firstErr ??= toFsError(err, 'write', this.path);
    }).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.firstErr !== undefined) return cb(this.firstErr as Error);
    const wsize = this.s.wsize;
    let off = 0;
    while (off < chunk.length) {
      this.stage ??= Buffer.allocUnsafe(wsize);
      const n = Math.min(wsize - this.staged, chunk.length - off);
      chunk.copy(this.stage, this.staged, off, off + n);
      this.staged += n;
      off += n;
      if (this.staged === wsize) this.launch();
    }
    this.waitWindow(this.window - 1).then(() => cb(this.firstErr as Error | undefined), cb);
  }

  private async waitWindow(max: number): Promise<void> {
    while (this.inflight.size > max) await Promise.race(this.inflight);
  }

  private async finish(): Promise<void> {
    if (this.o.autoClose === false) await this.h?.sync();
    else await this.h?.close();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.launch();
    this.waitWindow(0).then(async () => {
      if (this.firstErr !== undefined) throw this.firstErr;
      await this.finish();
    }).then(() => cb(), (err: unknown) => cb(err as Error));
  }

  /** Ends the stream (as `fs.WriteStream#close`): what was written is sent and committed. */
  close(cb?: (err?: Error | null) => void): void {
    if (cb !== undefined) this.once('close', () => cb(this.errored));
    if (!this.writableEnded) this.end();
    else if (this.writableFinished) this.destroy();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.waitWindow(0).then(async () => {
      if (this.o.autoClose === false) return; // the handle's owner syncs and closes it
      try {
        await this.h?.close();
      } catch (e) {
        err ??= e as Error;
      }
    }).then(() => cb(err), () => cb(err));
  }
}
