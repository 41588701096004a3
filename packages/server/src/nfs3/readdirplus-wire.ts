/**
 * READDIRPLUS entries encoded straight from the stats (issue 12): a listed entry keeps its Stats
 * and handle, and the reply codec writes its fattr3 from them, so a reply of 400 entries builds
 * no post_op_attr / fattr3 / specdata3 / three nfstime3 / post_op_fh3 / nfs_fh3 objects per entry
 * (eight objects and three BigInt divisions each, about a fifth of an entry's cost). The bytes
 * are those of the generated codec given `fattrOf(stats)` (tests compare both against fs.lstat).
 *
 * A PlusEntry is still an entryplus3 to anyone who reads it (tests, the in-process callers):
 * `name_attributes` and `name_handle` are built on access. Any other entryplus3 in a reply is
 * encoded by the generated codec, so the codec takes any READDIRPLUS3res.
 */
import type { Stats } from '../core/index.js';
import { at } from '@nfsts/sys';
import {
  ftype3, xdr_READDIRPLUS3res, xdr_entryplus3, xdr_post_op_attr,
  type Codec, type entryplus3, type fattr3, type post_op_attr, type post_op_fh3, type READDIRPLUS3res, type XdrWriter,
} from '@nfsts/xdr';
import { NO_ATTR, NO_FH } from './common.js';

const S_IFMT = 0o170000;
/** ftype3 by the S_IFMT bits (as the core's fattr: anything else is NF3REG) */
const FTYPE: Record<number, ftype3> = {
  0o100000: ftype3.NF3REG, 0o040000: ftype3.NF3DIR, 0o060000: ftype3.NF3BLK, 0o020000: ftype3.NF3CHR,
  0o120000: ftype3.NF3LNK, 0o140000: ftype3.NF3SOCK, 0o010000: ftype3.NF3FIFO,
};

/** One listed entry of a READDIRPLUS reply: its stats and handle, encoded without intermediate objects. */
export class PlusEntry implements entryplus3 {
  constructor(
    readonly fileid: bigint,
    readonly name: string,
    readonly cookie: bigint,
    /** undefined: no attributes */
    readonly stats: Stats | undefined,
    /** undefined: no handle */
    readonly fh: Buffer | undefined,
    /** wire bytes of the entry with the list's value_follows word before it */
    readonly wireSize: number,
    private readonly fattr: (st: Stats) => fattr3,
  ) {}

  get name_attributes(): post_op_attr {
    return this.stats === undefined ? NO_ATTR : { attributes_follow: true, attributes: this.fattr(this.stats) };
  }

  get name_handle(): post_op_fh3 {
    return this.fh === undefined ? NO_FH : { handle_follows: true, handle: { data: this.fh } };
  }
}

/** nfstime3 of a time in ns, as the core's nfstime(): 0 before 1970, seconds modulo 2^32. */
function putTime(w: XdrWriter, ns: bigint): void {
  if (ns < 0n) {
    w.u32(0);
    w.u32(0);
    return;
  }
  const nseconds = Number(ns % 1_000_000_000n);
  w.u32(Math.round((Number(ns) - nseconds) / 1e9) >>> 0);
  w.u32(nseconds);
}

/** 2^64 ns in seconds, rounded down: below it putTime's seconds are exact, the Number way gives the same */
const EXACT_TIME_SEC = 18_446_744_073;

/** Seconds and nanoseconds a Number nfstime3 writes as putTime would: below 2^64 ns, a nanosecond count below 1e9. */
function timeFits(sec: number, nsec: number): boolean {
  return sec < EXACT_TIME_SEC && nsec < 1_000_000_000;
}

/** nfstime3 of seconds and nanoseconds that fit (timeFits), the bytes putTime writes for their ns. */
function putTimeSec(w: XdrWriter, sec: number, nsec: number): void {
  if (sec < 0) {
    w.u32(0);
    w.u32(0);
  } else {
    w.u32(sec >>> 0);
    w.u32(nsec);
  }
}

/** A u64 as two u32 words (XDR is big-endian: high word first). */
function putU64(w: XdrWriter, hi: number, lo: number): void {
  w.u32(hi);
  w.u32(lo);
}

