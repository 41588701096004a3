/**
 * The process-wide LOCALIO registry (Linux's `nfs_common`: the `nfs_uuids` list, each
 * server's `local_clients`, and the `nfs_to` ops table), kept on `globalThis` under
 * `Symbol.for('nfsts.localio.registry')` so that two installed copies of this package share
 * one. The object carries its own methods and a `version`: whichever copy comes first creates
 * it, later copies use it through this interface. A worker thread has its own `globalThis`
 * and therefore its own registry; a server of another thread reaches it only by asking over a
 * BroadcastChannel, and binds it through a stand-in table published here (see
 * @nfsts/localio remote-client.ts / remote-server.ts).
 *
 * Client side: `begin(uuid)` adds an entry before the probe; after the UUID_IS_LOCAL reply the
 * client is local only if `entry.boundTo` is set; `end(entry)` removes it (client close).
 * Server side: `publish(table)` on listen, `bind(uuid, serverId)` from UUID_IS_LOCAL,
 * `withdraw(table)` on close (unbinds every client bound to it, calling their unbind
 * listeners synchronously). A client reaches a server only through `entry.boundTo`.
 */
import { LocalioError } from './errors.js';
import type { Liveness } from './liveness.js';
import { channels } from './diagnostics.js';

export const LOCALIO_REGISTRY_KEY: unique symbol = Symbol.for('nfsts.localio.registry') as never;
export const LOCALIO_REGISTRY_VERSION = 1;
export const LOCALIO_UUID_BYTES = 16;

/** What a server publishes. `@nfsts/localio` extends it with the ops (`openLocalFh`, `verifier`). */
export interface ServerTable {
  /** unique among the servers published in this process */
  readonly serverId: string;
  readonly liveness: Liveness;
}

export type UnbindReason = 'shutdown' | 'end' | 'unbind';
export type UnbindListener = (entry: ClientEntry, server: ServerTable, reason: UnbindReason) => void;

/** A client's uuid entry (Linux's `nfs_uuid_t`). */
export interface ClientEntry {
  readonly uuid: Buffer;
  /** lower-case hex of the uuid */
  readonly key: string;
  /** the server that bound this entry, until it unbinds it (server close) or the entry ends */
  boundTo: ServerTable | null;
  /** bumped on every bind and unbind: a holder compares it to detect a change across an await */
  generation: number;
  /** removed from the registry */
  ended: boolean;
  /** called synchronously when the entry is unbound (the client drops its cached local files) */
  readonly unbindListeners: Set<UnbindListener>;
}

export interface LocalioRegistry {
  readonly version: 1;
  /** Adds a client entry for `uuid` (16 bytes; copied). Throws on a duplicate or a bad size. */
  begin(uuid: Buffer): ClientEntry;
  /** Unbinds (reason 'end') and removes the entry. Idempotent. */
  end(entry: ClientEntry): void;
  find(uuid: Buffer): ClientEntry | undefined;
  /**
   * UUID_IS_LOCAL: binds the unbound entry with this uuid to the published server `serverId`.
   * Returns true when the entry is now bound to that server. An unknown uuid, an entry bound
   * elsewhere, or a server not published (not listening, or closing) change nothing.
   */
  bind(uuid: Buffer, serverId: string): boolean;
  /** Unbinds one entry (listeners run). */
  unbind(entry: ClientEntry, reason?: UnbindReason): void;
  /** Registers an unbind listener; returns its remover. */
  onUnbind(entry: ClientEntry, listener: UnbindListener): () => void;
  /** Publishes a server's table. Throws ERR_LOCALIO_DUPLICATE if the id is taken. */
  publish(table: ServerTable): void;
  /** Withdraws a server's table and unbinds every client bound to it (reason 'shutdown'). Returns those entries. */
  withdraw(table: ServerTable): ClientEntry[];
  server(serverId: string): ServerTable | undefined;
  clientsOf(serverId: string): ClientEntry[];
  clientCount(): number;
  serverCount(): number;
}

