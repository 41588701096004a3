/**
 * The server thread's side of LOCALIO across threads (see remote-client.ts for the client's).
 *
 * UUID_IS_LOCAL for a uuid this thread's registry lacks: `claim()` asks every thread (`bind`
 * on the hub, with this server's shared word and verifier) and waits for `bound` from the
 * thread holding it, at most DEFAULT_REMOTE_BIND_TIMEOUT_MS; only then does the RPC reply, so
 * the proof is still "the server saw my nonce in memory we share".
 *
 * Opens: decided here, in the server's thread, by the same `ops.openLocalFh` (handle, export,
 * squash and permission checks) with the probing connection as the peer, under a liveness
 * reference. The granted `LocalFile` is kept here, on the client thread's behalf, until that
 * thread posts `release`: its descriptor cannot close while the other thread may use it.
 *
 * Shutdown (the interlock across threads): `beginClose()` sets the shared closing word (no
 * thread starts a new local operation) and tells every client thread (`shutdown`: they unbind,
 * drop their files and release them); `drained()` resolves once every grant is released, or
 * put here because its thread is gone (checked every CLOSE_THREAD_CHECK_MS while waiting, and
 * every DEFAULT_THREAD_CHECK_MS while grants are held or clients bound: a terminated worker
 * leaves no descriptor and no client record).
 */
import fs from 'node:fs';
import { BroadcastChannel } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { CallContext, Credential } from '@nfsts/rpc';
import {
  currentThreadKey, threadAlive, type ClientEntry, type LocalFile, type LocalFileMode, type ServerLiveness,
} from '@nfsts/common';
import type { LocalClient, LocalioOps, LocalioTable } from './types.js';
import {
  CLOSE_THREAD_CHECK_MS, CLOSING, DEFAULT_REMOTE_BIND_TIMEOUT_MS, DEFAULT_THREAD_CHECK_MS, HUB_CHANNEL, SHARED_WORDS,
  serverChannel, threadChannel, type GrantAttrs, type HelloMsg, type OpenMsg, type ToServer, type ToThread,
} from './thread-wire.js';

interface Peer {
  client: LocalClient;
  thread: string;
}

interface Grant {
  file: LocalFile;
  thread: string;
  /** removes the drop watcher of an unconditional grant */
  unwatch: (() => void) | null;
}

/** What the LocalGrant of @nfsts/server exposes beyond LocalFile (optional: other ops tables may lack it). */
interface GrantInfo {
  /** the mode, uid and gid its check passed (null before the first check) */
  readonly checked?: readonly [number, number, number] | null;
  /** its check passes whatever the attributes: `dropped` depends on the server's file alone */
  readonly unconditional?: boolean;
  /** calls `fn` once when the server's file is dropped; returns the remover */
  onDropped?(fn: () => void): () => void;
}

