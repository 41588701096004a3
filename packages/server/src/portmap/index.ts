/**
 * The portmapper (program 100000): our own portmap v2 + rpcbind v3/v4 server answered from
 * a registry, and registration of our NFS and MOUNT programs with a system rpcbind.
 *
 * `startPortmap()` decides which: if something answers portmap NULL on the portmapper port,
 * it is a system rpcbind (or another nfsts server's portmapper) and we SET our mappings
 * there (and UNSET them on close); if the connection is refused, we listen on that port
 * ourselves. LOCALIO (400122) is never registered.
 */
import { RpcClient, RpcServer } from '@nfsts/rpc';
import type { Program } from '@nfsts/rpc';
import { xdr_bool, xdr_mapping, xdr_void } from '@nfsts/xdr';
import type { Logger } from 'pino';

import { MOUNT_PROGRAM_NUMBER } from '../mount/index.js';
import { pmap2Procedures } from './pmap2.js';
import { IPPROTO_TCP, PortmapRegistry, toUaddr } from './registry.js';
import { rpcbindProcedures } from './rpcbind.js';

export { PortmapRegistry, toUaddr, fromUaddr, IPPROTO_TCP, IPPROTO_UDP, type RpcbEntry } from './registry.js';
export { pmap2Procedures } from './pmap2.js';
export { rpcbindProcedures } from './rpcbind.js';

export const PMAP_PROGRAM_NUMBER = 100000;
export const PMAP_PORT = 111;
/** Largest call record our portmapper accepts. */
export const PMAP_MAX_RECORD = 64 * 1024;
export const NFS_PROGRAM_NUMBER = 100003;

/** portmap v2 and rpcbind v3/v4 over one registry. */
export function createPortmapProgram(reg: PortmapRegistry, host: string): Program {
  return {
    prog: PMAP_PROGRAM_NUMBER,
    name: 'PORTMAP',
    versions: {
      2: { procedures: pmap2Procedures(reg, host) },
      3: { procedures: rpcbindProcedures(reg, host, 3) },
      4: { procedures: rpcbindProcedures(reg, host, 4) },
    },
  };
}

/** What we register: NFS v3 and MOUNT v1 + v3, all over TCP. */
export const REGISTERED_SERVICES: ReadonlyArray<{ prog: number; vers: number }> = [
  { prog: NFS_PROGRAM_NUMBER, vers: 3 },
  { prog: MOUNT_PROGRAM_NUMBER, vers: 1 },
  { prog: MOUNT_PROGRAM_NUMBER, vers: 3 },
];

export type PortmapMode = 'own' | 'system' | 'off';

export interface PortmapHandle {
  /** 'own': we answer on `port`; 'system': registered with the rpcbind on `port`; 'off'. */
  readonly mode: PortmapMode;
  readonly port: number;
  /** Our own registry (mode 'own'), for inspection. */
  readonly registry: PortmapRegistry | null;
  /** What we registered (all of REGISTERED_SERVICES in 'own' mode; those the system accepted in 'system' mode). */
  readonly registered: ReadonlyArray<{ prog: number; vers: number }>;
  /** Own mode: close the listener. System mode: UNSET what we SET. */
  close(): Promise<void>;
}

