import { nlm4_stats } from '@nfsts/xdr';
import { NFS3ERR_BADHANDLE } from '../core/index.js';
import type { NlmContext } from './context.js';
import type { IdentifiedLockFile } from './ofd-backing.js';

/** An NLM file handle (the NFSv3 handle) → the lock table's file, or NLM4_STALE_FH. */
export async function lockFileOf(n: NlmContext, fh: Buffer): Promise<IdentifiedLockFile | nlm4_stats> {
  const r = await n.core.handles.resolve(fh);
  if (typeof r === 'number') return r === NFS3ERR_BADHANDLE ? nlm4_stats.NLM4_STALE_FH : nlm4_stats.NLM4_STALE_FH;
  return { key: `${r.exp.id}:${r.stats.dev}:${r.stats.ino}`, node: r };
}
