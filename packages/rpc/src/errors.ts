/**
 * Typed RPC errors. Codes are stable API; the brand lets `instanceof` work across two
 * installed copies of this package (the undici pattern, as in @nfsts/xdr).
 */
const kRpcError = Symbol.for('nfsts.error.rpc');

export type RpcErrorCode =
  | 'ERR_RPC_TIMEOUT' // no reply within the call's timeout
  | 'ERR_RPC_CLOSED' // the client was closed while the call was pending
  | 'ERR_RPC_PROG_UNAVAIL' // server: program not registered
  | 'ERR_RPC_PROG_MISMATCH' // server: version not supported (low/high set)
  | 'ERR_RPC_PROC_UNAVAIL' // server: procedure not supported
  | 'ERR_RPC_GARBAGE_ARGS' // server could not decode the arguments
  | 'ERR_RPC_SYSTEM_ERR' // server failed handling the call
  | 'ERR_RPC_AUTH' // AUTH_ERROR (authStat set)
  | 'ERR_RPC_MISMATCH' // RPC_MISMATCH (low/high set)
  | 'ERR_RPC_BAD_REPLY' // the reply could not be decoded
  | 'ERR_RPC_RECORD_TOO_LARGE' // a record-marking header announced more than the maximum record size
  | 'ERR_RPC_BAD_RECORD' // the byte stream is not valid record marking or not an rpc_msg
  | 'ERR_RPC_CONNECT' // the connection could not be (re-)established
  | 'ERR_RPC_INVALID_OPTION'; // an option given to a constructor is invalid

export class RpcError extends Error {
  readonly code: RpcErrorCode;
  /** PROG_MISMATCH / RPC_MISMATCH: lowest supported version. */
  low?: number;
  /** PROG_MISMATCH / RPC_MISMATCH: highest supported version. */
  high?: number;
  /** AUTH_ERROR: the auth_stat the server sent. */
  authStat?: number;
  /** The call's transaction id, when there is one. */
  xid?: number;
  readonly [kRpcError] = true;

  constructor(code: RpcErrorCode, message: string, extra?: { low?: number; high?: number; authStat?: number; xid?: number; cause?: unknown }) {
    super(message, extra?.cause !== undefined ? { cause: extra.cause } : undefined);
    this.name = 'RpcError';
    this.code = code;
    if (extra?.low !== undefined) this.low = extra.low;
    if (extra?.high !== undefined) this.high = extra.high;
    if (extra?.authStat !== undefined) this.authStat = extra.authStat;
    if (extra?.xid !== undefined) this.xid = extra.xid;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kRpcError] === true;
  }
}

const kRpcAuthError = Symbol.for('nfsts.error.rpc.auth');

/**
 * Thrown by `checkAuth` or a procedure handler to refuse a call's credentials: the server
 * answers MSG_DENIED / AUTH_ERROR with `stat` (an auth_stat, e.g. AUTH_TOOWEAK = 5).
 */
export class RpcAuthError extends Error {
  readonly code = 'ERR_RPC_AUTH' as const;
  readonly stat: number;
  readonly [kRpcAuthError] = true;

  constructor(stat: number, message = `authentication refused (auth_stat ${stat})`) {
    super(message);
    this.name = 'RpcAuthError';
    this.stat = stat;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kRpcAuthError] === true;
  }
}

export function isRpcError(value: unknown): value is RpcError {
  return value instanceof RpcError;
}

const kRpcNoReply = Symbol.for('nfsts.rpc.noReply');

/**
 * Thrown (or rejected) by a procedure handler that must not answer at all: the server drops
 * the call silently, as a server that lost it would (fault injection: the client times out
 * and retransmits).
 */
export class RpcNoReply extends Error {
  readonly [kRpcNoReply] = true;

  constructor() {
    super('no reply');
    this.name = 'RpcNoReply';
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kRpcNoReply] === true;
  }
}