export interface StartPortmapOptions {
  /** The address NFS/MOUNT listen on (used in our registry's uaddrs). */
  host: string;
  /** The NFS/MOUNT port to register. */
  nfsPort: number;
  /** Programs served on the NFS port besides NFS and MOUNT (NLM, NSM), registered the same way. */
  extraServices?: ReadonlyArray<{ prog: number; vers: number }>;
  /** Portmapper port: 111 normally; 0 = always run our own on an ephemeral port (tests). */
  portmapPort?: number;
  logger: Logger;
  /** How long to wait for a system rpcbind to answer. */
  probeTimeoutMs?: number;
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** Where to look for a system portmapper. */
function probeHost(host: string): string {
  if (isWildcard(host)) return host === '::' ? '::1' : '127.0.0.1';
  return host;
}

async function callSystem(client: RpcClient, proc: number, prog: number, vers: number, port: number, timeoutMs: number): Promise<boolean> {
  return client.call(PMAP_PROGRAM_NUMBER, 2, proc, xdr_mapping, { prog, vers, prot: IPPROTO_TCP, port }, xdr_bool, { timeoutMs });
}

export async function startPortmap(opts: StartPortmapOptions): Promise<PortmapHandle> {
  const log = opts.logger;
  const pmPort = opts.portmapPort ?? PMAP_PORT;
  const timeoutMs = opts.probeTimeoutMs ?? 2000;
  const services = [...REGISTERED_SERVICES, ...(opts.extraServices ?? [])];
  if (pmPort !== 0) {
    const client = new RpcClient({ host: probeHost(opts.host), port: pmPort, timeoutMs, reconnect: { retries: 0 }, logger: log });
    let answered = false;
    try {
      await client.connect();
      await client.call(PMAP_PROGRAM_NUMBER, 2, 0, xdr_void, undefined, xdr_void, { timeoutMs });
      answered = true;
    } catch (err) {
      const e = err as { code?: string; cause?: { code?: string } };
      const refused = e.code === 'ERR_RPC_CONNECT' || e.cause?.code === 'ECONNREFUSED' || (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
      if (!refused) {
        await client.close().catch(() => {});
        log.warn({ err }, `a process on port ${pmPort} does not answer as a portmapper; not registering`);
        return { mode: 'off', port: pmPort, registry: null, registered: [], close: async () => {} };
      }
    }
    if (answered) {
      const done: Array<{ prog: number; vers: number }> = [];
      for (const s of services) {
        try {
          if (await callSystem(client, 1, s.prog, s.vers, opts.nfsPort, timeoutMs)) done.push(s);
          else log.warn({ prog: s.prog, vers: s.vers }, 'the system portmapper already has this program registered; not replacing it');
        } catch (err) {
          log.warn({ err, prog: s.prog, vers: s.vers }, 'registering with the system portmapper failed');
        }
      }
      log.info({ port: pmPort, registered: done }, 'registered with the system portmapper');
      let closed = false;
      return {
        mode: 'system',
        port: pmPort,
        registry: null,
        registered: done,
        async close(): Promise<void> {
          if (closed) return;
          closed = true;
          try {
            for (const s of done) {
              await callSystem(client, 2, s.prog, s.vers, opts.nfsPort, timeoutMs).catch((err: unknown) => {
                log.warn({ err, prog: s.prog, vers: s.vers }, 'unregistering from the system portmapper failed');
              });
            }
          } finally {
            await client.close().catch(() => {});
          }
        },
      };
    }
    await client.close().catch(() => {});
  }

  // Nobody answers: be the portmapper.
  const reg = new PortmapRegistry();
  // Portmapper calls are tiny: a small record limit bounds what one connection can buffer.
  const server = new RpcServer({ logger: log, maxRecordSize: PMAP_MAX_RECORD });
  server.register(createPortmapProgram(reg, opts.host));
  let addr;
  try {
    addr = await server.listen(pmPort, opts.host);
  } catch (err) {
    await server.close().catch(() => {});
    log.warn({ err }, `cannot listen on portmapper port ${pmPort}; continuing without a portmapper`);
    return { mode: 'off', port: pmPort, registry: null, registered: [], close: async () => {} };
  }
  const netid = opts.host.includes(':') ? 'tcp6' : 'tcp';
  for (const v of [2, 3, 4]) reg.set({ prog: PMAP_PROGRAM_NUMBER, vers: v, netid, uaddr: toUaddr(opts.host, addr.port), owner: 'superuser' });
  for (const s of services) {
    reg.set({ prog: s.prog, vers: s.vers, netid, uaddr: toUaddr(opts.host, opts.nfsPort), owner: 'superuser' });
  }
  log.info({ port: addr.port }, 'answering portmap/rpcbind ourselves');
  return {
    mode: 'own',
    port: addr.port,
    registry: reg,
    registered: services,
    close: () => server.close(),
  };
}
