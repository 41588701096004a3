/**
 * DOS share reservations (NLM SHARE/UNSHARE): an open mode (access) and what it denies others.
 * Two reservations conflict when one's access meets the other's deny mode. Kept per file, keyed
 * by (host, oh); they do not reach the backing file (Linux has no share modes).
 */

export interface Share {
  host: string;
  oh: string;
  /** fsh_access bits: 1 read, 2 write */
  access: number;
  /** fsh_mode bits: 1 deny read, 2 deny write */
  deny: number;
}

/** Reservations one host may hold. */
export const DEFAULT_MAX_SHARES_PER_HOST = 1024;
/** Reservations in all (host names are the clients' own word). */
export const DEFAULT_MAX_SHARES = 16_384;

export class ShareTable {
  private readonly files = new Map<string, Share[]>();
  private readonly perHost = new Map<string, number>();
  private readonly max: number;
  private readonly maxTotal: number;
  private total = 0;

  constructor(max = DEFAULT_MAX_SHARES_PER_HOST, maxTotal = DEFAULT_MAX_SHARES) {
    this.max = max;
    this.maxTotal = maxTotal;
  }

  /** Adds (or replaces) the reservation; false when another one conflicts or the host has too many. */
  share(file: string, s: Share): boolean {
    const list = this.files.get(file) ?? [];
    const others = list.filter((x) => !(x.host === s.host && x.oh === s.oh));
    if (others.some((x) => (x.access & s.deny) !== 0 || (s.access & x.deny) !== 0)) return false;
    const replacing = others.length !== list.length;
    if (!replacing && ((this.perHost.get(s.host) ?? 0) >= this.max || this.total >= this.maxTotal)) return false;
    others.push(s);
    this.files.set(file, others);
    if (!replacing) this.count(s.host, 1);
    return true;
  }

  unshare(file: string, host: string, oh: string): void {
    const list = this.files.get(file);
    if (!list) return;
    const rest = list.filter((x) => !(x.host === host && x.oh === oh));
    if (rest.length !== list.length) this.count(host, -1);
    if (rest.length === 0) this.files.delete(file);
    else this.files.set(file, rest);
  }

  releaseHost(host: string): void {
    for (const [f, list] of this.files) {
      const rest = list.filter((x) => x.host !== host);
      this.total -= list.length - rest.length;
      if (rest.length === 0) this.files.delete(f);
      else this.files.set(f, rest);
    }
    this.perHost.delete(host);
  }

  private count(host: string, d: number): void {
    this.total += d;
    const n = (this.perHost.get(host) ?? 0) + d;
    if (n <= 0) this.perHost.delete(host);
    else this.perHost.set(host, n);
  }
}

