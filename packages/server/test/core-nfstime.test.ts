/**
 * nfstime() and fattr() take fewer BigInt operations than the plain formulas (they run three
 * times per reply): these tests hold them to the plain formulas, exactly, at the edges and on
 * random values, and a device's rdev to the major/minor split.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import t from 'tap';
import { nfstime } from '../src/core/index.js';

function exact(ns: bigint): { seconds: number; nseconds: number } {
  const n = ns < 0n ? 0n : ns;
  return { seconds: Number(BigInt.asUintN(32, n / 1_000_000_000n)), nseconds: Number(n % 1_000_000_000n) };
}

t.test('nfstime equals the exact BigInt split everywhere', async (t) => {
  const edges = [
    -1n, -(10n ** 18n), 0n, 1n, 999_999_999n, 1_000_000_000n, 1_000_000_001n,
    1_700_000_000_123_456_789n, // now-ish
    (2n ** 32n) * 1_000_000_000n - 1n, (2n ** 32n) * 1_000_000_000n, (2n ** 32n) * 1_000_000_000n + 999_999_999n, // uint32 wrap
    2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n,
  ];
  for (const ns of edges) t.same(nfstime(ns), exact(ns), `${ns}`);
  let bad = 0;
  for (let i = 0; i < 20_000; i++) {
    const ns = randomBytes(8).readBigUInt64BE() >> BigInt(i % 20); // all magnitudes
    const a = nfstime(ns);
    const b = exact(ns);
    if (a.seconds !== b.seconds || a.nseconds !== b.nseconds) bad++;
  }
  t.equal(bad, 0, '20,000 random values of every magnitude');
});

t.test('fattr splits a device number into major and minor as glibc does', async (t) => {
  const { fattrOf: fattr } = await import('../src/core/index.js');
  const dev = statSync('/dev/null', { bigint: true });
  const rdev = dev.rdev;
  const want = {
    specdata1: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)) >>> 0,
    specdata2: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)) >>> 0,
  };
  t.same(fattr.call(null, dev).rdev, want, '/dev/null (1, 3 on Linux)');
  t.same(fattr.call(null, statSync('/', { bigint: true })).rdev, { specdata1: 0, specdata2: 0 }, 'not a device: 0, 0');
});
