/**
 * Thread identity and thread liveness for LOCALIO across worker threads. A server holds
 * references on behalf of clients in other threads; it must learn, exactly, when such a
 * thread is gone (a `worker.terminate()` runs no cleanup of ours), and a guess is not enough:
 * putting the references of a thread that is merely busy would close a descriptor it is
 * about to read. A Worker's 'exit' event reaches only its parent, so the kernel is asked:
 *
 * Linux: a thread is named by its task id and its start time (`/proc/thread-self/stat`
 * fields 1 and 22), so a recycled task id is never taken for the thread that died, and it is
 * alive while `/proc/self/task/<tid>/stat` shows that start time. Node ends a worker's OS
 * thread only after closing its event loop, which cannot close while a file system request
 * of that loop is pending: "task gone" means "none of its I/O is in flight".
 *
 * Portable fallback (no `/proc/thread-self`): `currentThreadKey()` is null and cross-thread
 * LOCALIO stays off: clients in workers go by RPC, as before.
 */
import { readFileSync } from 'node:fs';

let cachedKey: string | null | undefined;

/** fields 1 (tid) and 22 (starttime) of a /proc stat line; the name in field 2 may hold spaces and parentheses */
function parseStat(text: string): { tid: string; start: string } | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const tid = text.slice(0, text.indexOf(' ')).trim();
  const rest = text.slice(close + 2).split(' '); // rest[0] is field 3
  const start = rest[22 - 3];
  if (!tid || start === undefined) return null;
  return { tid, start };
}

/** This thread's key (`<tid>:<starttime>`), or null where threads cannot be checked (not Linux). */
export function currentThreadKey(): string | null {
  if (cachedKey !== undefined) return cachedKey;
  try {
    const s = parseStat(readFileSync('/proc/thread-self/stat', 'latin1'));
    cachedKey = s ? `${s.tid}:${s.start}` : null;
  } catch {
    cachedKey = null;
  }
  return cachedKey;
}

/** Whether the thread named by `key` (from `currentThreadKey()` in that thread) still runs in this process. */
export function threadAlive(key: string): boolean {
  const colon = key.indexOf(':');
  const tid = key.slice(0, colon);
  if (colon <= 0 || !/^\d+$/.test(tid)) return false;
  let text: string;
  try {
    text = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
  } catch {
    return false;
  }
  const s = parseStat(text);
  return s !== null && `${s.tid}:${s.start}` === key;
}
