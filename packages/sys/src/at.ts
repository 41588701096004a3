/**
 * The descriptor-relative file system calls (Linux): openat2 with RESOLVE_* confinement, statx,
 * and the *at() family acting on one name in a directory descriptor. Synchronous calls cost
 * about 1 µs over the system call; `*Async` variants run on koffi's worker threads for the
 * calls that may block for long (unlinking or truncating a large file).
 *
 * Every function throws a sysError (fs-shaped: code, errno, syscall) on failure.
 */
import type { BigIntStats } from 'node:fs';
import { endianness } from 'node:os';
import { libc, sysError, SYS_AVAILABLE } from './libc.js';

export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;

/** openat2 resolve flags */
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;

export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;

const SYS_openat2 = 437; // x86_64 and aarch64 alike (the new unified syscall table)
const STATX_BASIC_AND_BTIME = 0x07ff | 0x0800; // STATX_BASIC_STATS | STATX_BTIME
const STATX_SIZE = 256;

/** Longest path openat2 takes (PATH_MAX, with its NUL): longer ones are walked in pieces. */
export const PATH_MAX = 4096;

type Fn = ((...args: unknown[]) => number) & { async: (...args: unknown[]) => void };

interface Calls {
  openat2: Fn; openat: Fn; close: Fn; statx: Fn; mkdirat: Fn; unlinkat: Fn; renameat2: Fn;
  linkat: Fn; symlinkat: Fn; readlinkat: Fn; fchownat: Fn; fchmod: Fn; chmod: Fn; utimensat: Fn;
  mknodat: Fn; ftruncate: Fn; truncate: Fn; errno: () => number;
}

let calls: Calls | null = null;
function c(): Calls {
  if (calls !== null) return calls;
  const { koffi, libc: lib } = libc();
  const f = (proto: string): Fn => lib.func(proto) as unknown as Fn;
  calls = {
    // syscall(2) is variadic; declared with the argument types of this one use (x86_64/aarch64
    // pass them in the same registers either way, and syscall() reads no vector count)
    openat2: lib.func('syscall', 'long', ['long', 'int', 'str', 'void *', 'size_t']) as unknown as Fn,
    openat: f('int openat(int dirfd, str path, int flags, uint32 mode)'),
    close: f('int close(int fd)'),
    statx: f('int statx(int dirfd, str path, int flags, uint32 mask, _Out_ void *buf)'),
    mkdirat: f('int mkdirat(int dirfd, str path, uint32 mode)'),
    unlinkat: f('int unlinkat(int dirfd, str path, int flags)'),
    renameat2: f('int renameat2(int olddirfd, str oldpath, int newdirfd, str newpath, uint32 flags)'),
    linkat: f('int linkat(int olddirfd, str oldpath, int newdirfd, str newpath, int flags)'),
    symlinkat: f('int symlinkat(str target, int newdirfd, str linkpath)'),
    readlinkat: f('long readlinkat(int dirfd, str path, _Out_ void *buf, size_t size)'),
    fchownat: f('int fchownat(int dirfd, str path, uint32 uid, uint32 gid, int flags)'),
    fchmod: f('int fchmod(int fd, uint32 mode)'),
    chmod: f('int chmod(str path, uint32 mode)'),
    utimensat: f('int utimensat(int dirfd, str path, void *times, int flags)'),
    mknodat: f('int mknodat(int dirfd, str path, uint32 mode, uint64 dev)'),
    ftruncate: f('int ftruncate(int fd, int64 length)'),
    truncate: f('int truncate(str path, int64 length)'),
    errno: () => koffi.errno(),
  };
  return calls;
}

function fail(syscall: string, path?: string): never {
  throw sysError(c().errno(), syscall, path);
}

const how = Buffer.alloc(24);

/**
 * openat2(dirfd, path, flags, resolve): the kernel resolves `path` (relative) below dirfd and
 * refuses with EXDEV to leave it (RESOLVE_BENEATH), with ELOOP to follow a symlink
 * (RESOLVE_NO_SYMLINKS). O_CLOEXEC is always added.
 */
