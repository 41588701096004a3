/**
 * The client's lock daemon, one per process (as one lockd per host): an RPC listener on an
 * ephemeral port that takes NLM_GRANTED / NLM_GRANTED_MSG for blocked requests and the servers'
 * SM_NOTIFY (they restarted: reclaim), registered with the portmapper on this host so servers
 * can find it. Without a portmapper to register with, blocked requests are polled instead.
 */
import { RpcClient, RpcServer, type Procedure } from '@nfsts/rpc';
import {
  IPPROTO_TCP, NLM4_VERS, NLM_PROG, NLMPROC4_GRANTED, NLMPROC4_GRANTED_MSG, NLMPROC4_GRANTED_RES, PMAPPROC_GETPORT, PMAPPROC_SET, PMAPPROC_UNSET, PMAP_PROG, PMAP_VERS, SM_NOTIFY, SM_PROG, SM_VERS,
  nlm4_stats, xdr_bool, xdr_mapping, xdr_uint, xdr_nlm4_res, xdr_nlm4_testargs, xdr_stat_chge, xdr_void, type nlm4_res, type nlm4_testargs, type stat_chge,
} from '@nfsts/xdr';

/** A blocked request waiting for its grant, keyed by what NLM_GRANTED repeats of it. */
export function grantKey(fh: Buffer, oh: Buffer, svid: number, offset: bigint, len: bigint, exclusive: boolean): string {
  return `${fh.toString('hex')}:${oh.toString('hex')}:${svid}:${offset}:${len}:${exclusive ? 'x' : 's'}`;
}

export interface LockdOptions {
  /** the portmapper to register with (default 127.0.0.1:111) */
  portmapHost?: string;
  portmapPort?: number;
}

export class ClientLockd {
  private readonly server = new RpcServer();
  private readonly waiters = new Map<string, () => void>();
  private readonly rebootListeners = new Set<(from: string, state: number) => void>();
  port = 0;
  /** true when servers can find us through the portmapper */
  registered = false;
  /** NLM_GRANTED calls answered GRANTED (for tests and diagnostics) */
  grants = 0;
  private readonly pm: { host: string; port: number };

  constructor(o: LockdOptions = {}) {
    this.pm = { host: o.portmapHost ?? '127.0.0.1', port: o.portmapPort ?? 111 };
    const granted = (a: nlm4_testargs): nlm4_res => {
      const k = grantKey(a.alock.fh, a.alock.oh, a.alock.svid, a.alock.l_offset, a.alock.l_len, a.exclusive);
      const w = this.waiters.get(k);
      if (w === undefined) return { cookie: Buffer.from(a.cookie), stat: { stat: nlm4_stats.NLM4_DENIED } };
      this.waiters.delete(k);
      this.grants++;
      w();
      return { cookie: Buffer.from(a.cookie), stat: { stat: nlm4_stats.NLM4_GRANTED } };
    };
    const grantedProc: Procedure<nlm4_testargs, nlm4_res> = { name: 'GRANTED', args: xdr_nlm4_testargs, res: xdr_nlm4_res, handler: granted };
    // the asynchronous form (nfs-ganesha sends it): the answer goes back as GRANTED_RES
    const grantedMsg: Procedure<nlm4_testargs, void> = {
      name: 'GRANTED_MSG', args: xdr_nlm4_testargs, res: xdr_void,
      handler: (a, ctx) => {
        const r = granted(a);
        void this.sendGrantedRes(ctx.remoteAddress.startsWith('::ffff:') ? ctx.remoteAddress.slice(7) : ctx.remoteAddress, r);
      },
    };
    const ignoreRes: Procedure<nlm4_res, void> = { name: 'GRANTED_RES', args: xdr_nlm4_res, res: xdr_void, handler: () => {} };
    const notify: Procedure<stat_chge, void> = {
      name: 'NOTIFY', args: xdr_stat_chge, res: xdr_void,
      handler: (a) => {
        for (const l of this.rebootListeners) l(a.mon_name, a.state);
      },
    };
    const nul = { name: 'NULL', args: xdr_void, res: xdr_void, handler: () => {} };
    this.server.register({ prog: NLM_PROG, name: 'NLM', versions: { [NLM4_VERS]: { procedures: { 0: nul, [NLMPROC4_GRANTED]: grantedProc, [NLMPROC4_GRANTED_MSG]: grantedMsg, [NLMPROC4_GRANTED_RES]: ignoreRes } } } });
    this.server.register({ prog: SM_PROG, name: 'NSM', versions: { [SM_VERS]: { procedures: { 0: nul, [SM_NOTIFY]: notify } } } });
  }

