/**
 * The FUSE kernel protocol (include/uapi/linux/fuse.h): opcodes, flags and the byte layout of
 * the structures we read and write. All little-endian on the machines FUSE runs on here
 * (x86-64, arm64); the protocol uses host order.
 */

/** the kernel's protocol: major 7; minors 38 (Linux 6.1, Debian 12) through 45 are known */
export const FUSE_KERNEL_VERSION = 7;
export const FUSE_MIN_MINOR = 26;
export const FUSE_OUR_MINOR = 38;
export const FUSE_ROOT_ID = 1n;

export const enum Op {
  LOOKUP = 1, FORGET = 2, GETATTR = 3, SETATTR = 4, READLINK = 5, SYMLINK = 6, MKNOD = 8, MKDIR = 9,
  UNLINK = 10, RMDIR = 11, RENAME = 12, LINK = 13, OPEN = 14, READ = 15, WRITE = 16, STATFS = 17,
  RELEASE = 18, FSYNC = 20, SETXATTR = 21, GETXATTR = 22, LISTXATTR = 23, REMOVEXATTR = 24, FLUSH = 25,
  INIT = 26, OPENDIR = 27, READDIR = 28, RELEASEDIR = 29, FSYNCDIR = 30, GETLK = 31, SETLK = 32,
  SETLKW = 33, ACCESS = 34, CREATE = 35, INTERRUPT = 36, BMAP = 37, DESTROY = 38, IOCTL = 39, POLL = 40,
  NOTIFY_REPLY = 41, BATCH_FORGET = 42, FALLOCATE = 43, READDIRPLUS = 44, RENAME2 = 45, LSEEK = 46,
  COPY_FILE_RANGE = 47, SYNCFS = 50, TMPFILE = 51, STATX = 52,
}

// FUSE_INIT flags
export const FUSE_ASYNC_READ = 1 << 0;
export const FUSE_ATOMIC_O_TRUNC = 1 << 3;
export const FUSE_BIG_WRITES = 1 << 5;
export const FUSE_AUTO_INVAL_DATA = 1 << 12;
export const FUSE_DO_READDIRPLUS = 1 << 13;
export const FUSE_READDIRPLUS_AUTO = 1 << 14;
export const FUSE_ASYNC_DIO = 1 << 15;
export const FUSE_PARALLEL_DIROPS = 1 << 18;
export const FUSE_MAX_PAGES = 1 << 22;
export const FUSE_CACHE_SYMLINKS = 1 << 23;
/** fuse_init_in/out carry flags2 (the upper 32 flag bits) */
export const FUSE_INIT_EXT = 1 << 30;
// FUSE_INIT flags2 (bit n here is flag bit 32 + n)
/** FUSE_PASSTHROUGH (1 << 37): opens may name a backing file the kernel does the I/O on (7.40, Linux 6.9) */
export const FUSE_PASSTHROUGH_FLAGS2 = 1 << 5;
/** fuse_init_out.max_stack_depth we give with passthrough: backing files on a non-stacked file system only */
export const PASSTHROUGH_MAX_STACK_DEPTH = 1;

// fuse_open_out.open_flags
export const FOPEN_DIRECT_IO = 1 << 0;
export const FOPEN_KEEP_CACHE = 1 << 1;
/** the open names a backing file (fuse_open_out.backing_id) */
export const FOPEN_PASSTHROUGH = 1 << 7;

// fuse_setattr_in.valid
export const FATTR_MODE = 1 << 0;
export const FATTR_UID = 1 << 1;
export const FATTR_GID = 1 << 2;
export const FATTR_SIZE = 1 << 3;
export const FATTR_ATIME = 1 << 4;
export const FATTR_MTIME = 1 << 5;
export const FATTR_FH = 1 << 6;
export const FATTR_ATIME_NOW = 1 << 7;
export const FATTR_MTIME_NOW = 1 << 8;

// renameat2 flags
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;

/** sizes of the fixed parts */
export const IN_HEADER = 40;
export const OUT_HEADER = 16;
export const ATTR_SIZE = 88;
export const ENTRY_OUT = 40 + ATTR_SIZE;
export const ATTR_OUT = 16 + ATTR_SIZE;
export const OPEN_OUT = 16;
export const DIRENT_HEAD = 24;
export const INIT_OUT = 64;
export const STATFS_OUT = 80;

