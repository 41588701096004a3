/**
 * The server's configuration: `startServer()` options, their defaults, and the JSON
 * config file read by `nfsts serve --config FILE` (documented in packages/cli/README.md).
 *
 * Every error names the property (or export option) at fault, e.g.
 * `exports[0].options: unknown export option "rw2"`.
 */
import { parseLockingOptions, type LockingOptions, type ParsedLockingOptions } from './nlm/options.js';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Logger } from 'pino';
import {
  DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION, DEFAULT_MAX_PARTIAL_RECORD_BYTES_TOTAL,
  DEFAULT_MAX_QUEUED_REPLY_BYTES, DEFAULT_MAX_QUEUED_REPLY_BYTES_TOTAL, DEFAULT_RECORD_TIMEOUT_MS, DEFAULT_WRITE_TIMEOUT_MS,
} from '@nfsts/rpc';
import { parseExportOptionString, parseOptions } from './core/index.js';
import type { Backend, ExportConfig, ExportOptions } from './core/index.js';
import { MemoryBackend } from './core/memory-backend.js';

export const DEFAULT_PORT = 2049;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_EXPORT_PATH = '/export';
export const DEFAULT_EXPORT_DIR = './nfs-export';
/** LOCALIO is served unless `localio: false` */
export const DEFAULT_LOCALIO = true;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const kConfigError = Symbol.for('nfsts.error.config');

export type ConfigErrorCode = 'ERR_NFS_CONFIG';

/** A bad option or config file; `property` names what is wrong (`port`, `exports[1].options`...). */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode = 'ERR_NFS_CONFIG';
  readonly property: string;
  readonly [kConfigError] = true;

  constructor(property: string, message: string) {
    super(property === '' ? message : `${property}: ${message}`);
    this.name = 'ConfigError';
    this.property = property;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[kConfigError] === true
    );
  }
}

/**
 * Limits of the RPC server against clients that hog it (packages/rpc/README.md, "Limits"):
 * each defaults to the `DEFAULT_*` constant of `@nfsts/rpc` of the same name.
 */
export interface ServerLimits {
  /** open connections; beyond it the longest-idle one is closed for the new one, or the new one refused */
  maxConnections?: number;
  /** close a connection with nothing to do for this long */
  idleTimeoutMs?: number;
  /** close a connection whose begun call record is not complete in this time */
  recordTimeoutMs?: number;
  /** close a connection whose queued replies make no write progress for this long */
  writeTimeoutMs?: number;
  /** calls one connection may have in progress */
  maxInFlightPerConnection?: number;
  /** reply bytes (being produced, queued, pinned call records) one connection may have before it stops being served */
  maxQueuedReplyBytes?: number;
  /** the same over all connections */
  maxQueuedReplyBytesTotal?: number;
  /** bytes of partly received call records over all connections */
  maxPartialRecordBytesTotal?: number;
}

/** What each limit is when not given (the RPC server's defaults, for help texts). */
export const DEFAULT_LIMITS: Readonly<Required<ServerLimits>> = {
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
  recordTimeoutMs: DEFAULT_RECORD_TIMEOUT_MS,
  writeTimeoutMs: DEFAULT_WRITE_TIMEOUT_MS,
  maxInFlightPerConnection: DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION,
  maxQueuedReplyBytes: DEFAULT_MAX_QUEUED_REPLY_BYTES,
  maxQueuedReplyBytesTotal: DEFAULT_MAX_QUEUED_REPLY_BYTES_TOTAL,
  maxPartialRecordBytesTotal: DEFAULT_MAX_PARTIAL_RECORD_BYTES_TOTAL,
};

export const LIMIT_NAMES = [
  'maxConnections', 'idleTimeoutMs', 'recordTimeoutMs', 'writeTimeoutMs', 'maxInFlightPerConnection', 'maxQueuedReplyBytes',
  'maxQueuedReplyBytesTotal', 'maxPartialRecordBytesTotal',
] as const;

