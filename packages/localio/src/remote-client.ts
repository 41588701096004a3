/**
 * The client thread's side of LOCALIO across threads. A server in another thread that gets a
 * UUID_IS_LOCAL for a uuid it cannot find asks every thread (`bind` on the hub). This thread,
 * if that uuid is in its registry, publishes a stand-in for that server's table there (a
 * `LocalioTable` whose operations are messages to the server's thread), binds the entry to it
 * and answers `bound`; the server replies to the RPC only after that answer, so the client
 * sees its entry bound when the reply arrives. The transport then works unchanged: it cannot
 * tell the stand-in from a table of its own thread.
 *
 * References: a granted file is held in the server's thread, on this thread's behalf, until
 * this thread's last `put()` of its `RemoteFile` (which posts `release`); this thread does its
 * I/O on its own reopened descriptor of that file, which nothing but that put() closes. The
 * server's liveness is one shared word (`closing`), and an unconditional grant's re-check
 * another (its file dropped), both read with `Atomics.load`.
 *
 * A server thread that dies without closing: checked every DEFAULT_THREAD_CHECK_MS while this
 * thread is bound anywhere; the stand-in is withdrawn (clients unbind as on a shutdown and go
 * back to RPC, which then fails as RPC to a dead server fails) and pending opens are refused.
 */
import fs from 'node:fs';
import { BroadcastChannel } from 'node:worker_threads';
import type { Credential } from '@nfsts/rpc';
import {
  currentThreadKey, getRegistry, LocalioError, threadAlive,
  type ClientEntry, type LocalFile, type LocalFileMode, type LocalioRegistry, type Liveness,
} from '@nfsts/common';
import type { LocalioTable } from './types.js';
import {
  CLOSING, DEFAULT_THREAD_CHECK_MS, HUB_CHANNEL, serverChannel, threadChannel,
  type BindMsg, type GrantAttrs, type HelloMsg, type ToServer, type ToThread,
} from './thread-wire.js';

const HUB_KEY = Symbol.for('nfsts.localio.remote-client.v1');

interface Pending {
  /** what the open asked for: our own descriptor is opened so, whatever the server's shared one allows */
  mode: LocalFileMode;
  resolve(f: LocalFile | number): void;
  reject(err: unknown): void;
}

/** A server of another thread, as this thread sees it. */
class RemoteServer {
  readonly table: LocalioTable;
  readonly serverThread: string;
  readonly shared: Int32Array;
  readonly out: BroadcastChannel;
  readonly pending = new Map<number, Pending>();
  withdrawn = false;
  /** RemoteFiles not yet released: the channel stays open for their release after a withdraw */
  files = 0;

  constructor(private readonly hub: ClientHub, readonly registry: LocalioRegistry, msg: BindMsg) {
    this.serverThread = msg.serverThread;
    this.shared = new Int32Array(msg.shared);
    this.out = new BroadcastChannel(serverChannel(msg.serverId));
    this.out.unref();
    const shared = this.shared;
    let refs = 0;
    const liveness: Liveness = {
      tryGet() {
        if (Atomics.load(shared, CLOSING) !== 0) return false;
        refs++;
        return true;
      },
      put() { refs--; },
      get closing() { return Atomics.load(shared, CLOSING) !== 0; },
      get refs() { return refs; },
    };
    const self = this;
    const table: LocalioTable = {
      kind: 'nfsts.localio.v1',
      serverId: msg.serverId,
      liveness,
      verifier: Buffer.from(msg.verifier),
      openLocalFh(entry: ClientEntry, cred: Credential, fh: Buffer, mode: LocalFileMode): Promise<LocalFile | number> {
        if (liveness.closing || self.withdrawn) return Promise.reject(new LocalioError('ERR_LOCALIO_SERVER_GONE', 'the server is closing'));
        if (entry.boundTo !== table) return Promise.reject(new LocalioError('ERR_LOCALIO_NOT_BOUND', 'this client is not bound to this server'));
        return self.open(entry, cred, fh, mode);
      },
    };
    this.table = Object.freeze(table);
  }

  post(msg: ToServer): void {
    try {
      this.out.postMessage(msg);
    } catch {
      // the channel is closed: the server is gone, its references went with its thread
    }
  }

  private open(entry: ClientEntry, cred: Credential, fh: Buffer, mode: LocalFileMode): Promise<LocalFile | number> {
    const id = this.hub.nextId++;
    return new Promise<LocalFile | number>((resolve, reject) => {
      this.pending.set(id, { mode, resolve, reject });
      this.post({ t: 'open', id, uuid: entry.key, thread: this.hub.thread, cred, fh: new Uint8Array(fh), mode });
    });
  }

