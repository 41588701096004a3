/** A small seeded PRNG (xorshift32) so that a fuzz run is repeated exactly from its seed. */
export interface Rng {
  int(n: number): number;
  bool(): boolean;
  pick<T>(a: readonly T[]): T;
  bytes(n: number): Uint8Array;
}

export function rng(seed: number): Rng {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
  return {
    int: (n) => next() % n,
    bool: () => (next() & 1) === 1,
    pick: (a) => a[next() % a.length]!,
    bytes: (n) => {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = next() & 0xff;
      return b;
    },
  };
}
