import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { XdrReader, XdrWriter, measure, type Codec } from '@nfsts/xdr';
import { AUTH_NONE_CRED, parseAuthSys, type Credential } from './auth.js';
import { RpcAuthError, RpcError, RpcNoReply } from './errors.js';
import { parseServerOptions, DEFAULT_CLOSE_TIMEOUT_MS, type ParsedServerOptions, type RpcServerOptions } from './options.js';
import { RecordReader, type RecordDivert } from './record.js';
import { SERVER_READ_BUFFER_SIZE, adoptWithReadBuffer } from './read-buffer.js';
import { BufferPool } from './buffer-pool.js';
import { DENIED_AUTH_ERROR, resultStatus, serverChannel, traceCounters, traced, type CallObserver, type RpcServerCallMessage } from './observe.js';
import {
  AUTH_BADCRED, AUTH_BADVERF, AUTH_ERROR, AUTH_NONE, AUTH_SYS, CALL, GARBAGE_ARGS, LAST_FRAGMENT, MAX_AUTH_BYTES, MAX_FRAGMENT,
  MSG_ACCEPTED, MSG_DENIED, PROC_UNAVAIL, PROG_MISMATCH, PROG_UNAVAIL, REPLY, RPC_MISMATCH, RPC_VERSION, SUCCESS, SYSTEM_ERR,
} from './wire.js';

/** What a procedure handler learns about its call. */
export interface CallContext {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  cred: Credential;
  remoteAddress: string;
  remotePort: number;
  localPort: number;
  /** Stable per TCP connection. */
  connectionId: number;
  /** The connection's child logger (silent by default). */
  logger: Logger;
  /** performance.now() when the call was dispatched, when an observer measures latency (else 0) */
  t0?: number;
  /** the `nfsts:rpc:server` message of this call, null when nobody subscribes */
  trace?: RpcServerCallMessage | null;
}

export interface Procedure<A = any, R = any> {
  name: string;
  args: Codec<A>;
  res: Codec<R>;
  /**
   * Handles one call. Argument opaques are views of the received record, valid until the
   * returned promise settles. NFS statuses are data in R; a throw answers SYSTEM_ERR
   * (logged once per cause), a thrown RpcAuthError answers AUTH_ERROR.
   */
  handler(args: A, ctx: CallContext): R | Promise<R>;
  /**
   * Optional: called once with the handler's result when its reply has been handed to the
   * kernel, or will never be (connection gone, encoding failed). Buffers the result refers to
   * (sent by reference, without a copy) may be reused from then on.
   */
  sent?(result: R): void;
  /**
   * Optional: the most reply bytes a call with these arguments can produce (a READ's count).
   * They are charged against the connection's and the server's reply budgets from dispatch
   * until the reply is queued, so calls whose replies are still being produced count too.
   */
  replyBytes?(args: A): number;
  /**
   * Optional: the pool this call's handler will take() one buffer from, or null. The server
   * holds the call (dispatching nothing more on its connection) while the pool is exhausted;
   * the handler must take its buffer synchronously, before its first await.
   */
  bufferPool?(args: A): BufferPool | null;
  /**
   * Optional: bulk argument bytes (a WRITE's data) that may reach the handler as views of the
   * socket chunks they arrived in, instead of being joined with the record (a 1 MiB copy).
   * locate() reads the start of the arguments, head[pos..] (head holds the record's first
   * DIVERT_HEAD_BYTES), and returns where the bulk starts in the record and its length, or
   * null. decode() then decodes the record without those bytes (it ends after their length
   * word with their padding) given the views, whose lengths add up to `length`. The views are
   * charged against the connection's and the server's reply budgets until the reply is sent.
   */
  bulk?: {
    locate(head: Buffer, pos: number): { start: number; length: number } | null;
    decode(r: XdrReader, views: Buffer[], length: number): A;
  };
}

export interface Program {
  prog: number;
  name: string;
  versions: Record<number, { procedures: Record<number, Procedure> }>;
}

export type { RpcServerOptions } from './options.js';

interface ProgramEntry {
  program: Program;
  low: number;
  high: number;
  versions: Map<number, Map<number, Procedure>>;
}

/** Size of an accepted reply's header, record mark included: mark xid REPLY MSG_ACCEPTED verf(2) accept_stat. */
const ACCEPTED_HEAD = 28;
/**
 * Replies of one chunk up to this size are gathered while the socket is corked and written as
 * one buffer at uncork (one Writable write instead of one per reply: NULL, GETATTR, LOOKUP).
 */
const SMALL_REPLY = 512;
/** Joined call records at least this large come from the server's pool (1 MiB WRITEs). */
const POOLED_RECORD_MIN = 64 * 1024;
/** Size of the pooled record buffers: a wtmax (1 MiB) WRITE and its call header. */
const POOLED_RECORD_SIZE = 1024 * 1024 + 4096;
/** Idle pooled record buffers kept per server. */
const POOLED_RECORDS_KEPT = 8;
/**
 * Pooled record buffers lent at once; a record joined beyond them gets a buffer of its own (its
 * bytes are charged like a pooled one's, so the budgets bound those too).
 */
