/**
 * The Prometheus view of a server: a prom-client Registry whose metrics read the server's
 * plain counters when scraped (nothing is pushed to prom-client per call). prom-client is
 * imported only when metrics are asked for.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Registry } from 'prom-client';
import { DENIED_AUTH_ERROR, type RpcServer } from '@nfsts/rpc';
import { CHANNEL_BIND, CHANNEL_FALLBACK } from '@nfsts/common';
import { mountstat3, nfsstat3, MOUNT_PROGRAM, NFS_PROGRAM } from '@nfsts/xdr';
import type { ServerCore } from '../core/index.js';
import { BUCKET_COUNT, LATENCY_BUCKETS_S, RPC_FAILURE, type CallCounters } from './call-counters.js';

/** What the metrics read at scrape time. */
export interface MetricsSources {
  calls: CallCounters;
  rpc: RpcServer;
  core: ServerCore;
  /** LOCALIO opens granted / refused by the server, clients bound now */
  localio: () => { opens: number; refused: number; localClients: number; inFlight: number };
  /** programs registered with the portmapper */
  portmapRegistrations: () => number;
}

interface Sample {
  labels?: Record<string, string | number>;
  value: number;
  metricName?: string;
}

type MetricType = 'counter' | 'gauge' | 'histogram';

/** A metric prom-client formats, whose samples come from `read()` at each scrape. */
function scraped(name: string, help: string, type: MetricType, read: () => Sample[]): object {
  return {
    name, help, type, aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: read() }),
    reset: () => {},
  };
}

const ACCEPT_NAMES: Record<number, string> = { 1: 'PROG_UNAVAIL', 2: 'PROG_MISMATCH', 3: 'PROC_UNAVAIL', 4: 'GARBAGE_ARGS', 5: 'SYSTEM_ERR', [DENIED_AUTH_ERROR]: 'AUTH_ERROR' };

function statusName(prog: number, code: number): string {
  if (code >= RPC_FAILURE) return ACCEPT_NAMES[code - RPC_FAILURE] ?? `ACCEPT_${code - RPC_FAILURE}`;
  if (prog === NFS_PROGRAM) return nfsstat3[code] ?? String(code);
  if (prog === MOUNT_PROGRAM) return mountstat3[code] ?? String(code);
  return String(code);
}

/** Counts LOCALIO binds and in-process clients' fallbacks (rare events: a channel subscription is cheap). */
class LocalioEvents {
  binds = 0;
  fallbacks = 0;
  private readonly onBind = (): void => {
    this.binds++;
  };
  private readonly onFallback = (): void => {
    this.fallbacks++;
  };

  constructor(private readonly serverId: () => string) {
    diagnosticsChannel.subscribe(CHANNEL_BIND, this.onBindFor);
    diagnosticsChannel.subscribe(CHANNEL_FALLBACK, this.onFallback);
  }

  private readonly onBindFor = (msg: unknown): void => {
    if ((msg as { serverId?: unknown }).serverId === this.serverId()) this.onBind();
  };

  close(): void {
    diagnosticsChannel.unsubscribe(CHANNEL_BIND, this.onBindFor);
    diagnosticsChannel.unsubscribe(CHANNEL_FALLBACK, this.onFallback);
  }
}

let processRegistry: Registry | undefined;

export interface ServerMetricsRegistry {
  registry: Registry;
  close(): void;
}