/** putFattr3 of a listed entry's LeanStats: from its Numbers, no BigInt built (the same bytes). */
function putLeanFattr3(w: XdrWriter, st: at.LeanStats): void {
  const mode = st.modeN;
  w.i32(FTYPE[mode & S_IFMT] ?? ftype3.NF3REG);
  w.u32(mode & 0o7777);
  w.u32(st.nlinkN);
  w.u32(st.uidN);
  w.u32(st.gidN);
  putU64(w, st.sizeHi, st.sizeLo);
  if (st.blocksHi < 0x20_0000) {
    // blocks * 512 < 2^62: exact as a Number
    const used = (st.blocksHi * 0x1_0000_0000 + st.blocksLo) * 512;
    putU64(w, Math.floor(used / 0x1_0000_0000), used >>> 0);
  } else w.u64(st.blocks * 512n);
  if (st.rdevMajor === 0 && st.rdevMinor === 0) {
    w.u32(0);
    w.u32(0);
  } else putRdev(w, st.rdev);
  w.u64(st.dev);
  w.u64(st.ino);
  if (st.bigTimes === null && timeFits(st.atimeSec, st.atimeNsec) && timeFits(st.mtimeSec, st.mtimeNsec) && timeFits(st.ctimeSec, st.ctimeNsec)) {
    putTimeSec(w, st.atimeSec, st.atimeNsec);
    putTimeSec(w, st.mtimeSec, st.mtimeNsec);
    putTimeSec(w, st.ctimeSec, st.ctimeNsec);
  } else {
    putTime(w, st.atimeNs);
    putTime(w, st.mtimeNs);
    putTime(w, st.ctimeNs);
  }
}

function putRdev(w: XdrWriter, rdev: bigint): void {
  // glibc's major() / minor()
  w.u32(Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)) >>> 0);
  w.u32(Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)) >>> 0);
}

/** fattr3 of `st`, the bytes en_fattr3(fattrOf(st)) writes. */
export function putFattr3(w: XdrWriter, st: Stats): void {
  if (st instanceof at.LeanStats) {
    putLeanFattr3(w, st);
    return;
  }
  const mode = Number(st.mode);
  const rdev = st.rdev;
  w.i32(FTYPE[mode & S_IFMT] ?? ftype3.NF3REG);
  w.u32(mode & 0o7777);
  w.u32(Number(st.nlink));
  w.u32(Number(st.uid));
  w.u32(Number(st.gid));
  w.u64(st.size);
  w.u64(st.blocks * 512n);
  if (rdev === 0n) {
    w.u32(0);
    w.u32(0);
  } else putRdev(w, rdev);
  w.u64(st.dev);
  w.u64(st.ino);
  putTime(w, st.atimeNs);
  putTime(w, st.mtimeNs);
  putTime(w, st.ctimeNs);
}

function putEntry(w: XdrWriter, e: PlusEntry): void {
  w.u64(e.fileid);
  w.string(e.name);
  w.u64(e.cookie);
  if (e.stats === undefined) w.u32(0);
  else {
    w.u32(1);
    putFattr3(w, e.stats);
  }
  if (e.fh === undefined) w.u32(0);
  else {
    w.u32(1);
    w.opaqueVar(e.fh, 64);
  }
}

/**
 * Pages answered to several requests (identical requests in flight share one build,
 * DirListings.shared): how many took the page, and its entries' bytes once encoded, so the
 * other replies copy them instead of encoding the same entries again (at QD 16, sixteen
 * encodings of every page became one). A page is never answered again once its build settles,
 * so the bytes never serve a request that was not in flight with the one that gathered them.
 */
interface SharedList {
  readers: number;
  bytes: Buffer | null;
}
const sharedLists = new WeakMap<readonly entryplus3[], SharedList>();

/** A request is answered with `entries` (a page's array): counts the readers of a shared page. */
export function notePageReader(entries: readonly entryplus3[]): void {
  const s = sharedLists.get(entries);
  if (s === undefined) sharedLists.set(entries, { readers: 1, bytes: null });
  else s.readers++;
}

function putEntries(w: XdrWriter, entries: readonly entryplus3[]): void {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    w.u32(1);
    if (e instanceof PlusEntry) putEntry(w, e);
    else xdr_entryplus3.encode(w, e);
  }
}

/** READDIRPLUS3res: the generated codec's bytes, PlusEntry entries written from their stats. */
export const xdr_READDIRPLUS3res_listed: Codec<READDIRPLUS3res> = {
  size(v) {
    if (v.status !== 0) return xdr_READDIRPLUS3res.size(v);
    const { resok } = v;
    // status, dir_attributes, cookieverf, entries (each after a TRUE), list end, eof
    let n = 4 + xdr_post_op_attr.size(resok.dir_attributes) + 8 + 4 + 4;
    const entries = resok.reply.entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      n += e instanceof PlusEntry ? e.wireSize : 4 + xdr_entryplus3.size(e);
    }
    return n;
  },
  encode(w, v) {
    if (v.status !== 0) {
      xdr_READDIRPLUS3res.encode(w, v);
      return;
    }
    const { resok } = v;
    w.i32(0);
    xdr_post_op_attr.encode(w, resok.dir_attributes);
    w.opaqueFixed(resok.cookieverf, 8);
    const entries = resok.reply.entries;
    const shared = sharedLists.get(entries);
    if (shared === undefined || shared.readers < 2) putEntries(w, entries);
    else if (shared.bytes !== null) w.opaqueFixed(shared.bytes, shared.bytes.length);
    else {
      const from = w.pos;
      putEntries(w, entries);
      shared.bytes = Buffer.from(w.buf.subarray(from, w.pos));
    }
    w.u32(0);
    w.bool(resok.reply.eof);
  },
  decode: xdr_READDIRPLUS3res.decode,
};
