/**
 * The reply side of a connection: the fixed reply headers (RFC 5531 reply_body) and the writer
 * that batches a tick's replies under one cork.
 */
import type net from 'node:net';
import {
  AUTH_ERROR, AUTH_NONE, LAST_FRAGMENT, MSG_ACCEPTED, MSG_DENIED, PROG_MISMATCH, REPLY, RPC_MISMATCH, RPC_VERSION,
} from './wire.js';

/** Size of an accepted reply's header, record mark included: mark xid REPLY MSG_ACCEPTED verf(2) accept_stat. */
export const ACCEPTED_HEAD = 28;
/**
 * Replies of one chunk up to this size are gathered while the socket is corked and written as
 * one buffer at uncork (one Writable write instead of one per reply: NULL, GETATTR, LOOKUP).
 */
export const SMALL_REPLY = 512;

/**
 * Writes an accepted reply's header (record mark, xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier,
 * accept_stat) into b[0..ACCEPTED_HEAD); `length` is the record's length after the mark.
 */
export function writeAcceptedHead(b: Buffer, length: number, xid: number, stat: number): void {
  b.writeUInt32BE(LAST_FRAGMENT + length, 0);
  b.writeUInt32BE(xid, 4);
  b.writeUInt32BE(REPLY, 8);
  b.writeUInt32BE(MSG_ACCEPTED, 12);
  b.writeUInt32BE(AUTH_NONE, 16);
  b.writeUInt32BE(0, 20);
  b.writeUInt32BE(stat, 24);
}

/** An accepted reply with no body: PROG_UNAVAIL, PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR. */
export function acceptedReply(xid: number, stat: number): Buffer {
  const b = Buffer.allocUnsafe(ACCEPTED_HEAD);
  writeAcceptedHead(b, ACCEPTED_HEAD - 4, xid, stat);
  return b;
}

/** PROG_MISMATCH with the versions of the program this server has. */
export function progMismatchReply(xid: number, low: number, high: number): Buffer {
  const b = Buffer.allocUnsafe(ACCEPTED_HEAD + 8);
  writeAcceptedHead(b, ACCEPTED_HEAD + 4, xid, PROG_MISMATCH);
  b.writeUInt32BE(low, 28);
  b.writeUInt32BE(high, 32);
  return b;
}

/** MSG_DENIED / RPC_MISMATCH: we speak RPC version 2 only (low = high = 2). */
export function rpcMismatchReply(xid: number): Buffer {
  const b = Buffer.allocUnsafe(28);
  b.writeUInt32BE(LAST_FRAGMENT + 24, 0);
  b.writeUInt32BE(xid, 4);
  b.writeUInt32BE(REPLY, 8);
  b.writeUInt32BE(MSG_DENIED, 12);
  b.writeUInt32BE(RPC_MISMATCH, 16);
  b.writeUInt32BE(RPC_VERSION, 20);
  b.writeUInt32BE(RPC_VERSION, 24);
  return b;
}

/** MSG_DENIED / AUTH_ERROR with its auth_stat. */
export function authErrorReply(xid: number, stat: number): Buffer {
  const b = Buffer.allocUnsafe(24);
  b.writeUInt32BE(LAST_FRAGMENT + 20, 0);
  b.writeUInt32BE(xid, 4);
  b.writeUInt32BE(REPLY, 8);
  b.writeUInt32BE(MSG_DENIED, 12);
  b.writeUInt32BE(AUTH_ERROR, 16);
  b.writeUInt32BE(stat >>> 0, 20);
  return b;
}

/** Counts of the reply writer's paths, for tests (proof that a path is taken). */
export const replyWriterCounters = {
  /** batches of small replies written to an uncorked socket (no cork, uncork or Writable buffering) */
  plainWrites: 0,
  /** flushes (at a tick's end, or its early one) written under cork (a multi-chunk or large reply among them) */
  corkedTicks: 0,
  /** ticks whose first FLUSH_EARLY_REPLIES replies were written before the tick ended */
  earlyFlushes: 0,
};

