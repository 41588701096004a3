/**
 * Attributes as NFSv3 carries them: fattr3 and nfstime3 of a Backend's Stats (every reply
 * carries them, so no BigInt arithmetic that most objects do not need).
 */
import { ftype3, type fattr3 } from '@nfsts/xdr';
import type { Stats } from './backend.js';

/** fattr3 of RFC 1813 (the generated type of `@nfsts/xdr`). */
export type Fattr3 = fattr3;

const S_IFMT = 0o170000;
const FTYPE: Record<number, ftype3> = {
  0o100000: ftype3.NF3REG,
  0o040000: ftype3.NF3DIR,
  0o060000: ftype3.NF3BLK,
  0o020000: ftype3.NF3CHR,
  0o120000: ftype3.NF3LNK,
  0o140000: ftype3.NF3SOCK,
  0o010000: ftype3.NF3FIFO,
};

/** nfstime3 of a time in ns, as every attribute carries it: seconds as uint32 (wrapping), before 1970 → 0. */
export function nfstime(ns: bigint): { seconds: number; nseconds: number } {
  if (ns < 0n) return { seconds: 0, nseconds: 0 };
  // one BigInt operation instead of three (every reply carries three of these): the remainder is
  // exact; Number(ns) is off by at most 1024 ns below 2^64, so the rounded quotient is exact
  const nseconds = Number(ns % 1_000_000_000n);
  return { seconds: Math.round((Number(ns) - nseconds) / 1e9) >>> 0, nseconds };
}

/** fattr3 from stats: type from mode, used = blocks*512, fsid = dev, fileid = ino. */
export function fattrOf(stats: Stats): Fattr3 {
  const mode = Number(stats.mode);
  const rdev = stats.rdev;
  // most objects are not devices: no BigInt arithmetic for them
  const major = rdev === 0n ? 0 : Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = rdev === 0n ? 0 : Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return {
    type: FTYPE[mode & S_IFMT] ?? ftype3.NF3REG,
    mode: mode & 0o7777,
    nlink: Number(stats.nlink),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    size: stats.size,
    used: stats.blocks * 512n,
    rdev: { specdata1: major >>> 0, specdata2: minor >>> 0 },
    fsid: stats.dev,
    fileid: stats.ino,
    atime: nfstime(stats.atimeNs),
    mtime: nfstime(stats.mtimeNs),
    ctime: nfstime(stats.ctimeNs),
  };
}
