export { RpcError, RpcAuthError, RpcNoReply, isRpcError, type RpcErrorCode } from './errors.js';
export {
  type AuthSys, type Credential, AUTH_NONE_CRED, authSys, authSysSize, credentialSize, encodeCredential, parseAuthSys,
} from './auth.js';
export { RecordReader, recordMark, frameRecord, DIVERT_HEAD_BYTES, DIVERT_MIN_RECORD, BULK_VIEW_MIN, type RecordDivert, type DivertHook, type RecordReaderMode } from './record.js';
export { READ_BUFFER_SIZE, DEFAULT_SOCKET_READ_BUFFER, type SocketReadBuffer } from './read-buffer.js';
export {
  DEFAULT_MAX_RECORD_SIZE, DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION, DEFAULT_MAX_QUEUED_REPLY_BYTES, DEFAULT_TIMEOUT_MS,
  DEFAULT_RECONNECT_RETRIES, DEFAULT_RECONNECT_MIN_DELAY_MS, DEFAULT_RECONNECT_MAX_DELAY_MS, DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_MAX_QUEUED_REPLY_BYTES_TOTAL, DEFAULT_MAX_PARTIAL_RECORD_BYTES_TOTAL, DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_RECORD_TIMEOUT_MS, DEFAULT_WRITE_TIMEOUT_MS,
  parseServerOptions, parseClientOptions, type ParsedServerOptions, type ParsedClientOptions,
} from './options.js';
export { RpcServer, type RpcServerOptions, type RpcServerStats, type CallContext, type Procedure, type Program } from './server.js';
export { silentLogger } from './silent-logger.js';
export { RpcClient, type RpcClientOptions, type CallOptions, type RpcCallable, type DivertingCodec, type FinishingCodec } from './client.js';
export * as rpcWire from './wire.js';
export { BufferPool } from './buffer-pool.js';
export {
  CHANNEL_RPC_SERVER, CHANNEL_RPC_CLIENT, DENIED_AUTH_ERROR, serverChannel, clientChannel, traced, traceCounters, resultStatus,
  type RpcServerCallMessage, type RpcClientCallMessage, type CallObserver,
} from './observe.js';
