export { SYS_AVAILABLE, libc, errnoName, sysError, check } from './libc.js';
export { mountSync, umount2Sync, MNT_FORCE, MNT_DETACH, MS_RDONLY, MS_NOSUID, MS_NODEV } from './mount.js';
export { socketpairSync, recvFdSync } from './scm.js';
