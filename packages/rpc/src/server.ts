import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { RpcError } from './errors.js';
import { parseServerOptions, DEFAULT_CLOSE_TIMEOUT_MS, type ParsedServerOptions, type RpcServerOptions } from './options.js';
import { SERVER_READ_BUFFER_SIZE, adoptWithReadBuffer } from './read-buffer.js';
import type { CallObserver } from './observe.js';
import { programEntry, type Program, type ProgramEntry } from './procedure.js';
import { Connection } from './connection.js';
import type { BackPressure } from './back-pressure.js';
import { recordPool } from './record-pool.js';
import { FailureLog, LimitLog, type LimitCounter } from './server-logs.js';

export type { CallContext, Procedure, Program } from './procedure.js';
export type { RpcServerOptions } from './options.js';

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
  private closing: Promise<void> | null = null;
  /** @internal buffers large call records are joined into, lent until their reply is written */
  readonly recordPool = recordPool();
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
  private budgetWaiters: BackPressure[] = [];
  /** Plain counters, read by stats() and by metrics at scrape time. */
  readonly counters = {
    accepted: 0, connectionsClosed: 0, authErrors: 0, refused: 0, closedForNew: 0, closedIdle: 0, closedRecordTimeout: 0, closedWriteTimeout: 0,
    closedPartialBudget: 0, dispatchWaits: 0,
  };
  /** @internal limit messages at warn, rate-limited (a flood of refused connections must not flood the log) */
  readonly limitLog: LimitLog;
  /** @internal handler failures: each cause at error level once */
  readonly failures = new FailureLog();
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
    this.limitLog = new LimitLog(this.logger);
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
    this.programs.set(program.prog, programEntry(program));
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
        this.limitLog.warn(this.logger, { client: socket.remoteAddress, reason: 'maxConnections', limit: this.opts.maxConnections },
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

  /** @internal A connection stopped dispatching for a budget or pool. */
  countWait(): void {
    this.counters.dispatchWaits++;
  }

  /** @internal `c` holds its calls until the total reply charge drops below its budget. */
  waitBudget(c: BackPressure): void {
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
}
