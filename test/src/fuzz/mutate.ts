/**
 * Mutations of a call record, and of its record marking, as a hostile or broken client would
 * send them: flipped bits, length words set to boundary values, truncation, trailing junk,
 * spliced pieces of other calls, other program/procedure numbers; records split into odd
 * fragments, with lying fragment lengths, empty fragments, or a huge announced length.
 */
import type { Rng } from './rng.js';

const WORDS = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0x3ff, 0x400, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** A mutated copy of `rec` (the xid word is kept: it identifies nothing on a dirty connection). */
export function mutateRecord(rec: Buffer, others: readonly Buffer[], rng: Rng): Buffer {
  let b = Buffer.from(rec);
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    switch (rng.int(8)) {
      case 0: { // bit flips
        const n = 1 + rng.int(8);
        for (let i = 0; i < n && b.length > 0; i++) b[rng.int(b.length)]! ^= 1 << rng.int(8);
        break;
      }
      case 1: { // an aligned word set to a boundary value (lengths, counts, discriminants)
        if (b.length < 8) break;
        const at = 4 * rng.int(b.length >> 2);
        b.writeUInt32BE(rng.pick(WORDS) >>> 0, at);
        break;
      }
      case 2: // truncated
        b = b.subarray(0, rng.int(b.length + 1));
        break;
      case 3: // trailing junk
        b = Buffer.concat([b, Buffer.from(rng.bytes(1 + rng.int(64)))]);
        break;
      case 4: { // a piece of another call spliced in
        const o = rng.pick(others);
        if (o.length === 0) break;
        const from = rng.int(o.length);
        const piece = o.subarray(from, from + 1 + rng.int(64));
        const at = rng.int(b.length + 1);
        b = Buffer.concat([b.subarray(0, at), piece, b.subarray(at + (rng.bool() ? piece.length : 0))]);
        break;
      }
      case 5: // another procedure, version or program (header words 3..5)
        if (b.length >= 24) b.writeUInt32BE(rng.pick([rng.int(32), 100003, 100005, 100000, 100227, 400122, 0xffffffff]) >>> 0, 12 + 4 * rng.int(3));
        break;
      case 6: // message type / RPC version
        if (b.length >= 12) b.writeUInt32BE(rng.pick([0, 1, 2, 3, 0xffffffff]), rng.bool() ? 4 : 8);
        break;
      default: { // random bytes over a stretch
        if (b.length === 0) break;
        const at = rng.int(b.length);
        Buffer.from(rng.bytes(Math.min(b.length - at, 1 + rng.int(16)))).copy(b, at);
      }
    }
  }
  return b;
}

function mark(len: number, last: boolean): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(((last ? 0x80000000 : 0) + (len & 0x7fffffff)) >>> 0, 0);
  return h;
}

/**
 * `rec` with record marking, usually one honest last fragment; sometimes several fragments,
 * an empty first fragment, a fragment announcing more or fewer bytes than follow, or a huge
 * announced length the server must refuse without buffering it.
 */
export function frame(rec: Buffer, rng: Rng, hostile: boolean): Buffer {
  if (!hostile || rng.int(4) !== 0) return Buffer.concat([mark(rec.length, true), rec]);
  switch (rng.int(5)) {
    case 0: { // several fragments
      const parts: Buffer[] = [];
      let at = 0;
      while (at < rec.length) {
        const n = Math.min(rec.length - at, 1 + rng.int(40));
        parts.push(mark(n, at + n >= rec.length), rec.subarray(at, at + n));
        at += n;
      }
      if (parts.length === 0) parts.push(mark(0, true));
      return Buffer.concat(parts);
    }
    case 1: // an empty non-last fragment first
      return Buffer.concat([mark(0, false), mark(rec.length, true), rec]);
    case 2: // announces more than follows: the next record's bytes complete it
      return Buffer.concat([mark(rec.length + 1 + rng.int(64), true), rec]);
    case 3: // announces less: the rest reads as the next fragment header
      return Buffer.concat([mark(Math.max(0, rec.length - 1 - rng.int(16)), true), rec]);
    default: // a huge record, never sent in full
      return Buffer.concat([mark(0x7fffffff - rng.int(1024), rng.bool()), rec]);
  }
}
