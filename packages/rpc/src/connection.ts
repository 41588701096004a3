/**
 * One accepted TCP connection of an RpcServer: reads call records, holds them while a limit or
 * budget says wait, dispatches them to the procedures, and sends their replies.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { XdrReader } from '@nfsts/xdr';
import { AUTH_NONE_CRED, type Credential } from './auth.js';
import { RpcError } from './errors.js';
import type { ParsedServerOptions } from './options.js';
import { RecordReader, type RecordDivert } from './record.js';
import { BackPressure, type FlowHost } from './back-pressure.js';
import { serverChannel, traced } from './observe.js';
import {
  AUTH_BADCRED, AUTH_BADVERF, AUTH_NONE, AUTH_SYS, CALL, GARBAGE_ARGS, MAX_AUTH_BYTES, PROC_UNAVAIL, PROG_UNAVAIL, REPLY, RPC_VERSION,
} from './wire.js';
import type { CallContext } from './procedure.js';
import { ReplySender } from './reply-sender.js';
import { finishCall, traceMessage } from './call-events.js';
import { CredentialCache } from './cred-cache.js';
import { POOLED_RECORD_MIN } from './record-pool.js';
import type { LimitCounter } from './server-logs.js';
import type { RpcServer } from './server.js';

/** dispatch() outcomes */
const DONE = 0; // answered or dropped here: the record may be released
const TAKEN = 1; // a handler has it
const WAIT = 2; // not dispatched: hold the record and try again later

/** A peer going away (reset, broken pipe) is normal: one debug line without a stack. */
function connectionError(log: Logger, err: Error): void {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') {
    if (log.isLevelEnabled('debug')) log.debug({ code }, 'client went away');
  } else {
    log.debug({ err }, 'connection error');
  }
}

/** One accepted TCP connection: reads call records, dispatches them, writes replies. */
export class Connection implements FlowHost {
  readonly id: number;
  readonly closed: Promise<void>;
  private readonly server: RpcServer;
  private readonly opts: ParsedServerOptions;
  private readonly socket: net.Socket;
  private readonly log: Logger;
  private readonly reader: RecordReader;
  private readonly remoteAddress: string;
  private readonly remotePort: number;
  private readonly localPort: number;
  /** the in-flight limit, the reply budgets, and the records they hold back */
  private readonly flow: BackPressure;
  /** the replies, written a tick's worth under one cork */
  private readonly replies: ReplySender;
  /** @internal (FlowHost) no more calls are read; the ones received still go out */
  closingDown = false;
  private endTimer: NodeJS.Timeout | null = null;
  /** @internal bytes of the partly received record, as counted in the server's total (0 once the socket is gone) */
  partialBytes = 0;
  /** complete records received */
  private records = 0;
  /** @internal the server's tick when a call last arrived or finished */
  activeTick: number;
  /** @internal the server's tick when bytes last arrived */
  recvTick: number;
  /** `records` when the sweep first saw the current partial record (-1: none seen), and that tick */
  private partialMark = -1;
  private partialTick = 0;
  /** socket bytes waiting at the last sweep, the tick of the last write progress, and a 'drain' since */
  private lastWritable = 0;
  private writeTick = 0;
  private drained = false;
  private readonly creds = new CredentialCache();

