export { SYS_AVAILABLE, libc, errnoName, sysError, check } from './libc.js';
export * as at from './at.js';
export { Stats as SysStats } from './at.js';
export { FLOCK_AVAILABLE, tryLockExclusive, unlock } from './flock.js';
