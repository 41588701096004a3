export { SYS_AVAILABLE, libc, errnoName, sysError, check } from './libc.js';