  /** The server went away: unbind its clients (reason 'shutdown') and fail the opens in flight. */
  withdraw(): void {
    if (this.withdrawn) return;
    this.withdrawn = true;
    this.registry.withdraw(this.table);
    for (const p of this.pending.values()) p.reject(new LocalioError('ERR_LOCALIO_SERVER_GONE', 'the server is closing'));
    this.pending.clear();
    if (this.files === 0) this.out.close();
  }

  released(grant: number): void {
    this.post({ t: 'release', grant });
    if (--this.files === 0 && this.withdrawn) this.out.close();
  }
}

/**
 * A file a server of another thread granted us. The server holds its file for us until our
 * last put(). We do our I/O on a descriptor of our own: the server's, reopened through
 * `/proc/self/fd` once per grant (the same open file, checked by dev and ino), so no number
 * we use can be closed and reused by another thread: only our last put() closes it (then the
 * release), and Node closes it if this thread ends first. (The server's own number would be
 * closed by Node if the server's thread ended without close(), and reused meanwhile.)
 *
 * `dropped` (asked before every use): the server closing or gone; for an unconditional grant
 * (root after squashing: the server's check cannot depend on mode or owner) the word the
 * server's thread sets when its file is dropped, one `Atomics.load`, as the server's own
 * `LocalGrant` then asks its file alone; for any other grant one fstat, as `LocalGrant` does:
 * a mode or owner other than what the server's check saw, no link left (removed or renamed
 * over), or another file drops it, and the next open asks the server again.
 */
class RemoteFile implements LocalFile {
  readonly fd: number;
  private refs = 1;
  private revoked = false;
  private readonly watch: Int32Array | null;

  constructor(private readonly server: RemoteServer, private readonly grant: number, serverFd: number, readonly mode: LocalFileMode,
    private readonly attrs: GrantAttrs, watch: SharedArrayBuffer | null) {
    this.fd = reopen(serverFd, mode, attrs);
    this.watch = watch === null ? null : new Int32Array(watch);
    server.files++;
  }

  get dropped(): boolean {
    if (this.revoked) return true;
    if (Atomics.load(this.server.shared, CLOSING) !== 0 || this.server.withdrawn) return (this.revoked = true);
    const w = this.watch;
    if (w !== null) return Atomics.load(w, 0) !== 0 && (this.revoked = true);
    let st: fs.Stats;
    try {
      st = fs.fstatSync(this.fd);
    } catch {
      return (this.revoked = true);
    }
    const a = this.attrs;
    if (st.nlink === 0 || st.mode !== a[0] || st.uid !== a[1] || st.gid !== a[2] || st.ino !== a[4] || st.dev !== a[3]) this.revoked = true;
    return this.revoked;
  }

  get(): LocalFile {
    if (this.refs <= 0) throw new LocalioError('ERR_LOCALIO_REFCOUNT', 'get() on a released LocalFile');
    this.refs++;
    return this;
  }

  put(): void {
    if (this.refs <= 0) throw new LocalioError('ERR_LOCALIO_REFCOUNT', 'LocalFile.put() without a matching get()');
    if (--this.refs !== 0) return;
    // nothing of ours uses it now (in-flight operations hold references): close ours, then let the server put its file
    try {
      fs.closeSync(this.fd);
    } catch {
      // nothing to do: it was ours alone
    }
    this.server.released(this.grant);
  }
}

/** Our own descriptor for the server's `fd`: the same open file (checked by dev and ino), in `mode` (what the open asked for). Throws. */
function reopen(fd: number, mode: LocalFileMode, attrs: GrantAttrs): number {
  const own = fs.openSync(`/proc/self/fd/${fd}`, mode === 'rw' ? fs.constants.O_RDWR : fs.constants.O_RDONLY);
  try {
    const st = fs.fstatSync(own);
    if (st.dev !== attrs[3] || st.ino !== attrs[4]) throw new LocalioError('ERR_LOCALIO_OPEN', 'the granted descriptor names another file');
  } catch (err) {
    fs.closeSync(own);
    throw err;
  }
  return own;
}

class ClientHub {
  readonly thread: string;
  nextId = 1;
  private readonly registries = new Set<LocalioRegistry>();
  private readonly servers = new Map<string, RemoteServer>();
  private readonly hub: BroadcastChannel;
  private readonly inbox: BroadcastChannel;
  private timer: NodeJS.Timeout | null = null;

