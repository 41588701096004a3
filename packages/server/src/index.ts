/**
 * @nfsts/server: an NFSv3 + MOUNT server over directories, with a portmapper.
 * Embedding: `const s = await startServer({ exports: [{ path: '/export', root: dir }], port: 0 })`.
 */
export {
  startServer, StartError, nfsUrl, mountCommandLine, type NfsServer, type StartErrorCode, type NfsServerLocalio, type LocalioClientInfo,
} from './server.js';
export { localioOps, type LocalioOpsStats, type ServerLocalioOps } from './localio-ops.js';
export {
  ConfigError,
  parseConfig,
  loadConfigFile,
  parseServerOptions,
  parseExportOptionsAt,
  checkExportPath,
  DEFAULT_PORT,
  DEFAULT_HOST,
  DEFAULT_EXPORT_PATH,
  DEFAULT_EXPORT_DIR,
  DEFAULT_LOCALIO,
  DEFAULT_METRICS_PORT,
  parseMetricsAddress,
  LOG_LEVELS,
  type LogLevel,
  type ServerOptions,
  type ServerExport,
  type DirectoryExport,
  type FileConfig,
  type ParsedServerOptions,
  parseLimits,
  LIMIT_NAMES,
  DEFAULT_LIMITS,
  type ServerLimits,
} from './config.js';
export { createMountProgram, MountTable, MOUNT_AUTH_FLAVORS, type MountProgramOptions } from './mount/index.js';
export {
  createPortmapProgram,
  startPortmap,
  PortmapRegistry,
  REGISTERED_SERVICES,
  PMAP_PORT,
  type PortmapHandle,
  type PortmapMode,
  type RpcbEntry,
} from './portmap/index.js';
export { createNfs3Program } from './nfs3/index.js';
export * from './core/index.js';
export { CallCounters, LATENCY_BUCKETS_S } from './metrics/call-counters.js';
export { createMetricsRegistry, type MetricsSources, type ServerMetricsRegistry } from './metrics/registry.js';
export { serveMetrics, type MetricsEndpoint } from './metrics/http.js';
export { silentLogger } from '@nfsts/rpc';
export { LockManager, LOCK_EOF, LOCAL_OWNER, lockRange, OfdBacking, GracePeriod, DEFAULT_GRACE_MS, DEFAULT_GRANT_TIMEOUT_MS, createNlmProgram, NLM_PROGRAM_NUMBER, type HeldLock, type LockOwner, type LockFile } from './nlm/index.js';
export { LOCKING_SERVICES, type LockingService } from './nlm/service.js';
export type { LockingOptions } from './nlm/options.js';
export { createNsmProgram, NsmMonitor, NSM_PROGRAM_NUMBER } from './nsm/index.js';
export { ServerFaults, type Fault, type FaultRule, type FaultMatch, type ProcName } from './faults.js';
