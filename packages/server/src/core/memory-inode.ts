/**
 * Objects of the in-memory filesystem: inodes (a regular file's FileData, a directory's
 * entries, a symlink's target), their Stats snapshots, and the clock that stamps them.
 */
import type { FileKind, Stats } from './backend.js';
import { FileData } from './memory-data.js';

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFSOCK = 0o140000;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_IXGRP = 0o010;

/** What each object costs in the byte budget besides its data (an inode, a name). */
export const INODE_BYTES = 256;
export const DIRENT_BYTES = 64;

let lastNs = 0n;
/**
 * Wall-clock time in ns, strictly increasing in this process: two changes never share a
 * ctime, so a client comparing change attributes always sees a change.
 */
export function clockNs(): bigint {
  const t = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  lastNs = t > lastNs ? t : lastNs + 1n;
  return lastNs;
}

export class MemInode {
  nlink = 0;
  /** descriptors open on it: an unlinked file keeps its data until the last closes */
  opens = 0;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  readonly birthtimeNs: bigint;
  /** regular files */
  readonly data: FileData | null;
  /** directories: name → object */
  readonly entries: Map<string, MemInode> | null;
  /** symlinks */
  readonly target: string | null;

  constructor(
    readonly ino: bigint,
    /** type and permission bits, as st_mode */
    public mode: number,
    public uid: number,
    public gid: number,
    readonly rdev: bigint = 0n,
    target: string | null = null,
  ) {
    const t = clockNs();
    this.atimeNs = t;
    this.mtimeNs = t;
    this.ctimeNs = t;
    this.birthtimeNs = t;
    const type = mode & S_IFMT;
    this.data = type === S_IFREG ? new FileData() : null;
    this.entries = type === S_IFDIR ? new Map() : null;
    this.target = type === S_IFLNK ? target : null;
  }

  get type(): number {
    return this.mode & S_IFMT;
  }

  get kind(): FileKind {
    return kindOf(this.mode);
  }

  /** Data changed: mtime and ctime now. */
  modified(): void {
    const t = clockNs();
    this.mtimeNs = t;
    this.ctimeNs = t;
  }

  /** Attributes changed (mode, owner, links, times): ctime now. */
  changed(): void {
    this.ctimeNs = clockNs();
  }

  /** Read (file data or a directory listing): atime by Linux's default relatime rule. */
  accessed(): void {
    const t = clockNs();
    if (this.atimeNs <= this.mtimeNs || this.atimeNs <= this.ctimeNs || t - this.atimeNs >= 86_400_000_000_000n) this.atimeNs = t;
  }

  /** chown(2) of a non-directory clears set-user-ID, and set-group-ID when group-executable. */
  chown(uid: number, gid: number): void {
    if (uid !== -1) this.uid = uid;
    if (gid !== -1) this.gid = gid;
    if (this.type !== S_IFDIR && this.type !== S_IFLNK) {
      this.mode &= ~S_ISUID;
      if (this.mode & S_IXGRP) this.mode &= ~S_ISGID;
    }
    this.changed();
  }

  stats(dev: bigint): MemStats {
    return new MemStats(dev, this);
  }
}

export function kindOf(mode: number): FileKind {
  switch (mode & S_IFMT) {
    case S_IFREG: return 'file';
    case S_IFDIR: return 'dir';
    case S_IFLNK: return 'symlink';
    case S_IFIFO: return 'fifo';
    case S_IFSOCK: return 'socket';
    case S_IFCHR: return 'chr';
    case S_IFBLK: return 'blk';
    default: return 'unknown';
  }
}

/** A snapshot of an inode's attributes (the core keeps Stats, so they must not change under it). */
export class MemStats implements Stats {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: bigint;
  readonly nlink: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly rdev: bigint;
  readonly size: bigint;
  readonly blocks: bigint;
  readonly blksize = 4096n;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly birthtimeNs: bigint;

  constructor(dev: bigint, n: MemInode) {
    this.dev = dev;
    this.ino = n.ino;
    this.mode = BigInt(n.mode);
    this.nlink = BigInt(n.nlink);
    this.uid = BigInt(n.uid);
    this.gid = BigInt(n.gid);
    this.rdev = n.rdev;
    this.size = BigInt(sizeOf(n));
    this.blocks = BigInt(Math.ceil((n.data?.allocated ?? 0) / 512));
    this.atimeNs = n.atimeNs;
    this.mtimeNs = n.mtimeNs;
    this.ctimeNs = n.ctimeNs;
    this.birthtimeNs = n.birthtimeNs;
  }

  private is(t: number): boolean {
    return (Number(this.mode) & S_IFMT) === t;
  }

  isFile(): boolean { return this.is(S_IFREG); }
  isDirectory(): boolean { return this.is(S_IFDIR); }
  isSymbolicLink(): boolean { return this.is(S_IFLNK); }
  isFIFO(): boolean { return this.is(S_IFIFO); }
  isSocket(): boolean { return this.is(S_IFSOCK); }
  isCharacterDevice(): boolean { return this.is(S_IFCHR); }
  isBlockDevice(): boolean { return this.is(S_IFBLK); }
}

/** st_size: file bytes, a symlink's target length, a directory's as tmpfs counts it (20 per entry, '.' and '..' included). */
function sizeOf(n: MemInode): number {
  if (n.data !== null) return n.data.size;
  if (n.entries !== null) return 20 * (n.entries.size + 2);
  if (n.target !== null) return Buffer.byteLength(n.target);
  return 0;
}
