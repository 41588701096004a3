/**
 * `startServer()`: NFSv3 + MOUNT on one port over one or more directories, plus the
 * portmapper (our own on port 111, or registration with a system rpcbind).
 *
 *   const server = await startServer({ exports: [{ path: '/export', root: dir }], port: 0 });
 *   // server.url → nfs://127.0.0.1/export?version=3&nfsport=PORT&mountport=PORT
 *   await server.close();
 */
import { constants as fsConstants } from 'node:fs';
import { ServerFaults } from './faults.js';
import { statSync } from 'node:fs';
import { access, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcServer, type RpcServerStats } from '@nfsts/rpc';
import { LocalioServer } from '@nfsts/localio';
import type { Logger } from 'pino';
import { silentLogger } from '@nfsts/rpc';
import { ServerCore } from './core/index.js';
import type { Export } from './core/index.js';
import { ConfigError, parseServerOptions } from './config.js';
import type { ServerOptions } from './config.js';
import { createMountProgram, MountTable } from './mount/index.js';
import { createNfs3Program } from './nfs3/index.js';
import { startPortmap } from './portmap/index.js';
import { localioOps, type LocalioOpsStats } from './localio-ops.js';
import { LOCKING_SERVICES, startLocking, type LockingService } from './nlm/service.js';
import type { PortmapHandle, PortmapMode } from './portmap/index.js';
import { CallCounters } from './metrics/call-counters.js';
import { ensureStateDir, lockStateDir, StateDirError } from './state-lock.js';
import { createMetricsRegistry } from './metrics/registry.js';
import { serveMetrics, type MetricsEndpoint } from './metrics/http.js';

const kStartError = Symbol.for('nfsts.error.start');

export type StartErrorCode =
  | 'ERR_NFS_ADDR_IN_USE' // the port is taken
  | 'ERR_NFS_LISTEN_PERMISSION' // not allowed to bind the port (e.g. < 1024 without root)
  | 'ERR_NFS_ADDR_NOT_AVAILABLE' // the bind address is not one of this host's
  | 'ERR_NFS_EXPORT_ROOT' // an export directory is missing, not a directory or not accessible
  | 'ERR_NFS_STATE' // the state directory cannot be created or written
  | 'ERR_NFS_STATE_LOCKED' // another server uses the state directory
  | 'ERR_NFS_LISTEN'; // any other listen failure

/** Why `startServer()` failed, in terms a command line can print as one line. */
export class StartError extends Error {
  readonly code: StartErrorCode;
  readonly [kStartError] = true;

  constructor(code: StartErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StartError';
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[kStartError] === true
    );
  }
}

/** One client bound to this server by LOCALIO (it shares this process). */
export interface LocalioClientInfo {
  /** the client's uuid, lower-case hex */
  uuid: string;
  /** the TCP connection that carried its UUID_IS_LOCAL ('' and 0 until the client's first local open) */
  remoteAddress: string;
  remotePort: number;
}

/** `server.localio`: this server's LOCALIO side. */
export interface NfsServerLocalio {
  /** false when started with `localio: false` (the program answers PROG_UNAVAIL) */
  readonly enabled: boolean;
  /** this server's id in the process registry */
  readonly serverId: string;
  /** clients bound to this server now */
  readonly localClients: number;
  clients(): LocalioClientInfo[];
  /** local opens granted and refused (with the nfsstat3 the client then got by RPC), clients now bound, I/O in flight */
  stats(): LocalioOpsStats & { localClients: number; inFlight: number };
}

