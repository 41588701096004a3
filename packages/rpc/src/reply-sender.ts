/**
 * What a connection answers to a call: the encoded result of a settled handler, the fixed
 * replies the RPC layer gives itself (PROG_UNAVAIL, PROG_MISMATCH, RPC_MISMATCH, AUTH_ERROR,
 * GARBAGE_ARGS, SYSTEM_ERR), and the answer to a handler that failed.
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import { XdrWriter, measure } from '@nfsts/xdr';
import { RpcAuthError, RpcError, RpcNoReply } from './errors.js';
import { DENIED_AUTH_ERROR, type CallObserver } from './observe.js';
import { MAX_FRAGMENT, SUCCESS, SYSTEM_ERR } from './wire.js';
import type { CallContext, Procedure } from './procedure.js';
import { ACCEPTED_HEAD, ReplyWriter, acceptedReply, authErrorReply, progMismatchReply, rpcMismatchReply, writeAcceptedHead } from './reply.js';
import { finishCall, releaseResult } from './call-events.js';
import { POOLED_RECORD_MIN } from './record-pool.js';
import type { BackPressure } from './back-pressure.js';
import type { FailureLog } from './server-logs.js';

/** What the reply side needs of the server (an RpcServer). */
export interface ReplyServer {
  readonly failures: FailureLog;
  readonly counters: { authErrors: number };
  readonly observer: CallObserver | null;
}

/** The replies of one connection, written through its ReplyWriter. */
export class ReplySender {
  /** writes the replies, a tick's worth under one cork */
  readonly out: ReplyWriter;
  private readonly socket: net.Socket;
  private readonly server: ReplyServer;
  /** told of every reply (and of a call that ends without one); gives call records back */
  private readonly flow: BackPressure;
  private readonly log: Logger;
  private readonly remoteAddress: string;
  private readonly remotePort: number;
  /** an AUTH_ERROR was logged at warn on this connection (later ones go to debug) */
  private authWarned = false;

  constructor(socket: net.Socket, server: ReplyServer, flow: BackPressure, log: Logger) {
    this.out = new ReplyWriter(socket);
    this.socket = socket;
    this.server = server;
    this.flow = flow;
    this.log = log;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
  }

  /**
   * The reply to a call whose handler settled with `value`. `rec` is the call's record: when it
   * came from the server's pool it goes back once the reply (which may hold views of it) is
   * in the kernel.
   */
  sendSuccess(ctx: CallContext, p: Procedure, value: unknown, rec: Buffer): void {
    if (this.socket.destroyed) {
      this.replyDone(p, value, rec);
      finishCall(this.server.observer, ctx, value, SUCCESS);
      return this.flow.replied();
    }
    let chunks: Buffer[];
    try {
      const { total, inline } = measure(p.res.size, value);
      const length = ACCEPTED_HEAD - 4 + total;
      if (length > MAX_FRAGMENT) throw new RpcError('ERR_RPC_RECORD_TOO_LARGE', `reply of ${length} bytes does not fit one fragment`);
      const w = new XdrWriter(ACCEPTED_HEAD + inline, { chunks: true });
      writeAcceptedHead(w.buf, length, ctx.xid, SUCCESS);
      w.pos = ACCEPTED_HEAD;
      p.res.encode(w, value);
      if (w.pos !== ACCEPTED_HEAD + inline) {
        throw new RpcError('ERR_RPC_SYSTEM_ERR', `${p.name} result encoded ${w.pos - ACCEPTED_HEAD} inline bytes, its size() said ${inline}`);
      }
      chunks = w.chunks();
    } catch (err) {
      this.replyDone(p, value, rec);
      this.server.failures.log(this.log, `${ctx.prog}/${ctx.vers}/${p.name} result encoding`, err);
      this.sendAccepted(ctx.xid, SYSTEM_ERR);
      finishCall(this.server.observer, ctx, value, SYSTEM_ERR, err);
      return;
    }
    if (p.sent === undefined && rec.length < POOLED_RECORD_MIN && (this.flow.bulk.size === 0 || !this.flow.bulk.has(rec))) this.out.write(chunks);
    else this.out.write(chunks, () => this.replyDone(p, value, rec));
    finishCall(this.server.observer, ctx, value, SUCCESS);
    this.flow.replied();
  }

  /** A reply is in the kernel or dropped: the result's by-reference buffers and a pooled call record are free. */
  private replyDone(p: Procedure, value: unknown, rec: Buffer): void {
    if (p.sent !== undefined) releaseResult(this.server.failures, this.log, p, value);
    this.flow.releaseRecord(rec);
  }

  /** The answer to a call whose handler (or checkAuth) threw or rejected with `err`. */
  callFailed(ctx: CallContext, p: Procedure, err: unknown): void {
    if (err instanceof RpcNoReply) {
      if (this.log.isLevelEnabled('trace')) this.log.trace({ xid: ctx.xid, proc: p.name }, 'call dropped (no reply)');
      // the observer and tracing still see the call end (as a failure: no accept_stat says "unanswered")
      finishCall(this.server.observer, ctx, undefined, SYSTEM_ERR, err);
      this.flow.replied();
      return;
    }
    if (err instanceof RpcAuthError) {
      this.sendAuthError(ctx.xid, err.stat, `${p.name}: ${err.message}`);
      finishCall(this.server.observer, ctx, undefined, DENIED_AUTH_ERROR, err);
      return;
    }
    this.server.failures.log(this.log, `${ctx.prog}/${ctx.vers}/${p.name}`, err);
    this.sendAccepted(ctx.xid, SYSTEM_ERR);
    finishCall(this.server.observer, ctx, undefined, SYSTEM_ERR, err);
  }

  /** An accepted reply with no body: PROG_UNAVAIL, PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR. */
  sendAccepted(xid: number, stat: number): void {
    this.out.writeOne(acceptedReply(xid, stat));
    this.flow.replied();
  }

  sendProgMismatch(xid: number, low: number, high: number): void {
    this.out.writeOne(progMismatchReply(xid, low, high));
    this.flow.replied();
  }

  /** MSG_DENIED / RPC_MISMATCH: we speak RPC version 2 only (low = high = 2). */
  sendRpcMismatch(xid: number): void {
    this.out.writeOne(rpcMismatchReply(xid));
    this.flow.replied();
  }

  /** MSG_DENIED / AUTH_ERROR; the first on a connection is logged at warn with the client and reason. */
  sendAuthError(xid: number, stat: number, reason: string): void {
    this.server.counters.authErrors++;
    if (!this.authWarned) {
      this.authWarned = true;
      this.log.warn({ client: this.remoteAddress, port: this.remotePort, xid, stat, reason },
        'credentials refused (AUTH_ERROR); further refusals on this connection are logged at debug');
    } else if (this.log.isLevelEnabled('debug')) {
      this.log.debug({ xid, stat, reason }, 'credentials refused (AUTH_ERROR)');
    }
    this.out.writeOne(authErrorReply(xid, stat));
    this.flow.replied();
  }
}
