import { RpcClient, authSys, type Credential } from '@nfsts/rpc';
import { IPPROTO_TCP, MOUNT_PROGRAM, NFS_PROGRAM, PMAPPROC_GETPORT, PMAP_PROG, PMAP_VERS, xdr_mapping, xdr_uint } from '@nfsts/xdr';
import { NfsClientError } from './errors.js';
import { parseNfsUrl, parseOptions, type NfsClientOptions, type ResolvedOptions } from './options.js';
import { Mount3Raw, Nfs3Raw } from './raw.js';
import { NfsClient } from './client.js';
import { kStartLocalio } from './internal.js';

/** The RPC client for one of the client's connections (NFS, or MOUNT on its own port). */
export function newRpc(o: ResolvedOptions, port: number, cred: Credential, serverGone?: () => boolean): RpcClient {
  // failFast: a refused connection to a server that closed in this process ends the wait
  const giveUp = o.failFast && serverGone !== undefined
    ? (err: unknown): boolean => serverGone() && (err as { code?: unknown } | null)?.code === 'ECONNREFUSED'
    : undefined;
  const reconnect = o.reconnect !== undefined || giveUp !== undefined ? { ...o.reconnect, ...(giveUp !== undefined ? { giveUp } : {}) } : undefined;
  return new RpcClient({
    host: o.host, port, cred, timeoutMs: o.timeoutMs,
    maxRecordSize: Math.max(o.maxRsize, o.maxWsize, o.readdirSize) + 64 * 1024,
    ...(reconnect !== undefined ? { reconnect } : {}),
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  });
}

/** Asks the portmapper (v2 GETPORT) for a program's TCP port; 0 means not registered. */
export async function pmapGetPort(host: string, portmapPort: number, prog: number, vers: number, timeoutMs = 5000): Promise<number> {
  const rpc = new RpcClient({ host, port: portmapPort, timeoutMs, reconnect: { retries: 0 } });
  try {
    await rpc.connect();
    return await rpc.call(PMAP_PROG, PMAP_VERS, PMAPPROC_GETPORT, xdr_mapping, { prog, vers, prot: IPPROTO_TCP, port: 0 }, xdr_uint);
  } finally {
    await rpc.close();
  }
}

/**
 * Connects to an export: `connect('nfs://host[:port]/export?nfsport=N&mountport=M&uid=U&gid=G')`
 * or `connect({ host, export, nfsPort, mountPort, ... })`. Ports not given are asked of the
 * portmapper. MNT gives the root handle; FSINFO the transfer sizes.
 */
export async function connect(target: string | NfsClientOptions, extra: Partial<NfsClientOptions> = {}): Promise<NfsClient> {
  const options = parseOptions(typeof target === 'string' ? parseNfsUrl(target, extra) : { ...target, ...extra } as NfsClientOptions);
  const cred = authSys({ uid: options.uid, gid: options.gid, gids: options.gids, machinename: options.machinename });
  let nfsPort = options.nfsPort;
  let mountPort = options.mountPort;
  if (nfsPort === undefined || mountPort === undefined) {
    const lookup = async (prog: number, name: string): Promise<number> => {
      let port: number;
      try {
        port = await pmapGetPort(options.host, options.portmapPort, prog, 3, Math.min(options.timeoutMs, 10_000));
      } catch (err) {
        throw new NfsClientError('ERR_NFS_PORTMAP', `portmapper at ${options.host}:${options.portmapPort} did not answer for ${name}`, { cause: err });
      }
      if (port === 0) throw new NfsClientError('ERR_NFS_PORTMAP', `${name} v3 over TCP is not registered with the portmapper at ${options.host}:${options.portmapPort}`);
      return port;
    };
    nfsPort ??= await lookup(NFS_PROGRAM, 'NFS');
    if (mountPort === undefined) {
      try {
        mountPort = await lookup(MOUNT_PROGRAM, 'MOUNT');
      } catch (err) {
        // no portmapper, or MOUNT not registered: servers such as nfsts serve MOUNT on the NFS port
        if (options.nfsPort === undefined) throw err;
        options.logger?.debug({ err }, 'MOUNT port lookup failed; trying the NFS port');
        mountPort = nfsPort;
      }
    }
  }
  let client: NfsClient | undefined;
  const rpc = newRpc(options, nfsPort, cred, () => client?.localio.serverClosed === true);
  let mountRpc: RpcClient | undefined;
  try {
    mountRpc = mountPort === nfsPort ? undefined : newRpc(options, mountPort, cred);
    const m = new Mount3Raw(async () => {
      const c = mountRpc ?? rpc;
      if (!c.connected) await c.connect();
      return c;
    });
    const mi = await m.mnt(options.export);
    const rootFh = Buffer.from(mi.fhandle);
    if (!rpc.connected) await rpc.connect();
    const raw = new Nfs3Raw(rpc);
    const info = await raw.fsinfo({ fsroot: { data: rootFh } });
    const pick = (serverMax: number, pref: number, cap: number): number => {
      let n = Math.min(serverMax > 0 ? serverMax : pref > 0 ? pref : 32768, cap);
      if (n >= 4096) n -= n % 4096;
      return Math.max(512, n);
    };
    const rsize = pick(info.rtmax, info.rtpref, options.maxRsize);
    const wsize = pick(info.wtmax, info.wtpref, options.maxWsize);
    options.logger?.debug({ nfsPort, mountPort, rsize, wsize }, 'nfs client connected');
    client = new NfsClient({ options, rpc, nfsPort, mountPort, cred, rootFh, rsize, wsize, newRpc });
    // after MOUNT: until the probe says local, I/O goes by RPC
    await client[kStartLocalio]();
    return client;
  } catch (err) {
    await rpc.close();
    throw err;
  } finally {
    await mountRpc?.close(); // MOUNT is only needed for MNT; raw mount calls reconnect lazily
  }
}

/**
 * MOUNT EXPORT of a server without mounting anything (what `showmount -e` prints): each
 * export's path and the groups allowed to mount it. The MOUNT port is asked of the
 * portmapper unless given.
 */
export async function listExports(o: { host: string; mountPort?: number; portmapPort?: number; timeoutMs?: number }): Promise<Array<{ path: string; groups: string[] }>> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  let port = o.mountPort;
  if (port === undefined) {
    const pm = o.portmapPort ?? 111;
    try {
      port = await pmapGetPort(o.host, pm, MOUNT_PROGRAM, 3, timeoutMs);
    } catch (err) {
      throw new NfsClientError('ERR_NFS_PORTMAP', `portmapper at ${o.host}:${pm} did not answer for MOUNT`, { cause: err });
    }
    if (port === 0) throw new NfsClientError('ERR_NFS_PORTMAP', `MOUNT v3 over TCP is not registered with the portmapper at ${o.host}:${pm}`);
  }
  const rpc = new RpcClient({ host: o.host, port, timeoutMs, reconnect: { retries: 0 } });
  try {
    await rpc.connect();
    const list = await new Mount3Raw(() => Promise.resolve(rpc)).export();
    return list.map((e) => ({ path: e.ex_dir, groups: e.ex_groups.map((g) => g.gr_name) }));
  } finally {
    await rpc.close();
  }
}
