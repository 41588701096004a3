/**
 * The LocalioTransport's options: the `DEFAULT_*` constants and `parseTransportOptions()`,
 * which names the bad property. The parsed object is read live by the transport (the policy
 * bench sets fields of it per cell).
 */
import type { Logger } from 'pino';
import { LocalioError, type LocalioRegistry } from '@nfsts/common';
import type { Credential } from '@nfsts/rpc';
import type { NfsTransport, RpcCallerLike } from './types.js';

export const DEFAULT_PROBE_THROTTLE = 512;
export const DEFAULT_SYNC_READ_MAX_BYTES = 1024 * 1024;
export const DEFAULT_SYNC_READS_PER_TURN = 256;
export const DEFAULT_SLOW_SYNC_READ_US = 200;
export const DEFAULT_SYNC_READ_COOLDOWN_MS = 200;
export const DEFAULT_SYNC_BUDGET_US = 500;
export const DEFAULT_MAX_CACHED_HANDLES = 64;
export const DEFAULT_LARGE_OP_BYTES = 256 * 1024;

export interface LocalioTransportOptions {
  /** the NFS connection: probes (UUID_IS_LOCAL) go here */
  rpc: RpcCallerLike;
  /** READ/WRITE/COMMIT by RPC (the client's RpcTransport) for whatever cannot be done locally */
  fallback: NfsTransport;
  /** the credential local opens are checked with (the client's AUTH_SYS credential); default AUTH_NONE */
  cred?: Credential;
  /** false: never probe, everything by RPC. Default true */
  enabled?: boolean;
  registry?: LocalioRegistry;
  /** while not local, probe again every this many I/Os (0: only when probe() is called). Default 512 */
  probeThrottle?: number;
  probeTimeoutMs?: number;
  syncReadMaxBytes?: number;
  syncReadsPerTurn?: number;
  slowSyncReadUs?: number;
  syncReadCooldownMs?: number;
  /** synchronous read time allowed per event-loop turn, in µs */
  syncBudgetUs?: number;
  /**
   * an operation of at least this many bytes that finds this turn's synchronous share used up
   * while another operation already waits for the next turn goes to the threadpool at once (at
   * depth, large writes then overlap the kernel's dirty-page throttling and use the other
   * core). Default 256 KiB
   */
  largeOpBytes?: number;
  /** handles whose LocalFiles are kept open (oldest-opened dropped first). Default 64 */
  maxCachedHandles?: number;
  /** told after every local write (the client's attribute cache no longer matches) */
  onLocalWrite?: (fh: Buffer, offset: bigint, count: number) => void;
  logger?: Logger;
}

export interface ParsedTransportOptions {
  enabled: boolean;
  probeThrottle: number;
  probeTimeoutMs: number | undefined;
  syncReadMaxBytes: number;
  syncReadsPerTurn: number;
  slowSyncReadUs: number;
  syncReadCooldownMs: number;
  syncBudgetUs: number;
  maxCachedHandles: number;
  largeOpBytes: number;
}

function bad(name: string, what: string): LocalioError {
  return new LocalioError('ERR_LOCALIO_BAD_OPTION', `LocalioTransport option "${name}": expected ${what}`);
}

function intOpt(o: Record<string, unknown>, name: string, def: number, min: number): number {
  const v = o[name];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(name, `an integer >= ${min}`);
  return v;
}

export function parseTransportOptions(opts: LocalioTransportOptions): ParsedTransportOptions {
  if (!opts || typeof opts !== 'object') throw new LocalioError('ERR_LOCALIO_BAD_OPTION', 'LocalioTransport options: expected an object');
  if (!opts.rpc || typeof opts.rpc.call !== 'function') throw bad('rpc', 'an RPC caller with call()');
  const fb = opts.fallback as Partial<NfsTransport> | undefined;
  if (!fb || typeof fb.read !== 'function' || typeof fb.write !== 'function' || typeof fb.commit !== 'function') throw bad('fallback', 'an NfsTransport');
  if (opts.enabled !== undefined && typeof opts.enabled !== 'boolean') throw bad('enabled', 'a boolean');
  if (opts.onLocalWrite !== undefined && typeof opts.onLocalWrite !== 'function') throw bad('onLocalWrite', 'a function');
  const o = opts as unknown as Record<string, unknown>;
  const probeTimeoutMs = o.probeTimeoutMs === undefined ? undefined : intOpt(o, 'probeTimeoutMs', 0, 1);
  return {
    enabled: opts.enabled ?? true,
    probeThrottle: intOpt(o, 'probeThrottle', DEFAULT_PROBE_THROTTLE, 0),
    probeTimeoutMs,
    syncReadMaxBytes: intOpt(o, 'syncReadMaxBytes', DEFAULT_SYNC_READ_MAX_BYTES, 0),
    syncReadsPerTurn: intOpt(o, 'syncReadsPerTurn', DEFAULT_SYNC_READS_PER_TURN, 1),
    slowSyncReadUs: intOpt(o, 'slowSyncReadUs', DEFAULT_SLOW_SYNC_READ_US, 1),
    syncReadCooldownMs: intOpt(o, 'syncReadCooldownMs', DEFAULT_SYNC_READ_COOLDOWN_MS, 0),
    syncBudgetUs: intOpt(o, 'syncBudgetUs', DEFAULT_SYNC_BUDGET_US, 1),
    maxCachedHandles: intOpt(o, 'maxCachedHandles', DEFAULT_MAX_CACHED_HANDLES, 1),
    largeOpBytes: intOpt(o, 'largeOpBytes', DEFAULT_LARGE_OP_BYTES, 1),
  };
}
