import type { Logger } from 'pino';
import { NfsClientError } from './errors.js';

export const DEFAULT_PORTMAP_PORT = 111;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** how many times a failed READ/WRITE/COMMIT subrequest is tried again after a transport error */
export const DEFAULT_RETRIES = 5;
/** upper bounds on the transfer sizes; the smaller of these and FSINFO's rtmax/wtmax is used */
export const DEFAULT_MAX_RSIZE = 1024 * 1024;
export const DEFAULT_MAX_WSIZE = 1024 * 1024;
/** subrequests of one large read or write in flight at once */
export const DEFAULT_WINDOW = 8;
/** lifetime of cached attributes and lookups (like the Linux client's actimeo); 0 disables */
export const DEFAULT_ACTIMEO_MS = 3_000;
/** READDIRPLUS maxcount (bytes of reply) */
export const DEFAULT_READDIR_SIZE = 64 * 1024;
/**
 * Bytes of UNSTABLE writes a file handle keeps copies of until COMMIT (they are resent if
 * the server's write verifier changes). Past this the handle commits on its own.
 */
export const DEFAULT_MAX_UNCOMMITTED = 128 * 1024 * 1024;
/** applied to the modes of files and directories the client creates, as a local umask would be */
export const DEFAULT_UMASK = 0o022;
/** LOCALIO: probe after MOUNT and do READ/WRITE/COMMIT on the server's descriptors when it shares this process */
export const DEFAULT_LOCALIO = true;

export interface NfsClientOptions {
  host: string;
  /** the exported path to MNT, e.g. `/export` */
  export: string;
  /** NFS port; looked up with the portmapper when absent */
  nfsPort?: number;
  /** MOUNT port; looked up with the portmapper when absent; when that fails and nfsPort was given, the NFS port is tried */
  mountPort?: number;
  portmapPort?: number;
  uid?: number;
  gid?: number;
  gids?: number[];
  machinename?: string;
  timeoutMs?: number;
  retries?: number;
  maxRsize?: number;
  maxWsize?: number;
  window?: number;
  actimeoMs?: number;
  readdirSize?: number;
  maxUncommitted?: number;
  /** cleared from the mode of created files and directories (default 0o022) */
  umask?: number;
  /** reconnect policy handed to the RPC client (`giveUpMs` sets `retries` from a time) */
  reconnect?: { retries?: number; minDelayMs?: number; maxDelayMs?: number };
  /**
   * How long a call waits for a server that went away (reconnecting with backoff) before it
   * fails with ERR_RPC_CONNECT: a "soft" mount. `Infinity` waits for ever: a "hard" mount.
   * Default: the RPC client's 10 retries, about 21 s.
   */
  giveUpMs?: number;
  /**
   * Fail at once, rather than after `giveUpMs`, when the server this client was LOCALIO-local
   * to was closed in this process and its port refuses connections (default true: tests
   * that close their server see the failure now).
   */
  failFast?: boolean;
  /**
   * LOCALIO (default true): after MOUNT, and after every reconnect, ask the server
   * (UUID_IS_LOCAL) whether it lives in this process; while it does, READ/WRITE/COMMIT go
   * straight to its open files instead of by RPC. false: always RPC.
   */
  localio?: boolean;
  logger?: Logger;
}

export interface ResolvedOptions {
  host: string;
  export: string;
  nfsPort: number | undefined;
  mountPort: number | undefined;
  portmapPort: number;
  uid: number;
  gid: number;
  gids: number[];
  machinename: string;
  timeoutMs: number;
  retries: number;
  maxRsize: number;
  maxWsize: number;
  window: number;
  actimeoMs: number;
  readdirSize: number;
  maxUncommitted: number;
  umask: number;
  reconnect: { retries?: number; minDelayMs?: number; maxDelayMs?: number } | undefined;
  failFast: boolean;
  localio: boolean;
  logger: Logger | undefined;
}

function bad(prop: string, why: string): never {
  throw new NfsClientError('ERR_NFS_INVALID_OPTION', `options.${prop} ${why}`);
}

function int(o: Record<string, unknown>, prop: string, min: number, max: number, dflt: number): number;
function int(o: Record<string, unknown>, prop: string, min: number, max: number, dflt: undefined): number | undefined;
function int(o: Record<string, unknown>, prop: string, min: number, max: number, dflt: number | undefined): number | undefined {
  const v = o[prop];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(prop, `must be an integer from ${min} to ${max}, got ${String(v)}`);
  return v;
}

