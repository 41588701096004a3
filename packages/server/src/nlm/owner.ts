import type { nlm4_lock } from '@nfsts/xdr';
import { lockRange, type LockOwner } from './lock-manager.js';

/** The lock owner and range an nlm4_lock names. The oh is copied: the argument is a view of the call record. */
export function ownerOf(l: nlm4_lock): LockOwner {
  return { host: l.caller_name, svid: l.svid, oh: Buffer.from(l.oh) };
}

export function rangeOf(l: nlm4_lock): { start: bigint; end: bigint } {
  return lockRange(l.l_offset, l.l_len);
}