  /**
   * `transient`: the socket reads into the server's reused buffer and calls received(); records
   * are then copied out as they arrive (a large one into a pooled buffer), and a bulk WRITE is not
   * handed on as views (they would be of that buffer).
   */
  constructor(server: RpcServer, opts: ParsedServerOptions, socket: net.Socket, id: number, transient: boolean) {
    this.server = server;
    this.opts = opts;
    this.socket = socket;
    this.id = id;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.localPort = socket.localPort ?? 0;
    this.activeTick = this.recvTick = this.writeTick = server.tick;
    this.log = opts.logger.child({ conn: id, peer: `${this.remoteAddress}:${this.remotePort}` });
    this.flow = new BackPressure(socket, server, opts, this, this.log);
    this.replies = new ReplySender(socket, server, this.flow, this.log);
    const pool = server.recordPool;
    this.reader = new RecordReader(opts.maxRecordSize, (rec, d) => this.onIncoming(rec, d), transient ? undefined : (head) => this.locateBulk(head),
      (n) => (n >= POOLED_RECORD_MIN && n <= pool.size ? pool.tryTake(n) : null), { transient, free: (b) => pool.release(b) });
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        if (this.endTimer !== null) clearTimeout(this.endTimer);
        // a peer that resets the connection leaves held records behind: back to the pool, off the charge
        this.flow.dropHeld();
        this.dropAccounts();
        this.reader.discard();
        this.log.debug('connection closed');
        resolve();
      });
    });
    if (!transient) socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('drain', () => {
      this.drained = true;
      this.flow.observeQueued();
      this.flow.maybeResume();
    });
    socket.on('error', (err) => connectionError(this.log, err));
    socket.on('end', () => {
      // The peer will send no more calls; finish the ones in progress, then close.
      this.beginClose();
    });
    this.log.debug('connection accepted');
  }

  /** @internal Bytes read from the socket (in transient mode valid only during this call). */
  received(chunk: Buffer): void {
    if (this.closingDown) return;
    const s = this.server;
    s.received += chunk.length;
    this.recvTick = s.tick;
    try {
      this.reader.push(chunk);
    } catch (err) {
      this.protocolError(err);
    }
    const d = this.socket.destroyed ? 0 : this.reader.buffered - this.partialBytes;
    if (d !== 0) {
      this.partialBytes += d;
      s.partial += d;
      if (d > 0 && s.partial > this.opts.maxPartialRecordBytesTotal) s.shedPartial();
    }
  }

  /**
   * The byte stream is not record-marked rpc_msgs: read no more of it, let the replies
   * to the calls before the garbage go out, then close this connection only.
   */
  get queuedBytes(): number {
    return this.replies.out.queuedBytes;
  }

  /** @internal (FlowHost) */
  protocolError(err: unknown): void {
    this.log.debug({ err }, 'closing connection: not an rpc call stream');
    this.beginClose();
  }

  destroy(why: string): void {
    if (this.socket.destroyed) return;
    if (this.log.isLevelEnabled('debug')) this.log.debug({ why }, 'destroying connection');
    this.closingDown = true;
    this.flow.dropHeld();
    this.socket.destroy();
    this.reader.discard();
    // its bytes leave the totals now, not at 'close' (a loop shedding partial records sees them go)
    this.dropAccounts();
  }

  /** @internal A limit closes this connection at once: logged at warn with the client and the reason, counted. */
  closeForLimit(reason: string, limit: number, msg: string, counter: LimitCounter): void {
    if (this.socket.destroyed) return;
    this.server.limitLog.warn(this.log, { client: this.remoteAddress, reason, limit }, msg);
    this.server.forget(this, counter);
    this.destroy(reason);
  }

  /** Takes this connection's queued and partial bytes out of the server's totals (once; again after more is counted). */
  private dropAccounts(): void {
    const s = this.server;
    s.partial -= this.partialBytes;
    this.partialBytes = 0;
    this.flow.dropQueued();
  }

  /** @internal The socket is destroyed ('close' may not have come yet). */
  get gone(): boolean {
    return this.socket.destroyed;
  }

  /** @internal Nothing in progress, nothing queued, no partial record: may be closed without losing a call. */
  isIdle(): boolean {
    return this.flow.settled && this.flow.charged === 0 && this.socket.writableLength === 0
      && this.reader.idle && !this.socket.destroyed;
  }

  /** @internal The periodic check of the timeouts (and a retry for a paused connection). */
  sweep(tick: number): void {
    if (this.socket.destroyed) return;
    const o = this.opts;
    const ms = this.server.sweepMs;
    const wl = this.socket.writableLength;
    if (wl > 0) {
      // progress is seen per completed socket write: a 'drain', or fewer bytes waiting
      if (this.drained || wl < this.lastWritable) this.writeTick = tick;
      else if ((tick - this.writeTick) * ms >= o.writeTimeoutMs) {
        this.closeForLimit('writeTimeoutMs', o.writeTimeoutMs, 'closing a connection: its replies made no write progress in time', 'closedWriteTimeout');
        return;
      }
    } else this.writeTick = tick;
    this.lastWritable = wl;
    this.drained = false;
    if (this.closingDown) {
      // no more calls are read: only the held ones still go out, and only the write timeout applies
      if (this.flow.paused) this.flow.maybeResume();
      return;
    }
    if (this.flow.paused) {
      this.partialMark = -1; // not reading: the client is not to blame for an unfinished record
      this.flow.observeQueued();
      this.flow.maybeResume();
      return;
    }
    if (!this.reader.idle) {
      if (this.partialMark !== this.records) {
        this.partialMark = this.records;
        this.partialTick = tick;
      } else if ((tick - this.partialTick) * ms >= o.recordTimeoutMs) {
        this.closeForLimit('recordTimeoutMs', o.recordTimeoutMs, 'closing a connection: a call record was not completed in time', 'closedRecordTimeout');
        return;
      }
    } else this.partialMark = -1;
    if (this.flow.inFlight === 0 && wl === 0 && this.flow.held === null && (tick - this.activeTick) * ms >= o.idleTimeoutMs) {
      this.closeForLimit('idleTimeoutMs', o.idleTimeoutMs, 'closing an idle connection', 'closedIdle');
    }
  }

  /**
   * Stops reading calls; the connection ends once the calls received before have replied
   * (those a budget holds back included, as the budget lets them go).
   */
  beginClose(): void {
    if (this.closingDown) return;
    this.closingDown = true;
    // Keep reading (and discarding), so the peer's FIN is seen and the socket closes.
    this.socket.resume();
    this.maybeEnd();
  }

  /** @internal (FlowHost) */
  maybeEnd(): void {
    if (!this.closingDown || !this.flow.settled || this.socket.destroyed || this.endTimer !== null) return;
    this.replies.out.uncork();
    this.socket.end();
    // A peer that never closes its side is cut off.
    this.endTimer = setTimeout(() => this.socket.destroy(), 2000);
  }

  /**
   * The record reader's divert hook: for a large call whose procedure has bulk arguments, where
   * the bulk lies (collected as views of the socket chunks, not joined). Reads only the fixed
   * call header from `head`; anything odd is left to dispatch() on the joined record.
   */
  private locateBulk(head: Buffer): RecordDivert | null {
    if (this.closingDown || head.readUInt32BE(4) !== CALL || head.readUInt32BE(8) !== RPC_VERSION) return null;
    const credLen = head.readUInt32BE(28);
    if (credLen > MAX_AUTH_BYTES) return null;
    let pos = 32 + credLen + ((4 - (credLen & 3)) & 3);
    if (pos + 8 > head.length) return null;
    const verfLen = head.readUInt32BE(pos + 4);
    if (verfLen > MAX_AUTH_BYTES) return null;
    pos += 8 + verfLen + ((4 - (verfLen & 3)) & 3);
    if (pos >= head.length) return null;
    const p = this.server.lookup(head.readUInt32BE(12))?.versions.get(head.readUInt32BE(16))?.get(head.readUInt32BE(20));
    if (p === undefined || p.bulk === undefined) return null;
    let at: { start: number; length: number } | null;
    try {
      at = p.bulk.locate(head, pos);
    } catch {
      return null;
    }
    return at === null ? null : { start: at.start, length: at.length, dest: null, views: [] };
  }

  private onIncoming(rec: Buffer, d: RecordDivert | null): void {
    if (this.closingDown) {
      if (rec.length >= POOLED_RECORD_MIN) this.server.recordPool.release(rec);
      return;
    }
    this.records++;
    this.activeTick = this.server.tick;
    const flow = this.flow;
    flow.chargeRecord(rec, d);
    if (!flow.holds(rec) && !this.onRecord(rec)) flow.hold(rec);
  }

  /**
   * One call record. A record from the server's pool goes back at once when the call ends
   * here without a handler's result to send (refused, unknown, garbage, handler threw);
   * otherwise sendSuccess() or the handler's rejection gives it back. Returns false when the
   * call could not be dispatched yet (a pool is exhausted): the caller holds it.
   * @internal (FlowHost)
   */
  onRecord(rec: Buffer): boolean {
    let r: number;
    try {
      r = this.dispatch(rec);
    } catch (err) {
      this.flow.releaseRecord(rec);
      throw err;
    }
    if (r === DONE) this.flow.releaseRecord(rec);
    return r !== WAIT;
  }

  /**
   * One call record. The fixed part of the call header is read at fixed offsets rather
   * than through the generated xdr_rpc_msg union codec: measured here (NULL call with
   * AUTH_SYS) 2.9-3.1M headers/s against 2.0M/s, and no intermediate objects. The
   * layout is RFC 5531's call_body; the tests decode what we send with xdr_rpc_msg.
   * Returns TAKEN when `rec` went to a handler, DONE when it was answered or dropped here, WAIT
   * when its buffer pool is exhausted (nothing was sent; the caller holds the record).
   */
  private dispatch(rec: Buffer): number {
    if (this.socket.destroyed) return DONE;
    const n = rec.length;
    if (n < 8) throw new RpcError('ERR_RPC_BAD_RECORD', `record of ${n} bytes is too short for an rpc_msg`);
    const xid = rec.readUInt32BE(0);
    const mtype = rec.readUInt32BE(4);
    if (mtype !== CALL) {
      throw new RpcError('ERR_RPC_BAD_RECORD', mtype === REPLY ? 'a REPLY arrived at the server' : `msg_type ${mtype} is neither CALL nor REPLY`);
    }
    if (n < 12) throw new RpcError('ERR_RPC_BAD_RECORD', 'call record ends before rpcvers');
    if (rec.readUInt32BE(8) !== RPC_VERSION) {
      this.replies.sendRpcMismatch(xid);
      return DONE;
    }
    if (n < 32) throw new RpcError('ERR_RPC_BAD_RECORD', 'call record ends inside the call header');
    const prog = rec.readUInt32BE(12);
    const vers = rec.readUInt32BE(16);
    const proc = rec.readUInt32BE(20);
    const credFlavor = rec.readUInt32BE(24);
    const credLen = rec.readUInt32BE(28);
    let pos = 32;
    const credPadded = credLen + ((4 - (credLen & 3)) & 3);
    if (credLen > MAX_AUTH_BYTES || n - pos < credPadded) {
      this.replies.sendAuthError(xid, AUTH_BADCRED, 'credential too long or truncated');
      return DONE;
    }
    const credBody = rec.subarray(pos, pos + credLen);
    pos += credPadded;
    if (n - pos < 8) {
      this.replies.sendAuthError(xid, AUTH_BADVERF, 'call ends before the verifier');
      return DONE;
    }
    const verfLen = rec.readUInt32BE(pos + 4);
    const verfPadded = verfLen + ((4 - (verfLen & 3)) & 3);
    pos += 8;
    if (verfLen > MAX_AUTH_BYTES || n - pos < verfPadded) {
      this.replies.sendAuthError(xid, AUTH_BADVERF, 'verifier too long or truncated');
      return DONE;
    }
    pos += verfPadded;

    let cred: Credential;
    if (credFlavor === AUTH_NONE) {
      cred = AUTH_NONE_CRED;
    } else if (credFlavor === AUTH_SYS) {
      try {
        cred = this.creds.authSys(credBody);
      } catch (err) {
        if (this.log.isLevelEnabled('trace')) this.log.trace({ xid, err }, 'malformed AUTH_SYS credentials');
        this.replies.sendAuthError(xid, AUTH_BADCRED, 'malformed AUTH_SYS credential');
        return DONE;
      }
    } else {
      this.replies.sendAuthError(xid, AUTH_BADCRED, `unsupported credential flavor ${credFlavor}`);
      return DONE;
    }

    const entry = this.server.lookup(prog);
    if (entry === undefined) {
      this.replies.sendAccepted(xid, PROG_UNAVAIL);
      return DONE;
    }
    const procs = entry.versions.get(vers);
    if (procs === undefined) {
      this.replies.sendProgMismatch(xid, entry.low, entry.high);
      return DONE;
    }
    const p = procs.get(proc);
    if (p === undefined) {
      this.replies.sendAccepted(xid, PROC_UNAVAIL);
      return DONE;
    }

    const ctx: CallContext = {
      xid, prog, vers, proc, cred,
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      localPort: this.localPort,
      connectionId: this.id,
      logger: this.log,
      t0: 0,
      trace: null,
    };
    if (this.log.isLevelEnabled('trace')) this.log.trace({ xid, prog, vers, proc: p.name }, 'call');
    const obs = this.server.observer;
    if (obs !== null) {
      ctx.t0 = performance.now();
      obs.callStart(prog, vers, proc);
    }
    if (traced(serverChannel)) ctx.trace = traceMessage(ctx, p.name);

    const checkAuth = this.opts.checkAuth;
    if (checkAuth !== null) {
      try {
        checkAuth(ctx);
      } catch (err) {
        this.replies.callFailed(ctx, p, err);
        return DONE;
      }
    }

    let args: unknown;
    try {
      const r = new XdrReader(rec, pos, n);
      const bulk = this.flow.bulk;
      const d = bulk.size !== 0 ? bulk.get(rec) : undefined;
      if (d !== undefined) {
        if (p.bulk === undefined) throw new RpcError('ERR_RPC_BAD_RECORD', `${p.name} has no bulk arguments`);
        args = p.bulk.decode(r, d.views!, d.length);
      } else args = p.args.decode(r);
      r.assertDone(`${p.name} arguments`);
    } catch (err) {
      if (this.log.isLevelEnabled('trace')) this.log.trace({ xid, err }, 'garbage arguments');
      this.replies.sendAccepted(xid, GARBAGE_ARGS);
      finishCall(this.server.observer, ctx, undefined, GARBAGE_ARGS, err);
      return DONE;
    }

    if (p.bufferPool !== undefined) {
      const pool = p.bufferPool(args);
      if (pool !== null && pool.exhausted) {
        // the record is parsed again on resume; rare, and keeps the common path free of state
        this.flow.waitPool(pool);
        return WAIT;
      }
    }
    const cost = p.replyBytes !== undefined ? p.replyBytes(args) : 0;
    this.flow.started(cost);
    let result: unknown;
    try {
      result = p.handler(args, ctx);
    } catch (err) {
      this.settle(cost);
      this.replies.callFailed(ctx, p, err);
      return DONE;
    }
    if (ctx.trace != null) serverChannel.end.publish(ctx.trace);
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(
        (value) => {
          this.settle(cost);
          this.replies.sendSuccess(ctx, p, value, rec);
        },
        (err: unknown) => {
          this.settle(cost);
          this.flow.releaseRecord(rec);
          this.replies.callFailed(ctx, p, err);
        },
      );
    } else {
      this.settle(cost);
      this.replies.sendSuccess(ctx, p, result, rec);
    }
    return TAKEN;
  }

  /** A call finished (its reply is about to be queued, where observeQueued() counts it). */
  private settle(cost: number): void {
    this.activeTick = this.server.tick;
    this.flow.settle(cost);
  }
}
