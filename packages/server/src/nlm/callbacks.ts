/**
 * Calls from the server to a client's lock manager: NLM_GRANTED when a blocked request is
 * granted, and the _RES answers to the asynchronous _MSG procedures. The client's lockd is found
 * through the portmapper on the client's host (GETPORT for NLM over TCP), as knfsd's lockd does.
 * A client that does not answer in time loses the grant (the caller then unlocks).
 */
import type { Logger } from 'pino';
import { RpcClient } from '@nfsts/rpc';
import { IPPROTO_TCP, NLM_PROG, PMAPPROC_GETPORT, PMAP_PROG, PMAP_VERS, xdr_mapping, xdr_uint, type Codec } from '@nfsts/xdr';

/** How long a client has to answer NLM_GRANTED before the lock is taken back. */
export const DEFAULT_GRANT_TIMEOUT_MS = 10_000;
/** Where the client hosts' portmappers listen. */
export const DEFAULT_CLIENT_PORTMAP_PORT = 111;
/** Idle callback connections are closed after this long. */
const IDLE_CLOSE_MS = 30_000;

export interface NlmCallbackOptions {
  grantTimeoutMs?: number;
  clientPortmapPort?: number;
  logger?: Logger;
}

interface Peer {
  client: RpcClient;
  idle: NodeJS.Timeout | null;
  busy: number;
}

export class NlmCallbacks {
  readonly timeoutMs: number;
  private readonly pmPort: number;
  private readonly logger: Logger | undefined;
  private readonly peers = new Map<string, Peer>();
  private closed = false;

  constructor(opts: NlmCallbackOptions = {}) {
    this.timeoutMs = opts.grantTimeoutMs ?? DEFAULT_GRANT_TIMEOUT_MS;
    this.pmPort = opts.clientPortmapPort ?? DEFAULT_CLIENT_PORTMAP_PORT;
    this.logger = opts.logger;
  }

  /** Calls prog/vers/proc on `host`'s program `prog` (found through its portmapper). */
  async call<A, R>(host: string, prog: number, vers: number, proc: number, args: Codec<A>, value: A, res: Codec<R>): Promise<R> {
    if (this.closed) throw new Error('NLM callbacks are closed');
    const port = await this.withClient(`${host}:${this.pmPort}`, host, this.pmPort, (c) =>
      c.call(PMAP_PROG, PMAP_VERS, PMAPPROC_GETPORT, xdr_mapping, { prog, vers, prot: IPPROTO_TCP, port: 0 }, xdr_uint, { timeoutMs: this.timeoutMs }));
    if (port === 0) throw new Error(`${host} has no program ${prog} version ${vers} registered`);
    return this.withClient(`${host}:${port}`, host, port, (c) => c.call(prog, vers, proc, args, value, res, { timeoutMs: this.timeoutMs }));
  }

  /** NLM (any version) on the client's host. */
  nlm<A, R>(host: string, vers: number, proc: number, args: Codec<A>, value: A, res: Codec<R>): Promise<R> {
    return this.call(host, NLM_PROG, vers, proc, args, value, res);
  }

  private async withClient<R>(key: string, host: string, port: number, fn: (c: RpcClient) => Promise<R>): Promise<R> {
    let p = this.peers.get(key);
    if (!p) {
      const client = new RpcClient({ host, port, timeoutMs: this.timeoutMs, reconnect: { retries: 0 }, ...(this.logger ? { logger: this.logger } : {}) });
      p = { client, idle: null, busy: 0 };
      this.peers.set(key, p);
    }
    const peer = p;
    if (peer.idle) clearTimeout(peer.idle);
    peer.idle = null;
    peer.busy++;
    try {
      return await fn(peer.client);
    } catch (err) {
      // a dead peer is dropped so the next call looks it up again
      this.peers.delete(key);
      void peer.client.close();
      throw err;
    } finally {
      peer.busy--;
      if (peer.busy === 0 && this.peers.get(key) === peer) {
        peer.idle = setTimeout(() => {
          this.peers.delete(key);
          void peer.client.close();
        }, IDLE_CLOSE_MS);
        peer.idle.unref();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.peers.values()];
    this.peers.clear();
    for (const p of all) if (p.idle) clearTimeout(p.idle);
    await Promise.all(all.map((p) => p.client.close().catch(() => {})));
  }
}
