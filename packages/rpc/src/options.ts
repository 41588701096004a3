import type { Logger } from 'pino';
import { RpcError } from './errors.js';
import type { Credential } from './auth.js';
import type { CallContext } from './procedure.js';
import { MAX_FRAGMENT } from './wire.js';
import { DEFAULT_SOCKET_READ_BUFFER, type SocketReadBuffer } from './read-buffer.js';

/** Room for a 1 MiB READ/WRITE payload plus every header around it. */
export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024 + 64 * 1024;
/** Calls one connection may have in progress before the server stops reading it. */
export const DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION = 128;
/**
 * Reply bytes one connection may have charged (replies being produced, replies waiting in its
 * socket, large call records pinned until their replies are written) before the server stops
 * dispatching and reading its calls: eight 1 MiB READs.
 */
export const DEFAULT_MAX_QUEUED_REPLY_BYTES = 8 * 1024 * 1024;
/** The same charge summed over every connection: beyond it no connection dispatches more. */
export const DEFAULT_MAX_QUEUED_REPLY_BYTES_TOTAL = 128 * 1024 * 1024;
/** Bytes of call records received in part, over every connection (128 one-MiB WRITEs in transit). */
export const DEFAULT_MAX_PARTIAL_RECORD_BYTES_TOTAL = 128 * 1024 * 1024;
/** Open connections; beyond it the longest-idle one is closed for the new one, or the new one is refused. */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** A connection with no call, no call in progress and no reply waiting this long is closed (knfsd: 6 minutes). */
export const DEFAULT_IDLE_TIMEOUT_MS = 6 * 60_000;
/** A call record begun and not completed within this time closes its connection. */
export const DEFAULT_RECORD_TIMEOUT_MS = 30_000;
/** Replies waiting in a socket that makes no write progress this long close it (the client's timeo=600 is 60 s). */
export const DEFAULT_WRITE_TIMEOUT_MS = 60_000;
/** Per-call timeout of the client. */
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RECONNECT_RETRIES = 10;
export const DEFAULT_RECONNECT_MIN_DELAY_MS = 50;
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 5_000;
/** How long close() lets in-flight calls finish before connections are destroyed. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** setTimeout's largest delay: the longest timeout an option may set. */
const MAX_TIMER_MS = 0x7fffffff;

import { silentLogger } from './silent-logger.js';
export { silentLogger };

function bad(prop: string, msg: string): never {
  throw new RpcError('ERR_RPC_INVALID_OPTION', `option ${prop} ${msg}`);
}

function int(prop: string, v: unknown, min: number, max: number, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !(Number.isInteger(v) || v === Infinity) || v < min || v > max) {
    bad(prop, `must be an integer in ${min}..${max}, got ${String(v)}`);
  }
  return v;
}

function loggerOpt(prop: string, v: unknown): Logger {
  if (v === undefined) return silentLogger();
  if (typeof v !== 'object' || v === null || typeof (v as Logger).child !== 'function' || typeof (v as Logger).isLevelEnabled !== 'function') {
    bad(prop, 'must be a pino logger');
  }
  return v as Logger;
}

function readBufferOpt(prop: string, v: unknown): SocketReadBuffer {
  if (v === undefined) return DEFAULT_SOCKET_READ_BUFFER;
  if (v !== 'reuse' && v !== 'fresh') bad(prop, `must be 'reuse' or 'fresh', got ${String(v)}`);
  return v;
}

export interface RpcServerOptions {
  logger?: Logger;
  /** Largest call record accepted (from the fragment headers, before buffering). */
  maxRecordSize?: number;
  /** Stop reading a connection while it has this many calls in progress. */
  maxInFlightPerConnection?: number;
  /**
   * Stop reading a connection while this many reply bytes wait in its socket (effective
   * once the socket's own high-water mark is passed, so that 'drain' resumes it).
   */
  maxQueuedReplyBytes?: number;
  /** Called for every call before dispatch; may throw RpcAuthError (e.g. to refuse AUTH_NONE). */
  checkAuth?: (ctx: CallContext) => void;
  /** Reply bytes charged over all connections before none dispatches more (see maxQueuedReplyBytes). */
  maxQueuedReplyBytesTotal?: number;
  /** Bytes of partly received call records over all connections; beyond it the stalest such connection is closed. */
  maxPartialRecordBytesTotal?: number;
  /** Open connections; a new one beyond it closes the longest-idle connection, or is refused when none is idle. */
  maxConnections?: number;
  /** Close a connection with no call, nothing in progress and nothing queued for this long. */
  idleTimeoutMs?: number;
  /** Close a connection whose call record, once begun, is not complete within this time. */
  recordTimeoutMs?: number;
  /** Close a connection whose queued replies make no write progress for this long. */
  writeTimeoutMs?: number;
  /**
   * 'reuse' (default): sockets read into one reused buffer (no fresh buffer per read for the GC;
   * needs Node's internal socket handle, else 'fresh' is used); 'fresh': Node's buffer per read,
   * with which large WRITEs reach Procedure.bulk as views of the socket chunks.
   */
  socketReadBuffer?: SocketReadBuffer;
}

export interface ParsedServerOptions {
  logger: Logger;
  maxRecordSize: number;
  maxInFlightPerConnection: number;
  maxQueuedReplyBytes: number;
  checkAuth: ((ctx: CallContext) => void) | null;
  maxQueuedReplyBytesTotal: number;
  maxPartialRecordBytesTotal: number;
  maxConnections: number;
  idleTimeoutMs: number;
  recordTimeoutMs: number;
  writeTimeoutMs: number;
  socketReadBuffer: SocketReadBuffer;
}