  constructor(thread: string) {
    this.thread = thread;
    this.hub = new BroadcastChannel(HUB_CHANNEL);
    this.hub.unref();
    this.hub.onmessage = (ev) => this.onBind((ev as MessageEvent).data as BindMsg);
    this.inbox = new BroadcastChannel(threadChannel(thread));
    this.inbox.unref();
    this.inbox.onmessage = (ev) => this.onReply((ev as MessageEvent).data as ToThread);
  }

  /** Before every probe: servers (also those started since the last probe) learn a thread may claim a uuid. */
  hello(): void {
    this.hub.postMessage({ t: 'hello', thread: this.thread } satisfies HelloMsg);
  }

  attach(registry: LocalioRegistry): void {
    this.registries.add(registry);
  }

  private onBind(msg: BindMsg): void {
    if (msg?.t !== 'bind' || msg.serverThread === this.thread) return;
    const uuid = Buffer.from(msg.uuid, 'hex');
    for (const registry of this.registries) {
      const entry = registry.find(uuid);
      if (!entry || entry.boundTo) continue;
      let s = this.servers.get(msg.serverId);
      if (s && (s.withdrawn || s.registry !== registry)) s = undefined;
      if (!s) {
        if (registry.server(msg.serverId)) return; // a table of this very thread has that id: not ours to shadow
        s = new RemoteServer(this, registry, msg);
        registry.publish(s.table);
        this.servers.set(msg.serverId, s);
        this.watch();
      }
      if (!registry.bind(uuid, msg.serverId)) return;
      const server = s;
      registry.onUnbind(entry, (_e, _t, reason) => {
        // the client let go (not the server): the server forgets this uuid
        if (reason !== 'shutdown') server.post({ t: 'end', uuid: msg.uuid });
      });
      server.post({ t: 'bound', reqId: msg.reqId, uuid: msg.uuid, thread: this.thread });
      return;
    }
  }

  private onReply(msg: ToThread): void {
    if (msg?.t === 'shutdown') {
      this.servers.get(msg.serverId)?.withdraw();
      this.servers.delete(msg.serverId);
      return;
    }
    if (msg?.t === 'unbind') {
      const s = this.servers.get(msg.serverId);
      const entry = s?.registry.find(Buffer.from(msg.uuid, 'hex'));
      if (s && entry && entry.boundTo === s.table) s.registry.unbind(entry, 'unbind');
      return;
    }
    for (const s of this.servers.values()) {
      const p = s.pending.get(msg.id);
      if (!p) continue;
      s.pending.delete(msg.id);
      if (msg.t === 'opened') {
        let f: RemoteFile;
        try {
          // a read grant may come on the server's read-write descriptor (its cache shares one): ours is read-only then
          f = new RemoteFile(s, msg.grant, msg.fd, p.mode === 'r' ? 'r' : msg.mode, msg.attrs, msg.watch ?? null);
        } catch (err) {
          s.post({ t: 'release', grant: msg.grant });
          p.reject(new LocalioError('ERR_LOCALIO_OPEN', `reopening the granted descriptor failed: ${(err as { code?: string }).code ?? String(err)}`));
          return;
        }
        p.resolve(f);
      } else if (msg.t === 'refused') p.resolve(msg.status);
      else p.reject(new LocalioError(msg.code === 'ERR_LOCALIO_SERVER_GONE' ? 'ERR_LOCALIO_SERVER_GONE' : 'ERR_LOCALIO_OPEN', `remote open failed: ${msg.code}`));
      return;
    }
    // an open answered after its server was withdrawn here: give the grant straight back
    if (msg.t === 'opened') {
      const ch = new BroadcastChannel(serverChannel(msg.serverId));
      ch.postMessage({ t: 'release', grant: msg.grant } satisfies ToServer);
      ch.close();
    }
  }

  /** While bound to another thread's server: notice that thread dying. */
  private watch(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const [id, s] of this.servers) {
        if (s.withdrawn || !threadAlive(s.serverThread)) {
          s.withdraw();
          this.servers.delete(id);
        }
      }
      if (this.servers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    }, DEFAULT_THREAD_CHECK_MS);
    this.timer.unref();
  }
}

/**
 * Lets servers of other threads bind the entries of `registry` (the probe calls it before
 * it begins an entry). A no-op where threads cannot be checked (see `currentThreadKey`).
 */
export function acceptRemoteBinds(registry: LocalioRegistry = getRegistry()): void {
  const g = globalThis as unknown as Record<symbol, ClientHub | undefined>;
  let hub = g[HUB_KEY];
  if (hub === undefined) {
    const thread = currentThreadKey();
    if (thread === null) return;
    hub = new ClientHub(thread);
    Object.defineProperty(g, HUB_KEY, { value: hub, enumerable: false, configurable: false, writable: false });
  }
  hub.attach(registry);
  hub.hello();
}