/** fuse_in_header, decoded */
export interface InHeader {
  len: number;
  opcode: number;
  unique: bigint;
  nodeid: bigint;
  uid: number;
  gid: number;
  pid: number;
}

export function readInHeader(b: Buffer): InHeader {
  return {
    len: b.readUInt32LE(0),
    opcode: b.readUInt32LE(4),
    unique: b.readBigUInt64LE(8),
    nodeid: b.readBigUInt64LE(16),
    uid: b.readUInt32LE(24),
    gid: b.readUInt32LE(28),
    pid: b.readUInt32LE(32),
  };
}

/** fuse_attr as our NFS layer fills it */
export interface Attr {
  ino: bigint;
  size: bigint;
  blocks: bigint;
  atime: number;
  atimensec: number;
  mtime: number;
  mtimensec: number;
  ctime: number;
  ctimensec: number;
  /** S_IFMT bits and permissions */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  blksize: number;
}

export function writeAttr(b: Buffer, o: number, a: Attr): void {
  b.writeBigUInt64LE(a.ino, o);
  b.writeBigUInt64LE(a.size, o + 8);
  b.writeBigUInt64LE(a.blocks, o + 16);
  b.writeBigUInt64LE(BigInt(a.atime), o + 24);
  b.writeBigUInt64LE(BigInt(a.mtime), o + 32);
  b.writeBigUInt64LE(BigInt(a.ctime), o + 40);
  b.writeUInt32LE(a.atimensec, o + 48);
  b.writeUInt32LE(a.mtimensec, o + 52);
  b.writeUInt32LE(a.ctimensec, o + 56);
  b.writeUInt32LE(a.mode, o + 60);
  b.writeUInt32LE(a.nlink, o + 64);
  b.writeUInt32LE(a.uid, o + 68);
  b.writeUInt32LE(a.gid, o + 72);
  b.writeUInt32LE(a.rdev, o + 76);
  b.writeUInt32LE(a.blksize, o + 80);
  b.writeUInt32LE(0, o + 84);
}

/** validity as (seconds, nanoseconds) from milliseconds */
function validParts(ms: number): [bigint, number] {
  const s = Math.floor(ms / 1000);
  return [BigInt(s), (ms - s * 1000) * 1_000_000];
}

/** fuse_entry_out at `o`: nodeid 0 with entryMs = negative entry (cached ENOENT) */
export function writeEntry(b: Buffer, o: number, nodeid: bigint, a: Attr | null, entryMs: number, attrMs: number): void {
  const [es, ens] = validParts(entryMs);
  const [as, ans] = validParts(attrMs);
  b.writeBigUInt64LE(nodeid, o);
  b.writeBigUInt64LE(0n, o + 8);
  b.writeBigUInt64LE(es, o + 16);
  b.writeBigUInt64LE(as, o + 24);
  b.writeUInt32LE(ens, o + 32);
  b.writeUInt32LE(ans, o + 36);
  if (a !== null) writeAttr(b, o + 40, a);
  else b.fill(0, o + 40, o + 40 + ATTR_SIZE);
}

export function writeAttrOut(b: Buffer, o: number, a: Attr, attrMs: number): void {
  const [as, ans] = validParts(attrMs);
  b.writeBigUInt64LE(as, o);
  b.writeUInt32LE(ans, o + 8);
  b.writeUInt32LE(0, o + 12);
  writeAttr(b, o + 16, a);
}

/** bytes a dirent of a name of `nameLen` bytes takes (8-aligned) */
export function direntSize(nameLen: number): number {
  return (DIRENT_HEAD + nameLen + 7) & ~7;
}

/** fuse_dirent at `o`; returns the offset after it */
export function writeDirent(b: Buffer, o: number, ino: bigint, off: bigint, name: Buffer, type: number): number {
  b.writeBigUInt64LE(ino, o);
  b.writeBigUInt64LE(off, o + 8);
  b.writeUInt32LE(name.length, o + 16);
  b.writeUInt32LE(type, o + 20);
  name.copy(b, o + DIRENT_HEAD);
  const end = o + direntSize(name.length);
  b.fill(0, o + DIRENT_HEAD + name.length, end);
  return end;
}

/** a NUL-terminated name at `o` of `b`; returns [name, offset after the NUL] */
export function cstring(b: Buffer, o: number): [string, number] {
  const end = b.indexOf(0, o);
  if (end < 0) return [b.toString('utf8', o), b.length];
  return [b.toString('utf8', o, end), end + 1];
}
