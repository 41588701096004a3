/**
 * A map whose entries live `ttlMs` (the client's actimeo). ttl 0 stores nothing. Bounded:
 * past `max` entries the oldest insertions go first.
 *
 * The newest key is kept apart for the hot case of one file's READ/WRITE replies: setting it
 * again updates its entry in place, and deleting it (a WRITE forgets its file's attributes
 * before the reply sets them) only marks the entry gone, so the next set() reuses it: no new
 * entry and no delete + set churning the Map's table per call.
 */
export class TtlCache<V> {
  private readonly map = new Map<string, { v: V | undefined; exp: number }>();
  /** the key inserted last */
  private newest: string | undefined = undefined;
  /** the newest key's entry is deleted (kept only to be reused) */
  private newestGone = false;
  constructor(private readonly ttlMs: number, private readonly max = 10_000) {}

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    // a deleted newest entry has exp -Infinity: it goes here too
    if (e.exp < performance.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e.v;
  }

  set(key: string, v: V): void {
    if (this.ttlMs <= 0) return;
    const exp = performance.now() + this.ttlMs;
    if (key === this.newest) {
      const e = this.map.get(key);
      if (e !== undefined) {
        e.v = v;
        e.exp = exp;
        this.newestGone = false;
        return;
      }
    } else if (this.newestGone) {
      // another key: the placeholder of the deleted newest one goes for good
      this.map.delete(this.newest!);
    }
    this.newestGone = false;
    this.map.delete(key);
    this.map.set(key, { v, exp });
    this.newest = key;
    if (this.map.size > this.max) {
      const first = this.map.keys().next();
      if (first.done !== true) this.map.delete(first.value);
    }
  }

  delete(key: string): void {
    if (key === this.newest) {
      const e = this.map.get(key);
      if (e !== undefined) {
        e.v = undefined;
        e.exp = -Infinity;
        this.newestGone = true;
        return;
      }
    }
    this.map.delete(key);
  }

  /** Drops every key starting with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const k of this.map.keys()) if (k.startsWith(prefix)) this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
    this.newest = undefined;
    this.newestGone = false;
  }

  get size(): number {
    return this.map.size - (this.newestGone && this.map.has(this.newest!) ? 1 : 0);
  }
}