export function openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
  const fd = openat2OrErrno(dirfd, path, flags, resolve, mode);
  if (fd < 0) throw sysError(-fd, 'openat2', path);
  return fd;
}

/**
 * openat2() with the failure as data: the descriptor, or the errno as a negative number. For
 * outcomes a caller expects (a name that is not there): no Error is built, whose stack capture
 * costs several µs, more than the system call.
 */
export function openat2OrErrno(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
  how.writeBigUInt64LE(BigInt(flags | O_CLOEXEC), 0);
  how.writeBigUInt64LE(BigInt(mode), 8);
  how.writeBigUInt64LE(BigInt(resolve), 16);
  const cc = c();
  const fd = cc.openat2(SYS_openat2, dirfd, path, how, 24);
  return fd < 0 ? -cc.errno() : fd;
}

/** openat(dirfd, name, flags | O_CLOEXEC, mode). */
export function openat(dirfd: number, name: string, flags: number, mode = 0): number {
  const fd = c().openat(dirfd, name, flags | O_CLOEXEC, mode);
  if (fd < 0) fail('openat', name);
  return fd;
}

export function close(fd: number): void {
  if (c().close(fd) < 0) fail('close');
}

/**
 * close(2) on a worker thread: the last close of an unlinked file frees its blocks. Descriptors
 * opened here must be closed here too: in a worker thread, Node warns ("closed but not opened in
 * unmanaged mode") when fs.close is given one it did not open itself.
 */
export function closeAsync(fd: number): Promise<void> {
  const cc = c();
  return new Promise((res, rej) => {
    cc.close.async(fd, (err: unknown, ret: number) => {
      if (err) rej(err);
      else if (ret < 0) rej(sysError(cc.errno(), 'close'));
      else res();
    });
  });
}

/** makedev() as glibc encodes it (and libuv reports st_dev / st_rdev from statx). */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/**
 * makedev() of the last (major, minor) pair seen, remembered: nearly every statx of a server
 * names the export's one file system, and the eight BigInt operations per device number were
 * a third of what building Stats cost (issue 12). One memo for st_dev, one for st_rdev.
 */
class DevMemo {
  private major = 0;
  private minor = 0;
  private value = 0n;

  of(major: number, minor: number): bigint {
    if (major === this.major && minor === this.minor) return this.value;
    const v = makedev(major, minor);
    this.major = major;
    this.minor = minor;
    this.value = v;
    return v;
  }
}

const devMemo = new DevMemo();
const rdevMemo = new DevMemo();

/**
 * A statx_timestamp (s64 seconds at `off`, u32 nanoseconds at `off + 8`) in nanoseconds, the
 * last one remembered: the same object stat'ed again (GETATTR after GETATTR, the handle checks
 * of every call) has the same times, and each costs four BigInts to compute. One memo per field.
 */
class TimeMemo {
  private lo = -1;
  private hi = -1;
  private nsec = -1;
  private value = 0n;

  of(b: Buffer, off: number): bigint {
    const lo = b.readUInt32LE(off);
    const hi = b.readInt32LE(off + 4);
    const nsec = b.readUInt32LE(off + 8);
    if (lo === this.lo && hi === this.hi && nsec === this.nsec) return this.value;
    // hi * 2^32 + lo is exact while |seconds| < 2^53: one BigInt where readBigInt64LE builds four
    // (a file system with 64-bit seconds, btrfs, can hold more: those take the exact way)
    const v = (hi < 0x20_0000 && hi >= -0x20_0000 ? BigInt(hi * 0x1_0000_0000 + lo) : b.readBigInt64LE(off)) * NS + BigInt(nsec);
    this.lo = lo;
    this.hi = hi;
    this.nsec = nsec;
    this.value = v;
    return v;
  }
}

/** A little-endian u64 as a BigInt: from one Number below 2^53 (readBigUInt64LE builds four BigInts). */
function u64(b: Buffer, off: number): bigint {
  const hi = b.readUInt32LE(off + 4);
  return hi < 0x20_0000 ? BigInt(hi * 0x1_0000_0000 + b.readUInt32LE(off)) : b.readBigUInt64LE(off);
}

