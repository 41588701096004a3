/** Byte-range locking for the client library (NLM v4 + the process's lockd). */
export { NlmLockClient, setLockDefaults, currentLockd, DEFAULT_LOCK_POLL_MS, DEFAULT_GRACE_RETRY_MS, type LockDefaults, type LockOptions, type NlmTarget } from './lock-client.js';
export { ClientLockd } from './lockd.js';