const POOLED_RECORDS_MAX = 32;
/** Limit messages (connection closed or refused) logged at warn per LIMIT_LOG_WINDOW_MS; the rest are counted. */
const LIMIT_LOGS_PER_WINDOW = 50;
const LIMIT_LOG_WINDOW_MS = 10_000;
type LimitCounter = 'closedForNew' | 'closedIdle' | 'closedRecordTimeout' | 'closedWriteTimeout' | 'closedPartialBudget';
/** dispatch() outcomes */
const DONE = 0; // answered or dropped here: the record may be released
const TAKEN = 1; // a handler has it
const WAIT = 2; // not dispatched: hold the record and try again later

/** Counters of the limits at work, for metrics (`server.stats()`). */
export interface RpcServerStats {
  /** connections open now */
  connections: number;
  accepted: number;
  /** connections closed for any reason, limits included */
  connectionsClosed: number;
  /** calls denied with AUTH_ERROR */
  authErrors: number;
  /** new connections refused at maxConnections (none was idle) */
  refused: number;
  /** idle connections closed to admit a new one at maxConnections */
  closedForNew: number;
  closedIdle: number;
  closedRecordTimeout: number;
  closedWriteTimeout: number;
  closedPartialBudget: number;
  /** times a connection stopped dispatching and reading: its in-flight limit, a reply budget (its own or the total) or an exhausted buffer pool */
  dispatchWaits: number;
  /** reply bytes charged now over all connections (being produced, queued, pinned call records) */
  queuedReplyBytes: number;
  /** bytes of partly received call records now */
  partialRecordBytes: number;
}
/** Distinct causes of handler failures logged at error level; repeats and later causes go to trace. */
const MAX_LOGGED_CAUSES = 256;

/**
 * ONC RPC v2 server over TCP. Several programs share one port; calls on one connection
 * run concurrently and their replies go out in completion order, batched under cork.
 */
export class RpcServer {
  private readonly opts: ParsedServerOptions;
  readonly logger: Logger;
  private readonly programs = new Map<number, ProgramEntry>();
  private server: net.Server | null = null;
  private readonly conns = new Set<Connection>();
  private nextConnId = 1;
  private readonly loggedCauses = new Set<string>();
  private closing: Promise<void> | null = null;
  /** @internal buffers large call records are joined into, lent until their reply is written */
  readonly recordPool = new BufferPool(POOLED_RECORD_SIZE, POOLED_RECORDS_KEPT, POOLED_RECORDS_MAX);
  /** @internal reply bytes charged over all connections */
  charged = 0;
  /** @internal bytes of partly received records over all connections */
  partial = 0;
  /** @internal sweeps so far: connections note it when something happens, the sweep compares */
  tick = 0;
  /** @internal period of the sweep that applies the timeouts */
  readonly sweepMs: number;
  private sweepTimer: NodeJS.Timeout | null = null;
  /** connections holding calls until the total reply charge drops */
  private budgetWaiters: Connection[] = [];
  /** Plain counters, read by stats() and by metrics at scrape time. */
  readonly counters = {
    accepted: 0, connectionsClosed: 0, authErrors: 0, refused: 0, closedForNew: 0, closedIdle: 0, closedRecordTimeout: 0, closedWriteTimeout: 0,
    closedPartialBudget: 0, dispatchWaits: 0,
  };
  private limitLogs = 0;
  private limitLogWindow = 0;
  /** Told about every dispatched call (the server's metrics); null: nobody counts. */
  observer: CallObserver | null = null;
  /** socketReadBuffer 'reuse': the buffer every connection's socket reads into (see read-buffer.ts) */
  private readBuffer: Buffer | null = null;
  /** @internal socket reads into readBuffer, and bytes handed to the record readers (for tests) */
  reusedReads = 0;
  received = 0;

  constructor(opts?: RpcServerOptions) {
    this.opts = parseServerOptions(opts);
    this.logger = this.opts.logger;
    const o = this.opts;
    // a quarter of the shortest timeout: a limit acts within 1.25 times its setting
    this.sweepMs = Math.min(1000, Math.max(5, Math.floor(Math.min(o.idleTimeoutMs, o.recordTimeoutMs, o.writeTimeoutMs) / 4)));
  }

  /** The limits' counters and the bytes charged now (plain numbers, a fresh object each time). */
  stats(): RpcServerStats {
    return { connections: this.conns.size, ...this.counters, queuedReplyBytes: this.charged, partialRecordBytes: this.partial };
  }

  /** Registers a program; its versions and procedures are fixed from here on. */
  register(program: Program): void {
    if (this.programs.has(program.prog)) {
      throw new RpcError('ERR_RPC_INVALID_OPTION', `program ${program.prog} (${program.name}) is already registered`);
    }
    const versions = new Map<number, Map<number, Procedure>>();
    let low = Infinity;
    let high = -Infinity;
    for (const [v, def] of Object.entries(program.versions)) {
      const vers = Number(v);
      const procs = new Map<number, Procedure>();
      for (const [p, proc] of Object.entries(def.procedures)) procs.set(Number(p), proc);
      versions.set(vers, procs);
      low = Math.min(low, vers);
      high = Math.max(high, vers);
    }
    if (versions.size === 0) throw new RpcError('ERR_RPC_INVALID_OPTION', `program ${program.prog} (${program.name}) has no versions`);
    this.programs.set(program.prog, { program, low, high, versions });
  }