export interface NfsServer {
  /** The bound NFS/MOUNT port. */
  readonly port: number;
  readonly host: string;
  /** libnfs URL of the first export. */
  readonly url: string;
  /** Linux mount command line for the first export (mounted on /mnt). */
  readonly mountCommand: string;
  readonly exports: ReadonlyArray<{ path: string; root: string; url: string; mountCommand: string }>;
  /**
   * How the portmapper is handled: our own, registered with the system's, or off; and what
   * is registered there (a system rpcbind keeps another server's NFS/MOUNT registrations).
   */
  readonly portmap: { mode: PortmapMode; port: number; registered: ReadonlyArray<{ prog: number; vers: number }> };
  /** The server core (exports, handles), for tests and embedding. */
  readonly core: ServerCore;
  /** LOCALIO: clients in this process that do their READ/WRITE/COMMIT on our descriptors */
  readonly localio: NfsServerLocalio;
  /** The RPC server's limit counters: connections refused and closed by each limit, reply and partial-record bytes charged now. */
  rpcStats(): RpcServerStats;
  /** The `/metrics` endpoint when started with `metrics`, else null. */
  readonly metrics: MetricsEndpoint | null;
  /** NLM + NSM (lock table, grace period, status monitor); null when started with `locking: false` */
  readonly locking: LockingService | null;
  /**
   * Stops accepting, lets in-flight calls reply, unregisters from the portmapper, closes files.
   * LOCALIO goes first: new local opens are refused, local clients are unbound (they go back
   * to RPC) and in-flight local I/O drains before any descriptor is closed.
   */
  close(): Promise<void>;
  /** Fault injection for tests of an application's retry logic (see the README). */
  readonly faults: ServerFaults;
  /** `await using server = await startServer(…)`: close() at the end of the scope */
  [Symbol.asyncDispose](): Promise<void>;
}

function urlHost(host: string): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return h.includes(':') ? `[${h}]` : h;
}

/**
 * libnfs URL: nfs://HOST/export?version=3&nfsport=PORT&mountport=PORT. The ports are query
 * arguments so no portmapper is needed; libnfs (4.0, Debian 12) refuses a port in the
 * authority (`nfs://host:port/...`), so none is put there.
 */
export function nfsUrl(host: string, port: number, exportPath: string): string {
  const path = exportPath.split('/').map(encodeURIComponent).join('/');
  return `nfs://${urlHost(host)}${path}?version=3&nfsport=${port}&mountport=${port}`;
}

/**
 * The Linux mount command for an export. `nolock` unless the server serves NLM and a portmapper
 * tells the client's lockd where it is (the kernel finds NLM only through the portmapper).
 */
export function mountCommandLine(host: string, port: number, exportPath: string, mountpoint = '/mnt', nolock = true): string {
  return `mount -t nfs -o vers=3,proto=tcp,port=${port},mountport=${port}${nolock ? ',nolock' : ''} ${urlHost(host)}:${exportPath} ${mountpoint}`;
}

function listenError(err: unknown, host: string, port: number): StartError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new StartError('ERR_NFS_ADDR_IN_USE', `port ${port} on ${host} is already in use`, err);
  if (code === 'EACCES' || code === 'EPERM') {
    return new StartError('ERR_NFS_LISTEN_PERMISSION', `no permission to listen on ${host} port ${port}${port < 1024 ? ' (ports below 1024 need root)' : ''}`, err);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new StartError('ERR_NFS_ADDR_NOT_AVAILABLE', `cannot bind ${host}: not an address of this host`, err);
  }
  return new StartError('ERR_NFS_LISTEN', `cannot listen on ${host} port ${port}: ${(err as Error).message}`, err);
}

function rootError(err: unknown, root: string): StartError | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new StartError('ERR_NFS_EXPORT_ROOT', `export directory ${root} does not exist`, err);
  if (code === 'ENOTDIR') return new StartError('ERR_NFS_EXPORT_ROOT', `export root ${root} is not a directory`, err);
  if (code === 'EACCES' || code === 'EPERM') return new StartError('ERR_NFS_EXPORT_ROOT', `no permission to access ${root}`, err);
  return undefined;
}

/** Checks every export root before the core opens them, so the error says which one. */
async function checkRoots(roots: string[]): Promise<void> {
  for (const root of roots) {
    try {
      const st = await stat(root);
      if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      await access(root, fsConstants.R_OK | fsConstants.X_OK);
    } catch (err) {
      throw rootError(err, root) ?? err;
    }
  }
}

let rootSquashWarned = false;

/**
 * The usual first surprise of embedding as root (a test runner in a container): root_squash
 * is the default, as in exports(5), so this process's root reaches the export as anonuid and
 * gets EACCES writing into a directory root owns. Keep the safe default, but say so once, in
 * the log and (with no logger given, where the log is silent) as a process warning.
 */
