/**
 * Portmap version 2 (RFC 1833 §3): NULL, SET, UNSET, GETPORT, DUMP. CALLIT (5) is not
 * offered (indirect calls make the portmapper an amplifier), so it gets PROC_UNAVAIL.
 */
import type { CallContext, Procedure } from '@nfsts/rpc';
import { xdr_bool, xdr_mapping, xdr_pmaplist_ptr, xdr_uint, xdr_void } from '@nfsts/xdr';
import type { mapping, pmaplist_ptr } from '@nfsts/xdr';
import { isLocalCaller } from './common.js';
import type { PortmapRegistry } from './registry.js';
import { fromUaddr, netidFor, protFor, toUaddr } from './registry.js';

export function pmap2Procedures(reg: PortmapRegistry, host: string): Record<number, Procedure> {
  const nul: Procedure<void, void> = { name: 'NULL', args: xdr_void, res: xdr_void, handler: () => {} };
  const set: Procedure<mapping, boolean> = {
    name: 'SET',
    args: xdr_mapping,
    res: xdr_bool,
    handler(m: mapping, ctx: CallContext): boolean {
      if (!isLocalCaller(ctx)) return false;
      const netid = netidFor(m.prot);
      if (netid === null || m.port === 0 || m.port > 65535) return false;
      return reg.set({ prog: m.prog, vers: m.vers, netid, uaddr: toUaddr(host, m.port), owner: 'unknown' });
    },
  };
  const unset: Procedure<mapping, boolean> = {
    name: 'UNSET',
    args: xdr_mapping,
    res: xdr_bool,
    handler(m: mapping, ctx: CallContext): boolean {
      if (!isLocalCaller(ctx)) return false;
      // v2 UNSET ignores prot and port: every IPv4 transport of (prog, vers) goes.
      const a = reg.unset(m.prog, m.vers, 'tcp');
      const b = reg.unset(m.prog, m.vers, 'udp');
      return a || b;
    },
  };
  const getport: Procedure<mapping, number> = {
    name: 'GETPORT',
    args: xdr_mapping,
    res: xdr_uint,
    handler: (m: mapping): number => reg.getport(m.prog, m.vers, m.prot),
  };
  const dump: Procedure<void, pmaplist_ptr> = {
    name: 'DUMP',
    args: xdr_void,
    res: xdr_pmaplist_ptr,
    handler(): pmaplist_ptr {
      const out: mapping[] = [];
      for (const e of reg.list()) {
        const prot = protFor(e.netid);
        const a = fromUaddr(e.uaddr);
        if (prot === null || a === null) continue;
        out.push({ prog: e.prog, vers: e.vers, prot, port: a.port });
      }
      return out.map((map) => ({ map }));
    },
  };
  return { 0: nul, 1: set, 2: unset, 3: getport, 4: dump };
}