const atimeMemo = new TimeMemo();
const btimeMemo = new TimeMemo();
const ctimeMemo = new TimeMemo();
const mtimeMemo = new TimeMemo();

const S_IFMT = 0o170000n;
const NS = 1_000_000_000n;

/**
 * What fs.BigIntStats derives from the four times in nanoseconds (milliseconds and Dates), once
 * for both representations: Stats holds the times as BigInts, LeanStats builds them when read.
 */
abstract class StatsTimes {
  abstract readonly atimeNs: bigint;
  abstract readonly mtimeNs: bigint;
  abstract readonly ctimeNs: bigint;
  abstract readonly birthtimeNs: bigint;
  get atimeMs(): bigint { return this.atimeNs / 1_000_000n; }
  get mtimeMs(): bigint { return this.mtimeNs / 1_000_000n; }
  get ctimeMs(): bigint { return this.ctimeNs / 1_000_000n; }
  get birthtimeMs(): bigint { return this.birthtimeNs / 1_000_000n; }
  get atime(): Date { return new Date(Number(this.atimeMs)); }
  get mtime(): Date { return new Date(Number(this.mtimeMs)); }
  get ctime(): Date { return new Date(Number(this.ctimeMs)); }
  get birthtime(): Date { return new Date(Number(this.birthtimeMs)); }
}

/**
 * Stats from statx, with the fields and methods of fs.BigIntStats (the same values libuv
 * reports), so code written against node:fs stats takes them unchanged.
 */
export class Stats extends StatsTimes implements BigIntStats {
  dev: bigint; ino: bigint; mode: bigint; nlink: bigint; uid: bigint; gid: bigint; rdev: bigint;
  size: bigint; blksize: bigint; blocks: bigint;
  atimeNs: bigint; mtimeNs: bigint; ctimeNs: bigint; birthtimeNs: bigint;

  constructor(b: Buffer) {
    super();
    this.blksize = BigInt(b.readUInt32LE(4));
    this.nlink = BigInt(b.readUInt32LE(16));
    this.uid = BigInt(b.readUInt32LE(20));
    this.gid = BigInt(b.readUInt32LE(24));
    this.mode = BigInt(b.readUInt16LE(28));
    this.ino = u64(b, 32);
    this.size = u64(b, 40);
    this.blocks = u64(b, 48);
    this.atimeNs = atimeMemo.of(b, 64);
    this.birthtimeNs = btimeMemo.of(b, 80);
    this.ctimeNs = ctimeMemo.of(b, 96);
    this.mtimeNs = mtimeMemo.of(b, 112);
    this.rdev = rdevMemo.of(b.readUInt32LE(128), b.readUInt32LE(132));
    this.dev = devMemo.of(b.readUInt32LE(136), b.readUInt32LE(140));
  }

  isFile(): boolean { return (this.mode & S_IFMT) === 0o100000n; }
  isDirectory(): boolean { return (this.mode & S_IFMT) === 0o040000n; }
  isSymbolicLink(): boolean { return (this.mode & S_IFMT) === 0o120000n; }
  isFIFO(): boolean { return (this.mode & S_IFMT) === 0o010000n; }
  isSocket(): boolean { return (this.mode & S_IFMT) === 0o140000n; }
  isCharacterDevice(): boolean { return (this.mode & S_IFMT) === 0o020000n; }
  isBlockDevice(): boolean { return (this.mode & S_IFMT) === 0o060000n; }
}

const statxBuf = Buffer.alloc(STATX_SIZE);

/** statx(dirfd, name, flags): `name` '' with AT_EMPTY_PATH stats dirfd itself. */
export function statx(dirfd: number, name: string, flags: number): Stats {
  if (c().statx(dirfd, name, flags, STATX_BASIC_AND_BTIME, statxBuf) < 0) fail('statx', name);
  return new Stats(statxBuf);
}

/** statx() with the failure as data (see openat2OrErrno): the Stats, or the errno (a positive number). */
export function statxOrErrno(dirfd: number, name: string, flags: number): Stats | number {
  const cc = c();
  if (cc.statx(dirfd, name, flags, STATX_BASIC_AND_BTIME, statxBuf) < 0) return cc.errno();
  return new Stats(statxBuf);
}