  /**
   * Hangs up every connection now (calls in flight get no reply), as a server restart does;
   * the listener stays. Clients reconnect and retransmit.
   */
  dropConnections(): void {
    for (const c of this.conns) c.destroy('dropped (fault injection: restart)');
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  /** Reply bytes waiting in every connection's socket and cork buffer now. */
  queuedReplyBytes(): number {
    let n = 0;
    for (const c of this.conns) n += c.queuedBytes;
    return n;
  }

  /** Listens on host:port (port 0 picks one) and resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo> {
    if (this.server !== null) return Promise.reject(new RpcError('ERR_RPC_INVALID_OPTION', 'server is already listening'));
    if (this.closing !== null) return Promise.reject(new RpcError('ERR_RPC_CLOSED', 'server is closed'));
    // allowHalfOpen: a peer that shuts down its sending side after its last call still
    // gets the replies; the connection ends once they are out.
    // reuse: accepted sockets start paused, so no byte is read before they read into our buffer
    const server = net.createServer({ noDelay: true, allowHalfOpen: true, pauseOnConnect: this.opts.socketReadBuffer === 'reuse' });
    this.server = server;
    this.sweepTimer = setInterval(() => this.sweep(), this.sweepMs);
    this.sweepTimer.unref();
    server.on('connection', (socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = null;
        this.stopSweep();
        reject(err);
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        server.on('error', (err) => this.logger.error({ err }, 'rpc server error'));
        const addr = server.address() as AddressInfo;
        this.logger.debug({ address: addr.address, port: addr.port }, 'rpc server listening');
        resolve(addr);
      });
    });
  }

  /**
   * Stops accepting connections and reading calls, lets the calls in progress finish and
   * their replies flush, then ends every connection. Connections still busy after
   * `timeoutMs` are destroyed.
   */
  close(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closing !== null) return this.closing;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    const server = this.server;
    this.stopSweep();
    const waits: Promise<void>[] = [];
    if (server !== null) waits.push(new Promise<void>((resolve) => server.close(() => resolve())));
    for (const c of this.conns) waits.push(c.closed);
    for (const c of this.conns) c.beginClose();
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const c of this.conns) c.destroy('close timeout');
        resolve();
      }, timeoutMs);
    });
    this.closing = Promise.race([Promise.all(waits).then(() => undefined), forced]).then(async () => {
      clearTimeout(timer);
      await Promise.all(waits);
      // The listening handle is released in the loop's close phase after 'close' fires.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      this.server = null;
      this.logger.debug('rpc server closed');
    });
    return this.closing;
  }

  private stopSweep(): void {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  private accept(accepted: net.Socket): void {
    if (this.closing !== null) {
      accepted.destroy();
      return;
    }
    let socket = accepted;
    let c: Connection | null = null;
    if (this.opts.socketReadBuffer === 'reuse') {
      const buf = (this.readBuffer ??= Buffer.allocUnsafe(SERVER_READ_BUFFER_SIZE));
      socket = adoptWithReadBuffer(accepted, buf, (b, n) => {
        this.reusedReads++;
        c!.received(b.subarray(0, n));
      }) ?? accepted;
      if (socket === accepted) accepted.resume(); // no handle to move: read the usual way
    }
    if (this.conns.size >= this.opts.maxConnections) {
      // as knfsd does, an old connection makes room; but only an idle one, so no call is lost
      const victim = this.oldestIdle();
      if (victim === null) {
        this.counters.refused++;
        this.limitWarn(this.logger, { client: socket.remoteAddress, reason: 'maxConnections', limit: this.opts.maxConnections },
          'refusing a connection: maxConnections reached and none is idle');
        socket.destroy();
        return;
      }
      victim.closeForLimit('maxConnections', this.opts.maxConnections, 'closing the longest-idle connection to admit a new one: maxConnections reached', 'closedForNew');
    }
    this.counters.accepted++;
    c = new Connection(this, this.opts, socket, this.nextConnId++, socket !== accepted);
    const conn = c;
    this.conns.add(conn);
    const gone = (): void => {
      this.conns.delete(conn);
      this.counters.connectionsClosed++;
    };
    conn.closed.then(gone, gone);
  }

  private oldestIdle(): Connection | null {
    let best: Connection | null = null;
    for (const c of this.conns) {
      if (c.isIdle() && (best === null || c.activeTick < best.activeTick)) best = c;
    }
    return best;
  }

  /** Applies the timeouts; runs every sweepMs while listening. */
  private sweep(): void {
    this.tick++;
    for (const c of this.conns) c.sweep(this.tick);
  }

  /** @internal A connection was closed by a limit: it no longer counts against maxConnections. */
  forget(c: Connection, counter: LimitCounter): void {
    this.conns.delete(c);
    this.counters[counter]++;
  }

  /** @internal Limit messages at warn, at most LIMIT_LOGS_PER_WINDOW per window (a flood of refused connections must not flood the log). */
  limitWarn(log: Logger, fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    if (now - this.limitLogWindow >= LIMIT_LOG_WINDOW_MS) {
      if (this.limitLogs > LIMIT_LOGS_PER_WINDOW) {
        this.logger.warn({ suppressed: this.limitLogs - LIMIT_LOGS_PER_WINDOW }, 'limit messages suppressed in the last window (see stats())');
      }
      this.limitLogWindow = now;
      this.limitLogs = 0;
    }
    if (this.limitLogs++ < LIMIT_LOGS_PER_WINDOW) log.warn(fields, msg);
  }

  /** @internal A connection stopped dispatching for a budget or pool. */
  countWait(): void {
    this.counters.dispatchWaits++;
  }

  /** @internal `c` holds its calls until the total reply charge drops below its budget. */
  waitBudget(c: Connection): void {
    this.budgetWaiters.push(c);
  }

  /** @internal The total charge dropped below the budget: the waiting connections may go on, oldest first. */
  wakeBudget(): void {
    if (this.budgetWaiters.length === 0) return;
    const w = this.budgetWaiters;
    this.budgetWaiters = [];
    for (let i = 0; i < w.length; i++) w[i]!.budgetFreed();
  }

  /**
   * @internal The partly received records exceed their total budget: close the connections whose
   * partial records went longest without a byte (ties: the largest) until they fit.
   */
  shedPartial(): void {
    const limit = this.opts.maxPartialRecordBytesTotal;
    while (this.partial > limit) {
      let victim: Connection | null = null;
      for (const c of this.conns) {
        if (c.partialBytes === 0 || c.gone) continue;
        if (victim === null || c.recvTick < victim.recvTick || (c.recvTick === victim.recvTick && c.partialBytes > victim.partialBytes)) victim = c;
      }
      if (victim === null) return;
      victim.closeForLimit('maxPartialRecordBytesTotal', limit, 'closing a connection: partly received call records exceed their total budget', 'closedPartialBudget');
    }
  }

  /** @internal */
  lookup(prog: number): ProgramEntry | undefined {
    return this.programs.get(prog);
  }

  /** @internal Logs a handler failure at error level the first time its cause is seen. */
  logFailure(log: Logger, where: string, err: unknown): void {
    const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
    const key = `${where}|${String(e?.name)}|${String(e?.code)}|${String(e?.message).slice(0, 200)}`;
    if (!this.loggedCauses.has(key) && this.loggedCauses.size < MAX_LOGGED_CAUSES) {
      this.loggedCauses.add(key);
      log.error({ err, where }, 'rpc handler failed; answering SYSTEM_ERR (further failures of this cause are logged at trace)');
    } else if (log.isLevelEnabled('trace')) {
      log.trace({ err, where }, 'rpc handler failed');
    }
  }
}

