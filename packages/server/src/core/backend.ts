/**
 * The server's only way to the filesystem. Procedures never import `fs`: they call a Backend.
 *
 * The contract is relative, never by absolute path: an export root is opened once
 * (`openRoot`), and every object is named by that root and a path below it (`Loc`), or by a
 * directory `Node` and ONE name in it. A Backend must guarantee, whatever runs concurrently on
 * the tree (renames, symlink swaps by other clients or local processes):
 *  - resolving a Loc never leaves its root and never follows a symlink in any component
 *    (the Linux backend has the kernel enforce this: openat2 RESOLVE_BENEATH|NO_SYMLINKS);
 *  - a call that takes a Node acts on a descriptor of that very object (checked by dev/ino
 *    after opening), or on one name inside that very directory; a mismatch is ESTALE;
 *  - nothing follows a symlink in the last component (a symlink's mode is left alone).
 * `rel` is '' for the root and never starts or ends with '/' nor holds '.' or '..' components;
 * it may be longer than PATH_MAX (the backend walks it in pieces).
 */

/** File type of a directory entry or a stat result. */
export type FileKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'chr' | 'blk' | 'unknown';

/**
 * Stats of an object: the subset of fs.BigIntStats the server uses (fs.BigIntStats and the
 * Linux backend's statx results both satisfy it).
 */
export interface Stats {
  dev: bigint; ino: bigint; mode: bigint; nlink: bigint; uid: bigint; gid: bigint; rdev: bigint;
  size: bigint; blocks: bigint;
  atimeNs: bigint; mtimeNs: bigint; ctimeNs: bigint; birthtimeNs: bigint;
  isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean;
  isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean;
}

/** An export root as a backend opened it (the Linux backend holds a descriptor). */
export interface BackendRoot {
  /** canonical absolute path (for messages, and for the portable backend) */
  readonly path: string;
}

/** An object named by its export root and a path below it. */
export interface Loc {
  readonly root: BackendRoot;
  readonly rel: string;
}

/** A located object and what it must be (dev and ino are checked on the opened descriptor). */
export interface Node extends Loc {
  readonly stats: { readonly dev: bigint; readonly ino: bigint };
}

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

/** What Backend.removeChildSync() found and did. */
export interface ChildRemoval {
  /** the removed (or refused) object's stats, taken just before */
  obj: Stats;
  /** the directory's attributes after the removal; null when the caller's check refused it */
  after: Stats | null;
}

/** Which MKNOD types this backend can create here; the others answer NFS3ERR_NOTSUPP. */
export interface MknodSupport { fifo: boolean; socket: boolean; chr: boolean; blk: boolean }

/** Open flags a Backend understands (a subset of fs.constants, values as on Linux). */
export const OPEN_READ = 0;
export const OPEN_READ_WRITE = 2;

export interface Backend {
  readonly name: string;
  /** Whether concurrent changes to the tree can never make a call reach outside its root. */
  readonly raceSafe: boolean;
  /**
   * Whether the numbers open() returns are this process's file descriptors, usable with
   * node:fs. Only then does the server offer LOCALIO (clients do fs.read/fs.write on them) and
   * mirror NLM locks into OFD locks. Absent means false: a backend with descriptors of its own
   * (the memory backend) is served by RPC alone.
   */
  readonly osDescriptors?: boolean;
  /** Opens an export root (symlinks in `path` itself are resolved once, here). */
  openRoot(path: string): Promise<{ root: BackendRoot; stats: Stats }>;
  /** Closes what openRoot() holds. */
  closeRoot(root: BackendRoot): void;

