/**
 * Back-pressure of one connection: the calls in flight, the reply bytes charged to it and to the
 * server, and the records held while a limit, a budget or a buffer pool says wait; pausing the
 * socket and dispatching the held records again when they may go.
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import type { BufferPool } from './buffer-pool.js';
import type { ParsedServerOptions } from './options.js';
import type { RecordDivert } from './record.js';
import { POOLED_RECORD_MIN } from './record-pool.js';

/** What back-pressure needs of the server (an RpcServer): the total charge and its waiters. */
export interface BudgetServer {
  charged: number;
  readonly recordPool: BufferPool;
  countWait(): void;
  waitBudget(c: BackPressure): void;
  wakeBudget(): void;
}

/** What back-pressure needs of its connection. */
export interface FlowHost {
  /** no more calls are read; the ones received still go out */
  readonly closingDown: boolean;
  /** Dispatches a held record; false when it cannot go yet (its pool is exhausted: it stays held). */
  onRecord(rec: Buffer): boolean;
  /** a held record was not an rpc call: the stream is given up */
  protocolError(err: unknown): void;
  /** ends the connection if it is closing and nothing is left */
  maybeEnd(): void;
}

/** The limits and budgets of one connection, and the records they hold back. */
export class BackPressure {
  /** calls dispatched and not settled */
  inFlight = 0;
  /** dispatching (and, unless closing, reading) is stopped */
  paused = false;
  /** Records received and not yet dispatched (reading was paused, a budget or a pool was full); dispatched on resume. */
  held: Buffer[] | null = null;
  /** reply bytes charged to this connection: being produced (replyBytes hints), queued, pinned call records */
  charged = 0;
  /** maybeResume() is dispatching held records (it owns them meanwhile) */
  draining = false;
  /** records whose bulk arrived as socket-chunk views (Procedure.bulk): the views, charged until the record is released */
  readonly bulk = new Map<Buffer, RecordDivert>();
  /** the part of `charged` that waits in the socket, as last observed */
  private queued = 0;
  private waitingBudget = false;
  private waitingPool = false;
  private readonly poolFreed = (): void => {
    this.waitingPool = false;
    this.maybeResume();
  };
  private readonly socket: net.Socket;
  private readonly server: BudgetServer;
  private readonly opts: ParsedServerOptions;
  private readonly host: FlowHost;
  private readonly log: Logger;

  constructor(socket: net.Socket, server: BudgetServer, opts: ParsedServerOptions, host: FlowHost, log: Logger) {
    this.socket = socket;
    this.server = server;
    this.opts = opts;
    this.host = host;
    this.log = log;
  }

  /** Nothing in flight, held or being dispatched from the held records. */
  get settled(): boolean {
    return this.inFlight === 0 && this.held === null && !this.draining;
  }

  charge(n: number): void {
    this.charged += n;
    this.server.charged += n;
  }

  uncharge(n: number): void {
    this.charged -= n;
    const s = this.server;
    s.charged -= n;
    if (s.charged < this.opts.maxQueuedReplyBytesTotal) s.wakeBudget();
  }

  /**
   * Brings the queued part of the charge up to date: the socket's waiting bytes once past its
   * high-water mark (then a 'drain' is sure to come and zero it); below it they are in transit.
   */
  observeQueued(): void {
    const q = this.socket.writableNeedDrain && !this.socket.destroyed ? this.socket.writableLength : 0;
    const d = q - this.queued;
    if (d === 0) return;
    this.queued = q;
    if (d > 0) this.charge(d);
    else this.uncharge(-d);
  }

  /** Takes the queued bytes off the charge (the socket is gone; once, again after more is counted). */
  dropQueued(): void {
    if (this.queued !== 0) this.uncharge(this.queued);
    this.queued = 0;
  }

  /** Whether dispatching must stop now (and who will say when to try again). */
  mustWait(): boolean {
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
   * A complete call record arrived: a large one (joined into a pooled buffer, or a view pinning
   * its chunk) counts until released, and so do the socket chunks a bulk's views pin.
   */
  chargeRecord(rec: Buffer, d: RecordDivert | null): void {
    if (rec.length >= POOLED_RECORD_MIN) this.charge(rec.length);
    if (d !== null && d.views !== undefined) {
      this.bulk.set(rec, d);
      this.charge(d.length);
    }
  }

  /**
   * Takes a record that arrived: false when it is to be dispatched now, true when it is held
   * (dispatching is paused, or the server's total budget says wait).
   */
  holds(rec: Buffer): boolean {
    // Pausing the socket stops further chunks; the rest of this one waits here, so the
    // in-flight limit and the budgets hold exactly.
    if (this.paused) (this.held ??= []).push(rec);
    else if (this.server.charged >= this.opts.maxQueuedReplyBytesTotal && this.mustWait()) {
      this.pause();
      (this.held ??= []).push(rec);
    } else return false;
    return true;
  }

  /** Holds a record that could not be dispatched yet (its pool is exhausted). */
  hold(rec: Buffer): void {
    (this.held ??= []).push(rec);
  }

  /** Gives a large call record back: to the server's pool if it came from there, and off the charge. */
  releaseRecord(rec: Buffer): void {
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

  /** Gives back the records held for dispatch (the connection is going away). */
  dropHeld(): void {
    const held = this.held;
    this.held = null;
    if (held !== null) for (let i = 0; i < held.length; i++) this.releaseRecord(held[i]!);
  }

  /** A call is dispatched: `cost` reply bytes are charged until it settles. */
  started(cost: number): void {
    if (cost > 0) this.charge(cost);
    this.inFlight++;
    if (this.mustWait()) this.pause();
  }

  /** A call finished (its reply is about to be queued, where observeQueued() counts it). */
  settle(cost: number): void {
    this.inFlight--;
    if (cost > 0) this.uncharge(cost);
  }

  /** A reply was queued, or a call ended without one: resume, pause or end as the budgets now say. */
  replied(): void {
    this.observeQueued();
    if (this.paused) this.maybeResume();
    else if (this.mustWait()) this.pause();
    if (this.host.closingDown) this.host.maybeEnd();
  }

  /** Holds this connection's calls until `pool` has room again. */
  waitPool(pool: BufferPool): void {
    this.pause();
    if (this.waitingPool) return;
    this.waitingPool = true;
    pool.waitAvailable(this.poolFreed);
  }

  /** Stops dispatching, and reading unless the connection is closing (then it reads on to see the FIN, discarding). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (!this.host.closingDown) this.socket.pause();
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
          if (!this.host.onRecord(held[i]!)) break; // its pool is exhausted: it stays held
        }
      } catch (err) {
        // the throwing record was released; the ones after it go with the stream
        this.draining = false;
        for (let k = i + 1; k < held.length; k++) this.releaseRecord(held[k]!);
        this.host.protocolError(err);
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
    if (this.host.closingDown) {
      this.host.maybeEnd();
      return;
    }
    this.socket.resume();
    if (this.log.isLevelEnabled('trace')) this.log.trace('resumed reading');
  }
}
