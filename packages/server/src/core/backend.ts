/**
 * The server's only way to the filesystem. Procedures never import `fs`: they call a Backend.
 * Every path given to a Backend is absolute and has been checked by the core to lie inside
 * an export; no method follows a symlink in the last component (lstat, lchown, lutimes,
 * O_NOFOLLOW), and the core validates the intermediate components.
 */
import type { BigIntStats } from 'node:fs';

/** File type of a directory entry or a stat result. */
export type FileKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'chr' | 'blk' | 'unknown';

export interface DirEntry {
  name: string;
  /** from the directory entry itself (d_type); 'unknown' when the filesystem does not say */
  kind: FileKind;
}

export interface BackendStatFs {
  /** fundamental block size */ bsize: bigint;
  blocks: bigint; bfree: bigint; bavail: bigint;
  files: bigint; ffree: bigint;
}

/** Which MKNOD types this backend can create here; the others answer NFS3ERR_NOTSUPP. */
export interface MknodSupport { fifo: boolean; socket: boolean; chr: boolean; blk: boolean }

/** Open flags a Backend understands (a subset of fs.constants, values as on Linux). */
export const OPEN_READ = 0;
export const OPEN_READ_WRITE = 2;

export interface Backend {
  readonly name: string;
  /** Stats of the object itself (never follows a final symlink). */
  lstat(path: string): Promise<BigIntStats>;
  /** Optional: lstat on the calling thread (used under the core's SyncReadGate). */
  lstatSync?(path: string): BigIntStats;
  fstat(fd: number): Promise<BigIntStats>;
  /**
   * Optional: fstat without a thread-pool round trip, for the READ/WRITE fast path on a
   * descriptor the open-file cache holds (an open inode's attributes are in memory on local
   * filesystems). A backend whose fstat may block (network or FUSE storage) leaves it out.
   */
  fstatSync?(fd: number): BigIntStats;
  statfs(path: string): Promise<BackendStatFs>;
  /** Canonical path with every symlink resolved (used to check that no component is a symlink). */
  realpath(path: string): Promise<string>;
  /** Entries of a directory, without '.' and '..', in no particular order. */
  readdir(path: string): Promise<DirEntry[]>;

  /** Opens with O_NOFOLLOW always added; `flags` are fs.constants O_* bits. Returns an fd. */
  open(path: string, flags: number, mode?: number): Promise<number>;
  close(fd: number): Promise<void>;
  /** Reads into buf[off, off+len) at `position`; resolves with bytes read (0 at EOF). */
  read(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number>;
  /**
   * Optional: read() on the calling thread, for small READs likely served from the page
   * cache (see SyncReadGate). A backend whose reads may block for long leaves it out.
   */
  readSync?(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): number;
  /** Writes buf[off, off+len) at `position`; resolves with bytes written. */
  write(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number>;
  fsync(fd: number): Promise<void>;
  fdatasync(fd: number): Promise<void>;
  ftruncate(fd: number, size: bigint | number): Promise<void>;
  /** Truncates a regular file by path without following a symlink. */
  truncate(path: string, size: bigint | number): Promise<void>;

  mkdir(path: string, mode: number): Promise<void>;
  rmdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  readlink(path: string): Promise<string>;
  /** chmod that never follows a symlink (a symlink's mode is left alone, as on Linux). */
  chmod(path: string, mode: number): Promise<void>;
  /** -1 leaves uid or gid unchanged. */
  lchown(path: string, uid: number, gid: number): Promise<void>;
  /** Times in nanoseconds since the epoch. */
  lutimes(path: string, atimeNs: bigint, mtimeNs: bigint): Promise<void>;
  /** Creates a special file; rejects with ENOTSUP (→ NFS3ERR_NOTSUPP) for unsupported kinds. */
  mknod(path: string, kind: 'fifo' | 'socket' | 'chr' | 'blk', mode: number, major?: number, minor?: number): Promise<void>;
  mknodSupport(): MknodSupport;
}