/** Checks a `limits` object: known names, each a positive integer. */
export function parseLimits(v: unknown, property: string): ServerLimits {
  if (v === undefined) return {};
  if (!isRecord(v)) throw new ConfigError(property, `must be an object with any of ${LIMIT_NAMES.join(', ')}`);
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(v)) {
    if (!(LIMIT_NAMES as readonly string[]).includes(k)) throw new ConfigError(`${property}.${k}`, 'unknown limit');
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new ConfigError(`${property}.${k}`, `must be a positive integer, got ${JSON.stringify(n)}`);
    if (k.endsWith('Ms') && n > 0x7fffffff) throw new ConfigError(`${property}.${k}`, 'must be at most 2147483647 (about 24.8 days)');
    out[k] = n;
  }
  return out as ServerLimits;
}

/** One export as `startServer()` takes it. `options` is an object or an exports(5) option string. */
export interface ServerExport {
  /** The name clients mount, e.g. `/export`. */
  path: string;
  /** The directory served (with `backend`: the name of the backend's tree, default `path`). */
  root?: string;
  options?: Partial<ExportOptions> | string;
  /**
   * Where the files live: the disk (default), `'memory'` (a fresh MemoryBackend of this server:
   * no disk at all, gone at close), or any `Backend` object (packages/server/README.md, "The
   * Backend contract"). Every export of one server uses the same backend.
   */
  backend?: 'memory' | Backend;
}

/** An export of a directory on this host (what a config file and `nfsts serve` give). */
export type DirectoryExport = ServerExport & { root: string };

/** The methods a Backend object must have (checked by startServer, naming the first missing). */
const BACKEND_METHODS = [
  'openRoot', 'closeRoot', 'lstat', 'fstat', 'statfs', 'readdir', 'open', 'create', 'close', 'read', 'write', 'fsync', 'fdatasync',
  'ftruncate', 'truncate', 'mkdir', 'rmdir', 'unlink', 'rename', 'link', 'symlink', 'readlink', 'chmod', 'chown', 'utimes', 'mknod',
  'mknodSupport',
] as const;

/** An export's `backend` checked: undefined (the disk), 'memory' or a Backend object. */
function checkBackend(v: unknown, property: string): 'memory' | Backend | undefined {
  if (v === undefined || v === 'memory') return v;
  if (!isRecord(v)) throw new ConfigError(property, `must be 'memory' or a Backend object, got ${JSON.stringify(v)}`);
  for (const m of BACKEND_METHODS) {
    if (typeof v[m] !== 'function') throw new ConfigError(property, `not a Backend: no method ${m}() (see the Backend contract in @nfsts/server's README)`);
  }
  if (typeof v.name !== 'string' || typeof v.raceSafe !== 'boolean') throw new ConfigError(property, 'not a Backend: needs a string "name" and a boolean "raceSafe"');
  return v as unknown as Backend;
}

export interface ServerOptions {
  exports: ServerExport[];
  /** TCP port for NFS and MOUNT; 0 picks a free one. Default 2049. */
  port?: number;
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Where per-export secrets and the handle index live. Default: a temporary directory removed on close. */
  stateDir?: string;
  /**
   * Register with the system rpcbind, or answer portmap/rpcbind ourselves on port 111 when
   * nothing listens there. Default: on for a fixed port, off for port 0 (ephemeral test
   * servers must not fight over port 111).
   */
  portmap?: boolean;
  /** The port our own portmapper listens on when there is no system one. Default 111. */
  portmapPort?: number;
  /**
   * Serve LOCALIO (RPC program 400122) on the NFS port: clients in this very process then do
   * READ/WRITE/COMMIT on the server's descriptors. false: PROG_UNAVAIL. Default true.
   */
  localio?: boolean;
  /** Connection and memory limits against clients that hog the server; see ServerLimits. */
  limits?: ServerLimits;
  /**
   * Serve Prometheus metrics over HTTP at `/metrics` on this address: `"127.0.0.1:9464"`,
   * `"[::1]:9464"` or `{ host, port }` (port 0 picks one; see `server.metrics`). Default: off.
   */
  metrics?: string | { host?: string; port: number };
  /** Byte-range locking (NLM 100021 + NSM 100024 on the NFS port); false: neither is served. Default on. */
  locking?: boolean | LockingOptions;
  logger?: Logger;
}