export function parseServerOptions(o: RpcServerOptions = {}): ParsedServerOptions {
  if (typeof o !== 'object' || o === null) bad('(options)', 'must be an object');
  if (o.checkAuth !== undefined && typeof o.checkAuth !== 'function') bad('checkAuth', 'must be a function');
  return {
    logger: loggerOpt('logger', o.logger),
    maxRecordSize: int('maxRecordSize', o.maxRecordSize, 64, MAX_FRAGMENT, DEFAULT_MAX_RECORD_SIZE),
    maxInFlightPerConnection: int('maxInFlightPerConnection', o.maxInFlightPerConnection, 1, 1 << 20, DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION),
    maxQueuedReplyBytes: int('maxQueuedReplyBytes', o.maxQueuedReplyBytes, 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_QUEUED_REPLY_BYTES),
    checkAuth: o.checkAuth ?? null,
    maxQueuedReplyBytesTotal: int('maxQueuedReplyBytesTotal', o.maxQueuedReplyBytesTotal, 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_QUEUED_REPLY_BYTES_TOTAL),
    maxPartialRecordBytesTotal: int('maxPartialRecordBytesTotal', o.maxPartialRecordBytesTotal, 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_PARTIAL_RECORD_BYTES_TOTAL),
    maxConnections: int('maxConnections', o.maxConnections, 1, 1 << 20, DEFAULT_MAX_CONNECTIONS),
    idleTimeoutMs: int('idleTimeoutMs', o.idleTimeoutMs, 1, MAX_TIMER_MS, DEFAULT_IDLE_TIMEOUT_MS),
    recordTimeoutMs: int('recordTimeoutMs', o.recordTimeoutMs, 1, MAX_TIMER_MS, DEFAULT_RECORD_TIMEOUT_MS),
    writeTimeoutMs: int('writeTimeoutMs', o.writeTimeoutMs, 1, MAX_TIMER_MS, DEFAULT_WRITE_TIMEOUT_MS),
    socketReadBuffer: readBufferOpt('socketReadBuffer', o.socketReadBuffer),
  };
}

export interface RpcClientOptions {
  host: string;
  port: number;
  cred?: Credential;
  timeoutMs?: number;
  maxRecordSize?: number;
  reconnect?: {
    retries?: number; minDelayMs?: number; maxDelayMs?: number;
    /** asked before each reconnect attempt with the last connect error: true fails the pending calls now */
    giveUp?: (err: unknown) => boolean;
  };
  logger?: Logger;
  /** 'reuse' (default): the socket reads into a buffer shared by this thread's clients; 'fresh': Node's buffer per read. */
  socketReadBuffer?: SocketReadBuffer;
}

export interface ParsedClientOptions {
  host: string;
  port: number;
  cred: Credential | undefined;
  timeoutMs: number;
  maxRecordSize: number;
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  giveUp: ((err: unknown) => boolean) | undefined;
  logger: Logger;
  socketReadBuffer: SocketReadBuffer;
}

export function parseClientOptions(o: RpcClientOptions): ParsedClientOptions {
  if (typeof o !== 'object' || o === null) bad('(options)', 'must be an object');
  if (typeof o.host !== 'string' || o.host === '') bad('host', 'must be a non-empty string');
  const port = int('port', o.port, 1, 65535, -1);
  if (o.cred !== undefined && (typeof o.cred !== 'object' || o.cred === null || (o.cred.flavor !== 0 && o.cred.flavor !== 1))) {
    bad('cred', 'must be AUTH_NONE_CRED or the result of authSys()');
  }
  const rc = o.reconnect ?? {};
  if (typeof rc !== 'object' || rc === null) bad('reconnect', 'must be an object');
  const minDelayMs = int('reconnect.minDelayMs', rc.minDelayMs, 0, 3_600_000, DEFAULT_RECONNECT_MIN_DELAY_MS);
  const maxDelayMs = int('reconnect.maxDelayMs', rc.maxDelayMs, 0, 3_600_000, Math.max(DEFAULT_RECONNECT_MAX_DELAY_MS, minDelayMs));
  if (maxDelayMs < minDelayMs) bad('reconnect.maxDelayMs', `must be >= reconnect.minDelayMs (${minDelayMs}), got ${maxDelayMs}`);
  return {
    host: o.host,
    port,
    cred: o.cred,
    timeoutMs: int('timeoutMs', o.timeoutMs, 1, 0x7fffffff, DEFAULT_TIMEOUT_MS),
    maxRecordSize: int('maxRecordSize', o.maxRecordSize, 64, MAX_FRAGMENT, DEFAULT_MAX_RECORD_SIZE),
    retries: int('reconnect.retries', rc.retries, 0, Infinity, DEFAULT_RECONNECT_RETRIES),
    minDelayMs,
    maxDelayMs,
    giveUp: rc.giveUp === undefined ? undefined : typeof rc.giveUp === 'function' ? rc.giveUp : bad('reconnect.giveUp', 'must be a function'),
    logger: loggerOpt('logger', o.logger),
    socketReadBuffer: readBufferOpt('socketReadBuffer', o.socketReadBuffer),
  };
}