function createRegistryV1(): LocalioRegistry {
  const clients = new Map<string, ClientEntry>();
  const servers = new Map<string, { table: ServerTable; bound: Set<ClientEntry> }>();

  function keyOf(uuid: Buffer): string {
    if (!((uuid as unknown) instanceof Uint8Array)) throw new LocalioError('ERR_LOCALIO_BAD_UUID', 'uuid: expected a Buffer');
    if (uuid.length !== LOCALIO_UUID_BYTES) throw new LocalioError('ERR_LOCALIO_BAD_UUID', `uuid: expected ${LOCALIO_UUID_BYTES} bytes, got ${uuid.length}`);
    return Buffer.from(uuid.buffer, uuid.byteOffset, uuid.byteLength).toString('hex');
  }

  function unbind(entry: ClientEntry, reason: UnbindReason = 'unbind'): void {
    const server = entry.boundTo;
    if (!server) return;
    servers.get(server.serverId)?.bound.delete(entry);
    entry.boundTo = null;
    entry.generation++;
    if (channels.unbind.hasSubscribers) channels.unbind.publish({ serverId: server.serverId, uuid: entry.key, reason });
    for (const l of [...entry.unbindListeners]) {
      try {
        l(entry, server, reason);
      } catch {
        // a listener's failure must not stop a server from closing
      }
    }
  }

  const registry: LocalioRegistry = {
    version: 1,
    begin(uuid) {
      const key = keyOf(uuid);
      if (clients.has(key)) throw new LocalioError('ERR_LOCALIO_DUPLICATE', `uuid ${key} is already registered`);
      const entry: ClientEntry = {
        uuid: Buffer.from(uuid), key, boundTo: null, generation: 0, ended: false, unbindListeners: new Set(),
      };
      clients.set(key, entry);
      return entry;
    },
    end(entry) {
      if (entry.ended) return;
      unbind(entry, 'end');
      entry.ended = true;
      entry.unbindListeners.clear();
      if (clients.get(entry.key) === entry) clients.delete(entry.key);
    },
    find(uuid) {
      return clients.get(keyOf(uuid));
    },
    bind(uuid, serverId) {
      let key: string;
      try {
        key = keyOf(uuid);
      } catch {
        return false;
      }
      const entry = clients.get(key);
      const s = servers.get(serverId);
      if (!entry || !s || s.table.liveness.closing) return false;
      if (entry.boundTo) return entry.boundTo === s.table;
      entry.boundTo = s.table;
      entry.generation++;
      s.bound.add(entry);
      if (channels.bind.hasSubscribers) channels.bind.publish({ serverId, uuid: key });
      return true;
    },
    unbind,
    onUnbind(entry, listener) {
      entry.unbindListeners.add(listener);
      return () => { entry.unbindListeners.delete(listener); };
    },
    publish(table) {
      const cur = servers.get(table.serverId);
      if (cur) {
        if (cur.table === table) return;
        throw new LocalioError('ERR_LOCALIO_DUPLICATE', `a server with id ${table.serverId} is already published`);
      }
      servers.set(table.serverId, { table, bound: new Set() });
      if (channels.publish.hasSubscribers) channels.publish.publish({ serverId: table.serverId });
    },
    withdraw(table) {
      const s = servers.get(table.serverId);
      if (!s || s.table !== table) return [];
      servers.delete(table.serverId);
      const bound = [...s.bound];
      for (const e of bound) unbind(e, 'shutdown');
      if (channels.withdraw.hasSubscribers) channels.withdraw.publish({ serverId: table.serverId, clients: bound.length });
      return bound;
    },
    server(serverId) {
      return servers.get(serverId)?.table;
    },
    clientsOf(serverId) {
      const s = servers.get(serverId);
      return s ? [...s.bound] : [];
    },
    clientCount() {
      return clients.size;
    },
    serverCount() {
      return servers.size;
    },
  };
  return Object.freeze(registry);
}

/**
 * The registry of this process (this thread, for worker threads), created on first use.
 * Throws ERR_LOCALIO_REGISTRY_VERSION if another copy installed an incompatible one.
 */
export function getRegistry(): LocalioRegistry {
  const g = globalThis as unknown as Record<symbol, unknown>;
  const cur = g[LOCALIO_REGISTRY_KEY] as { version?: unknown } | undefined;
  if (cur === undefined) {
    const r = createRegistryV1();
    Object.defineProperty(g, LOCALIO_REGISTRY_KEY, { value: r, enumerable: false, configurable: false, writable: false });
    return r;
  }
  if (typeof cur !== 'object' || cur === null || cur.version !== LOCALIO_REGISTRY_VERSION) {
    throw new LocalioError('ERR_LOCALIO_REGISTRY_VERSION',
      `the LOCALIO registry on globalThis has version ${String(cur?.version)}; this copy of @nfsts/common speaks ${LOCALIO_REGISTRY_VERSION}`);
  }
  return cur as LocalioRegistry;
}