/** fstat of any descriptor, O_PATH ones included. */
export function fstatx(fd: number): Stats {
  return statx(fd, '', AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
}

export function mkdirat(dirfd: number, name: string, mode: number): void {
  if (c().mkdirat(dirfd, name, mode) < 0) fail('mkdirat', name);
}

export function unlinkat(dirfd: number, name: string, flags: number): void {
  if (c().unlinkat(dirfd, name, flags) < 0) fail('unlinkat', name);
}

/** unlinkat on a worker thread (freeing a large file's blocks can take milliseconds). */
export function unlinkatAsync(dirfd: number, name: string, flags: number): Promise<void> {
  const cc = c();
  return new Promise((res, rej) => {
    cc.unlinkat.async(dirfd, name, flags, (err: unknown, ret: number) => {
      if (err) rej(err);
      else if (ret < 0) rej(sysError(cc.errno(), 'unlinkat', name));
      else res();
    });
  });
}

export function renameat2(olddirfd: number, oldname: string, newdirfd: number, newname: string, flags = 0): void {
  if (c().renameat2(olddirfd, oldname, newdirfd, newname, flags) < 0) fail('renameat2', oldname);
}

export function linkat(olddirfd: number, oldname: string, newdirfd: number, newname: string, flags: number): void {
  if (c().linkat(olddirfd, oldname, newdirfd, newname, flags) < 0) fail('linkat', newname);
}

export function symlinkat(target: string, newdirfd: number, name: string): void {
  if (c().symlinkat(target, newdirfd, name) < 0) fail('symlinkat', name);
}

const linkBuf = Buffer.alloc(PATH_MAX);

/** readlinkat: '' with an O_PATH descriptor of the symlink reads that symlink. */
export function readlinkat(dirfd: number, name: string): string {
  const n = c().readlinkat(dirfd, name, linkBuf, linkBuf.length);
  if (n < 0) fail('readlinkat', name);
  return linkBuf.toString('utf8', 0, n);
}

/** -1 leaves an id unchanged. */
export function fchownat(dirfd: number, name: string, uid: number, gid: number, flags: number): void {
  if (c().fchownat(dirfd, name, uid >>> 0, gid >>> 0, flags) < 0) fail('fchownat', name);
}

export function fchmod(fd: number, mode: number): void {
  if (c().fchmod(fd, mode) < 0) fail('fchmod');
}

/**
 * chmod of the object an O_PATH descriptor refers to, through its /proc/self/fd magic link
 * (fchmod refuses O_PATH descriptors; this is how glibc implements lchmod). The link names the
 * inode itself, wherever it now is: no path is walked.
 */
export function fchmodPath(fd: number, mode: number): void {
  if (c().chmod(`/proc/self/fd/${fd}`, mode) < 0) fail('chmod');
}

const timesBuf = Buffer.alloc(32);

/**
 * utimensat with nanosecond times; null leaves that time unchanged (UTIME_OMIT).
 * `name` '' with AT_EMPTY_PATH acts on dirfd itself, an O_PATH descriptor included (Linux 5.8+).
 */
export function utimensat(dirfd: number, name: string, atimeNs: bigint | null, mtimeNs: bigint | null, flags: number): void {
  putTime(timesBuf, 0, atimeNs);
  putTime(timesBuf, 16, mtimeNs);
  if (c().utimensat(dirfd, name, timesBuf, flags) < 0) fail('utimensat', name);
}

function putTime(b: Buffer, off: number, ns: bigint | null): void {
  if (ns === null) {
    b.writeBigInt64LE(0n, off);
    b.writeBigInt64LE(BigInt(UTIME_OMIT), off + 8);
    return;
  }
  let s = ns / NS;
  let n = ns % NS;
  if (n < 0n) { s -= 1n; n += NS; }
  b.writeBigInt64LE(s, off);
  b.writeBigInt64LE(n, off + 8);
}

export function mknodat(dirfd: number, name: string, mode: number, dev: bigint): void {
  if (c().mknodat(dirfd, name, mode, dev) < 0) fail('mknodat', name);
}

/** makedev() for mknodat. */
export function deviceNumber(major: number, minor: number): bigint {
  return makedev(major, minor);
}

export function ftruncate(fd: number, size: bigint): void {
  if (c().ftruncate(fd, size) < 0) fail('ftruncate');
}

/** truncate of the object an O_PATH descriptor refers to, through its magic link, on a worker thread. */
export function truncatePathAsync(fd: number, size: bigint): Promise<void> {
  const cc = c();
  const path = `/proc/self/fd/${fd}`;
  return new Promise((res, rej) => {
    cc.truncate.async(path, size, (err: unknown, ret: number) => {
      if (err) rej(err);
      else if (ret < 0) rej(sysError(cc.errno(), 'truncate'));
      else res();
    });
  });
}

/**
 * Whether openat2 works here (Linux 5.6+, and not refused by a seccomp filter). Probed once
 * on the current directory.
 */
export function openat2Available(): boolean {
  if (!SYS_AVAILABLE) return false;
  try {
    close(openat2(AT_FDCWD, '.', O_PATH | O_DIRECTORY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS));
    return true;
  } catch {
    return false;
  }
}

const MAX_EXACT_HI = 0x20_0000; // hi * 2^32 + lo is an exact Number below 2^53

/**
 * Stats of a listed directory entry (READDIRPLUS, issue 12): the statx fields kept as the
 * Numbers statx gives, a BigInt built only when a field is read (dev and ino, which every
 * listed entry's handle needs, at once). Building `Stats` cost about 0.6 µs of an entry's 5
 * (two dozen BigInt operations, the times' memos missing from one entry to the next), and a
 * READDIRPLUS encoder reading the Number fields needs none. Reads as fs.BigIntStats with the
 * values `Stats` has (same conversions; tests compare both).
 */
export class LeanStats extends StatsTimes implements BigIntStats {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly modeN: number;
  readonly nlinkN: number;
  readonly uidN: number;
  readonly gidN: number;
  readonly blksizeN: number;
  readonly sizeHi: number;
  readonly sizeLo: number;
  readonly blocksHi: number;
  readonly blocksLo: number;
  readonly rdevMajor: number;
  readonly rdevMinor: number;
  /** seconds of each time while exact as a Number (|s| < 2^53), nanoseconds beside them */
  readonly atimeSec: number; readonly atimeNsec: number;
  readonly mtimeSec: number; readonly mtimeNsec: number;
  readonly ctimeSec: number; readonly ctimeNsec: number;
  readonly btimeSec: number; readonly btimeNsec: number;
  /** the four times exactly in ns [atime, mtime, ctime, btime] when one of them is beyond a Number's exact seconds, else null */
  readonly bigTimes: bigint[] | null;

  constructor(b: Buffer) {
    super();
    // 32-bit words: one typed-array load each where 20 readUInt32LE calls cost about as much as
    // the rest of the object (the static statx buffer's view on little-endian hosts, else read)
    const u = b === statxBuf && statxWords !== null ? statxWords : wordsOf(b);
    this.blksizeN = u[1]!;
    this.nlinkN = u[4]!;
    this.uidN = u[5]!;
    this.gidN = u[6]!;
    this.modeN = u[7]! & 0xffff;
    const inoHi = u[9]!;
    this.ino = inoHi < MAX_EXACT_HI ? BigInt(inoHi * 0x1_0000_0000 + u[8]!) : (BigInt(inoHi) << 32n) | BigInt(u[8]!);
    this.sizeLo = u[10]!;
    this.sizeHi = u[11]!;
    this.blocksLo = u[12]!;
    this.blocksHi = u[13]!;
    // statx_timestamp: s64 seconds (low word, signed high word), u32 nanoseconds
    const ah = u[17]! | 0;
    const bh = u[21]! | 0;
    const ch = u[25]! | 0;
    const mh = u[29]! | 0;
    this.atimeSec = ah * 0x1_0000_0000 + u[16]!;
    this.atimeNsec = u[18]!;
    this.btimeSec = bh * 0x1_0000_0000 + u[20]!;
    this.btimeNsec = u[22]!;
    this.ctimeSec = ch * 0x1_0000_0000 + u[24]!;
    this.ctimeNsec = u[26]!;
    this.mtimeSec = mh * 0x1_0000_0000 + u[28]!;
    this.mtimeNsec = u[30]!;
    this.bigTimes = exact(ah) && exact(bh) && exact(ch) && exact(mh)
      ? null
      : [64, 112, 96, 80].map((off) => b.readBigInt64LE(off) * NS + BigInt(b.readUInt32LE(off + 8)));
    this.rdevMajor = u[32]!;
    this.rdevMinor = u[33]!;
    this.dev = devMemo.of(u[34]!, u[35]!);
  }

  get mode(): bigint { return BigInt(this.modeN); }
  get nlink(): bigint { return BigInt(this.nlinkN); }
  get uid(): bigint { return BigInt(this.uidN); }
  get gid(): bigint { return BigInt(this.gidN); }
  get blksize(): bigint { return BigInt(this.blksizeN); }
  get size(): bigint { return joinU64(this.sizeHi, this.sizeLo); }
  get blocks(): bigint { return joinU64(this.blocksHi, this.blocksLo); }
  get rdev(): bigint { return this.rdevMajor === 0 && this.rdevMinor === 0 ? 0n : makedev(this.rdevMajor, this.rdevMinor); }
  get atimeNs(): bigint { return this.bigTimes !== null ? this.bigTimes[0]! : BigInt(this.atimeSec) * NS + BigInt(this.atimeNsec); }
  get mtimeNs(): bigint { return this.bigTimes !== null ? this.bigTimes[1]! : BigInt(this.mtimeSec) * NS + BigInt(this.mtimeNsec); }
  get ctimeNs(): bigint { return this.bigTimes !== null ? this.bigTimes[2]! : BigInt(this.ctimeSec) * NS + BigInt(this.ctimeNsec); }
  get birthtimeNs(): bigint { return this.bigTimes !== null ? this.bigTimes[3]! : BigInt(this.btimeSec) * NS + BigInt(this.btimeNsec); }
  isFile(): boolean { return (this.modeN & 0o170000) === 0o100000; }
  isDirectory(): boolean { return (this.modeN & 0o170000) === 0o040000; }
  isSymbolicLink(): boolean { return (this.modeN & 0o170000) === 0o120000; }
  isFIFO(): boolean { return (this.modeN & 0o170000) === 0o010000; }
  isSocket(): boolean { return (this.modeN & 0o170000) === 0o140000; }
  isCharacterDevice(): boolean { return (this.modeN & 0o170000) === 0o020000; }
  isBlockDevice(): boolean { return (this.modeN & 0o170000) === 0o060000; }
}

/** The static statx buffer as little-endian 32-bit words (null on a big-endian host or an unaligned buffer). */
const statxWords = endianness() === 'LE' && statxBuf.byteOffset % 4 === 0 ? new Uint32Array(statxBuf.buffer, statxBuf.byteOffset, STATX_SIZE / 4) : null;

/** The first 36 little-endian 32-bit words of a statx buffer (any buffer, any host). */
function wordsOf(b: Buffer): Uint32Array {
  const u = new Uint32Array(36);
  for (let i = 0; i < 36; i++) u[i] = b.readUInt32LE(i * 4);
  return u;
}

function exact(hi: number): boolean {
  return hi < MAX_EXACT_HI && hi >= -MAX_EXACT_HI;
}

function joinU64(hi: number, lo: number): bigint {
  return hi < MAX_EXACT_HI ? BigInt(hi * 0x1_0000_0000 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** statx() as LeanStats (a listed entry's), or the errno (a positive number). */
export function statxLeanOrErrno(dirfd: number, name: string, flags: number): LeanStats | number {
  const cc = c();
  if (cc.statx(dirfd, name, flags, STATX_BASIC_AND_BTIME, statxBuf) < 0) return cc.errno();
  return new LeanStats(statxBuf);
}
