import { DEFAULT_CLIENT_PORTMAP_PORT, DEFAULT_GRANT_TIMEOUT_MS } from './callbacks.js';
import { DEFAULT_GRACE_MS } from './grace.js';

/** `startServer({ locking })`: NLM + NSM on the NFS port. `false` (CLI `--no-lock`) serves neither. */
export interface LockingOptions {
  /** Grace period after a restart in which only reclaims are granted. Default 90 s (knfsd). */
  graceMs?: number;
  /** How long a client has to answer NLM_GRANTED before it loses the lock. Default 10 s. */
  grantTimeoutMs?: number;
  /** Port of the portmappers on client hosts (their lockd and statd are found there). Default 111. */
  clientPortmapPort?: number;
  /** Mirror locks into the backing files as OFD locks (Linux). Default true where available. */
  backingLocks?: boolean;
  /** Our name in SM_NOTIFY. Default: the host name. */
  name?: string;
}

export interface ParsedLockingOptions {
  enabled: boolean;
  graceMs: number;
  grantTimeoutMs: number;
  clientPortmapPort: number;
  backingLocks: boolean;
  name: string | undefined;
}

type Bad = (property: string, message: string) => Error;

function int(v: unknown, property: string, min: number, max: number, dflt: number, bad: Bad): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(property, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

/** Validates the `locking` option; errors name the bad property through `bad`. */
export function parseLockingOptions(v: unknown, bad: Bad): ParsedLockingOptions {
  const base = { enabled: true, graceMs: DEFAULT_GRACE_MS, grantTimeoutMs: DEFAULT_GRANT_TIMEOUT_MS, clientPortmapPort: DEFAULT_CLIENT_PORTMAP_PORT, backingLocks: true, name: undefined };
  if (v === undefined || v === true) return base;
  if (v === false) return { ...base, enabled: false };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('locking', 'must be a boolean or an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['graceMs', 'grantTimeoutMs', 'clientPortmapPort', 'backingLocks', 'name'].includes(k)) throw bad(`locking.${k}`, 'unknown option');
  }
  if (o.backingLocks !== undefined && typeof o.backingLocks !== 'boolean') throw bad('locking.backingLocks', 'must be a boolean');
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '' || o.name.length > 1024)) throw bad('locking.name', 'must be a host name');
  return {
    enabled: true,
    graceMs: int(o.graceMs, 'locking.graceMs', 0, 3_600_000, DEFAULT_GRACE_MS, bad),
    grantTimeoutMs: int(o.grantTimeoutMs, 'locking.grantTimeoutMs', 1, 600_000, DEFAULT_GRANT_TIMEOUT_MS, bad),
    clientPortmapPort: int(o.clientPortmapPort, 'locking.clientPortmapPort', 1, 65535, DEFAULT_CLIENT_PORTMAP_PORT, bad),
    backingLocks: (o.backingLocks as boolean | undefined) ?? true,
    name: o.name as string | undefined,
  };
}
