import { EventEmitter } from 'node:events';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { XdrReader, XdrWriter, measure, type Codec } from '@nfsts/xdr';
import { AUTH_NONE_CRED, credentialSize, encodeCredential, type Credential } from './auth.js';
import { RpcError } from './errors.js';
import { parseClientOptions, type ParsedClientOptions, type RpcClientOptions } from './options.js';
import { RecordReader, type RecordDivert } from './record.js';
import { clientReadBuffer } from './read-buffer.js';
import { clientChannel, traceCounters, traced, type RpcClientCallMessage } from './observe.js';
import {
  AUTH_ERROR, AUTH_NONE, CALL, GARBAGE_ARGS, LAST_FRAGMENT, MAX_AUTH_BYTES, MAX_FRAGMENT, MSG_ACCEPTED, MSG_DENIED,
  PROC_UNAVAIL, PROG_MISMATCH, PROG_UNAVAIL, REPLY, RPC_MISMATCH, RPC_VERSION, SUCCESS, SYSTEM_ERR,
} from './wire.js';

export type { RpcClientOptions } from './options.js';

/**
 * A result codec that can take its bulk data straight from the socket (READ into the caller's
 * buffer, with no joined record in between). `divert` sees the first bytes of a large reply
 * record and the offset of the result in it; it returns where the bulk bytes are (record
 * offsets) and where they go, or null. When it was used, the reply is decoded with
 * `decodeDiverted` from a record that lacks those bytes (the reader is positioned at the result).
 */
export interface DivertingCodec<T> extends Codec<T> {
  divert(head: Buffer, resultOffset: number): RecordDivert | null;
  decodeDiverted(r: XdrReader, d: RecordDivert): T;
}

/**
 * A result codec that also settles the call: `finish` maps the decoded result to the value the
 * call resolves with, and what it throws rejects the call as is (the NFS client's raw layer turns
 * a non-OK status into its NfsError here, so a call costs one promise, not one per layer).
 */
export interface FinishingCodec<T, U = unknown> extends Codec<T> {
  finish(v: T): U;
}

function isDiverting(c: Codec<unknown>): c is DivertingCodec<unknown> {
  return typeof (c as Partial<DivertingCodec<unknown>>).divert === 'function'
    && typeof (c as Partial<DivertingCodec<unknown>>).decodeDiverted === 'function';
}

export interface CallOptions {
  timeoutMs?: number;
  cred?: Credential;
  signal?: AbortSignal;
}

/**
 * The calling half of `RpcClient`, structural so that users (the NFS client, LOCALIO's probe)
 * can be handed a stand-in in tests.
 */
export interface RpcCallable {
  /** A result codec with a `finish` (FinishingCodec) settles with what finish returns or throws. */
  call<A, R>(prog: number, vers: number, proc: number, args: Codec<A>, argValue: A, res: Codec<R>, opts?: CallOptions): Promise<R>;
}

interface Pending {
  xid: number;
  /** The framed call (record mark first); kept for retransmission with the same XID. */
  chunks: Buffer[];
  res: Codec<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** performance.now() after which the call fails with ERR_RPC_TIMEOUT */
  deadline: number;
  timeoutMs: number;
  signal: AbortSignal | null;
  onAbort: (() => void) | null;
  /** where the reply's bulk bytes are being copied, while its record arrives */
  divert: RecordDivert | null;
  prog: number;
  vers: number;
  proc: number;
  /** the `nfsts:rpc:client` message, null when nobody subscribes */
  trace: RpcClientCallMessage | null;
}

type State = 'idle' | 'connecting' | 'connected' | 'closed';

/** The `nfsts:rpc:client` message of a call (built only when the channel has subscribers); publishes `start`. */
function clientTraceMessage(e: Pending): RpcClientCallMessage {
  traceCounters.messagesBuilt++;
  const m: RpcClientCallMessage = { program: e.prog, version: e.vers, procedure: e.proc, xid: e.xid, retransmits: 0, result: undefined, error: undefined };
  clientChannel.start.publish(m);
  return m;
}

/** The call writer's options: one object, not one per call. */
const CHUNKED = { chunks: true } as const;

