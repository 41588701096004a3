/**
 * One accepted TCP connection of an RpcServer: its socket, the records read from it, and its
 * life (the timeouts, closing). The pieces a call goes through are its own files:
 * back-pressure.ts (limits, budgets, held records), dispatch.ts (record to handler) and
 * reply-sender.ts (the replies).
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import type { ParsedServerOptions } from './options.js';
import { RecordReader, type RecordDivert } from './record.js';
import { BackPressure, type BudgetServer, type FlowHost } from './back-pressure.js';
import { ReplySender } from './reply-sender.js';
import { CallDispatcher, type DispatchServer } from './dispatch.js';
import { POOLED_RECORD_MIN } from './record-pool.js';
import type { LimitCounter, LimitLog } from './server-logs.js';

/** What a connection needs of its server (an RpcServer), named here so this file does not import server.ts. */
export interface ConnectionServer extends BudgetServer, DispatchServer {
  /** bytes handed to the record readers */
  received: number;
  /** bytes of partly received records over all connections */
  partial: number;
  readonly sweepMs: number;
  readonly limitLog: LimitLog;
  /** closes connections until the partial records fit their total budget */
  shedPartial(): void;
  /** `c` was closed by a limit: counted, and no longer counted against maxConnections */
  forget(c: Connection, counter: LimitCounter): void;
}

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
  private readonly server: ConnectionServer;
  private readonly opts: ParsedServerOptions;
  private readonly socket: net.Socket;
  private readonly log: Logger;
  private readonly reader: RecordReader;
  private readonly remoteAddress: string;
  private readonly remotePort: number;
  /** the in-flight limit, the reply budgets, and the records they hold back */
  private readonly flow: BackPressure;
  /** the replies, written a tick's worth under one cork */
  private readonly replies: ReplySender;
  /** from a call record to its handler */
  private readonly calls: CallDispatcher;
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

  /**
   * `transient`: the socket reads into the server's reused buffer and calls received(); records
   * are then copied out as they arrive (a large one into a pooled buffer), and a bulk WRITE is not
   * handed on as views (they would be of that buffer).
   */
  constructor(server: ConnectionServer, opts: ParsedServerOptions, socket: net.Socket, id: number, transient: boolean) {
    this.server = server;
    this.opts = opts;
    this.socket = socket;
    this.id = id;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.activeTick = this.recvTick = this.writeTick = server.tick;
    this.log = opts.logger.child({ conn: id, peer: `${this.remoteAddress}:${this.remotePort}` });
    this.flow = new BackPressure(socket, server, opts, this, this.log);
    this.replies = new ReplySender(socket, server, this.flow, this.log);
    this.calls = new CallDispatcher(socket, server, opts, this, this.flow, this.replies, this.log, id);
    const pool = server.recordPool;
    this.reader = new RecordReader(opts.maxRecordSize, (rec, d) => this.onIncoming(rec, d),
      transient ? undefined : (head) => (this.closingDown ? null : this.calls.locateBulk(head)),
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

  /** Reply bytes waiting in the socket and the gathered small replies now. */
  get queuedBytes(): number {
    return this.replies.out.queuedBytes;
  }

  /**
   * @internal (FlowHost) The byte stream is not record-marked rpc_msgs: read no more of it, let
   * the replies to the calls before the garbage go out, then close this connection only.
   */
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

  /** A complete call record from the reader: charged, then dispatched or held. */
  private onIncoming(rec: Buffer, d: RecordDivert | null): void {
    if (this.closingDown) {
      if (rec.length >= POOLED_RECORD_MIN) this.server.recordPool.release(rec);
      return;
    }
    this.records++;
    this.activeTick = this.server.tick;
    const flow = this.flow;
    flow.chargeRecord(rec, d);
    if (!flow.holds(rec) && !this.calls.onRecord(rec)) flow.hold(rec);
  }

  /** @internal (FlowHost) Dispatches a held record; false when it stays held. */
  onRecord(rec: Buffer): boolean {
    return this.calls.onRecord(rec);
  }
}