  /** Stats of the object itself (never follows a final symlink). */
  lstat(at: Loc): Promise<Stats>;
  /** Optional: lstat on the calling thread (used under the core's SyncReadGate). */
  lstatSync?(at: Loc): Stats;
  /**
   * Optional: lstatSync() with the failure as data, the errno (a positive number, ENOENT for a
   * name that is not there) instead of a thrown Error: a negative LOOKUP (the Linux client sends
   * one before every create) is an expected outcome, and building an Error costs more than the
   * system call. Same confinement as lstatSync().
   */
  lstatOrErrnoSync?(at: Loc): Stats | number;
  fstat(fd: number): Promise<Stats>;
  /**
   * Optional: fstat without a thread-pool round trip, for the READ/WRITE fast path on a
   * descriptor the open-file cache holds (an open inode's attributes are in memory on local
   * filesystems). A backend whose fstat may block (network or FUSE storage) leaves it out.
   */
  fstatSync?(fd: number): Stats;
  /**
   * Optional: lstat of several names in the directory `dir`, on the calling thread, through one
   * descriptor of `dir` (checked to be it): out[i] is names[i]'s stats, or undefined when that
   * name is gone (ENOENT); any other failure throws. READDIRPLUS stats its entries with it (one
   * statx each instead of opening the directory again for every entry).
   */
  lstatChildrenSync?(dir: Node, names: readonly string[]): Array<Stats | undefined>;
  statfs(at: Loc): Promise<BackendStatFs>;
  /** Entries of a directory, without '.' and '..', in no particular order. */
  readdir(dir: Loc): Promise<DirEntry[]>;