/** Call header before the credential: mark xid CALL rpcvers prog vers proc. */
const CALL_HEAD = 28;

/**
 * Credentials as they go on the wire, opaque_auth followed by the AUTH_NONE verifier, encoded
 * once per Credential object (they are constant; re-encoding cost a few hundred ns and an
 * XdrReader-sized heap of garbage per call).
 */
const encodedCreds = new WeakMap<Credential, Buffer>();

/** The credential and verifier bytes of a call made with `cred`. */
export function credentialBytes(cred: Credential): Buffer {
  let b = encodedCreds.get(cred);
  if (b === undefined) {
    const w = new XdrWriter(credentialSize(cred) + 8);
    encodeCredential(w, cred);
    w.u32(AUTH_NONE);
    w.u32(0);
    b = w.buf;
    encodedCreds.set(cred, b);
  }
  return b;
}

/** prog/vers/proc and xid of a call, for error messages. */
function callName(e: Pending): string {
  return `${e.prog}/${e.vers}/${e.proc} xid ${e.xid}`;
}

function uncorkClient(c: RpcClient): void {
  c.uncorkNow();
}

/**
 * ONC RPC v2 client over one TCP connection. Many calls may be in flight; replies are
 * matched by XID. When the connection drops with calls pending, it reconnects with
 * exponential backoff and retransmits them under their original XIDs.
 *
 * Events: 'connect' (first connection), 'reconnect' (a later one), 'disconnect' (the
 * connection dropped), 'close' (close() finished). No 'error' events are emitted.
 */
export class RpcClient extends EventEmitter implements RpcCallable {
  private readonly opts: ParsedClientOptions;
  private readonly log: Logger;
  private readonly cred: Credential;
  private state: State = 'idle';
  private socket: net.Socket | null = null;
  private reader: RecordReader | null = null;
  /** @internal socket reads into the shared read buffer (for tests) */
  reusedReads = 0;
  private readonly pending = new Map<number, Pending>();
  private nextXid: number = randomInt(0, 0x7fffffff);
  private everConnected = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** Plain counters: calls made, calls failed (any reason), reconnects, calls sent again after one. */
  readonly counters = { calls: 0, failures: 0, reconnects: 0, retransmits: 0 };
  /** Calls made per procedure: key prog * 256 + vers, index proc (procedures 0..63). */
  readonly procCalls = new Map<number, Float64Array>();
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private corked = false;
  private closePromise: Promise<void> | null = null;
  private connSeq = 0;
  /**
   * One timer for every call's deadline (not one per call): armed for the earliest deadline
   * it knows, and when it fires it fails the calls past theirs and re-arms for the next.
   * Unref'd: a pending call always has a socket or the reconnect timer keeping the process up.
   */
  private deadlineTimer: NodeJS.Timeout | null = null;
  private deadlineAt = Infinity;
  private readonly onDeadline = (): void => {
    this.deadlineTimer = null;
    this.deadlineAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    let late: Pending[] | null = null;
    for (const e of this.pending.values()) {
      if (e.deadline <= now) (late ??= []).push(e);
      else if (e.deadline < next) next = e.deadline;
    }
    if (next !== Infinity) this.armDeadline(next);
    if (late !== null) {
      for (const e of late) {
        this.fail(e, new RpcError('ERR_RPC_TIMEOUT', `call ${e.prog}/${e.vers}/${e.proc} xid ${e.xid} timed out after ${e.timeoutMs} ms`, { xid: e.xid }));
      }
    }
  };

  constructor(opts: RpcClientOptions) {
    super();
    this.opts = parseClientOptions(opts);
    this.cred = this.opts.cred ?? AUTH_NONE_CRED;
    this.log = this.opts.logger.child({ rpcClient: `${this.opts.host}:${this.opts.port}` });
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Calls waiting for a reply (for tests and diagnostics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Connects (one attempt); resolves at once when already connected. */
  connect(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new RpcError('ERR_RPC_CLOSED', 'client is closed'));
    if (this.state === 'connected') return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.state === 'idle') {
      if (this.reconnectTimer !== null) {
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = null;
      }
      this.open();
    }
    return p;
  }

