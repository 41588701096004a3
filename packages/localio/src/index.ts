/**
 * @nfsts/localio — LOCALIO (RPC program 400122 v1): the server's UUID_IS_LOCAL program and
 * published ops table, and the client's probe and direct-file transport.
 */
export { createLocalioProgram, LocalioServer, type LocalioProgramOptions, type LocalioServerOptions } from './server.js';
export { probeLocal, type ProbeOptions } from './probe.js';
export { acceptRemoteBinds } from './remote-client.js';
export { RemoteClients } from './remote-server.js';
export { DEFAULT_REMOTE_BIND_TIMEOUT_MS, DEFAULT_THREAD_CHECK_MS } from './thread-wire.js';
export {
  LocalioTransport, parseTransportOptions, type LocalioTransportOptions, type ParsedTransportOptions,
  DEFAULT_PROBE_THROTTLE, DEFAULT_SYNC_READ_MAX_BYTES, DEFAULT_SYNC_READS_PER_TURN, DEFAULT_SLOW_SYNC_READ_US,
  DEFAULT_SYNC_READ_COOLDOWN_MS, DEFAULT_SYNC_BUDGET_US, DEFAULT_MAX_CACHED_HANDLES, DEFAULT_LARGE_OP_BYTES,
} from './transport.js';
export {
  isLocalioTable, UNSTABLE, DATA_SYNC, FILE_SYNC,
  type LocalClient, type LocalioOps, type LocalioTable, type NfsTransport, type ReadResult, type WriteResult, type RpcCallerLike,
} from './types.js';
export {
  getRegistry, LocalioError, isLocalioError, RefcountedFile, type LocalFile, type LocalFileMode, type ClientEntry, type LocalioCounters,
} from '@nfsts/common';