function warnRootSquash(core: ServerCore, logger: Logger, noLogger: boolean): void {
  if (process.getuid?.() !== 0) return;
  for (const e of core.exports) {
    if (e.options.squash !== 'root') continue;
    let st;
    try {
      st = statSync(e.root);
    } catch {
      continue;
    }
    if (st.uid !== 0 || (st.mode & 0o002) !== 0) continue;
    const msg = `export ${e.path}: root_squash (the default, as in exports(5)) maps root to uid ${e.options.anonuid}, `
      + `and ${e.root} belongs to root (mode ${(st.mode & 0o777).toString(8)}): a client running as root, such as this process, `
      + `will get EACCES writing there. For a test export pass options: 'rw,no_root_squash' (or anonuid=0), or chown the directory.`;
    logger.warn({ export: e.path, root: e.root }, msg);
    if (noLogger && !rootSquashWarned) {
      rootSquashWarned = true;
      process.emitWarning(msg, { code: 'NFSTS_ROOT_SQUASH' });
    }
  }
}

/** Starts NFS + MOUNT (+ portmapper). Errors: ConfigError (bad option) or StartError. */
export async function startServer(options: ServerOptions): Promise<NfsServer> {
  const o = parseServerOptions(options);
  const logger: Logger = o.logger ?? silentLogger();
  // a Backend other than the disk names its trees itself
  if (o.backend === undefined) await checkRoots(o.exports.map((e) => e.root));

  let stateDir = o.stateDir;
  let tempState: string | null = null;
  if (stateDir === undefined) {
    tempState = await mkdtemp(join(tmpdir(), 'nfsts-state-'));
    stateDir = tempState;
  }
  const cleanups: Array<() => Promise<void>> = [];
  const runCleanups = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        logger.warn({ err }, 'error while shutting down');
      }
    }
  };
  if (tempState !== null) {
    const dir = tempState;
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
  }

  try {
    try {
      ensureStateDir(stateDir);
      const lock = await lockStateDir(stateDir);
      cleanups.push(async () => lock.release());
    } catch (err) {
      if (err instanceof StateDirError) throw new StartError(err.code, err.message, err);
      throw err;
    }
    let core: ServerCore;
    try {
      core = await ServerCore.open({ exports: o.exports, stateDir, logger, ...(o.backend !== undefined ? { backend: o.backend } : {}) });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code === 'ERR_NFS_BAD_OPTION') throw new ConfigError('exports', e.message ?? String(err));
      throw err;
    }
    cleanups.push(() => core.close());
    if (!core.backend.raceSafe) {
      // an operator must know: without openat2 (Linux 5.8+ and koffi) exports are confined by
      // check-then-use, which a concurrent rename of a directory for a symlink can defeat
      logger.warn({ backend: core.backend.name }, 'exports are NOT confined against concurrent symlink swaps: openat2 through koffi is unavailable here (docs/security.md)');
    }

    const rpc = new RpcServer({ logger, ...o.limits });
    const mounts = new MountTable();
    const faults = new ServerFaults(core, () => rpc.dropConnections());
    const calls = o.metrics === null ? null : new CallCounters();
    const programs = [faults.wrap(createNfs3Program(core, { logger }), true), faults.wrap(createMountProgram(core, { logger, mounts }), false)];
    const ops = localioOps(core);
    // LOCALIO hands clients the backend's descriptors for fs.read/fs.write: a backend whose
    // descriptors are not the process's (the memory backend) cannot serve it, so the program
    // is not offered at all and clients use READ/WRITE/COMMIT by RPC from the start
    const localioOn = o.localio && core.backend.osDescriptors === true;
    if (o.localio && !localioOn) logger.info({ backend: core.backend.name }, 'LOCALIO off: this backend has no process file descriptors to share');
    const localio = new LocalioServer({ ops, enabled: localioOn, logger });
    // disabled: not registered, so the NFS port answers PROG_UNAVAIL for 400122
    if (localio.program) programs.push(localio.program);
    let locking: LockingService | null = null;
    if (o.locking.enabled) {
      const l = startLocking(core, o.locking, stateDir, logger);
      locking = l;
      programs.push(...l.programs);
      // LOCALIO clients lock in-process, through the same table as everyone else
      for (const p of l.programs) ops.serveLocally(p);
      // after the RPC server's close (pushed later, runs earlier): no call can reach the table then
      cleanups.push(() => l.close());
    }
    for (const p of programs) {
      rpc.register(p);
      calls?.addProgram(p);
    }
    rpc.observer = calls;
    // runs (again, idempotently) in the cleanups so a start that fails later withdraws the table
    cleanups.push(() => localio.shutdown());
    let port: number;
    try {
      port = (await rpc.listen(o.port, o.host)).port;
    } catch (err) {
      await rpc.close().catch(() => {});
      throw listenError(err, o.host, o.port);
    }
    cleanups.push(() => rpc.close());
    // once listening: a start that fails says only why it failed
    if (o.backend === undefined) warnRootSquash(core, logger, o.logger === undefined);

    let pm: PortmapHandle | null = null;
    if (o.portmap) {
      pm = await startPortmap({ host: o.host, nfsPort: port, portmapPort: o.portmapPort, logger, extraServices: locking ? LOCKING_SERVICES : [] });
      const handle = pm;
      // Unregister first on close: pushed last, runs first.
      cleanups.push(() => handle.close());
    }

    let metrics: MetricsEndpoint | null = null;
    if (o.metrics !== null && calls !== null) {
      const portmapNow = pm;
      const m = await createMetricsRegistry({
        calls, rpc, core,
        localio: () => ({ opens: ops.stats.opens, refused: ops.stats.refused, localClients: localio.localClients, inFlight: localio.liveness.refs }),
        portmapRegistrations: () => portmapNow?.registered.length ?? 0,
      }, () => localio.serverId);
      cleanups.push(async () => m.close());
      try {
        metrics = await serveMetrics(m.registry, o.metrics.host, o.metrics.port, logger);
      } catch (err) {
        throw listenError(err, o.metrics.host, o.metrics.port);
      }
      const endpoint = metrics;
      cleanups.push(() => endpoint.close());
    }

    const describe = (e: Export): { path: string; root: string; url: string; mountCommand: string } => ({
      path: e.path,
      root: e.root,
      url: nfsUrl(o.host, port, e.path),
      mountCommand: mountCommandLine(o.host, port, e.path, '/mnt', !(locking !== null && pm !== null && pm.mode !== 'off')),
    });
    // the ops table is published only once the server listens (and its portmap is settled)
    localio.publish();
    const localioInfo: NfsServerLocalio = {
      enabled: localio.enabled,
      serverId: localio.serverId,
      get localClients() {
        return localio.localClients;
      },
      clients() {
        return localio.registry.clientsOf(localio.serverId).map((e) => {
          const peer = ops.peerOf(e);
          return { uuid: e.key, remoteAddress: peer?.remoteAddress ?? '', remotePort: peer?.remotePort ?? 0 };
        });
      },
      stats() {
        return { ...ops.stats, refusedByStatus: { ...ops.stats.refusedByStatus }, localClients: localio.localClients, inFlight: localio.liveness.refs };
      },
    };
    const exports = core.exports.map(describe);
    const first = exports[0] as { url: string; mountCommand: string };
    logger.info({ host: o.host, port, exports: exports.map((e) => e.path), portmap: pm?.mode ?? 'off' }, 'nfsts server listening');

    let closing: Promise<void> | null = null;
    const server: NfsServer = {
      port,
      host: o.host,
      url: first.url,
      mountCommand: first.mountCommand,
      exports,
      portmap: { mode: pm?.mode ?? 'off', port: pm?.port ?? 0, registered: pm?.registered ?? [] },
      core,
      localio: localioInfo,
      rpcStats: () => rpc.stats(),
      metrics,
      locking,
      faults,
      close(): Promise<void> {
        // the LOCALIO interlock first: otherwise the file cache's close waits on references
        // that local clients hold, and a descriptor could be closed under local I/O
        closing ??= localio.shutdown()
          .catch((err: unknown) => logger.warn({ err }, 'LOCALIO shutdown failed'))
          .then(() => runCleanups())
          .then(() => logger.info('nfsts server closed'));
        return closing;
      },
      [Symbol.asyncDispose](): Promise<void> {
        return server.close();
      },
    };
    return server;
  } catch (err) {
    await runCleanups();
    throw err;
  }
}