/** Builds the registry (loads prom-client). `serverId` is this server's LOCALIO id. */
export async function createMetricsRegistry(src: MetricsSources, serverId: () => string): Promise<ServerMetricsRegistry> {
  const prom = await import('prom-client');
  const own = new prom.Registry();
  // the process metrics' monitors (event-loop delay, GC observer) cannot be stopped: one set per process
  processRegistry ??= (() => {
    const r = new prom.Registry();
    prom.collectDefaultMetrics({ register: r });
    return r;
  })();
  const events = new LocalioEvents(serverId);
  const add = (m: object): void => own.registerMetric(m as Parameters<Registry['registerMetric']>[0]);
  const { calls, rpc, core } = src;

  add(scraped('nfsts_rpc_calls_total', 'RPC calls answered, by program, version and procedure', 'counter', () => {
    const out: Sample[] = [];
    for (const s of calls.slots.values()) {
      for (let p = 0; p < s.names.length; p++) {
        if (s.names[p] === '') continue;
        out.push({ labels: { program: s.programName, version: s.vers, procedure: s.names[p]! }, value: s.calls[p]! });
      }
    }
    return out;
  }));
  add(scraped('nfsts_rpc_errors_total', 'Calls answered with an error: the result status (nfsstat3, mountstat3) or the RPC failure', 'counter', () => {
    const out: Sample[] = [];
    for (const s of calls.slots.values()) {
      for (const [k, v] of s.errors) {
        const proc = Math.floor(k / 1048576);
        out.push({ labels: { program: s.programName, version: s.vers, procedure: s.names[proc] ?? String(proc), status: statusName(s.prog, k % 1048576) }, value: v });
      }
    }
    return out;
  }));
  add(scraped('nfsts_rpc_duration_seconds', 'Time from a call\'s dispatch to its reply being queued', 'histogram', () => {
    const out: Sample[] = [];
    for (const s of calls.slots.values()) {
      for (let p = 0; p < s.names.length; p++) {
        if (s.names[p] === '' || s.calls[p] === 0) continue;
        const labels = { program: s.programName, version: s.vers, procedure: s.names[p]! };
        let acc = 0;
        for (let b = 0; b < BUCKET_COUNT; b++) {
          acc += s.buckets[p * BUCKET_COUNT + b]!;
          const le = b < LATENCY_BUCKETS_S.length ? String(LATENCY_BUCKETS_S[b]) : '+Inf';
          out.push({ metricName: 'nfsts_rpc_duration_seconds_bucket', labels: { ...labels, le }, value: acc });
        }
        out.push({ metricName: 'nfsts_rpc_duration_seconds_sum', labels, value: s.sumMs[p]! / 1000 });
        out.push({ metricName: 'nfsts_rpc_duration_seconds_count', labels, value: s.calls[p]! });
      }
    }
    return out;
  }));
  add(scraped('nfsts_rpc_in_flight', 'Calls dispatched and not yet answered', 'gauge', () => [{ value: calls.inFlight }]));
  add(scraped('nfsts_nfs_read_bytes_total', 'Bytes returned by NFS READ', 'counter', () => [{ value: calls.bytesRead }]));
  add(scraped('nfsts_nfs_written_bytes_total', 'Bytes accepted by NFS WRITE', 'counter', () => [{ value: calls.bytesWritten }]));
  add(scraped('nfsts_connections_open', 'TCP connections open now', 'gauge', () => [{ value: rpc.connectionCount }]));
  add(scraped('nfsts_connections_accepted_total', 'TCP connections accepted', 'counter', () => [{ value: rpc.counters.accepted }]));
  add(scraped('nfsts_connections_closed_total', 'TCP connections closed, by reason', 'counter', () => {
    const lim = limitStats(rpc);
    return [{ labels: { reason: 'normal' }, value: rpc.counters.connectionsClosed - lim.closedByLimit }, { labels: { reason: 'limit' }, value: lim.closedByLimit }];
  }));
  add(scraped('nfsts_connections_refused_total', 'TCP connections refused by a connection limit', 'counter', () => [{ value: limitStats(rpc).refused }]));
  add(scraped('nfsts_rpc_auth_errors_total', 'Calls denied with AUTH_ERROR', 'counter', () => [{ value: rpc.counters.authErrors }]));
  add(scraped('nfsts_reply_queued_bytes', 'Reply bytes waiting to be written to clients now', 'gauge', () => [{ value: rpc.queuedReplyBytes() }]));
  add(scraped('nfsts_file_cache_entries', 'Descriptors the open-file cache holds (cached entries)', 'gauge', () => [{ value: core.fileCache.size }]));
  add(scraped('nfsts_file_cache_open', 'Descriptors open through the file cache (cached or still held)', 'gauge', () => [{ value: core.fileCache.openCount }]));
  add(scraped('nfsts_file_cache_hits_total', 'File cache lookups served by an open descriptor', 'counter', () => [{ value: core.fileCache.hits }]));
  add(scraped('nfsts_file_cache_misses_total', 'File cache lookups that opened the file', 'counter', () => [{ value: core.fileCache.opens }]));
  add(scraped('nfsts_file_cache_evictions_total', 'Idle descriptors closed to stay under the limit or after the idle time', 'counter', () => [{ value: core.fileCache.evictions }]));
  add(scraped('nfsts_handle_resolutions_total', 'File handles resolved: fast (cached descriptor), index (full resolve through the inode index), search (tree searches), stale', 'counter', () => {
    const c = core.counters;
    return [
      { labels: { how: 'fast' }, value: c.fastResolves },
      { labels: { how: 'index' }, value: c.resolves },
      { labels: { how: 'search' }, value: c.searches },
      { labels: { how: 'stale' }, value: c.stale },
    ];
  }));
  add(scraped('nfsts_localio_binds_total', 'Clients bound by UUID_IS_LOCAL to this server', 'counter', () => [{ value: events.binds }]));
  add(scraped('nfsts_localio_clients', 'LOCALIO clients bound now', 'gauge', () => [{ value: src.localio().localClients }]));
  add(scraped('nfsts_localio_opens_total', 'Local opens by LOCALIO clients, by result', 'counter', () => {
    const l = src.localio();
    return [{ labels: { result: 'granted' }, value: l.opens }, { labels: { result: 'refused' }, value: l.refused }];
  }));
  add(scraped('nfsts_localio_in_flight', 'Local I/O operations in progress on this server\'s descriptors', 'gauge', () => [{ value: src.localio().inFlight }]));
  add(scraped('nfsts_localio_fallbacks_total', 'Local operations of clients in this process that went by RPC instead', 'counter', () => [{ value: events.fallbacks }]));
  add(scraped('nfsts_portmap_registrations', 'Programs registered with the portmapper', 'gauge', () => [{ value: src.portmapRegistrations() }]));
  const registry = prom.Registry.merge([processRegistry, own]);
  return { registry, close: () => events.close() };
}

/**
 * Connection-limit figures, when the RPC server has limits that count them (a `stats()` with
 * `connectionsRefused` / `connectionsClosedByLimit`); 0 otherwise.
 */
function limitStats(rpc: RpcServer): { refused: number; closedByLimit: number } {
  const s = rpc.stats();
  return { refused: s.refused, closedByLimit: s.closedForNew + s.closedIdle + s.closedRecordTimeout + s.closedWriteTimeout + s.closedPartialBudget };
}
