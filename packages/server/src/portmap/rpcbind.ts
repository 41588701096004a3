/**
 * rpcbind versions 3 and 4 (RFC 1833 §2), answered from the same registry as portmap v2:
 * NULL, SET, UNSET, GETADDR, DUMP, GETTIME, and in v4 also GETVERSADDR and GETADDRLIST.
 * CALLIT/BCAST, INDIRECT, UADDR2TADDR, TADDR2UADDR and GETSTAT are not offered
 * (PROC_UNAVAIL).
 */
import type { CallContext, Procedure } from '@nfsts/rpc';
import { xdr_bool, xdr_rpcb, xdr_rpcb_entry_list_ptr, xdr_rpcblist_ptr, xdr_string, xdr_uint, xdr_void } from '@nfsts/xdr';
import type { rpcb, rpcb_entry_list_ptr, rpcblist_ptr } from '@nfsts/xdr';
import { isLocalCaller } from './common.js';
import type { PortmapRegistry, RpcbEntry } from './registry.js';
import { fromUaddr, toUaddr } from './registry.js';

/** A wildcard registration answers with the address the caller reached us on. */
export function answerAddr(uaddr: string, ctx: CallContext, fallbackHost: string): string {
  const a = fromUaddr(uaddr);
  if (a === null) return uaddr;
  if (a.host === '0.0.0.0' || a.host === '::') {
    const local = (ctx as { localAddress?: string }).localAddress;
    let host = local !== undefined && local !== '' ? local : fallbackHost;
    if (host.startsWith('::ffff:')) host = host.slice(7);
    if (host === '0.0.0.0' || host === '::') host = a.host === '::' ? '::1' : '127.0.0.1';
    return toUaddr(host, a.port);
  }
  return uaddr;
}

export const MAX_NETID = 32;
export const MAX_UADDR = 128;
export const MAX_OWNER = 64;

function defaultNetid(r: rpcb): string {
  return r.r_netid === '' ? 'tcp' : r.r_netid;
}

export function rpcbindProcedures(reg: PortmapRegistry, host: string, vers: 3 | 4): Record<number, Procedure> {
  const nul: Procedure<void, void> = { name: 'NULL', args: xdr_void, res: xdr_void, handler: () => {} };
  const set: Procedure<rpcb, boolean> = {
    name: 'SET',
    args: xdr_rpcb,
    res: xdr_bool,
    handler(r: rpcb, ctx: CallContext): boolean {
      if (!isLocalCaller(ctx) || r.r_netid === '' || fromUaddr(r.r_addr) === null) return false;
      // Registry entries are kept: bound their strings (rpcbind.x leaves them unbounded).
      if (r.r_netid.length > MAX_NETID || r.r_addr.length > MAX_UADDR || r.r_owner.length > MAX_OWNER) return false;
      return reg.set({ prog: r.r_prog, vers: r.r_vers, netid: r.r_netid, uaddr: r.r_addr, owner: r.r_owner === '' ? 'unknown' : r.r_owner });
    },
  };
  const unset: Procedure<rpcb, boolean> = {
    name: 'UNSET',
    args: xdr_rpcb,
    res: xdr_bool,
    handler(r: rpcb, ctx: CallContext): boolean {
      if (!isLocalCaller(ctx)) return false;
      return reg.unset(r.r_prog, r.r_vers, r.r_netid);
    },
  };
  /** GETADDR falls back to another version of the program (as rpcbind does); GETVERSADDR does not. */
  const addrOf = (name: string, anyVersion: boolean): Procedure<rpcb, string> => ({
    name,
    args: xdr_rpcb,
    res: xdr_string,
    handler(r: rpcb, ctx: CallContext): string {
      const e = reg.lookup(r.r_prog, r.r_vers, defaultNetid(r), anyVersion);
      return e === undefined ? '' : answerAddr(e.uaddr, ctx, host);
    },
  });
  const getaddr = addrOf('GETADDR', true);
  const dump: Procedure<void, rpcblist_ptr> = {
    name: 'DUMP',
    args: xdr_void,
    res: xdr_rpcblist_ptr,
    handler(): rpcblist_ptr {
      return reg.list().map((e: RpcbEntry) => ({
        rpcb_map: { r_prog: e.prog, r_vers: e.vers, r_netid: e.netid, r_addr: e.uaddr, r_owner: e.owner },
      })) as unknown as rpcblist_ptr;
    },
  };
  const gettime: Procedure<void, number> = {
    name: 'GETTIME',
    args: xdr_void,
    res: xdr_uint,
    handler: (): number => Math.floor(Date.now() / 1000) >>> 0,
  };
  const procs: Record<number, Procedure> = { 0: nul, 1: set, 2: unset, 3: getaddr, 4: dump, 6: gettime };
  if (vers === 4) {
    procs[9] = addrOf('GETVERSADDR', false);
    procs[11] = {
      name: 'GETADDRLIST',
      args: xdr_rpcb,
      res: xdr_rpcb_entry_list_ptr,
      handler(r: rpcb, ctx: CallContext): rpcb_entry_list_ptr {
        const out = reg
          .list()
          .filter((e) => e.prog === r.r_prog && e.vers === r.r_vers)
          .map((e) => ({
            rpcb_entry_map: {
              r_maddr: answerAddr(e.uaddr, ctx, host),
              r_nc_netid: e.netid,
              r_nc_semantics: e.netid.startsWith('udp') ? 1 /* NC_TPI_CLTS */ : 3 /* NC_TPI_COTS_ORD */,
              r_nc_protofmly: e.netid.endsWith('6') ? 'inet6' : 'inet',
              r_nc_proto: e.netid.startsWith('udp') ? 'udp' : 'tcp',
            },
          }));
        return out as unknown as rpcb_entry_list_ptr;
      },
    } satisfies Procedure<rpcb, rpcb_entry_list_ptr>;
  }
  return procs;
}
