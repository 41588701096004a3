export { SYS_AVAILABLE, libc, errnoName, sysError, check } from './libc.js';
export { FLOCK_AVAILABLE, tryLockExclusive, unlock } from './flock.js';