  async start(): Promise<void> {
    this.port = (await this.server.listen(0, '0.0.0.0')).port;
    const rpc = new RpcClient({ host: this.pm.host, port: this.pm.port, timeoutMs: 2000, reconnect: { retries: 0 } });
    try {
      await rpc.connect();
      const set = (prog: number, vers: number) => rpc.call(PMAP_PROG, PMAP_VERS, PMAPPROC_SET, xdr_mapping, { prog, vers, prot: IPPROTO_TCP, port: this.port }, xdr_bool);
      // SET only: a lock manager already registered here (the kernel's lockd, an NFS server on
      // this host) keeps its mapping, and we are then reached by polling alone
      const nlm = await set(NLM_PROG, NLM4_VERS);
      const nsm = nlm && (await set(SM_PROG, SM_VERS));
      if (nlm && !nsm) await rpc.call(PMAP_PROG, PMAP_VERS, PMAPPROC_UNSET, xdr_mapping, { prog: NLM_PROG, vers: NLM4_VERS, prot: IPPROTO_TCP, port: 0 }, xdr_bool);
      this.registered = nlm && nsm;
    } catch {
      this.registered = false;
    } finally {
      await rpc.close();
    }
  }

  /** NLM_GRANTED_RES to the server's lock manager, found through the portmapper on its host. */
  private async sendGrantedRes(host: string, r: nlm4_res): Promise<void> {
    const pm = new RpcClient({ host, port: this.pm.port, timeoutMs: 5000, reconnect: { retries: 0 } });
    let port = 0;
    try {
      await pm.connect();
      port = await pm.call(PMAP_PROG, PMAP_VERS, PMAPPROC_GETPORT, xdr_mapping, { prog: NLM_PROG, vers: NLM4_VERS, prot: IPPROTO_TCP, port: 0 }, xdr_uint);
    } catch {
      return; // the server retransmits GRANTED_MSG or gives up; nothing more we can do
    } finally {
      await pm.close();
    }
    if (port === 0 || port === this.port) return;
    const c = new RpcClient({ host, port, timeoutMs: 5000, reconnect: { retries: 0 } });
    try {
      await c.connect();
      await c.call(NLM_PROG, NLM4_VERS, NLMPROC4_GRANTED_RES, xdr_nlm4_res, r, xdr_void);
    } catch {
      /* as above */
    } finally {
      await c.close();
    }
  }

  /** Calls `granted` once NLM_GRANTED for this request arrives; returns the undo. */
  expect(key: string, granted: () => void): () => void {
    this.waiters.set(key, granted);
    return () => {
      if (this.waiters.get(key) === granted) this.waiters.delete(key);
    };
  }

  onReboot(fn: (from: string, state: number) => void): () => void {
    this.rebootListeners.add(fn);
    return () => this.rebootListeners.delete(fn);
  }

  async close(): Promise<void> {
    if (this.registered) {
      const rpc = new RpcClient({ host: this.pm.host, port: this.pm.port, timeoutMs: 2000, reconnect: { retries: 0 } });
      try {
        for (const [prog, vers] of [[NLM_PROG, NLM4_VERS], [SM_PROG, SM_VERS]] as const) {
          await rpc.call(PMAP_PROG, PMAP_VERS, PMAPPROC_UNSET, xdr_mapping, { prog, vers, prot: IPPROTO_TCP, port: this.port }, xdr_bool);
        }
      } catch {
        /* the portmapper went first */
      } finally {
        await rpc.close();
      }
    }
    await this.server.close();
  }
}
