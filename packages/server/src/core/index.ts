/**
 * The server's core: Backend (all filesystem access), file handles, exports and their options,
 * credential squashing and permission checks, errno → nfsstat3, the open-file cache, and
 * ServerCore tying them together.
 */
export * from './nfsstat.js';
export * from './backend.js';
export * from './exports.js';
export * from './auth.js';
export * from './file-cache.js';
export * from './sync-reads.js';
export * from './server-core.js';
export * from './attributes.js';
export * from './gated-io.js';
export * from './export-table.js';
export * from './dir-listing.js';
export * from './handle-resolver.js';
export * from './child-lookup.js';
export { HandleSearch } from './handle-search.js';
export { STALE_NEGATIVE_TTL_MS, SEARCH_GAVE_UP_TTL_MS } from './object-locations.js';
export { NodeFsBackend } from './node-backend.js';
export * from './handles.js';
export { AtBackend } from './at-backend.js';
export {
  MemoryBackend, parseMemoryBackendOptions, DEFAULT_MEMORY_MAX_BYTES, DEFAULT_MEMORY_ROOT_MODE, MEMORY_FD_BASE, type MemoryBackendOptions,
} from './memory-backend.js';
