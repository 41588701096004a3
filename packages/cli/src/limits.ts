/**
 * The `serve` flags that set the RPC server's limits (`limits` of startServer()): sizes take a
 * K, M or G suffix (powers of 1024), timeouts are seconds (fractions allowed).
 */
import { DEFAULT_LIMITS, type ServerLimits } from '@nfsts/server';

type LimitName = keyof ServerLimits;
interface Flag { limit: LimitName; kind: 'count' | 'bytes' | 'seconds' }

export const LIMIT_FLAGS: Record<string, Flag> = {
  'max-connections': { limit: 'maxConnections', kind: 'count' },
  'idle-timeout': { limit: 'idleTimeoutMs', kind: 'seconds' },
  'record-timeout': { limit: 'recordTimeoutMs', kind: 'seconds' },
  'write-timeout': { limit: 'writeTimeoutMs', kind: 'seconds' },
  'max-queued-reply-bytes': { limit: 'maxQueuedReplyBytes', kind: 'bytes' },
  'max-queued-reply-bytes-total': { limit: 'maxQueuedReplyBytesTotal', kind: 'bytes' },
  'max-partial-record-bytes-total': { limit: 'maxPartialRecordBytesTotal', kind: 'bytes' },
};

const mib = (n: number): string => `${n / 1024 / 1024}M`;
const sec = (ms: number): number => ms / 1000;
const d = DEFAULT_LIMITS;

/** The limit flags' lines of the usage text. */
export const LIMITS_USAGE = `Limits against clients that hog the server (see the README):
  --max-connections N          open connections; a new one beyond it closes the longest-idle
                               one, or is refused when none is idle (default ${d.maxConnections})
  --idle-timeout SEC           close a connection with nothing to do (default ${sec(d.idleTimeoutMs)})
  --record-timeout SEC         close a connection whose call stays incomplete (default ${sec(d.recordTimeoutMs)})
  --write-timeout SEC          close a connection whose replies are not read (default ${sec(d.writeTimeoutMs)})
  --max-queued-reply-bytes SIZE
                               reply bytes one connection may hold up (default ${mib(d.maxQueuedReplyBytes)})
  --max-queued-reply-bytes-total SIZE
                               the same over all connections (default ${mib(d.maxQueuedReplyBytesTotal)})
  --max-partial-record-bytes-total SIZE
                               calls received in part, all connections (default ${mib(d.maxPartialRecordBytesTotal)})
`;

/** parseArgs() option declarations of the limit flags. */
export const LIMIT_ARG_OPTIONS = Object.fromEntries(Object.keys(LIMIT_FLAGS).map((f) => [f, { type: 'string' as const }]));

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** The value of one flag, or an Error naming the flag. */
function value(flag: string, kind: Flag['kind'], v: string): number {
  if (kind === 'count') {
    if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw new Error(`bad --${flag} "${v}": must be a whole number of at least 1`);
    return Number(v);
  }
  if (kind === 'seconds') {
    const s = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
    const ms = Math.round(s * 1000);
    if (!Number.isFinite(s) || ms < 1 || ms > 0x7fffffff) throw new Error(`bad --${flag} "${v}": must be seconds, from 0.001 to 2147483`);
    return ms;
  }
  return parseSizeFlag(flag, v);
}

/** A size flag's value (K, M, G: powers of 1024), or an Error naming the flag. */
export function parseSizeFlag(flag: string, v: string): number {
  const m = /^(\d+)([KMG]?)i?B?$/i.exec(v);
  const n = m === null ? NaN : Number(m[1]) * UNITS[m[2]!.toUpperCase()]!;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`bad --${flag} "${v}": must be a size such as 65536, 512K, 64M or 1G`);
  return n;
}

/** The limits given as flags (parseArgs values); throws an Error whose message names the flag. */
export function parseLimitFlags(values: Record<string, unknown>): ServerLimits {
  const out: ServerLimits = {};
  for (const [flag, { limit, kind }] of Object.entries(LIMIT_FLAGS)) {
    const v = values[flag];
    if (typeof v === 'string') out[limit] = value(flag, kind, v);
  }
  return out;
}
