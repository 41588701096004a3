/**
 * The server side of LOCALIO: the RPC program (400122 v1: NULL, UUID_IS_LOCAL) and the table
 * the server publishes in the process registry while it listens; clients in other worker
 * threads are bound and served through `RemoteClients` (remote-server.ts).
 *
 * Wiring in a server (see the package README):
 *   const localio = new LocalioServer({ ops, enabled, logger });   // ops: LocalioOps
 *   if (localio.program) rpcServer.register(localio.program);      // disabled → PROG_UNAVAIL
 *   await rpcServer.listen(...); localio.publish();
 *   // close(): first the interlock, then the rest
 *   await localio.shutdown(); await rpcServer.close(); await core.close();
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallContext, Credential, Program, Procedure } from '@nfsts/rpc';
import {
  NFS_LOCALIO_PROGRAM, LOCALIO_V1, LOCALIOPROC_NULL, LOCALIOPROC_UUID_IS_LOCAL, xdr_localio_uuid, xdr_void, type localio_uuid,
} from '@nfsts/xdr';
import {
  getRegistry, beginShutdown, LocalioError, ServerLiveness,
  type ClientEntry, type LocalFile, type LocalFileMode, type LocalioRegistry,
} from '@nfsts/common';
import type { LocalClient, LocalioOps, LocalioTable } from './types.js';
import { RemoteClients } from './remote-server.js';

export interface LocalioProgramOptions {
  registry: LocalioRegistry;
  /** the published table this program binds clients to */
  serverId: string;
  /** false: no program (the caller registers nothing, so the server answers PROG_UNAVAIL) */
  enabled: boolean;
  /** called after a uuid was bound by a call on `ctx`'s connection */
  onBind?: (entry: ClientEntry, ctx: CallContext) => void;
  /** a uuid not in this thread's registry: ask the other threads (resolves once one bound it, or not) */
  claimRemote?: (uuid: Buffer, ctx: CallContext) => Promise<void> | undefined;
}

/**
 * The LOCALIO RPC program, or null when disabled. UUID_IS_LOCAL binds the registry entry with
 * that uuid to the server `serverId` if that server is published (listening, not closing); an
 * unknown uuid changes nothing. The reply is void either way.
 */
export function createLocalioProgram(opts: LocalioProgramOptions): Program | null {
  if (!opts.enabled) return null;
  const { registry, serverId, onBind, claimRemote } = opts;
  const nullProc: Procedure<void, void> = { name: 'NULL', args: xdr_void, res: xdr_void, handler() {} };
  const uuidIsLocal: Procedure<localio_uuid, void> = {
    name: 'UUID_IS_LOCAL',
    args: xdr_localio_uuid,
    res: xdr_void,
    handler(uuid, ctx) {
      if (registry.bind(uuid, serverId)) {
        const entry = registry.find(uuid);
        if (entry && onBind) onBind(entry, ctx);
        ctx.logger.trace({ serverId }, 'LOCALIO client bound');
        return undefined;
      }
      // not a client of this thread: maybe of another thread of this process (the reply waits)
      return registry.find(uuid) === undefined ? claimRemote?.(uuid, ctx) : undefined;
    },
  };
  return {
    prog: NFS_LOCALIO_PROGRAM,
    name: 'localio',
    versions: { [LOCALIO_V1]: { procedures: { [LOCALIOPROC_NULL]: nullProc, [LOCALIOPROC_UUID_IS_LOCAL]: uuidIsLocal } } },
  };
}

export interface LocalioServerOptions {
  ops: LocalioOps;
  /** default true */
  enabled?: boolean;
  /** unique in the process; default a random id */
  serverId?: string;
  /** default: this process's registry */
  registry?: LocalioRegistry;
  /** false: clients in other worker threads are not bound (they go by RPC). Default true */
  acrossThreads?: boolean;
  logger?: Logger;
}

/** One server's LOCALIO: its program, its published table, its liveness and the interlock. */
export class LocalioServer {
  readonly serverId: string;
  readonly enabled: boolean;
  readonly registry: LocalioRegistry;
  /** register this on the RpcServer (null when disabled) */
  readonly program: Program | null;
  readonly table: LocalioTable;
  readonly liveness = new ServerLiveness();
  /** clients in other worker threads of this process (null: `acrossThreads: false`) */
  readonly remote: RemoteClients | null;
  private readonly peers = new WeakMap<ClientEntry, LocalClient>();
  private readonly logger: Logger | undefined;
  private shutdownPromise: Promise<void> | undefined;

