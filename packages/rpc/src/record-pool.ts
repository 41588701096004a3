import { BufferPool } from './buffer-pool.js';

/** Joined call records at least this large come from the server's pool (1 MiB WRITEs). */
export const POOLED_RECORD_MIN = 64 * 1024;
/** Size of the pooled record buffers: a wtmax (1 MiB) WRITE and its call header. */
const POOLED_RECORD_SIZE = 1024 * 1024 + 4096;
/** Idle pooled record buffers kept per server. */
const POOLED_RECORDS_KEPT = 8;
/**
 * Pooled record buffers lent at once; a record joined beyond them gets a buffer of its own (its
 * bytes are charged like a pooled one's, so the budgets bound those too).
 */
const POOLED_RECORDS_MAX = 32;

/** The pool a server joins large call records into, lent until their reply is written. */
export function recordPool(): BufferPool {
  return new BufferPool(POOLED_RECORD_SIZE, POOLED_RECORDS_KEPT, POOLED_RECORDS_MAX);
}
