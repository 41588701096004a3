/**
 * The client's figures (`client.metrics()`) and its `nfsts:fs` tracing channel.
 *
 * `nfsts:fs` is a TracingChannel around every fs-shaped operation (`stat`, `readFile`,
 * `mkdir`...): `start` / `end` / `asyncStart` / `asyncEnd` / `error`, as `tracePromise`
 * publishes them, with `{ operation, path, dest?, result?, error? }`. Nothing is built when
 * nobody subscribes.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { RpcClient } from '@nfsts/rpc';
import { traceCounters } from '@nfsts/rpc';
import type { LocalioCounters } from '@nfsts/common';
import { MOUNT_PROGRAM, MOUNT_V3, MOUNT_V3_PROCEDURES, NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES } from '@nfsts/xdr';

export const CHANNEL_FS = 'nfsts:fs';

/** The message of `nfsts:fs`: one object per operation. */
export interface FsOperationMessage {
  /** the fs name of the operation: 'stat', 'open', 'scandir', 'mkdir', ... */
  operation: string;
  path: string;
  /** the second path of rename / link / copy */
  dest: string | undefined;
  result?: unknown;
  error?: unknown;
}

export const fsChannel = diagnosticsChannel.tracingChannel<FsOperationMessage>(CHANNEL_FS) as diagnosticsChannel.TracingChannel<FsOperationMessage> & {
  start: diagnosticsChannel.Channel; end: diagnosticsChannel.Channel; asyncStart: diagnosticsChannel.Channel; asyncEnd: diagnosticsChannel.Channel; error: diagnosticsChannel.Channel;
};

/** Whether anyone subscribes to `nfsts:fs`. */
export function fsTraced(): boolean {
  const c = fsChannel;
  return c.start.hasSubscribers || c.end.hasSubscribers || c.asyncStart.hasSubscribers || c.asyncEnd.hasSubscribers || c.error.hasSubscribers;
}

/** Runs `fn`, traced on `nfsts:fs` when anyone subscribes (else it is only the call). */
export function traceFs<T>(operation: string, path: string, dest: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (!fsTraced()) return fn();
  traceCounters.messagesBuilt++;
  const c = fsChannel;
  return c.tracePromise(fn, { operation, path, dest });
}

/** `client.metrics()`. */
export interface ClientMetrics {
  rpc: {
    /** calls sent per NFSv3 procedure (by name), whatever their result */
    nfs: Record<string, number>;
    /** calls sent per MOUNT v3 procedure */
    mount: Record<string, number>;
    calls: number;
    /** calls that failed (timeouts, connection loss, RPC errors; not NFS statuses) */
    failures: number;
    /** calls sent again after a reconnect */
    retransmits: number;
    reconnects: number;
  };
  /** READ / WRITE / COMMIT done on the server's descriptors (LOCALIO) against by RPC */
  localio: {
    isLocal: boolean;
    reads: { local: number; rpc: number; sync: number };
    writes: { local: number; rpc: number };
    commits: { local: number; rpc: number };
    fallbacks: number;
    probes: number;
    probesLocal: number;
  };
}

function byName(rpc: RpcClient | undefined, prog: number, vers: number, table: Record<number, { name: string }>): Record<string, number> {
  const counts = rpc?.procCalls.get(prog * 256 + vers);
  const out: Record<string, number> = {};
  for (const [p, info] of Object.entries(table)) out[info.name] = counts?.[Number(p)] ?? 0;
  return out;
}

/** Builds the snapshot from the NFS connection's RpcClient, the MOUNT one (if any) and LOCALIO's counters. */
export function clientMetrics(rpc: RpcClient, mountRpc: RpcClient | undefined, l: LocalioCounters, isLocal: boolean): ClientMetrics {
  const both = [rpc, ...(mountRpc !== undefined && mountRpc !== rpc ? [mountRpc] : [])];
  const sum = (k: 'calls' | 'failures' | 'retransmits' | 'reconnects'): number => both.reduce((a, r) => a + r.counters[k], 0);
  const mount = byName(mountRpc ?? rpc, MOUNT_PROGRAM, MOUNT_V3, MOUNT_V3_PROCEDURES);
  if (mountRpc !== undefined && mountRpc !== rpc) {
    const own = byName(rpc, MOUNT_PROGRAM, MOUNT_V3, MOUNT_V3_PROCEDURES);
    for (const k of Object.keys(mount)) mount[k]! += own[k] ?? 0;
  }
  return {
    rpc: {
      nfs: byName(rpc, NFS_PROGRAM, NFS_V3, NFS_V3_PROCEDURES),
      mount,
      calls: sum('calls'),
      failures: sum('failures'),
      retransmits: sum('retransmits'),
      reconnects: sum('reconnects'),
    },
    localio: {
      isLocal,
      reads: { local: l.readsLocal, rpc: l.readsRpc, sync: l.readsSync },
      writes: { local: l.writesLocal, rpc: l.writesRpc },
      commits: { local: l.commitsLocal, rpc: l.commitsRpc },
      fallbacks: l.fallbacks,
      probes: l.probes,
      probesLocal: l.probesLocal,
    },
  };
}