/**
 * A tick's first this-many replies are written at once, the rest at the tick's end. A client that
 * keeps 16 calls in flight sends them in one write, so the server reads them in one chunk;
 * answered in one `writev` at the end of that tick, the two sides took turns (a perf count at
 * QD 16: 16 replies per writev, one epoll wake-up per 16 calls) and each sat idle while the other
 * worked. With the first four out early, the client works on them while the server makes the
 * rest. Once per tick: flushing every four cost a server busy with two such connections more
 * syscalls than it gained (bench/notes/reply-flush.md).
 */
export const FLUSH_EARLY_REPLIES = 4;

/**
 * Writes a connection's replies. Replies produced in one tick go out together at its end (a busy
 * tick's first FLUSH_EARLY_REPLIES at once): small single-chunk replies are gathered and
 * written as one buffer; a multi-chunk or large reply corks the socket until the flush, so the
 * replies leave in one `writev`. A tick with only small replies (QD 1 GETATTR, LOOKUP, WRITE)
 * does not cork: its one write skips the Writable's cork bookkeeping and buffered-write list.
 */
export class ReplyWriter {
  private readonly socket: net.Socket;
  /** replies are waiting for a flush */
  private scheduled = false;
  /** the end-of-tick flush is queued (it stays queued across early flushes) */
  private tickQueued = false;
  /** the socket was corked in this tick */
  private corked = false;
  /** small replies gathered in this tick, written as one buffer by uncork() */
  private small: Buffer[] = [];
  private smallBytes = 0;
  /** replies written since the last flush */
  private batched = 0;
  /** this tick already flushed early (it does so once) */
  private flushedEarly = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
  }

  /** Reply bytes waiting in the socket and the gathered small replies now. */
  get queuedBytes(): number {
    return this.socket.writableLength + this.smallBytes;
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      if (!this.tickQueued) {
        this.tickQueued = true;
        process.nextTick(uncorkWriter, this);
      }
    }
  }

  private corkOnce(): void {
    this.schedule();
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
    }
  }

  /** Writes what the tick gathered and uncorks (nothing when nothing is pending). */
  uncork(): void {
    if (!this.scheduled) return;
    this.scheduled = false;
    this.batched = 0;
    const small = this.small;
    if (small.length > 0) {
      if (!this.socket.destroyed) {
        if (this.corked) replyWriterCounters.corkedTicks++;
        else replyWriterCounters.plainWrites++;
        this.socket.write(small.length === 1 ? small[0]! : Buffer.concat(small, this.smallBytes));
      }
      this.small = [];
      this.smallBytes = 0;
    } else if (this.corked) replyWriterCounters.corkedTicks++;
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
  }

  /** The end of the tick: writes what is waiting. */
  tickEnded(): void {
    this.tickQueued = false;
    this.flushedEarly = false;
    this.uncork();
  }

  /** A busy tick's first replies go now, not at its end (once per tick). */
  private flushEarly(): void {
    if (this.flushedEarly) return;
    this.flushedEarly = true;
    replyWriterCounters.earlyFlushes++;
    this.uncork();
  }

  private gather(b: Buffer): void {
    this.schedule();
    this.small.push(b);
    this.smallBytes += b.length;
    if (++this.batched >= FLUSH_EARLY_REPLIES) this.flushEarly();
  }

  /** Writes a reply of one buffer (nothing is told when it is out). */
  writeOne(b: Buffer): void {
    if (this.socket.destroyed) return;
    if (b.length <= SMALL_REPLY) this.gather(b);
    else {
      this.corkOnce();
      this.socket.write(b);
    }
  }

  /** Writes a reply's chunks; `done` runs once they were handed to the kernel or dropped. */
  write(chunks: Buffer[], done?: () => void): void {
    if (this.socket.destroyed) {
      done?.();
      return;
    }
    const last = chunks.length - 1;
    if (last === 0 && done === undefined && chunks[0]!.length <= SMALL_REPLY) {
      this.gather(chunks[0]!);
      return;
    }
    this.corkOnce();
    for (let i = 0; i < last; i++) this.socket.write(chunks[i]!);
    if (done === undefined) this.socket.write(chunks[last]!);
    else this.socket.write(chunks[last]!, () => done());
    if (++this.batched >= FLUSH_EARLY_REPLIES) this.flushEarly();
  }
}

function uncorkWriter(w: ReplyWriter): void {
  w.tickEnded();
}