  /**
   * Calls prog/vers/proc with `argValue` encoded by `args`; resolves with the result
   * decoded by `res` from the reply record (a caller's own codec may copy READ data
   * straight into its buffer). Opaques in the arguments are sent by reference: the caller
   * must not modify them until the call settles.
   */
  call<A, R>(prog: number, vers: number, proc: number, args: Codec<A>, argValue: A, res: Codec<R>, opts?: CallOptions): Promise<R> {
    if (this.state === 'closed') return Promise.reject(new RpcError('ERR_RPC_CLOSED', 'client is closed'));
    const signal = opts?.signal ?? null;
    if (signal?.aborted) return Promise.reject(signal.reason);
    let xid = this.nextXid;
    while (this.pending.has(xid)) xid = (xid + 1) >>> 0;
    this.nextXid = (xid + 1) >>> 0;
    let chunks: Buffer[];
    try {
      chunks = this.encodeCall(xid, prog, vers, proc, opts?.cred ?? this.cred, args, argValue);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<R>((resolve, reject) => {
      const timeoutMs = opts?.timeoutMs ?? this.opts.timeoutMs;
      const entry: Pending = {
        xid, chunks, res: res as Codec<unknown>, resolve: resolve as (v: unknown) => void, reject, signal, onAbort: null, divert: null,
        prog, vers, proc, deadline: performance.now() + timeoutMs, timeoutMs, trace: null,
      };
      this.counters.calls++;
      let pc = this.procCalls.get(prog * 256 + vers);
      if (pc === undefined) this.procCalls.set(prog * 256 + vers, (pc = new Float64Array(64)));
      if (proc < 64) pc[proc]!++;
      if (traced(clientChannel)) entry.trace = clientTraceMessage(entry);
      if (entry.deadline < this.deadlineAt) this.armDeadline(entry.deadline);
      if (signal !== null) {
        entry.onAbort = () => this.fail(entry, signal.reason);
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.pending.set(xid, entry);
      if (this.log.isLevelEnabled('trace')) this.log.trace({ xid, prog, vers, proc }, 'call');
      if (this.state === 'connected') this.send(entry);
      else if (this.state === 'idle' && this.reconnectTimer === null) this.open();
      if (entry.trace !== null) clientChannel.end.publish(entry.trace);
    });
  }

  private armDeadline(at: number): void {
    if (this.deadlineTimer !== null) clearTimeout(this.deadlineTimer);
    this.deadlineAt = at;
    this.deadlineTimer = setTimeout(this.onDeadline, Math.max(0, Math.ceil(at - performance.now())));
    this.deadlineTimer.unref();
  }

  private encodeCall<A>(xid: number, prog: number, vers: number, proc: number, cred: Credential, args: Codec<A>, argValue: A): Buffer[] {
    const { total, inline } = measure(args.size, argValue);
    const credBytes = credentialBytes(cred);
    const head = CALL_HEAD + credBytes.length;
    const length = head - 4 + total;
    if (length > MAX_FRAGMENT) throw new RpcError('ERR_RPC_RECORD_TOO_LARGE', `call of ${length} bytes does not fit one fragment`);
    const w = new XdrWriter(head + inline, CHUNKED);
    const b = w.buf;
    b.writeUInt32BE(LAST_FRAGMENT + length, 0);
    b.writeUInt32BE(xid, 4);
    b.writeUInt32BE(CALL, 8);
    b.writeUInt32BE(RPC_VERSION, 12);
    w.pos = 16;
    w.u32(prog);
    w.u32(vers);
    w.u32(proc);
    b.set(credBytes, CALL_HEAD);
    w.pos = head;
    args.encode(w, argValue);
    if (w.pos !== head + inline) throw new RpcError('ERR_RPC_INVALID_OPTION', `arguments encoded ${w.pos - head} inline bytes, size() said ${inline}`);
    return w.chunks();
  }

  private send(entry: Pending): void {
    const s = this.socket!;
    if (!this.corked) {
      this.corked = true;
      s.cork();
      process.nextTick(uncorkClient, this);
    }
    for (const c of entry.chunks) s.write(c);
  }

  /** @internal */
  uncorkNow(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket?.uncork();
  }

  private open(): void {
    this.state = 'connecting';
    const seq = ++this.connSeq;
    const reuse = this.opts.socketReadBuffer === 'reuse';
    const reader = new RecordReader(this.opts.maxRecordSize, (rec, d) => this.onReply(rec, d), (head) => this.onReplyHead(head),
      undefined, { transient: reuse });
    // reuse: libuv reads into one buffer this thread's clients share; the reader copies out what
    // it keeps before the callback returns (a READ reply's data straight into the caller's buffer)
    const socket = reuse
      ? net.connect({ host: this.opts.host, port: this.opts.port, noDelay: true,
        onread: { buffer: clientReadBuffer(), callback: (n: number, buf: Uint8Array) => {
          this.reusedReads++;
          this.onChunk(reader, (buf as Buffer).subarray(0, n));
          return true;
        } } })
      : net.connect({ host: this.opts.host, port: this.opts.port, noDelay: true });
    this.socket = socket;
    this.corked = false;
    this.reader = reader;
    let connected = false;
    let lastError: unknown = null;
    socket.on('connect', () => {
      connected = true;
      this.onConnected();
    });
    if (!reuse) socket.on('data', (chunk: Buffer) => this.onChunk(reader, chunk));
    socket.on('error', (err) => {
      lastError = err;
      this.log.debug({ err, seq }, 'connection error');
    });
    socket.on('close', () => {
      if (this.socket === socket) {
        this.socket = null;
        this.reader = null;
        this.corked = false;
      }
      this.onClosed(connected, lastError);
    });
  }

  private onChunk(reader: RecordReader, chunk: Buffer): void {
    if (this.reader !== reader) return;
    try {
      reader.push(chunk);
    } catch (err) {
      this.onStreamError(err);
    }
  }

  private onConnected(): void {
    const again = this.everConnected;
    this.everConnected = true;
    this.state = 'connected';
    this.attempt = 0;
    this.log.debug({ pending: this.pending.size }, again ? 'reconnected' : 'connected');
    // Retransmit what is still pending, with the original XIDs, under one cork.
    if (again) {
      this.counters.reconnects++;
      this.counters.retransmits += this.pending.size;
      for (const entry of this.pending.values()) if (entry.trace !== null) entry.trace.retransmits++;
    }
    for (const entry of this.pending.values()) this.send(entry);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
    this.emit(again ? 'reconnect' : 'connect');
  }

  private onClosed(wasConnected: boolean, err: unknown): void {
    if (this.state === 'closed') return;
    this.state = 'idle';
    if (wasConnected) {
      this.log.debug({ pending: this.pending.size }, 'disconnected');
      this.emit('disconnect');
    }
    const waiters = this.waiters;
    this.waiters = [];
    if (!wasConnected) {
      const e = new RpcError('ERR_RPC_CONNECT', `cannot connect to ${this.opts.host}:${this.opts.port}`, { cause: err ?? undefined });
      for (const w of waiters) w.reject(e);
    }
    if (this.pending.size > 0) this.scheduleReconnect(err);
  }

  private scheduleReconnect(err: unknown): void {
    this.attempt++;
    const givenUp = this.opts.giveUp?.(err) === true;
    if (this.attempt > this.opts.retries || givenUp) {
      const tries = this.attempt - 1;
      this.attempt = 0;
      const e = new RpcError('ERR_RPC_CONNECT', `cannot reach ${this.opts.host}:${this.opts.port} after ${tries} retries${givenUp ? ' (gave up: the server is gone)' : ''}`, { cause: err ?? undefined });
      for (const entry of [...this.pending.values()]) this.fail(entry, e);
      return;
    }
    const delay = Math.min(this.opts.maxDelayMs, this.opts.minDelayMs * 2 ** (this.attempt - 1));
    this.log.debug({ attempt: this.attempt, delay }, 'reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state === 'idle') this.open();
    }, delay);
  }

  /** The reply stream cannot be parsed: reset the connection (pending calls are retransmitted). */
  private onStreamError(err: unknown): void {
    if (err instanceof RpcError && err.code === 'ERR_RPC_RECORD_TOO_LARGE') {
      // The XID is unknown and the same reply would come back: fail what is pending.
      this.log.debug({ err }, 'reply record too large; failing pending calls');
      for (const entry of [...this.pending.values()]) this.fail(entry, err);
    } else {
      this.log.debug({ err }, 'unreadable reply stream; resetting connection');
    }
    this.reader = null;
    this.socket?.destroy();
  }

  /**
   * The first bytes of a large reply record: when it is an accepted SUCCESS reply to a call
   * whose result codec can divert, let the codec say where its bulk bytes go.
   */
  private onReplyHead(head: Buffer): RecordDivert | null {
    const entry = this.pending.get(head.readUInt32BE(0));
    if (entry === undefined || !isDiverting(entry.res)) return null;
    if (head.readUInt32BE(4) !== REPLY || head.readUInt32BE(8) !== MSG_ACCEPTED) return null;
    const verfLen = head.readUInt32BE(16);
    if (verfLen > MAX_AUTH_BYTES) return null;
    const at = 20 + verfLen + ((4 - (verfLen & 3)) & 3);
    if (head.length < at + 4 || head.readUInt32BE(at) !== SUCCESS) return null;
    let d: RecordDivert | null;
    try {
      d = entry.res.divert(head, at + 4);
    } catch {
      return null;
    }
    entry.divert = d;
    return d;
  }

  private onReply(rec: Buffer, diverted: RecordDivert | null = null): void {
    if (rec.length < 4) throw new RpcError('ERR_RPC_BAD_REPLY', `reply record of ${rec.length} bytes has no xid`);
    const xid = rec.readUInt32BE(0);
    const entry = this.pending.get(xid);
    if (entry === undefined) {
      this.log.debug({ xid }, 'reply with unknown xid ignored');
      return;
    }
    let value: unknown;
    try {
      value = this.decodeReply(entry, rec, diverted !== null && diverted === entry.divert ? diverted : null);
    } catch (err) {
      this.fail(entry, err instanceof RpcError ? err : new RpcError('ERR_RPC_BAD_REPLY', `malformed reply to xid ${xid}: ${(err as Error).message}`, { xid, cause: err }));
      return;
    }
    this.settle(entry);
    const m = entry.trace;
    if (m !== null) {
      m.result = value;
      clientChannel.asyncStart.publish(m);
      clientChannel.asyncEnd.publish(m);
    }
    const finish = (entry.res as Partial<FinishingCodec<unknown>>).finish;
    if (finish === undefined) {
      entry.resolve(value);
      return;
    }
    // the caller's own verdict on a well-formed reply (an NFS status): the RPC succeeded, so
    // neither the failure counter nor the tracing channel's error sees it; passed on as is
    let out: unknown;
    try {
      out = finish.call(entry.res, value);
    } catch (err) {
      entry.reject(err);
      return;
    }
    entry.resolve(out);
  }

  private decodeReply(entry: Pending, rec: Buffer, diverted: RecordDivert | null): unknown {
    const r = new XdrReader(rec, 4);
    const xid = entry.xid;
    const mtype = r.u32();
    if (mtype !== REPLY) throw new RpcError('ERR_RPC_BAD_REPLY', `msg_type ${mtype} where a REPLY was expected (${callName(entry)})`, { xid });
    const stat = r.u32();
    if (stat === MSG_ACCEPTED) {
      r.u32(); // verifier flavor
      // the usual empty verifier is skipped without making a view of it
      if (r.u32() !== 0) {
        r.pos -= 4;
        r.opaqueVar(MAX_AUTH_BYTES);
      }
      const accept = r.u32();
      if (accept === SUCCESS) {
        const v = diverted !== null ? (entry.res as DivertingCodec<unknown>).decodeDiverted(r, diverted) : entry.res.decode(r);
        if (r.remaining !== 0) r.assertDone(`reply to ${callName(entry)}`);
        return v;
      }
      // the failures name the call; that string is built only here, never on the success path
      const what = callName(entry);
      switch (accept) {
        case PROG_UNAVAIL:
          throw new RpcError('ERR_RPC_PROG_UNAVAIL', `program ${entry.prog} unavailable (${what})`, { xid });
        case PROG_MISMATCH: {
          const low = r.u32();
          const high = r.u32();
          throw new RpcError('ERR_RPC_PROG_MISMATCH', `program ${entry.prog} version ${entry.vers} unsupported; server has ${low}..${high} (${what})`, { xid, low, high });
        }
        case PROC_UNAVAIL:
          throw new RpcError('ERR_RPC_PROC_UNAVAIL', `procedure unavailable (${what})`, { xid });
        case GARBAGE_ARGS:
          throw new RpcError('ERR_RPC_GARBAGE_ARGS', `server could not decode the arguments (${what})`, { xid });
        case SYSTEM_ERR:
          throw new RpcError('ERR_RPC_SYSTEM_ERR', `server failed the call (${what})`, { xid });
        default:
          throw new RpcError('ERR_RPC_BAD_REPLY', `unknown accept_stat ${accept} (${what})`, { xid });
      }
    }
    const what = callName(entry);
    if (stat === MSG_DENIED) {
      const reject = r.u32();
      if (reject === RPC_MISMATCH) {
        const low = r.u32();
        const high = r.u32();
        throw new RpcError('ERR_RPC_MISMATCH', `server speaks RPC versions ${low}..${high} (${what})`, { xid, low, high });
      }
      if (reject === AUTH_ERROR) {
        const authStat = r.u32();
        throw new RpcError('ERR_RPC_AUTH', `credentials refused, auth_stat ${authStat} (${what})`, { xid, authStat });
      }
      throw new RpcError('ERR_RPC_BAD_REPLY', `unknown reject_stat ${reject} (${what})`, { xid });
    }
    throw new RpcError('ERR_RPC_BAD_REPLY', `unknown reply_stat ${stat} (${what})`, { xid });
  }

  /** Removes a call from the pending map and releases its abort listener (the deadline timer is shared). */
  private settle(entry: Pending): boolean {
    if (this.pending.get(entry.xid) !== entry) return false;
    this.pending.delete(entry.xid);
    // a reply still arriving must not write into the caller's buffer once the call settled
    if (entry.divert !== null) {
      entry.divert.dest = null;
      entry.divert = null;
    }
    if (entry.signal !== null && entry.onAbort !== null) entry.signal.removeEventListener('abort', entry.onAbort);
    return true;
  }

  private fail(entry: Pending, err: unknown): void {
    if (!this.settle(entry)) return;
    if (this.log.isLevelEnabled('trace')) this.log.trace({ xid: entry.xid, err }, 'call failed');
    this.counters.failures++;
    const m = entry.trace;
    if (m !== null) {
      m.error = err;
      clientChannel.error.publish(m);
      clientChannel.asyncStart.publish(m);
      clientChannel.asyncEnd.publish(m);
    }
    entry.reject(err);
  }

  /** Rejects pending calls with ERR_RPC_CLOSED, stops reconnecting and closes the connection. */
  close(): Promise<void> {
    if (this.closePromise !== null) return this.closePromise;
    this.state = 'closed';
    if (this.reconnectTimer !== null) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    const closedErr = new RpcError('ERR_RPC_CLOSED', 'client closed');
    for (const entry of [...this.pending.values()]) this.fail(entry, closedErr);
    if (this.deadlineTimer !== null) {
      clearTimeout(this.deadlineTimer);
      this.deadlineTimer = null;
      this.deadlineAt = Infinity;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(closedErr);
    const socket = this.socket;
    this.closePromise = new Promise<void>((resolve) => {
      if (socket === null || socket.destroyed) {
        resolve();
        return;
      }
      const timer = setTimeout(() => socket.destroy(), 1000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.uncorkNow();
      if (socket.connecting) socket.destroy();
      else socket.end();
    }).then(() => {
      this.socket = null;
      this.reader = null;
      this.log.debug('client closed');
      this.emit('close');
    });
    return this.closePromise;
  }
}
