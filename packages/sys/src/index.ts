export { SYS_AVAILABLE, libc, errnoName, sysError, check } from './libc.js';
export * as at from './at.js';
export { Stats as SysStats } from './at.js';
export { FLOCK_AVAILABLE, tryLockExclusive, unlock } from './flock.js';
export { OFD_LOCKS_AVAILABLE, OFD_MAX_OFFSET, ofdSetLock, ofdSetLockWait, ofdGetLock, type OfdLockType, type OfdLockInfo } from './ofd-locks.js';
export { mountSync, umount2Sync, MNT_FORCE, MNT_DETACH, MS_RDONLY, MS_NOSUID, MS_NODEV } from './mount.js';
export { socketpairSync, recvFdSync } from './scm.js';
export { fuseBackingOpen, fuseBackingClose } from './fuse-passthrough.js';
export { UV_POLL_AVAILABLE, pollReadable, type ReadablePoll } from './uv-poll.js';