/** The default metrics port (Prometheus's registry of exporter ports has 9464 for OpenTelemetry-style exporters). */
export const DEFAULT_METRICS_PORT = 9464;

export interface ParsedServerOptions {
  exports: ExportConfig[];
  /** the backend every export uses; undefined: the disk (AtBackend on Linux, else NodeFsBackend) */
  backend: Backend | undefined;
  port: number;
  host: string;
  stateDir: string | undefined;
  portmap: boolean;
  portmapPort: number;
  localio: boolean;
  limits: ServerLimits;
  metrics: { host: string; port: number } | null;
  locking: ParsedLockingOptions;
  logger: Logger | undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkPort(v: unknown, property: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) {
    throw new ConfigError(property, `must be an integer from 0 to 65535, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Checks an export name: absolute, normalized, no empty, `.` or `..` components. */
export function checkExportPath(v: unknown, property: string): string {
  if (typeof v !== 'string' || !v.startsWith('/')) {
    throw new ConfigError(property, `must be an absolute export name such as "/export", got ${JSON.stringify(v)}`);
  }
  if (v.length > 1024 || v.includes('\0')) throw new ConfigError(property, 'is not a valid export name');
  const parts = v.split('/').slice(1);
  if (v !== '/' && parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new ConfigError(property, `must not contain empty, "." or ".." components, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Turns an option string (`"rw,no_root_squash"`) or object into a `Partial<ExportOptions>`,
 * validated by the core's parser; errors name the property and the option.
 */
export function parseExportOptionsAt(v: unknown, property: string): Partial<ExportOptions> {
  if (v === undefined) return {};
  if (typeof v !== 'string' && !isRecord(v)) {
    throw new ConfigError(property, 'must be an option string such as "rw,no_root_squash" or an object');
  }
  try {
    const partial = typeof v === 'string' ? parseExportOptionString(v) : (v as Partial<ExportOptions>);
    parseOptions(partial); // full validation (client patterns, ids), defaults not kept
    return partial;
  } catch (err) {
    throw new ConfigError(property, (err as Error).message);
  }
}

function checkClients(v: unknown, property: string): string[] {
  if (!Array.isArray(v) || v.some((c) => typeof c !== 'string' || c === '')) {
    throw new ConfigError(property, 'must be an array of host names, addresses or CIDRs');
  }
  return v as string[];
}

/** An export entry's checked name (not listed before: added to `seen`) and its root as given (optional with a backend: the export's name). */
function exportPathAndRoot(e: Record<string, unknown>, at: string, seen: Set<string>, rootOptional = false): { path: string; root: string } {
  const path = checkExportPath(e.path, `${at}.path`);
  if (seen.has(path)) throw new ConfigError(`${at}.path`, `export ${path} is listed twice`);
  seen.add(path);
  if (rootOptional && e.root === undefined) return { path, root: path };
  if (typeof e.root !== 'string' || e.root === '') throw new ConfigError(`${at}.root`, rootOptional ? 'must be a name for the backend\'s tree' : 'must be a directory path');
  return { path, root: e.root };
}

/** Validates `startServer()` options and fills in defaults; errors name the bad property. */
export function parseServerOptions(opts: unknown): ParsedServerOptions {
  if (!isRecord(opts)) throw new ConfigError('', 'options must be an object');
  const known = ['exports', 'port', 'host', 'stateDir', 'portmap', 'portmapPort', 'localio', 'limits', 'metrics', 'locking', 'logger'];
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new ConfigError(k, 'unknown option');
  }
  const port = opts.port === undefined ? DEFAULT_PORT : checkPort(opts.port, 'port');
  const portmapPort = opts.portmapPort === undefined ? 111 : checkPort(opts.portmapPort, 'portmapPort');
  let host = DEFAULT_HOST;
  if (opts.host !== undefined) {
    if (typeof opts.host !== 'string' || opts.host === '') throw new ConfigError('host', 'must be an address to bind');
    host = opts.host;
  }
  let stateDir: string | undefined;
  if (opts.stateDir !== undefined) {
    if (typeof opts.stateDir !== 'string' || opts.stateDir === '') throw new ConfigError('stateDir', 'must be a directory path');
    stateDir = resolve(opts.stateDir);
  }
  let portmap = port !== 0;
  if (opts.portmap !== undefined) {
    if (typeof opts.portmap !== 'boolean') throw new ConfigError('portmap', 'must be a boolean');
    portmap = opts.portmap;
  }
  let localio = DEFAULT_LOCALIO;
  if (opts.localio !== undefined) {
    if (typeof opts.localio !== 'boolean') throw new ConfigError('localio', 'must be a boolean');
    localio = opts.localio;
  }
  if (!Array.isArray(opts.exports) || opts.exports.length === 0) {
    throw new ConfigError('exports', 'must be a non-empty array of { path, root, options? }');
  }
  const seen = new Set<string>();
  let chosen: 'memory' | Backend | undefined;
  const exports: ExportConfig[] = opts.exports.map((e: unknown, i: number) => {
    const at = `exports[${i}]`;
    if (!isRecord(e)) throw new ConfigError(at, 'must be an object { path, root, options?, backend? }');
    for (const k of Object.keys(e)) {
      if (k !== 'path' && k !== 'root' && k !== 'options' && k !== 'backend') throw new ConfigError(`${at}.${k}`, 'unknown export property');
    }
    const b = checkBackend(e.backend, `${at}.backend`);
    // one backend per server: the core, its open-file cache and LOCALIO see one kind of descriptor
    if (i > 0 && b !== chosen) throw new ConfigError(`${at}.backend`, 'every export of one server must use the same backend (start one server per backend)');
    chosen = b;
    const { path, root } = exportPathAndRoot(e, at, seen, b !== undefined);
    const options = parseExportOptionsAt(e.options, `${at}.options`);
    // a backend's tree is named, not a directory of this host: no cwd in it
    return { path, root: b === undefined ? resolve(root) : root, options };
  });
  const backend = chosen === 'memory' ? new MemoryBackend() : chosen;
  const limits = parseLimits(opts.limits, 'limits');
  const locking = parseLockingOptions(opts.locking, (p, m) => new ConfigError(p, m));
  const metrics = opts.metrics === undefined ? null : parseMetricsAddress(opts.metrics, 'metrics');
  return { exports, backend, port, host, stateDir, portmap, portmapPort, localio, limits, metrics, locking, logger: opts.logger as Logger | undefined };
}

/** `"HOST:PORT"`, `"[V6]:PORT"`, `":PORT"`, `"PORT"` or `{ host?, port }` → `{ host, port }` (host defaults to 127.0.0.1). */
export function parseMetricsAddress(v: unknown, property: string): { host: string; port: number } {
  if (isRecord(v)) {
    const host = v.host === undefined ? DEFAULT_HOST : v.host;
    if (typeof host !== 'string' || host === '') throw new ConfigError(`${property}.host`, 'must be an address to bind');
    return { host, port: checkPort(v.port, `${property}.port`) };
  }
  if (typeof v !== 'string') throw new ConfigError(property, 'must be an address such as "127.0.0.1:9464" or { host, port }');
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(v) ?? /^()()(\d{1,5})$/.exec(v);
  if (m === null || Number(m[3]) > 65535) throw new ConfigError(property, `must be HOST:PORT such as "127.0.0.1:${DEFAULT_METRICS_PORT}", got ${JSON.stringify(v)}`);
  const host = m[1] || m[2] || DEFAULT_HOST;
  return { host, port: Number(m[3]) };
}

/** What a config file holds, after validation. */
export interface FileConfig {
  port?: number;
  bind?: string;
  stateDir?: string;
  portmap?: boolean;
  logLevel?: LogLevel;
  limits?: ServerLimits;
  /** `"127.0.0.1:9464"`: serve Prometheus metrics there (`--metrics`) */
  metrics?: { host: string; port: number };
  /** a config file serves directories: each export has its `root` */
  exports: DirectoryExport[];
}

/**
 * Parses the JSON config format (see packages/cli/README.md). Relative `root` and
 * `stateDir` paths are resolved against `baseDir` (the config file's directory).
 */
export function parseConfig(text: string, baseDir: string, file = 'config'): FileConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(raw)) throw new ConfigError('', `${file} must hold a JSON object`);
  const out: FileConfig = { exports: [] };
  for (const k of Object.keys(raw)) {
    if (!['port', 'bind', 'stateDir', 'portmap', 'logLevel', 'limits', 'metrics', 'exports'].includes(k)) throw new ConfigError(k, 'unknown property');
  }
  if (raw.port !== undefined) out.port = checkPort(raw.port, 'port');
  if (raw.bind !== undefined) {
    if (typeof raw.bind !== 'string' || raw.bind === '') throw new ConfigError('bind', 'must be an address');
    out.bind = raw.bind;
  }
  if (raw.stateDir !== undefined) {
    if (typeof raw.stateDir !== 'string' || raw.stateDir === '') throw new ConfigError('stateDir', 'must be a directory path');
    out.stateDir = isAbsolute(raw.stateDir) ? raw.stateDir : resolve(baseDir, raw.stateDir);
  }
  if (raw.portmap !== undefined) {
    if (typeof raw.portmap !== 'boolean') throw new ConfigError('portmap', 'must be true or false');
    out.portmap = raw.portmap;
  }
  if (raw.logLevel !== undefined) {
    if (!(LOG_LEVELS as readonly unknown[]).includes(raw.logLevel)) {
      throw new ConfigError('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
    }
    out.logLevel = raw.logLevel as LogLevel;
  }
  if (raw.limits !== undefined) out.limits = parseLimits(raw.limits, 'limits');
  if (raw.metrics !== undefined) out.metrics = parseMetricsAddress(raw.metrics, 'metrics');
  if (!Array.isArray(raw.exports) || raw.exports.length === 0) {
    throw new ConfigError('exports', 'must be a non-empty array of { "path", "root", "options"?, "clients"? }');
  }
  const seen = new Set<string>();
  raw.exports.forEach((e: unknown, i: number) => {
    const at = `exports[${i}]`;
    if (!isRecord(e)) throw new ConfigError(at, 'must be an object');
    for (const k of Object.keys(e)) {
      if (!['path', 'root', 'options', 'clients'].includes(k)) throw new ConfigError(`${at}.${k}`, 'unknown export property');
    }
    const { path, root } = exportPathAndRoot(e, at, seen);
    if (e.options !== undefined && typeof e.options !== 'string') {
      throw new ConfigError(`${at}.options`, 'must be an exports(5) option string such as "rw,no_root_squash"');
    }
    const options = parseExportOptionsAt(e.options ?? '', `${at}.options`);
    if (e.clients !== undefined) {
      options.clients = checkClients(e.clients, `${at}.clients`);
      parseExportOptionsAt(options, `${at}.clients`);
    }
    out.exports.push({ path, root: isAbsolute(root) ? root : resolve(baseDir, root), options });
  });
  return out;
}

/** Reads and parses a config file; a missing or unreadable file is a ConfigError too. */
export function loadConfigFile(file: string): FileConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError('', `cannot read config file ${file}: ${e.code ?? e.message}`);
  }
  return parseConfig(text, dirname(resolve(file)), file);
}
