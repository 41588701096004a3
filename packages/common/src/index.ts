/**
 * @nfsts/common — the process-wide LOCALIO registry shared by the nfsts server and client
 * (the `nfs_common` of this project). Imports nothing of ours.
 */
export { LocalioError, isLocalioError, type LocalioErrorCode } from './errors.js';
export { RefcountedFile, type LocalFile, type LocalFileMode, type FdCloser } from './local-file.js';
export { ServerLiveness, type Liveness } from './liveness.js';
export {
  getRegistry, LOCALIO_REGISTRY_KEY, LOCALIO_REGISTRY_VERSION, LOCALIO_UUID_BYTES,
  type LocalioRegistry, type ClientEntry, type ServerTable, type UnbindListener, type UnbindReason,
} from './registry.js';
export { beginShutdown } from './shutdown.js';
export {
  channels, createCounters, type LocalioCounters,
  CHANNEL_PUBLISH, CHANNEL_WITHDRAW, CHANNEL_BIND, CHANNEL_UNBIND, CHANNEL_SHUTDOWN, CHANNEL_PROBE, CHANNEL_FALLBACK, CHANNEL_STATS,
} from './diagnostics.js';
export { type NfsTransport, type ReadResult, type WriteResult, UNSTABLE, DATA_SYNC, FILE_SYNC } from './transport.js';
export { currentThreadKey, threadAlive } from './threads.js';
