/**
 * Counters and `diagnostics_channel` names for LOCALIO. Channels are process-wide by name,
 * so every installed copy of the packages publishes on the same ones.
 *
 * | channel | message |
 * |---|---|
 * | `nfsts:localio:publish` | `{ serverId }`: a server published its ops table (on listen) |
 * | `nfsts:localio:withdraw` | `{ serverId, clients }`: a server withdrew it (on close) |
 * | `nfsts:localio:bind` | `{ serverId, uuid }`: UUID_IS_LOCAL bound a client entry |
 * | `nfsts:localio:unbind` | `{ serverId, uuid, reason }`: an entry was unbound ('shutdown' or 'end') |
 * | `nfsts:localio:shutdown` | `{ serverId, phase: 'begin' \| 'drained' }` |
 * | `nfsts:localio:probe` | `{ uuid, local, error? }`: a client probed |
 * | `nfsts:localio:fallback` | `{ op, reason, code?, counters }`: a local I/O went by RPC |
 * | `nfsts:localio:stats` | a `LocalioCounters` snapshot (on probe results, fallbacks and `publishStats()`) |
 */
import diagnosticsChannel from 'node:diagnostics_channel';

export const CHANNEL_PUBLISH = 'nfsts:localio:publish';
export const CHANNEL_WITHDRAW = 'nfsts:localio:withdraw';
export const CHANNEL_BIND = 'nfsts:localio:bind';
export const CHANNEL_UNBIND = 'nfsts:localio:unbind';
export const CHANNEL_SHUTDOWN = 'nfsts:localio:shutdown';
export const CHANNEL_PROBE = 'nfsts:localio:probe';
export const CHANNEL_FALLBACK = 'nfsts:localio:fallback';
export const CHANNEL_STATS = 'nfsts:localio:stats';

export const channels = {
  publish: diagnosticsChannel.channel(CHANNEL_PUBLISH),
  withdraw: diagnosticsChannel.channel(CHANNEL_WITHDRAW),
  bind: diagnosticsChannel.channel(CHANNEL_BIND),
  unbind: diagnosticsChannel.channel(CHANNEL_UNBIND),
  shutdown: diagnosticsChannel.channel(CHANNEL_SHUTDOWN),
  probe: diagnosticsChannel.channel(CHANNEL_PROBE),
  fallback: diagnosticsChannel.channel(CHANNEL_FALLBACK),
  stats: diagnosticsChannel.channel(CHANNEL_STATS),
} as const;

/** Per-client LOCALIO counters (plain numbers; snapshot with `{ ...counters }`). */
export interface LocalioCounters {
  readsLocal: number;
  readsRpc: number;
  /** local reads that ran synchronously (`fs.readSync`, see the transport's sync-read policy) */
  readsSync: number;
  writesLocal: number;
  /** local UNSTABLE writes that ran synchronously (`fs.writeSync` into the page cache, same policy as reads) */
  writesSync: number;
  /** synchronous operations that waited for the next event-loop turn (this turn's synchronous share was used up) */
  syncYields: number;
  writesRpc: number;
  commitsLocal: number;
  commitsRpc: number;
  /** local operations that went by RPC instead (open refused, server closing, stale handle, I/O error) */
  fallbacks: number;
  probes: number;
  /** probes after which the client was local */
  probesLocal: number;
}

export function createCounters(): LocalioCounters {
  return {
    readsLocal: 0, readsRpc: 0, readsSync: 0, writesLocal: 0, writesSync: 0, syncYields: 0, writesRpc: 0,
    commitsLocal: 0, commitsRpc: 0, fallbacks: 0, probes: 0, probesLocal: 0,
  };
}