/** Checks an options object; errors name the bad property. */
export function parseOptions(input: NfsClientOptions): ResolvedOptions {
  if (typeof input !== 'object' || input === null) throw new NfsClientError('ERR_NFS_INVALID_OPTION', 'options must be an object');
  const o = input as unknown as Record<string, unknown>;
  if (typeof o.host !== 'string' || o.host === '') bad('host', 'must be a non-empty string');
  if (typeof o.export !== 'string' || !o.export.startsWith('/')) bad('export', 'must be an absolute path string');
  const gids = o.gids;
  if (gids !== undefined && (!Array.isArray(gids) || gids.length > 16 || !gids.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffffffff))) {
    bad('gids', 'must be an array of at most 16 unsigned integers');
  }
  if (o.machinename !== undefined && typeof o.machinename !== 'string') bad('machinename', 'must be a string');
  const rec = o.reconnect;
  if (rec !== undefined && (typeof rec !== 'object' || rec === null)) bad('reconnect', 'must be an object');
  if (o.localio !== undefined && typeof o.localio !== 'boolean') bad('localio', 'must be a boolean');
  if (o.failFast !== undefined && typeof o.failFast !== 'boolean') bad('failFast', 'must be a boolean');
  let reconnect = rec as ResolvedOptions['reconnect'];
  if (o.giveUpMs !== undefined) {
    const g = o.giveUpMs;
    if (typeof g !== 'number' || Number.isNaN(g) || g < 0) bad('giveUpMs', 'must be a number of milliseconds >= 0, or Infinity');
    reconnect = { ...reconnect, retries: retriesWithin(g as number, reconnect?.minDelayMs ?? DEFAULT_RECONNECT_MIN_DELAY_MS, reconnect?.maxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS) };
  }
  const getuid = process.getuid?.bind(process);
  const getgid = process.getgid?.bind(process);
  return {
    host: o.host as string,
    export: o.export as string,
    nfsPort: int(o, 'nfsPort', 1, 65535, undefined),
    mountPort: int(o, 'mountPort', 1, 65535, undefined),
    portmapPort: int(o, 'portmapPort', 1, 65535, DEFAULT_PORTMAP_PORT),
    uid: int(o, 'uid', 0, 0xffffffff, getuid ? getuid() : 0),
    gid: int(o, 'gid', 0, 0xffffffff, getgid ? getgid() : 0),
    gids: (gids as number[] | undefined) ?? [],
    machinename: (o.machinename as string | undefined) ?? 'nfsts',
    timeoutMs: int(o, 'timeoutMs', 1, 3_600_000, DEFAULT_TIMEOUT_MS),
    retries: int(o, 'retries', 0, 1000, DEFAULT_RETRIES),
    maxRsize: int(o, 'maxRsize', 512, 64 * 1024 * 1024, DEFAULT_MAX_RSIZE),
    maxWsize: int(o, 'maxWsize', 512, 64 * 1024 * 1024, DEFAULT_MAX_WSIZE),
    window: int(o, 'window', 1, 1024, DEFAULT_WINDOW),
    actimeoMs: int(o, 'actimeoMs', 0, 3_600_000, DEFAULT_ACTIMEO_MS),
    readdirSize: int(o, 'readdirSize', 1024, 16 * 1024 * 1024, DEFAULT_READDIR_SIZE),
    maxUncommitted: int(o, 'maxUncommitted', 0, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_UNCOMMITTED),
    umask: int(o, 'umask', 0, 0o777, DEFAULT_UMASK),
    reconnect,
    failFast: (o.failFast as boolean | undefined) ?? true,
    localio: (o.localio as boolean | undefined) ?? DEFAULT_LOCALIO,
    logger: o.logger as Logger | undefined,
  };
}

/** The RPC client's reconnect backoff (its defaults), to turn `giveUpMs` into a retry count. */
const DEFAULT_RECONNECT_MIN_DELAY_MS = 50, DEFAULT_RECONNECT_MAX_DELAY_MS = 5_000;

/** How many reconnect attempts (delays min, 2·min, 4·min … capped at max) fit in `ms`. */
export function retriesWithin(ms: number, minDelayMs: number, maxDelayMs: number): number {
  if (ms === Infinity) return Infinity;
  let n = 0;
  let spent = 0;
  for (;;) {
    const d = Math.min(maxDelayMs, minDelayMs * 2 ** n);
    if (spent + d > ms || n > 100_000) return n;
    spent += d;
    n++;
  }
}

/**
 * Parses libnfs's URL format: `nfs://host[:port]/export?version=3&nfsport=N&mountport=M&uid=U&gid=G`.
 * The authority's port is the NFS port (as in libnfs); the whole path is the export.
 * Other query keys known to libnfs that change nothing here are accepted; unknown ones are refused.
 */
export function parseNfsUrl(url: string, extra: Partial<NfsClientOptions> = {}): NfsClientOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new NfsClientError('ERR_NFS_INVALID_URL', `not a URL: ${url}`);
  }
  if (u.protocol !== 'nfs:') throw new NfsClientError('ERR_NFS_INVALID_URL', `URL scheme must be nfs:, got ${u.protocol}`);
  if (u.hostname === '') throw new NfsClientError('ERR_NFS_INVALID_URL', 'URL has no host');
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname) || '/';
  } catch {
    throw new NfsClientError('ERR_NFS_INVALID_URL', `URL path is not valid percent-encoding: ${u.pathname}`);
  }
  const out: NfsClientOptions = { ...extra, host, export: path.length > 1 ? path.replace(/\/+$/, '') : path };
  const num = (k: string, v: string): number => {
    if (!/^\d+$/.test(v)) throw new NfsClientError('ERR_NFS_INVALID_URL', `URL parameter ${k} must be a number, got ${v}`);
    return Number(v);
  };
  if (u.port !== '') out.nfsPort = num('port', u.port);
  for (const [k, v] of u.searchParams) {
    switch (k) {
      case 'version':
        if (v !== '3') throw new NfsClientError('ERR_NFS_INVALID_URL', `only version=3 is supported, got ${v}`);
        break;
      case 'nfsport': out.nfsPort = num(k, v); break;
      case 'mountport': out.mountPort = num(k, v); break;
      case 'uid': out.uid = num(k, v); break;
      case 'gid': out.gid = num(k, v); break;
      case 'timeo': out.timeoutMs = num(k, v) * 100; break; // libnfs/Linux: tenths of a second
      case 'rsize': out.maxRsize = num(k, v); break;
      case 'wsize': out.maxWsize = num(k, v); break;
      case 'localio':
        if (v !== '0' && v !== '1') throw new NfsClientError('ERR_NFS_INVALID_URL', `URL parameter localio must be 0 or 1, got ${v}`);
        out.localio = v === '1';
        break;
      case 'readahead': case 'auto-traverse-mounts': case 'dircache': case 'autoreconnect': case 'if': case 'sec':
        break;
      default:
        throw new NfsClientError('ERR_NFS_INVALID_URL', `unknown URL parameter ${k}`);
    }
  }
  return out;
}