  constructor(opts: LocalioServerOptions) {
    if (!opts || typeof opts.ops?.openLocalFh !== 'function') throw new LocalioError('ERR_LOCALIO_BAD_OPTION', 'LocalioServer option "ops": expected { openLocalFh, verifier }');
    if (!Buffer.isBuffer(opts.ops.verifier) || opts.ops.verifier.length !== 8) throw new LocalioError('ERR_LOCALIO_BAD_OPTION', 'LocalioServer option "ops.verifier": expected an 8-byte Buffer');
    if (opts.enabled !== undefined && typeof opts.enabled !== 'boolean') throw new LocalioError('ERR_LOCALIO_BAD_OPTION', 'LocalioServer option "enabled": expected a boolean');
    if (opts.acrossThreads !== undefined && typeof opts.acrossThreads !== 'boolean') throw new LocalioError('ERR_LOCALIO_BAD_OPTION', 'LocalioServer option "acrossThreads": expected a boolean');
    if (opts.serverId !== undefined && (typeof opts.serverId !== 'string' || opts.serverId === '')) throw new LocalioError('ERR_LOCALIO_BAD_OPTION', 'LocalioServer option "serverId": expected a non-empty string');
    this.enabled = opts.enabled ?? true;
    this.serverId = opts.serverId ?? `nfsts-${process.pid}-${randomBytes(8).toString('hex')}`;
    this.registry = opts.registry ?? getRegistry();
    this.logger = opts.logger;
    const ops = opts.ops;
    const liveness = this.liveness;
    const peers = this.peers;
    const verifier = Buffer.from(ops.verifier);
    const table: LocalioTable = {
      kind: 'nfsts.localio.v1',
      serverId: this.serverId,
      liveness,
      verifier,
      openLocalFh(entry: ClientEntry, cred: Credential, fh: Buffer, mode: LocalFileMode): Promise<LocalFile | number> {
        if (liveness.closing) return Promise.reject(new LocalioError('ERR_LOCALIO_SERVER_GONE', 'the server is closing'));
        const peer = peers.get(entry);
        if (entry.boundTo !== table || !peer) return Promise.reject(new LocalioError('ERR_LOCALIO_NOT_BOUND', 'this client is not bound to this server'));
        return ops.openLocalFh(peer, cred, fh, mode);
      },
      callLocal(entry: ClientEntry, prog: number, vers: number, proc: number, args: unknown): Promise<unknown> | undefined {
        if (ops.callLocal === undefined || liveness.closing) return undefined;
        const peer = peers.get(entry);
        if (entry.boundTo !== table || !peer) return undefined;
        return ops.callLocal(peer, prog, vers, proc, args);
      },
    };
    this.table = Object.freeze(table);
    const remote = opts.acrossThreads === false ? null : new RemoteClients(this.table, ops, liveness, this.logger);
    this.remote = remote;
    this.program = createLocalioProgram({
      registry: this.registry,
      serverId: this.serverId,
      enabled: this.enabled,
      onBind: (entry, ctx) => {
        peers.set(entry, {
          entry, remoteAddress: ctx.remoteAddress, remotePort: ctx.remotePort, localPort: ctx.localPort, connectionId: ctx.connectionId,
        });
      },
      ...(remote ? { claimRemote: (uuid: Buffer, ctx: CallContext) => remote.claim(uuid, ctx) } : {}),
    });
  }

  /** Publishes the table (call once the RPC server listens). A no-op when disabled or shut down. */
  publish(): void {
    if (!this.enabled || this.liveness.closing) return;
    this.registry.publish(this.table);
    this.remote?.listen();
    this.logger?.debug({ serverId: this.serverId }, 'LOCALIO published');
  }

  /** Clients bound to this server now (of this thread and of other threads). */
  get localClients(): number {
    return this.registry.clientsOf(this.serverId).length + (this.remote?.clients ?? 0);
  }

  /**
   * The interlock: refuse new local opens, unbind every local client (they drop their cached
   * files and go back to RPC), wait for in-flight local I/O to drain. Call it first in the
   * server's close(), before closing the file cache. Idempotent.
   */
  shutdown(): Promise<void> {
    // other threads first: their closing word is set before this thread's clients unbind
    this.remote?.beginClose();
    this.shutdownPromise ??= beginShutdown(this.registry, this.table, this.liveness).then(async (clients) => {
      // then every grant held for another thread must come back (or its thread be gone)
      await this.remote?.drained();
      this.logger?.debug({ serverId: this.serverId, clients: clients.length }, 'LOCALIO shut down');
    });
    return this.shutdownPromise;
  }
}
