export { NfsClient, type NfsClientStats, type OpenOptions, type Abortable,
  F_OK, R_OK, W_OK, X_OK, COPYFILE_EXCL, ACCESS3_READ, ACCESS3_LOOKUP, ACCESS3_MODIFY, ACCESS3_EXTEND, ACCESS3_DELETE, ACCESS3_EXECUTE } from './client.js';
export { connect, pmapGetPort, listExports } from './connect.js';
export { NfsFileHandle, DEFAULT_READ_BUFFER, type ReadOptions } from './file-handle.js';
export { makeSattr, parseMode, parseTime, type SetAttrs } from './sattr.js';
export { parseFlags, type OpenFlags, type ParsedFlags } from './flags.js';
export type { ClientCounters } from './session.js';
export type { PathLike, Resolved } from './paths.js';
export type { WriteFileData } from './write-data.js';
export { NfsDir } from './dir.js';
export { DEFAULT_COPY_CHUNK, type CpOptions } from './copy.js';
export { DEFAULT_WATCH_INTERVAL_MS, type WatchOptions, type WatchEvent } from './watch.js';
export { Nfs3Raw, Mount3Raw, type ResOk, type MountOk, type CallOptions } from './raw.js';
export { NfsError, NfsFsError, NfsClientError, AbortError, type NfsClientErrorCode, isNfsError, isNfsFsError, isNfsClientError,
  nfsStatusToErrno, NFS3_STATUS_NAMES, MOUNT3_STATUS_NAMES } from './errors.js';
export { parseOptions, parseNfsUrl, type NfsClientOptions, type ResolvedOptions,
  DEFAULT_PORTMAP_PORT, DEFAULT_TIMEOUT_MS, DEFAULT_RETRIES, DEFAULT_MAX_RSIZE, DEFAULT_MAX_WSIZE, DEFAULT_WINDOW,
  DEFAULT_ACTIMEO_MS, DEFAULT_READDIR_SIZE, DEFAULT_MAX_UNCOMMITTED, DEFAULT_UMASK, DEFAULT_LOCALIO } from './options.js';
export { type NfsTransport, type ReadResult, type WriteResult, UNSTABLE, DATA_SYNC, FILE_SYNC } from './transport.js';
export { RpcTransport } from './rpc-transport.js';
export { readInto, writeFrom, commitRanges, isRetryable, withRetries, type EngineOptions, type WrittenRange, type ReadIntoResult } from './engine.js';
export { NfsStats, NfsBigIntStats, NfsDirent } from './stats.js';
export { clientMetrics, traceFs, fsChannel, CHANNEL_FS, type ClientMetrics, type FsOperationMessage } from './metrics.js';
export { NfsReadStream, NfsWriteStream, DEFAULT_STREAM_CHUNK, type ReadStreamOptions, type WriteStreamOptions } from './streams.js';
export type { RpcCaller } from './rpc-caller.js';
export { NlmLockClient, setLockDefaults, currentLockd, ClientLockd, DEFAULT_LOCK_POLL_MS, type LockDefaults, type LockOptions } from './locks/index.js';
