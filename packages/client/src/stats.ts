import type { fattr3 } from '@nfsts/xdr';

const S_IFMT_BY_TYPE: Record<number, number> = {
  1: 0o100000, // NF3REG
  2: 0o040000, // NF3DIR
  3: 0o060000, // NF3BLK
  4: 0o020000, // NF3CHR
  5: 0o120000, // NF3LNK
  6: 0o140000, // NF3SOCK
  7: 0o010000, // NF3FIFO
};

/** ftype3 values */
export const NF3REG = 1, NF3DIR = 2, NF3BLK = 3, NF3CHR = 4, NF3LNK = 5, NF3SOCK = 6, NF3FIFO = 7;

type NfsTime = { seconds: number; nseconds: number };

/** Milliseconds with the fraction kept, as node:fs gives `mtimeMs` (1234.567891). */
function ms(t: NfsTime): number {
  return t.seconds * 1000 + t.nseconds / 1e6;
}

function ns(t: NfsTime): bigint {
  return BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nseconds);
}

class TypeTests {
  constructor(protected readonly ftype: number) {}
  isFile(): boolean { return this.ftype === NF3REG; }
  isDirectory(): boolean { return this.ftype === NF3DIR; }
  isSymbolicLink(): boolean { return this.ftype === NF3LNK; }
  isBlockDevice(): boolean { return this.ftype === NF3BLK; }
  isCharacterDevice(): boolean { return this.ftype === NF3CHR; }
  isFIFO(): boolean { return this.ftype === NF3FIFO; }
  isSocket(): boolean { return this.ftype === NF3SOCK; }
}

/**
 * `fs.Stats`-shaped view of an fattr3 (sizes as numbers, exact values in `attr`): every
 * field of `fs.Stats`. NFSv3 has no birth time: `birthtime` is the ctime. `blksize` is
 * 4096 (NFSv3 has no per-file block size); `blocks` is `used` in 512-byte units.
 * Not `instanceof fs.Stats` (that class is Node's own, built from a stat(2) buffer).
 */
export class NfsStats extends TypeTests {
  readonly dev: number;
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly size: number;
  readonly blksize = 4096;
  readonly blocks: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly birthtimeMs: number;
  readonly atime: Date;
  readonly mtime: Date;
  readonly ctime: Date;
  readonly birthtime: Date;
  /** the NFS attributes as received */
  readonly attr: fattr3;

  constructor(attr: fattr3) {
    super(attr.type);
    this.attr = attr;
    this.dev = Number(attr.fsid & 0xffffffffn);
    this.ino = Number(attr.fileid);
    this.mode = (S_IFMT_BY_TYPE[attr.type] ?? 0) | (attr.mode & 0o7777);
    this.nlink = attr.nlink;
    this.uid = attr.uid;
    this.gid = attr.gid;
    this.rdev = rdev(attr);
    this.size = Number(attr.size);
    this.blocks = Math.ceil(Number(attr.used) / 512);
    this.atimeMs = ms(attr.atime);
    this.mtimeMs = ms(attr.mtime);
    this.ctimeMs = ms(attr.ctime);
    this.birthtimeMs = this.ctimeMs;
    this.atime = new Date(this.atimeMs);
    this.mtime = new Date(this.mtimeMs);
    this.ctime = new Date(this.ctimeMs);
    this.birthtime = new Date(this.birthtimeMs);
  }
}

function rdev(attr: fattr3): number {
  return attr.rdev.specdata1 * 256 + attr.rdev.specdata2;
}

/** `fs.BigIntStats`-shaped (`stat(p, { bigint: true })`): every number a bigint, plus the nanosecond times. */
export class NfsBigIntStats extends TypeTests {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: bigint;
  readonly nlink: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly rdev: bigint;
  readonly size: bigint;
  readonly blksize = 4096n;
  readonly blocks: bigint;
  readonly atimeMs: bigint;
  readonly mtimeMs: bigint;
  readonly ctimeMs: bigint;
  readonly birthtimeMs: bigint;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly birthtimeNs: bigint;
  readonly atime: Date;
  readonly mtime: Date;
  readonly ctime: Date;
  readonly birthtime: Date;
  readonly attr: fattr3;

  constructor(attr: fattr3) {
    super(attr.type);
    this.attr = attr;
    this.dev = attr.fsid & 0xffffffffn;
    this.ino = attr.fileid;
    this.mode = BigInt((S_IFMT_BY_TYPE[attr.type] ?? 0) | (attr.mode & 0o7777));
    this.nlink = BigInt(attr.nlink);
    this.uid = BigInt(attr.uid);
    this.gid = BigInt(attr.gid);
    this.rdev = BigInt(rdev(attr));
    this.size = attr.size;
    this.blocks = (attr.used + 511n) / 512n;
    this.atimeNs = ns(attr.atime);
    this.mtimeNs = ns(attr.mtime);
    this.ctimeNs = ns(attr.ctime);
    this.birthtimeNs = this.ctimeNs;
    this.atimeMs = this.atimeNs / 1_000_000n;
    this.mtimeMs = this.mtimeNs / 1_000_000n;
    this.ctimeMs = this.ctimeNs / 1_000_000n;
    this.birthtimeMs = this.ctimeMs;
    this.atime = new Date(Number(this.atimeMs));
    this.mtime = new Date(Number(this.mtimeMs));
    this.ctime = new Date(Number(this.ctimeMs));
    this.birthtime = new Date(Number(this.birthtimeMs));
  }
}

/** Stats as asked: bigint ones with `{ bigint: true }`. */
export function makeStats(attr: fattr3, bigint: boolean | undefined): NfsStats | NfsBigIntStats {
  return bigint === true ? new NfsBigIntStats(attr) : new NfsStats(attr);
}

/** `fs.Dirent`-shaped directory entry (from READDIRPLUS; `stats` when the server sent attributes). */
export class NfsDirent extends TypeTests {
  readonly name: string;
  readonly parentPath: string;
  readonly path: string;
  readonly stats: NfsStats | undefined;
  readonly fh: Buffer | undefined;

  constructor(name: string, parentPath: string, ftype: number, stats: NfsStats | undefined, fh: Buffer | undefined) {
    super(ftype);
    this.name = name;
    this.parentPath = parentPath;
    this.path = parentPath;
    this.stats = stats;
    this.fh = fh;
  }
}