/** Runs a procedure's sent() hook; a throw there is logged like a handler failure, never propagated. */
function releaseResult(server: RpcServer, log: Logger, p: Procedure, value: unknown): void {
  try {
    p.sent!(value);
  } catch (err) {
    server.logFailure(log, `${p.name} sent()`, err);
  }
}

/**
 * Writes an accepted reply's header (record mark, xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier,
 * accept_stat) into b[0..ACCEPTED_HEAD); `length` is the record's length after the mark.
 */
function writeAcceptedHead(b: Buffer, length: number, xid: number, stat: number): void {
  b.writeUInt32BE(LAST_FRAGMENT + length, 0);
  b.writeUInt32BE(xid, 4);
  b.writeUInt32BE(REPLY, 8);
  b.writeUInt32BE(MSG_ACCEPTED, 12);
  b.writeUInt32BE(AUTH_NONE, 16);
  b.writeUInt32BE(0, 20);
  b.writeUInt32BE(stat, 24);
}

/** The tracing message of a call, built only when `nfsts:rpc:server` has subscribers. */
function traceMessage(ctx: CallContext, procedureName: string): RpcServerCallMessage {
  traceCounters.messagesBuilt++;
  const m: RpcServerCallMessage = {
    program: ctx.prog, version: ctx.vers, procedure: ctx.proc, procedureName, xid: ctx.xid,
    clientAddress: ctx.remoteAddress, clientPort: ctx.remotePort, connectionId: ctx.connectionId,
    acceptStat: undefined, status: undefined, result: undefined, error: undefined,
  };
  serverChannel.start.publish(m);
  return m;
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

function uncorkConnection(c: Connection): void {
  c.uncork();
}

/** One accepted TCP connection: reads call records, dispatches them, writes replies. */
class Connection {
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
  private inFlight = 0;
  private paused = false;
  /** Records received and not yet dispatched (reading was paused, a budget or a pool was full); dispatched on resume. */
  private held: Buffer[] | null = null;
  private corked = false;
  /** small replies gathered under the current cork, written as one buffer by uncork() */
  private small: Buffer[] = [];
  private smallBytes = 0;
  private closingDown = false;
  private endTimer: NodeJS.Timeout | null = null;
  /** reply bytes charged to this connection: being produced (replyBytes hints), queued, pinned call records */
  private charged = 0;
  /** the part of `charged` that waits in the socket, as last observed */
  private queued = 0;
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
  private waitingBudget = false;
  private waitingPool = false;
  /** maybeResume() is dispatching held records (it owns them meanwhile) */
  private draining = false;
  private readonly poolFreed = (): void => {
    this.waitingPool = false;
    this.maybeResume();
  };
  /** records whose bulk arrived as socket-chunk views (Procedure.bulk): the views, charged until the record is released */
  private readonly bulk = new Map<Buffer, RecordDivert>();
  /** an AUTH_ERROR was logged at warn on this connection (later ones go to debug) */
  private authWarned = false;
  /** the last AUTH_SYS credential body seen (a copy) and the Credential parsed from it */
  private credKey: Buffer | null = null;
  private credLast: Credential | null = null;

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
    const pool = server.recordPool;
    this.reader = new RecordReader(opts.maxRecordSize, (rec, d) => this.onIncoming(rec, d), transient ? undefined : (head) => this.locateBulk(head),
      (n) => (n >= POOLED_RECORD_MIN && n <= pool.size ? pool.tryTake(n) : null), { transient, free: (b) => pool.release(b) });
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        if (this.endTimer !== null) clearTimeout(this.endTimer);
        // a peer that resets the connection leaves held records behind: back to the pool, off the charge
        this.dropHeld();
        this.dropAccounts();
        this.reader.discard();
        this.log.debug('connection closed');
        resolve();
      });
    });
    if (!transient) socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('drain', () => {
      this.drained = true;
      this.observeQueued();
      this.maybeResume();
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
    return this.socket.writableLength + this.smallBytes;
  }

  private protocolError(err: unknown): void {
    this.log.debug({ err }, 'closing connection: not an rpc call stream');
    this.beginClose();
  }

  destroy(why: string): void {
    if (this.socket.destroyed) return;
    if (this.log.isLevelEnabled('debug')) this.log.debug({ why }, 'destroying connection');
    this.closingDown = true;
    this.dropHeld();
    this.socket.destroy();
    this.reader.discard();
    // its bytes leave the totals now, not at 'close' (a loop shedding partial records sees them go)
    this.dropAccounts();
  }

  /** @internal A limit closes this connection at once: logged at warn with the client and the reason, counted. */
  closeForLimit(reason: string, limit: number, msg: string, counter: LimitCounter): void {
    if (this.socket.destroyed) return;
    this.server.limitWarn(this.log, { client: this.remoteAddress, reason, limit }, msg);
    this.server.forget(this, counter);
    this.destroy(reason);
  }

  /** Takes this connection's queued and partial bytes out of the server's totals (once; again after more is counted). */
  private dropAccounts(): void {
    const s = this.server;
    s.partial -= this.partialBytes;
    this.partialBytes = 0;
    if (this.queued !== 0) this.uncharge(this.queued);
    this.queued = 0;
  }

  /** Gives back the records held for dispatch (the connection is going away). */
  private dropHeld(): void {
    const held = this.held;
    this.held = null;
    if (held !== null) for (let i = 0; i < held.length; i++) this.releaseRecord(held[i]!);
  }

  /** @internal The socket is destroyed ('close' may not have come yet). */
  get gone(): boolean {
    return this.socket.destroyed;
  }

  /** @internal Nothing in progress, nothing queued, no partial record: may be closed without losing a call. */
  isIdle(): boolean {
    return this.inFlight === 0 && this.held === null && !this.draining && this.charged === 0 && this.socket.writableLength === 0
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
      if (this.paused) this.maybeResume();
      return;
    }
    if (this.paused) {
      this.partialMark = -1; // not reading: the client is not to blame for an unfinished record
      this.observeQueued();
      this.maybeResume();
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
    if (this.inFlight === 0 && wl === 0 && this.held === null && (tick - this.activeTick) * ms >= o.idleTimeoutMs) {
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

  private maybeEnd(): void {
    if (!this.closingDown || this.inFlight > 0 || this.held !== null || this.draining || this.socket.destroyed || this.endTimer !== null) return;
    if (this.corked) this.uncork();
    this.socket.end();
    // A peer that never closes its side is cut off.
    this.endTimer = setTimeout(() => this.socket.destroy(), 2000);
  }

  private charge(n: number): void {
    this.charged += n;
    this.server.charged += n;
  }

  private uncharge(n: number): void {
    this.charged -= n;
    const s = this.server;
    s.charged -= n;
    if (s.charged < this.opts.maxQueuedReplyBytesTotal) s.wakeBudget();
  }

  /**
   * Brings the queued part of the charge up to date: the socket's waiting bytes once past its
   * high-water mark (then a 'drain' is sure to come and zero it); below it they are in transit.
   */
  private observeQueued(): void {
    const q = this.socket.writableNeedDrain && !this.socket.destroyed ? this.socket.writableLength : 0;
    const d = q - this.queued;
    if (d === 0) return;
    this.queued = q;
    if (d > 0) this.charge(d);
    else this.uncharge(-d);
  }

  /** Whether dispatching must stop now (and who will say when to try again). */
  private mustWait(): boolean {
    if (this.inFlight >= this.opts.maxInFlightPerConnection) return true; // a settling call resumes
    if (this.charged >= this.opts.maxQueuedReplyBytes) return true; // a drain, a settling call or a released record resumes
    // Past the total, a connection with nothing charged still gets one call at a time (so light
    // clients are served while heavy ones wait), up to a reserve of a quarter of the total.
    const total = this.opts.maxQueuedReplyBytesTotal;
    const charged = this.server.charged;
    if (charged >= total && (this.charged > 0 || charged >= total + (total >>> 2))) {
      if (!this.waitingBudget) {
        this.waitingBudget = true;
        this.server.waitBudget(this);
      }
      return true;
    }
    return false;
  }

  /** @internal The server's total charge went below its budget. */
  budgetFreed(): void {
    this.waitingBudget = false;
    this.maybeResume();
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
    // a large record (joined into a pooled buffer, or a view pinning its chunk) counts until released
    if (rec.length >= POOLED_RECORD_MIN) this.charge(rec.length);
    // so do the socket chunks a bulk's views pin
    if (d !== null && d.views !== undefined) {
      this.bulk.set(rec, d);
      this.charge(d.length);
    }
    // Pausing the socket stops further chunks; the rest of this one waits here, so the
    // in-flight limit and the budgets hold exactly.
    if (this.paused) (this.held ??= []).push(rec);
    else if (this.server.charged >= this.opts.maxQueuedReplyBytesTotal && this.mustWait()) {
      this.pause();
      (this.held ??= []).push(rec);
    } else if (!this.onRecord(rec)) {
      (this.held ??= []).push(rec);
    }
  }

  /**
   * One call record. A record from the server's pool goes back at once when the call ends
   * here without a handler's result to send (refused, unknown, garbage, handler threw);
   * otherwise sendSuccess() or the handler's rejection gives it back. Returns false when the
   * call could not be dispatched yet (a pool is exhausted): the caller holds it.
   */
  private onRecord(rec: Buffer): boolean {
    let r: number;
    try {
      r = this.dispatch(rec);
    } catch (err) {
      this.releaseRecord(rec);
      throw err;
    }
    if (r === DONE) this.releaseRecord(rec);
    return r !== WAIT;
  }

  /** Gives a large call record back: to the server's pool if it came from there, and off the charge. */
  private releaseRecord(rec: Buffer): void {
    if (this.bulk.size !== 0) {
      const d = this.bulk.get(rec);
      if (d !== undefined) {
        this.bulk.delete(rec);
        this.uncharge(d.length);
        if (this.paused) this.maybeResume();
      }
    }
    if (rec.length >= POOLED_RECORD_MIN) {
      this.server.recordPool.release(rec);
      this.uncharge(rec.length);
      if (this.paused) this.maybeResume();
    }
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
      this.sendRpcMismatch(xid);
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
      this.sendAuthError(xid, AUTH_BADCRED, 'credential too long or truncated');
      return DONE;
    }
    const credBody = rec.subarray(pos, pos + credLen);
    pos += credPadded;
    if (n - pos < 8) {
      this.sendAuthError(xid, AUTH_BADVERF, 'call ends before the verifier');
      return DONE;
    }
    const verfLen = rec.readUInt32BE(pos + 4);
    const verfPadded = verfLen + ((4 - (verfLen & 3)) & 3);
    pos += 8;
    if (verfLen > MAX_AUTH_BYTES || n - pos < verfPadded) {
      this.sendAuthError(xid, AUTH_BADVERF, 'verifier too long or truncated');
      return DONE;
    }
    pos += verfPadded;

    let cred: Credential;
    if (credFlavor === AUTH_NONE) {
      cred = AUTH_NONE_CRED;
    } else if (credFlavor === AUTH_SYS) {
      try {
        cred = this.authSys(credBody);
      } catch (err) {
        if (this.log.isLevelEnabled('trace')) this.log.trace({ xid, err }, 'malformed AUTH_SYS credentials');
        this.sendAuthError(xid, AUTH_BADCRED, 'malformed AUTH_SYS credential');
        return DONE;
      }
    } else {
      this.sendAuthError(xid, AUTH_BADCRED, `unsupported credential flavor ${credFlavor}`);
      return DONE;
    }

    const entry = this.server.lookup(prog);
    if (entry === undefined) {
      this.sendAccepted(xid, PROG_UNAVAIL);
      return DONE;
    }
    const procs = entry.versions.get(vers);
    if (procs === undefined) {
      this.sendProgMismatch(xid, entry.low, entry.high);
      return DONE;
    }
    const p = procs.get(proc);
    if (p === undefined) {
      this.sendAccepted(xid, PROC_UNAVAIL);
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
        this.callFailed(ctx, p, err);
        return DONE;
      }
    }

    let args: unknown;
    try {
      const r = new XdrReader(rec, pos, n);
      const d = this.bulk.size !== 0 ? this.bulk.get(rec) : undefined;
      if (d !== undefined) {
        if (p.bulk === undefined) throw new RpcError('ERR_RPC_BAD_RECORD', `${p.name} has no bulk arguments`);
        args = p.bulk.decode(r, d.views!, d.length);
      } else args = p.args.decode(r);
      r.assertDone(`${p.name} arguments`);
    } catch (err) {
      if (this.log.isLevelEnabled('trace')) this.log.trace({ xid, err }, 'garbage arguments');
      this.sendAccepted(xid, GARBAGE_ARGS);
      this.finishCall(ctx, undefined, GARBAGE_ARGS, err);
      return DONE;
    }

    if (p.bufferPool !== undefined) {
      const pool = p.bufferPool(args);
      if (pool !== null && pool.exhausted) {
        // the record is parsed again on resume; rare, and keeps the common path free of state
        this.waitPool(pool);
        return WAIT;
      }
    }
    const cost = p.replyBytes !== undefined ? p.replyBytes(args) : 0;
    if (cost > 0) this.charge(cost);
    this.inFlight++;
    if (this.mustWait()) this.pause();
    let result: unknown;
    try {
      result = p.handler(args, ctx);
    } catch (err) {
      this.settle(cost);
      this.callFailed(ctx, p, err);
      return DONE;
    }
    if (ctx.trace != null) serverChannel.end.publish(ctx.trace);
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(
        (value) => {
          this.settle(cost);
          this.sendSuccess(ctx, p, value, rec);
        },
        (err: unknown) => {
          this.settle(cost);
          this.releaseRecord(rec);
          this.callFailed(ctx, p, err);
        },
      );
    } else {
      this.settle(cost);
      this.sendSuccess(ctx, p, result, rec);
    }
    return TAKEN;
  }

  /**
   * The AUTH_SYS credential of a call. A client sends the same credential bytes call after
   * call: the last one parsed is kept (frozen, shared by its calls) with a copy of its bytes, and
   * reused while they match, which saves a parse and its objects per call (issue 12: about 400
   * of the 8,000 bytes a 4 KiB READ allocated).
   */
  private authSys(body: Buffer): Credential {
    const key = this.credKey;
    if (key !== null && key.length === body.length && key.equals(body)) return this.credLast!;
    const sys = parseAuthSys(body);
    Object.freeze(sys.gids);
    const cred: Credential = Object.freeze({ flavor: AUTH_SYS, sys: Object.freeze(sys) });
    this.credKey = Buffer.from(body); // a copy: the record's buffer may be pooled and reused
    this.credLast = cred;
    return cred;
  }

  /** A call finished (its reply is about to be queued, where observeQueued() counts it). */
  private settle(cost: number): void {
    this.inFlight--;
    this.activeTick = this.server.tick;
    if (cost > 0) this.uncharge(cost);
  }

  /** Holds this connection's calls until `pool` has room again. */
  private waitPool(pool: BufferPool): void {
    this.pause();
    if (this.waitingPool) return;
    this.waitingPool = true;
    pool.waitAvailable(this.poolFreed);
  }

  private callFailed(ctx: CallContext, p: Procedure, err: unknown): void {
    if (err instanceof RpcNoReply) {
      if (this.log.isLevelEnabled('trace')) this.log.trace({ xid: ctx.xid, proc: p.name }, 'call dropped (no reply)');
      // the observer and tracing still see the call end (as a failure: no accept_stat says "unanswered")
      this.finishCall(ctx, undefined, SYSTEM_ERR, err);
      this.afterReply();
      return;
    }
    if (err instanceof RpcAuthError) {
      this.sendAuthError(ctx.xid, err.stat, `${p.name}: ${err.message}`);
      this.finishCall(ctx, undefined, DENIED_AUTH_ERROR, err);
      return;
    }
    this.server.logFailure(this.log, `${ctx.prog}/${ctx.vers}/${p.name}`, err);
    this.sendAccepted(ctx.xid, SYSTEM_ERR);
    this.finishCall(ctx, undefined, SYSTEM_ERR, err);
  }

  /** Tells the observer and the tracing channel that a call's reply is queued (or never will be). */
  private finishCall(ctx: CallContext, result: unknown, acceptStat: number, err?: unknown): void {
    const obs = this.server.observer;
    if (obs !== null) obs.callEnd(ctx.prog, ctx.vers, ctx.proc, result, acceptStat, ctx.t0 ?? 0);
    const m = ctx.trace;
    if (m != null) {
      m.acceptStat = acceptStat;
      m.status = resultStatus(result);
      m.result = result;
      if (err !== undefined) {
        m.error = err;
        serverChannel.error.publish(m);
      }
      serverChannel.asyncStart.publish(m);
      serverChannel.asyncEnd.publish(m);
    }
  }

  /**
   * The reply to a call whose handler settled with `value`. `rec` is the call's record: when it
   * came from the server's pool it goes back once the reply (which may hold views of it) is
   * in the kernel.
   */
  private sendSuccess(ctx: CallContext, p: Procedure, value: unknown, rec: Buffer): void {
    if (this.socket.destroyed) {
      this.replyDone(p, value, rec);
      this.finishCall(ctx, value, SUCCESS);
      return this.afterReply();
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
      this.server.logFailure(this.log, `${ctx.prog}/${ctx.vers}/${p.name} result encoding`, err);
      this.sendAccepted(ctx.xid, SYSTEM_ERR);
      this.finishCall(ctx, value, SYSTEM_ERR, err);
      return;
    }
    if (p.sent === undefined && rec.length < POOLED_RECORD_MIN && (this.bulk.size === 0 || !this.bulk.has(rec))) this.write(chunks);
    else this.write(chunks, () => this.replyDone(p, value, rec));
    this.finishCall(ctx, value, SUCCESS);
    this.afterReply();
  }

  /** A reply is in the kernel or dropped: the result's by-reference buffers and a pooled call record are free. */
  private replyDone(p: Procedure, value: unknown, rec: Buffer): void {
    if (p.sent !== undefined) releaseResult(this.server, this.log, p, value);
    this.releaseRecord(rec);
  }

  /** An accepted reply with no body: PROG_UNAVAIL, PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR. */
  private sendAccepted(xid: number, stat: number): void {
    const b = Buffer.allocUnsafe(ACCEPTED_HEAD);
    writeAcceptedHead(b, ACCEPTED_HEAD - 4, xid, stat);
    this.writeOne(b);
    this.afterReply();
  }

  private sendProgMismatch(xid: number, low: number, high: number): void {
    const b = Buffer.allocUnsafe(ACCEPTED_HEAD + 8);
    writeAcceptedHead(b, ACCEPTED_HEAD + 4, xid, PROG_MISMATCH);
    b.writeUInt32BE(low, 28);
    b.writeUInt32BE(high, 32);
    this.writeOne(b);
    this.afterReply();
  }

  /** MSG_DENIED / RPC_MISMATCH: we speak RPC version 2 only (low = high = 2). */
  private sendRpcMismatch(xid: number): void {
    const b = Buffer.allocUnsafe(28);
    b.writeUInt32BE(LAST_FRAGMENT + 24, 0);
    b.writeUInt32BE(xid, 4);
    b.writeUInt32BE(REPLY, 8);
    b.writeUInt32BE(MSG_DENIED, 12);
    b.writeUInt32BE(RPC_MISMATCH, 16);
    b.writeUInt32BE(RPC_VERSION, 20);
    b.writeUInt32BE(RPC_VERSION, 24);
    this.writeOne(b);
    this.afterReply();
  }

  /** MSG_DENIED / AUTH_ERROR; the first on a connection is logged at warn with the client and reason. */
  private sendAuthError(xid: number, stat: number, reason: string): void {
    this.server.counters.authErrors++;
    if (!this.authWarned) {
      this.authWarned = true;
      this.log.warn({ client: this.remoteAddress, port: this.remotePort, xid, stat, reason },
        'credentials refused (AUTH_ERROR); further refusals on this connection are logged at debug');
    } else if (this.log.isLevelEnabled('debug')) {
      this.log.debug({ xid, stat, reason }, 'credentials refused (AUTH_ERROR)');
    }
    const b = Buffer.allocUnsafe(24);
    b.writeUInt32BE(LAST_FRAGMENT + 20, 0);
    b.writeUInt32BE(xid, 4);
    b.writeUInt32BE(REPLY, 8);
    b.writeUInt32BE(MSG_DENIED, 12);
    b.writeUInt32BE(AUTH_ERROR, 16);
    b.writeUInt32BE(stat >>> 0, 20);
    this.writeOne(b);
    this.afterReply();
  }

  private corkOnce(): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(uncorkConnection, this);
    }
  }

  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    const small = this.small;
    if (small.length > 0) {
      if (!this.socket.destroyed) this.socket.write(small.length === 1 ? small[0]! : Buffer.concat(small, this.smallBytes));
      this.small = [];
      this.smallBytes = 0;
    }
    this.socket.uncork();
  }

  private writeOne(b: Buffer): void {
    if (this.socket.destroyed) return;
    this.corkOnce();
    if (b.length <= SMALL_REPLY) {
      this.small.push(b);
      this.smallBytes += b.length;
    } else {
      this.socket.write(b);
    }
  }

  /** Writes a reply's chunks; `done` runs once they were handed to the kernel or dropped. */
  private write(chunks: Buffer[], done?: () => void): void {
    if (this.socket.destroyed) {
      done?.();
      return;
    }
    this.corkOnce();
    const last = chunks.length - 1;
    if (last === 0 && done === undefined && chunks[0]!.length <= SMALL_REPLY) {
      this.small.push(chunks[0]!);
      this.smallBytes += chunks[0]!.length;
      return;
    }
    for (let i = 0; i < last; i++) this.socket.write(chunks[i]!);
    if (done === undefined) this.socket.write(chunks[last]!);
    else this.socket.write(chunks[last]!, () => done());
  }

  private afterReply(): void {
    this.observeQueued();
    if (this.paused) this.maybeResume();
    else if (this.mustWait()) this.pause();
    if (this.closingDown) this.maybeEnd();
  }

  /** Stops dispatching, and reading unless the connection is closing (then it reads on to see the FIN, discarding). */
  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (!this.closingDown) this.socket.pause();
    this.server.countWait();
    if (this.log.isLevelEnabled('trace')) this.log.trace({ inFlight: this.inFlight, charged: this.charged, queued: this.socket.writableLength }, 'paused reading');
  }

  maybeResume(): void {
    if (!this.paused || this.waitingPool || this.draining || this.socket.destroyed) return;
    if (this.mustWait()) return;
    this.paused = false;
    const held = this.held;
    if (held !== null) {
      // the loop owns the held records; calls it dispatches may settle at once and re-enter here
      this.held = null;
      this.draining = true;
      let i = 0;
      try {
        for (; i < held.length && !this.socket.destroyed; i++) {
          if (this.paused) {
            if (this.waitingPool || this.mustWait()) break;
            this.paused = false;
          }
          if (!this.onRecord(held[i]!)) break; // its pool is exhausted: it stays held
        }
      } catch (err) {
        // the throwing record was released; the ones after it go with the stream
        this.draining = false;
        for (let k = i + 1; k < held.length; k++) this.releaseRecord(held[k]!);
        this.protocolError(err);
        return;
      }
      this.draining = false;
      if (this.socket.destroyed) {
        for (; i < held.length; i++) this.releaseRecord(held[i]!);
        return;
      }
      if (i < held.length) {
        this.held = held.slice(i);
        return;
      }
      if (this.paused) return;
    }
    if (this.closingDown) {
      this.maybeEnd();
      return;
    }
    this.socket.resume();
    if (this.log.isLevelEnabled('trace')) this.log.trace('resumed reading');
  }
}