  /**
   * Opens the existing regular file `obj` (`flags`: OPEN_READ or OPEN_READ_WRITE); the
   * descriptor is checked to be obj (dev, ino, still linked), else ESTALE. Returns an fd.
   */
  open(obj: Node, flags: number): Promise<number>;
  /**
   * Optional: open() on the calling thread, for callers that must answer synchronously (the
   * lock manager mirrors NFS locks into OFD locks inside its own synchronous step). Only a
   * backend that confines the open as open() does provides it.
   */
  openSync?(obj: Node, flags: number): number;
  /** Closes, on the calling thread, a descriptor openSync returned (required with openSync). */
  closeSync?(fd: number): void;
  /**
   * Creates `name` in dir as a new regular file (O_CREAT|O_EXCL, EEXIST when it exists),
   * gives it `owner` when not null (through the new descriptor), and resolves with its stats.
   * The mode may come out narrower (the process umask) for a backend that does not set it
   * exactly; the caller applies what is missing (the Linux backend sets it on the descriptor).
   */
  create(dir: Node, name: string, mode: number, owner?: { uid: number; gid: number } | null): Promise<Stats>;
  /**
   * Optional: create() on the calling thread, for a backend whose metadata calls are cheap
   * system calls (CREATE answers without a promise): the same confinement and ownership, and
   * also the directory's attributes after the create (from the checked directory descriptor,
   * so the reply's wcc_data needs no second walk). `times` (nanoseconds), when given, become
   * the new file's atime and mtime in the same step (an EXCLUSIVE CREATE's verifier).
   * `dirFd`, when given, is a descriptor of dir from openDirSync() that the caller checked to be
   * dir and will close: the create happens in it (no second walk of dir's path).
   */
  createSync?(dir: Node, name: string, mode: number, owner?: { uid: number; gid: number } | null, times?: { atimeNs: bigint; mtimeNs: bigint } | null, dirFd?: number): { stats: Stats; dir: Stats };
  /**
   * Optional: a new O_PATH descriptor of the directory root/rel on the calling thread, resolved
   * as lstat() resolves (beneath the root, no symlink in any component, ENOTDIR for anything
   * but a directory); the caller checks it (fstatSync) and closes it (closeSync) before its
   * call returns. CREATE and REMOVE resolve their directory handle with it and act in it:
   * one walk of the directory's path instead of two. Never kept across calls: a directory
   * moved out of the export keeps its descriptor.
   */
  openDirSync?(dir: Loc): number;
  close(fd: number): Promise<void>;
  /** Reads into buf[off, off+len) at `position`; resolves with bytes read (0 at EOF). */
  read(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number>;
  /**
   * Optional: read() on the calling thread, for READs likely served from the page cache (see
   * SyncReadGate). A backend whose reads may block for long leaves it out. May return -1
   * (READ_NOT_CACHED) instead of blocking when the bytes are not in memory: the caller then
   * reads them with read().
   */
  readSync?(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): number;
  /**
   * Optional: the file's bytes [position, position+len) (clamped to EOF) as a view of the
   * backend's own memory, without a copy, or null when it cannot give one (READ then reads
   * into a buffer of its own). The view goes to the socket by reference after the READ
   * handler settles, so the backend must never reuse that memory for other data; later writes
   * may change bytes in it (as a concurrent write may on any server). Counts as a read (atime).
   */
  readView?(fd: number, position: bigint, len: number): Buffer | null;
  /** Writes buf[off, off+len) at `position`; resolves with bytes written. */
  write(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number>;
  /**
   * Optional: writes the buffers one after another at `position` (pwritev(2)); resolves with
   * bytes written, which may be fewer than their total (the caller writes the rest). Lets a
   * WRITE's data go to the file as the socket chunks it arrived in, without joining them.
   */
  writev?(fd: number, bufs: readonly Uint8Array[], position: bigint | number): Promise<number>;
  /**
   * Optional: write() on the calling thread, for small UNSTABLE WRITEs that land in the page
   * cache (under the core's SyncReadGate). A backend whose writes may block for long leaves it out.
   */
  writeSync?(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): number;
  fsync(fd: number): Promise<void>;
  fdatasync(fd: number): Promise<void>;
  ftruncate(fd: number, size: bigint | number): Promise<void>;
  /** Truncates the regular file obj (EINVAL for anything else). */
  truncate(obj: Node, size: bigint | number): Promise<void>;

  mkdir(dir: Node, name: string, mode: number): Promise<void>;
  rmdir(dir: Node, name: string): Promise<void>;
  unlink(dir: Node, name: string): Promise<void>;
  /**
   * Optional: unlink() (`directory` false) or rmdir() (true) on the calling thread, with the
   * same confinement; returns the directory's attributes after the removal (from the checked
   * directory descriptor), or null, having done nothing, when the removal should not run on
   * this thread (a large file, whose blocks take long to free: the caller awaits unlink()).
   */
  removeSync?(dir: Node, name: string, directory: boolean): Stats | null;
  /**
   * Optional: the lookup and the removal of REMOVE / RMDIR in one step on one checked
   * directory descriptor (no walk of the child's path): stats the single name `name` in dir
   * without following it, asks `may(obj)` (the caller's kind and permission checks), and only
   * when it says yes removes the name as removeSync() does. Returns the errno of the name's
   * stat (a positive number: nothing removed), `{ obj, after: null }` when `may` refused
   * (nothing removed), `{ obj, after }` (the directory's attributes after the removal), or null,
   * having removed nothing, when the removal should not run on this thread (a large file).
   * Throws when the directory is not dir any more or the removal itself fails. `dirFd`: as
   * createSync()'s.
   */
  removeChildSync?(dir: Node, name: string, directory: boolean, may: (obj: Stats) => boolean, dirFd?: number): ChildRemoval | number | null;
  rename(fromDir: Node, fromName: string, toDir: Node, toName: string): Promise<void>;
  /** A new name in dir for the existing non-directory obj. */
  link(obj: Node, dir: Node, name: string): Promise<void>;
  symlink(dir: Node, name: string, target: string): Promise<void>;
  readlink(obj: Loc): Promise<string>;
  /** chmod of obj itself (a symlink's mode is left alone, as on Linux). */
  chmod(obj: Node, mode: number): Promise<void>;
  /** chown of obj itself, never what a symlink points to; -1 leaves uid or gid unchanged. */
  chown(obj: Node, uid: number, gid: number): Promise<void>;
  /** Times in nanoseconds since the epoch; null leaves that time unchanged. */
  utimes(obj: Node, atimeNs: bigint | null, mtimeNs: bigint | null): Promise<void>;
  /** Creates a special file; rejects with ENOTSUP (→ NFS3ERR_NOTSUPP) for unsupported kinds. */
  mknod(dir: Node, name: string, kind: 'fifo' | 'socket' | 'chr' | 'blk', mode: number, major?: number, minor?: number): Promise<void>;
  mknodSupport(): MknodSupport;
}
