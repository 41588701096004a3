/**
 * Export options with exports(5) semantics, their parser, and the client allow-list.
 */
import { isIP, BlockList } from 'node:net';
import { NfsError } from './nfsstat.js';

export interface ExportOptions {
  /** read-only export: every modifying call answers NFS3ERR_ROFS */
  ro: boolean;
  /** 'root' = root_squash (default), 'none' = no_root_squash, 'all' = all_squash */
  squash: 'root' | 'none' | 'all';
  anonuid: number;
  anongid: number;
  /** allowed clients: hostnames (with `*`/`?` wildcards), IPv4/IPv6 addresses, CIDRs; empty = everyone */
  clients: string[];
  /** require a privileged (< 1024) source port */
  secure: boolean;
}

export interface ExportConfig {
  /** the name clients mount, e.g. '/export' */
  path: string;
  /** the directory served */
  root: string;
  options?: Partial<ExportOptions>;
}

export const DEFAULT_ANONUID = 65534;
export const DEFAULT_ANONGID = 65534;
export const DEFAULT_EXPORT_OPTIONS: Readonly<ExportOptions> = Object.freeze({
  ro: false,
  squash: 'root',
  anonuid: DEFAULT_ANONUID,
  anongid: DEFAULT_ANONGID,
  clients: [],
  secure: false,
});

function badOption(name: string, why: string): NfsError {
  return new NfsError('ERR_NFS_BAD_OPTION', `export option "${name}": ${why}`);
}