function afterTwoTurns(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

export class RemoteClients {
  readonly thread: string | null;
  private readonly shared = new Int32Array(new SharedArrayBuffer(SHARED_WORDS * 4));
  private readonly peers = new Map<string, Peer>();
  private readonly grants = new Map<number, Grant>();
  private readonly binding = new Map<number, (thread: string) => void>();
  private readonly outs = new Map<string, BroadcastChannel>();
  private hub: BroadcastChannel | null = null;
  private inbox: BroadcastChannel | null = null;
  private nextId = 1;
  /** client threads that said hello (0: no other thread can hold a uuid yet) */
  private clientThreads = 0;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly table: LocalioTable, private readonly ops: LocalioOps, private readonly liveness: ServerLiveness,
    private readonly logger: Logger | undefined, private readonly bindTimeoutMs = DEFAULT_REMOTE_BIND_TIMEOUT_MS) {
    this.thread = currentThreadKey();
  }

  /** Grants held for other threads (each one an open reference on a server file). */
  get held(): number {
    return this.grants.size;
  }

  /** Clients of other threads bound to this server. */
  get clients(): number {
    return this.peers.size;
  }

  /** Starts answering other threads (call on publish). */
  listen(): void {
    if (this.thread === null || this.inbox || this.closing) return;
    this.hub = new BroadcastChannel(HUB_CHANNEL);
    this.hub.unref();
    this.hub.onmessage = (ev) => { if (((ev as MessageEvent).data as HelloMsg | undefined)?.t === 'hello') this.clientThreads++; };
    this.inbox = new BroadcastChannel(serverChannel(this.table.serverId));
    this.inbox.unref();
    this.inbox.onmessage = (ev) => this.onMessage((ev as MessageEvent).data as ToServer);
  }

  /**
   * UUID_IS_LOCAL for a uuid not in this thread's registry: resolves once another thread has
   * bound it (or after the timeout: not local). Never rejects.
   */
  claim(uuid: Buffer, ctx: CallContext): Promise<void> | undefined {
    if (this.hub === null || this.closing || this.thread === null) return undefined;
    // the argument is a view of the received record, valid only until this handler's first await
    uuid = Buffer.from(uuid);
    // a thread's hello is posted before its first probe is sent, so it is queued here by now;
    // two turns of this loop deliver it. None: a client of another process, answered at once
    if (this.clientThreads === 0) return afterTwoTurns().then(() => (this.clientThreads === 0 ? undefined : this.ask(uuid, ctx)));
    return this.ask(uuid, ctx);
  }

  private ask(uuid: Buffer, ctx: CallContext): Promise<void> | undefined {
    const hub = this.hub;
    if (hub === null || this.closing) return undefined;
    const reqId = this.nextId++;
    const copy = uuid;
    const key = copy.toString('hex');
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.binding.delete(reqId); resolve(); }, this.bindTimeoutMs);
      this.binding.set(reqId, (thread) => {
        clearTimeout(timer);
        this.binding.delete(reqId);
        if (this.closing) { // bound after close() told the other threads: tell this one too
          this.reply(thread, { t: 'shutdown', serverId: this.table.serverId });
          resolve();
          return;
        }
        const entry: ClientEntry = {
          uuid: copy, key, boundTo: this.table, generation: 1, ended: false, unbindListeners: new Set(),
        };
        this.peers.set(key, {
          thread,
          client: { entry, remoteAddress: ctx.remoteAddress, remotePort: ctx.remotePort, localPort: ctx.localPort, connectionId: ctx.connectionId },
        });
        this.out(thread);
        this.watch();
        ctx.logger.trace({ serverId: this.table.serverId, thread }, 'LOCALIO client of another thread bound');
        resolve();
      });
      hub.postMessage({
        t: 'bind', reqId, uuid: key, serverId: this.table.serverId, serverThread: this.thread!, shared: this.shared.buffer as SharedArrayBuffer,
        verifier: new Uint8Array(this.table.verifier),
      });
    });
  }

  private out(thread: string): BroadcastChannel {
    let ch = this.outs.get(thread);
    if (!ch) {
      ch = new BroadcastChannel(threadChannel(thread));
      ch.unref();
      this.outs.set(thread, ch);
    }
    return ch;
  }

  private reply(thread: string, msg: ToThread): void {
    this.out(thread).postMessage(msg);
  }

  private onMessage(msg: ToServer): void {
    switch (msg?.t) {
      case 'bound': {
        const done = this.binding.get(msg.reqId);
        if (done) done(msg.thread);
        else this.reply(msg.thread, { t: 'unbind', serverId: this.table.serverId, uuid: msg.uuid });
        return;
      }
      case 'open':
        void this.open(msg);
        return;
      case 'release': {
        const g = this.grants.get(msg.grant);
        if (!g) return;
        this.grants.delete(msg.grant);
        this.putGrant(g);
        return;
      }
      case 'end':
        this.peers.delete(msg.uuid);
        return;
      default:
    }
  }

  private putGrant(g: Grant): void {
    g.unwatch?.();
    g.unwatch = null;
    try {
      g.file.put();
    } catch (err) {
      this.logger?.warn({ err }, 'LOCALIO: putting a grant of another thread failed');
    }
    if (this.grants.size === 0 && this.drainWaiters.length > 0) {
      const w = this.drainWaiters;
      this.drainWaiters = [];
      for (const f of w) f();
    }
  }

  /** An open asked by another thread: the same checks as this thread's clients get. */
  private async open(msg: OpenMsg): Promise<void> {
    const peer = this.peers.get(msg.uuid);
    if (!peer || peer.thread !== msg.thread) {
      this.reply(msg.thread, { t: 'failed', id: msg.id, code: 'ERR_LOCALIO_NOT_BOUND' });
      return;
    }
    if (this.closing || !this.liveness.tryGet()) {
      this.reply(msg.thread, { t: 'failed', id: msg.id, code: 'ERR_LOCALIO_SERVER_GONE' });
      return;
    }
    try {
      let r: LocalFile | number;
      try {
        r = await this.ops.openLocalFh(peer.client, msg.cred as Credential, Buffer.from(msg.fh.buffer, msg.fh.byteOffset, msg.fh.byteLength), msg.mode as LocalFileMode);
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        this.reply(msg.thread, { t: 'failed', id: msg.id, code: typeof code === 'string' ? code : 'ERR_LOCALIO_OPEN' });
        return;
      }
      if (typeof r === 'number') {
        this.reply(msg.thread, { t: 'refused', id: msg.id, status: r });
        return;
      }
      // closing began meanwhile, or the grant's first check (which records what it saw) refused it
      if (this.closing || r.dropped) {
        r.put();
        this.reply(msg.thread, { t: 'failed', id: msg.id, code: this.closing ? 'ERR_LOCALIO_SERVER_GONE' : 'ERR_LOCALIO_OPEN' });
        return;
      }
      const st = fs.fstatSync(r.fd);
      const info = r as GrantInfo;
      const checked = info.checked ?? [st.mode, st.uid, st.gid];
      const attrs: GrantAttrs = [checked[0], checked[1], checked[2], st.dev, st.ino];
      // an unconditional grant is dropped only with the server's file: the client thread reads
      // a word this thread sets then, instead of an fstat per use (as dear as a 4 KiB read)
      let watch: SharedArrayBuffer | null = null;
      let unwatch: (() => void) | null = null;
      if (info.unconditional === true && typeof info.onDropped === 'function') {
        const sab = new SharedArrayBuffer(4);
        const word = new Int32Array(sab);
        unwatch = info.onDropped(() => { Atomics.store(word, 0, 1); });
        watch = sab;
      }
      const grant = this.nextId++;
      this.grants.set(grant, { file: r, thread: msg.thread, unwatch });
      this.watch();
      this.reply(msg.thread, { t: 'opened', id: msg.id, serverId: this.table.serverId, grant, fd: r.fd, mode: r.mode, attrs, watch });
    } finally {
      this.liveness.put();
    }
  }

  /** Puts the grants of threads that are gone; true when some were. */
  private reap(): boolean {
    let reaped = false;
    const dead = new Map<string, boolean>();
    const gone = (thread: string): boolean => {
      let d = dead.get(thread);
      if (d === undefined) dead.set(thread, (d = !threadAlive(thread)));
      return d;
    };
    for (const [id, g] of this.grants) {
      if (!gone(g.thread)) continue;
      this.grants.delete(id);
      reaped = true;
      this.putGrant(g);
    }
    for (const [uuid, p] of this.peers) if (gone(p.thread)) this.peers.delete(uuid);
    for (const [thread, ch] of this.outs) {
      if (gone(thread)) {
        ch.close();
        this.outs.delete(thread);
      }
    }
    if (reaped) this.logger?.debug({ serverId: this.table.serverId }, 'LOCALIO: put the grants of a thread that is gone');
    return reaped;
  }

  private watch(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.reap();
      if (this.grants.size === 0 && this.peers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    }, DEFAULT_THREAD_CHECK_MS);
    this.timer.unref();
  }

  /** Shutdown, step 1: no new local operation in any thread; every client thread told to let go. */
  beginClose(): void {
    if (this.closing) return;
    this.closing = true;
    Atomics.store(this.shared, CLOSING, 1);
    const threads = new Set<string>([...this.peers.values()].map((p) => p.thread));
    for (const g of this.grants.values()) threads.add(g.thread);
    for (const thread of threads) this.reply(thread, { t: 'shutdown', serverId: this.table.serverId });
    this.peers.clear();
  }

  /**
   * Shutdown, step 2: resolves when every grant of another thread is released (or its thread
   * is gone). Waits without blocking this thread.
   */
  drained(): Promise<void> {
    const finish = (): void => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.inbox?.close();
      this.hub?.close();
      for (const ch of this.outs.values()) ch.close();
      this.outs.clear();
      this.inbox = null;
      this.hub = null;
    };
    if (this.grants.size === 0) {
      finish();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const poll = setInterval(() => this.reap(), CLOSE_THREAD_CHECK_MS);
      this.drainWaiters.push(() => {
        clearInterval(poll);
        finish();
        resolve();
      });
    });
  }
}
