export { connect, pmapGetPort, makeSattr, NfsClient, NfsFileHandle, type SetAttrs, type OpenFlags, type OpenOptions, type ClientCounters, type NfsClientStats,
  F_OK, R_OK, W_OK, X_OK, ACCESS3_READ, ACCESS3_LOOKUP, ACCESS3_MODIFY, ACCESS3_EXTEND, ACCESS3_DELETE, ACCESS3_EXECUTE } from './client.js';
export { Nfs3Raw, Mount3Raw, type ResOk, type MountOk, type CallOptions } from './raw.js';
export { NfsError, NfsFsError, NfsClientError, type NfsClientErrorCode, isNfsError, isNfsFsError, isNfsClientError,
  nfsStatusToErrno, NFS3_STATUS_NAMES, MOUNT3_STATUS_NAMES } from './errors.js';
export { parseOptions, parseNfsUrl, type NfsClientOptions, type ResolvedOptions,
  DEFAULT_PORTMAP_PORT, DEFAULT_TIMEOUT_MS, DEFAULT_RETRIES, DEFAULT_MAX_RSIZE, DEFAULT_MAX_WSIZE, DEFAULT_WINDOW,
  DEFAULT_ACTIMEO_MS, DEFAULT_READDIR_SIZE, DEFAULT_MAX_UNCOMMITTED, DEFAULT_UMASK, DEFAULT_LOCALIO } from './options.js';
export { type NfsTransport, type ReadResult, type WriteResult, UNSTABLE, DATA_SYNC, FILE_SYNC } from './transport.js';
export { RpcTransport } from './rpc-transport.js';
export { readInto, writeFrom, commitRanges, isRetryable, type EngineOptions, type WrittenRange, type ReadIntoResult } from './engine.js';
export { NfsStats, NfsDirent } from './stats.js';
export { clientMetrics, traceFs, fsChannel, CHANNEL_FS, type ClientMetrics, type FsOperationMessage } from './metrics.js';
export { NfsReadStream, NfsWriteStream, DEFAULT_STREAM_CHUNK, type ReadStreamOptions, type WriteStreamOptions } from './streams.js';
export type { RpcCaller } from './rpc-caller.js';
export { NlmLockClient, setLockDefaults, currentLockd, ClientLockd, DEFAULT_LOCK_POLL_MS, type LockDefaults, type LockOptions } from './locks/index.js';
