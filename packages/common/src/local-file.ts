/**
 * The refcounted open file that a server's file cache and LOCALIO clients share (Linux's
 * `nfsd_file` with `nfsd_file_get`/`nfsd_file_put`). The descriptor stays valid while you hold
 * a reference and is closed only when the last reference is put.
 *
 * The server's own cache may implement the interface structurally (its `OpenFile` already has
 * `fd`, `mode`, `dropped`, `get()` and `put()`), or build on `RefcountedFile`.
 */
import fs from 'node:fs';
import { LocalioError } from './errors.js';

export type LocalFileMode = 'r' | 'rw';

export interface LocalFile {
  /** the descriptor; use it only while you hold a reference */
  readonly fd: number;
  /** 'rw' descriptors serve reads too */
  readonly mode: LocalFileMode;
  /**
   * true once the owner no longer wants new users of this object (the file was removed or
   * renamed over, or the cache is closing): a holder that caches it should put it and open
   * again, which resolves the handle afresh (and answers STALE if it is gone). Holders ask
   * it before every use: the server may re-check its permission there (a chmod since the
   * open revokes a grant RPC would now refuse), so it can cost an fstat.
   */
  readonly dropped: boolean;
  /** takes another reference; returns the same object */
  get(): LocalFile;
  /** drops a reference; the last one (once dropped, for cached files) closes the descriptor */
  put(): void;
}

/** What closes a descriptor at the last put (default: `fs.close`). */
export type FdCloser = (fd: number) => void | Promise<void>;

function defaultCloser(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));
}

/**
 * A base class for `LocalFile`: created holding one reference (the creator's). With
 * `keepWhenIdle: true` (a cache entry) the descriptor closes at the last put only after
 * `drop()`; otherwise the last put closes it.
 */
export class RefcountedFile implements LocalFile {
  readonly fd: number;
  readonly mode: LocalFileMode;
  refs: number;
  dropped = false;
  closed = false;
  /** settles when the descriptor has been closed (never rejects; close errors go to onCloseError) */
  readonly whenClosed: Promise<void>;
  private readonly closer: FdCloser;
  private readonly keepWhenIdle: boolean;
  private readonly onCloseError: ((err: unknown) => void) | undefined;
  private resolveClosed!: () => void;

  constructor(fd: number, mode: LocalFileMode, opts: { closer?: FdCloser; keepWhenIdle?: boolean; onCloseError?: (err: unknown) => void } = {}) {
    this.fd = fd;
    this.mode = mode;
    this.refs = 1;
    this.closer = opts.closer ?? defaultCloser;
    this.keepWhenIdle = opts.keepWhenIdle ?? false;
    this.onCloseError = opts.onCloseError;
    this.whenClosed = new Promise((r) => { this.resolveClosed = r; });
  }

  get(): this {
    if (this.closed) throw new LocalioError('ERR_LOCALIO_REFCOUNT', 'get() on a closed LocalFile');
    this.refs++;
    return this;
  }

  put(): void {
    if (this.refs <= 0) throw new LocalioError('ERR_LOCALIO_REFCOUNT', 'LocalFile.put() without a matching get()');
    this.refs--;
    if (this.refs === 0 && (this.dropped || !this.keepWhenIdle)) this.close();
  }

  /** The owner lets go: no new users; the descriptor closes at the last put (now, if unheld). */
  drop(): void {
    this.dropped = true;
    if (this.refs === 0) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropped = true;
    let p: void | Promise<void>;
    try {
      p = this.closer(this.fd);
    } catch (err) {
      this.onCloseError?.(err);
      this.resolveClosed();
      return;
    }
    Promise.resolve(p).then(
      () => this.resolveClosed(),
      (err: unknown) => { this.onCloseError?.(err); this.resolveClosed(); },
    );
  }
}