function parseId(name: string, v: unknown): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw badOption(name, `expected an integer 0..4294967295, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** Validates one client pattern; throws naming it when it is none of host, IP, CIDR. */
export function checkClientPattern(p: string): void {
  const s = p.trim();
  if (s === '' || s === '*') {
    if (s === '*') return;
    throw badOption('clients', 'empty client pattern');
  }
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const addr = s.slice(0, slash);
    const bits = s.slice(slash + 1);
    const fam = isIP(addr);
    if (fam === 0) throw badOption('clients', `"${s}": not an address before '/'`);
    const max = fam === 4 ? 32 : 128;
    if (!/^\d+$/.test(bits) || Number(bits) > max) {
      // exports(5) also allows a dotted netmask for IPv4
      if (fam === 4 && isIP(bits) === 4 && maskToPrefix(bits) >= 0) return;
      throw badOption('clients', `"${s}": prefix length must be 0..${max}`);
    }
    return;
  }
  if (isIP(s) !== 0) return;
  if (!/^[A-Za-z0-9*?]([A-Za-z0-9.*?_-]*[A-Za-z0-9*?.])?$/.test(s)) {
    throw badOption('clients', `"${s}": not a hostname, address or CIDR`);
  }
}

function maskToPrefix(mask: string): number {
  const parts = mask.split('.').map(Number);
  let n = 0;
  for (const p of parts) n = (n << 8) | (p & 255);
  n >>>= 0;
  let prefix = 0;
  while (prefix < 32 && (n & (0x80000000 >>> prefix)) !== 0) prefix++;
  // must be contiguous
  const rebuilt = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return rebuilt === n ? prefix : -1;
}

/**
 * Fills in defaults and validates a partial options object (from code or a config file);
 * errors (code ERR_NFS_BAD_OPTION) name the bad property.
 */
export function parseOptions(opts: Partial<ExportOptions> | undefined): ExportOptions {
  const o = { ...DEFAULT_EXPORT_OPTIONS, clients: [] as string[] };
  if (opts === undefined) return o;
  if (typeof opts !== 'object' || opts === null) throw badOption('options', 'expected an object');
  for (const key of Object.keys(opts)) {
    if (!(key in DEFAULT_EXPORT_OPTIONS)) throw badOption(key, 'unknown option');
  }
  if (opts.ro !== undefined) {
    if (typeof opts.ro !== 'boolean') throw badOption('ro', 'expected a boolean');
    o.ro = opts.ro;
  }
  if (opts.secure !== undefined) {
    if (typeof opts.secure !== 'boolean') throw badOption('secure', 'expected a boolean');
    o.secure = opts.secure;
  }
  if (opts.squash !== undefined) {
    if (opts.squash !== 'root' && opts.squash !== 'none' && opts.squash !== 'all') {
      throw badOption('squash', `expected 'root', 'none' or 'all', got ${JSON.stringify(opts.squash)}`);
    }
    o.squash = opts.squash;
  }
  if (opts.anonuid !== undefined) o.anonuid = parseId('anonuid', opts.anonuid);
  if (opts.anongid !== undefined) o.anongid = parseId('anongid', opts.anongid);
  if (opts.clients !== undefined) {
    if (!Array.isArray(opts.clients)) throw badOption('clients', 'expected an array of strings');
    for (const c of opts.clients) {
      if (typeof c !== 'string') throw badOption('clients', 'expected an array of strings');
      checkClientPattern(c);
      o.clients.push(c.trim());
    }
  }
  return o;
}

/**
 * Parses an exports(5)-style option string, e.g. `"rw,no_root_squash,anonuid=1000"`, into a
 * partial options object. Understood: ro, rw, root_squash, no_root_squash, all_squash,
 * no_all_squash, anonuid=N, anongid=N, secure, insecure, clients=A+B+C (our extension: hosts,
 * addresses or CIDRs separated by '+', e.g. `clients=10.0.0.0/8+fd00::/8+*.lan`), and the harmless kernel
 * options sync, async, wdelay, no_wdelay, subtree_check, no_subtree_check, hide, nohide,
 * crossmnt, no_acl (accepted, ignored). Errors name the bad option.
 */
export function parseExportOptionString(s: string): Partial<ExportOptions> {
  const out: Partial<ExportOptions> = {};
  const ignored = new Set(['sync', 'async', 'wdelay', 'no_wdelay', 'subtree_check', 'no_subtree_check', 'hide', 'nohide', 'crossmnt', 'no_acl', 'acl']);
  for (const raw of s.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const name = (eq >= 0 ? item.slice(0, eq) : item).trim();
    const value = eq >= 0 ? item.slice(eq + 1).trim() : undefined;
    const noValue = (): void => {
      if (value !== undefined) throw badOption(name, 'takes no value');
    };
    switch (name) {
      case 'ro': noValue(); out.ro = true; break;
      case 'rw': noValue(); out.ro = false; break;
      case 'root_squash': noValue(); if (out.squash !== 'all') out.squash = 'root'; break;
      case 'no_root_squash': noValue(); if (out.squash !== 'all') out.squash = 'none'; break;
      case 'all_squash': noValue(); out.squash = 'all'; break;
      case 'no_all_squash': noValue(); if (out.squash === 'all') out.squash = 'root'; break;
      case 'secure': noValue(); out.secure = true; break;
      case 'insecure': noValue(); out.secure = false; break;
      case 'anonuid':
      case 'anongid': {
        if (value === undefined || !/^\d+$/.test(value)) throw badOption(name, `expected ${name}=<number>`);
        out[name] = parseId(name, value);
        break;
      }
      case 'clients': {
        if (value === undefined || value === '') throw badOption(name, 'expected clients=<host>[:<host>...]');
        const list = value.split('+');
        for (const c of list) checkClientPattern(c);
        out.clients = [...(out.clients ?? []), ...list.map((c) => c.trim())];
        break;
      }
      default:
        if (ignored.has(name)) { noValue(); break; }
        throw badOption(name, 'unknown option');
    }
  }
  return out;
}

function wildcardToRegExp(p: string): RegExp {
  const esc = p.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

/** Compiled allow-list of an export. */
export class ClientMatcher {
  readonly everyone: boolean;
  private readonly blocks = new BlockList();
  private readonly names: RegExp[] = [];
  private readonly hasAddrs: boolean;

  constructor(patterns: readonly string[]) {
    let addrs = false;
    let everyone = patterns.length === 0;
    for (const raw of patterns) {
      const p = raw.trim();
      if (p === '*') { everyone = true; continue; }
      const slash = p.indexOf('/');
      if (slash >= 0) {
        const addr = p.slice(0, slash);
        const fam = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
        const bits = p.slice(slash + 1);
        const prefix = /^\d+$/.test(bits) ? Number(bits) : maskToPrefix(bits);
        this.blocks.addSubnet(addr, prefix, fam);
        addrs = true;
      } else if (isIP(p) !== 0) {
        this.blocks.addAddress(p, isIP(p) === 6 ? 'ipv6' : 'ipv4');
        addrs = true;
      } else {
        this.names.push(wildcardToRegExp(p));
      }
    }
    this.everyone = everyone;
    this.hasAddrs = addrs;
  }

  /**
   * Does `address` (as seen on the socket, IPv4-mapped IPv6 allowed) match? `hostnames` are
   * names the caller already resolved for it (reverse DNS); 'localhost' matches loopback.
   */
  matches(address: string, hostnames: readonly string[] = []): boolean {
    if (this.everyone) return true;
    let addr = address;
    if (addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4) addr = addr.slice(7);
    const fam = isIP(addr);
    if (fam !== 0 && this.hasAddrs && this.blocks.check(addr, fam === 6 ? 'ipv6' : 'ipv4')) return true;
    if (this.names.length > 0) {
      const cands = [...hostnames.map((h) => h.toLowerCase())];
      if (addr === '127.0.0.1' || addr === '::1') cands.push('localhost');
      for (const re of this.names) {
        if (cands.some((h) => re.test(h))) return true;
      }
    }
    return false;
  }

  /** Whether any pattern is a host name (the caller may then do a reverse lookup). */
  get needsNames(): boolean {
    return this.names.length > 0;
  }
}

/** Why a client the export refused was refused, for the warn line (after clientAllowed() said no). */
export function refusalReason(options: ExportOptions, remotePort: number): string {
  return options.secure && !(remotePort > 0 && remotePort < 1024)
    ? `the export is "secure" and the client's source port ${remotePort} is not below 1024`
    : 'the client is not in the export\'s client list';
}
