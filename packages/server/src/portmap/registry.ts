/**
 * The portmapper's registry: (program, version, netid) → universal address, shared by
 * portmap v2 (which speaks protocol numbers and ports) and rpcbind v3/v4 (netids and
 * uaddrs, RFC 1833). Only TCP/UDP over IPv4/IPv6 are representable in v2.
 */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export interface RpcbEntry {
  prog: number;
  vers: number;
  /** 'tcp', 'udp', 'tcp6', 'udp6' (others are stored but invisible to portmap v2). */
  netid: string;
  /** Universal address, e.g. `127.0.0.1.8.1` for port 2049. */
  uaddr: string;
  /** Who registered it (rpcbind's r_owner); 'superuser' for us. */
  owner: string;
}

/** `h1.h2.h3.h4.p1.p2` (IPv4) or `ipv6addr.p1.p2` (RFC 5665 §5.2.3.4). */
export function toUaddr(host: string, port: number): string {
  return `${host}.${port >> 8}.${port & 0xff}`;
}

/** Splits a universal address into host and port; null if it is not one. */
export function fromUaddr(uaddr: string): { host: string; port: number } | null {
  const m = /^(.*)\.(\d{1,3})\.(\d{1,3})$/.exec(uaddr);
  if (m === null) return null;
  const hi = Number(m[2]);
  const lo = Number(m[3]);
  if (hi > 255 || lo > 255 || m[1] === '') return null;
  return { host: m[1] as string, port: (hi << 8) | lo };
}

export function netidFor(prot: number, ipv6 = false): string | null {
  if (prot === IPPROTO_TCP) return ipv6 ? 'tcp6' : 'tcp';
  if (prot === IPPROTO_UDP) return ipv6 ? 'udp6' : 'udp';
  return null;
}

export function protFor(netid: string): number | null {
  if (netid === 'tcp') return IPPROTO_TCP;
  if (netid === 'udp') return IPPROTO_UDP;
  return null;
}

/** Maximum entries, so a local process cannot grow the registry without bound. */
export const MAX_REGISTRY_ENTRIES = 4096;

export class PortmapRegistry {
  private readonly entries: RpcbEntry[] = [];

  /** Adds a mapping; false if (prog, vers, netid) is already taken (as rpcbind does). */
  set(e: RpcbEntry): boolean {
    if (this.entries.some((x) => x.prog === e.prog && x.vers === e.vers && x.netid === e.netid)) return false;
    if (this.entries.length >= MAX_REGISTRY_ENTRIES) return false;
    this.entries.push({ ...e });
    return true;
  }

  /** Removes (prog, vers) for one netid, or for all netids when netid is ''. */
  unset(prog: number, vers: number, netid = ''): boolean {
    let removed = false;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const x = this.entries[i] as RpcbEntry;
      if (x.prog === prog && x.vers === vers && (netid === '' || x.netid === netid)) {
        this.entries.splice(i, 1);
        removed = true;
      }
    }
    return removed;
  }

  find(prog: number, vers: number, netid: string): RpcbEntry | undefined {
    return this.entries.find((x) => x.prog === prog && x.vers === vers && x.netid === netid);
  }

  /**
   * The entry for (prog, vers, netid); when `anyVersion` and that version is not
   * registered, an entry for another version of prog (rpcbind's find_service does this
   * for GETPORT and GETADDR, so the client learns the program exists and gets
   * PROG_MISMATCH from it). A netid of '' matches any.
   */
  lookup(prog: number, vers: number, netid: string, anyVersion: boolean): RpcbEntry | undefined {
    let other: RpcbEntry | undefined;
    for (const x of this.entries) {
      if (x.prog !== prog || (netid !== '' && x.netid !== netid)) continue;
      if (x.vers === vers) return x;
      other ??= x;
    }
    return anyVersion ? other : undefined;
  }

  /** Portmap v2 GETPORT: the port, or 0 if (prog, prot) is not registered. */
  getport(prog: number, vers: number, prot: number): number {
    const netid = netidFor(prot);
    if (netid === null) return 0;
    const e = this.lookup(prog, vers, netid, true);
    return e === undefined ? 0 : (fromUaddr(e.uaddr)?.port ?? 0);
  }

  list(): readonly RpcbEntry[] {
    return this.entries;
  }
}
