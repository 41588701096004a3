/**
 * A map whose entries live `ttlMs` (the client's actimeo). ttl 0 stores nothing. Bounded:
 * past `max` entries the oldest insertions go first.
 */
export class TtlCache<V> {
  private readonly map = new Map<string, { v: V; exp: number }>();
  constructor(private readonly ttlMs: number, private readonly max = 10_000) {}

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (e.exp < performance.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e.v;
  }

  set(key: string, v: V): void {
    if (this.ttlMs <= 0) return;
    this.map.delete(key);
    this.map.set(key, { v, exp: performance.now() + this.ttlMs });
    if (this.map.size > this.max) {
      const first = this.map.keys().next();
      if (first.done !== true) this.map.delete(first.value);
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Drops every key starting with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const k of this.map.keys()) if (k.startsWith(prefix)) this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
