/**
 * The client's probe (Linux's `nfs_local_probe`): put a fresh random uuid in the registry,
 * send UUID_IS_LOCAL on the NFS connection, and look at the entry afterwards. Only a server in
 * this very process can have bound it: one in this thread through the registry, one in another
 * thread by asking this thread over a BroadcastChannel (remote-client.ts) before it replies.
 */
import { randomBytes } from 'node:crypto';
import {
  NFS_LOCALIO_PROGRAM, LOCALIO_V1, LOCALIOPROC_UUID_IS_LOCAL, xdr_localio_uuid, xdr_void,
} from '@nfsts/xdr';
import { channels, getRegistry, type ClientEntry, type LocalioRegistry } from '@nfsts/common';
import type { RpcCallerLike } from './types.js';
import { isLocalioTable } from './types.js';
import { acceptRemoteBinds } from './remote-client.js';

export interface ProbeOptions {
  registry?: LocalioRegistry;
  timeoutMs?: number;
}

/**
 * Resolves to the bound entry when the server shares this process (keep it; `registry.end()`
 * it when done), or null: not bound, PROG_UNAVAIL (LOCALIO disabled, or not our server), or
 * any RPC error. Never rejects.
 */
export async function probeLocal(rpc: RpcCallerLike, opts: ProbeOptions = {}): Promise<ClientEntry | null> {
  const registry = opts.registry ?? getRegistry();
  // a server in another thread of this process may claim the uuid (see remote-client.ts)
  acceptRemoteBinds(registry);
  const entry = registry.begin(randomBytes(16));
  let error: string | undefined;
  try {
    await rpc.call(NFS_LOCALIO_PROGRAM, LOCALIO_V1, LOCALIOPROC_UUID_IS_LOCAL, xdr_localio_uuid, entry.uuid, xdr_void,
      opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : undefined);
  } catch (err) {
    error = (err as { code?: string }).code ?? String(err);
  }
  const local = isLocalioTable(entry.boundTo);
  if (channels.probe.hasSubscribers) channels.probe.publish({ uuid: entry.key, local, ...(error !== undefined ? { error } : {}) });
  if (local) return entry;
  registry.end(entry);
  return null;
}
