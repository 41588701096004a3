export { mount, unmount, unmountPath, isMountPoint, FuseMountError, type FuseMount } from './mount.js';
export { FuseSession } from './session.js';
export { parseOptions, parseMountOptionString, FuseOptionError, type FuseMountOptions, type ResolvedFuseOptions,
  DEFAULT_ACTIMEO_MS, DEFAULT_SOFT_TIMEOUT_MS, DEFAULT_HARD_RETRY_MS, DEFAULT_MAX_UNCOMMITTED, DEFAULT_READAHEAD_KB,
  DEFAULT_PASSTHROUGH, type PassthroughMode } from './options.js';
export { FUSE_READER } from './channel.js';
