// The attribute/lookup cache's rules, in particular for the newest key, whose entry is
// updated and deleted in place (the per-call READ/WRITE case): nothing may outlive a delete,
// and the eviction order and size are those of a plain insertion-ordered map.
import t from 'tap';
import { TtlCache } from '../src/cache.js';

t.test('a deleted newest key is gone, and a set after it is seen', async (t) => {
  const c = new TtlCache<number>(60_000);
  c.set('a', 1);
  c.set('a', 2);
  t.equal(c.get('a'), 2, 'set again in place');
  c.delete('a');
  t.equal(c.get('a'), undefined, 'deleted');
  t.equal(c.size, 0, 'no entry counted');
  c.delete('a');
  c.set('a', 3);
  t.equal(c.get('a'), 3, 'set after delete');
  c.delete('a');
  c.set('a', 4);
  c.delete('a');
  t.equal(c.get('a'), undefined, 'deleted again');
  c.set('b', 5);
  t.equal(c.get('a'), undefined, 'still deleted after another key');
  t.equal(c.get('b'), 5);
  t.equal(c.size, 1);
});

t.test('a deleted older key is gone; the newest stays', async (t) => {
  const c = new TtlCache<number>(60_000);
  c.set('a', 1);
  c.set('b', 2);
  c.delete('a');
  t.equal(c.get('a'), undefined);
  t.equal(c.get('b'), 2);
  c.set('a', 3);
  c.delete('b');
  t.equal(c.get('b'), undefined);
  t.equal(c.get('a'), 3);
  t.equal(c.size, 1);
});

t.test('the oldest insertion is evicted; a deleted newest entry does not count', async (t) => {
  const c = new TtlCache<number>(60_000, 2);
  c.set('a', 1);
  c.set('b', 2);
  c.set('b', 3); // in place: b stays the newest, a the oldest
  c.set('c', 4);
  t.equal(c.get('a'), undefined, 'a evicted');
  t.equal(c.get('b'), 3);
  t.equal(c.get('c'), 4);
  c.delete('c');
  c.set('d', 5); // c's placeholder goes, so b is not evicted
  t.equal(c.get('b'), 3, 'b kept');
  t.equal(c.get('c'), undefined);
  t.equal(c.get('d'), 5);
  t.equal(c.size, 2);
});

t.test('entries expire after ttl; ttl 0 stores nothing; clear and prefixes', async (t) => {
  const c = new TtlCache<number>(5);
  c.set('a', 1);
  c.set('a', 2);
  const until = performance.now() + 10;
  while (performance.now() < until) { /* wait past the ttl */ }
  t.equal(c.get('a'), undefined, 'expired');
  c.set('a', 3);
  t.equal(c.get('a'), 3, 'set again after expiry');
  const z = new TtlCache<number>(0);
  z.set('a', 1);
  t.equal(z.get('a'), undefined);
  const p = new TtlCache<number>(60_000);
  p.set('x\0one', 1);
  p.set('x\0two', 2);
  p.set('y\0one', 3);
  p.deletePrefix('x\0');
  t.equal(p.get('x\0one'), undefined);
  t.equal(p.get('x\0two'), undefined);
  t.equal(p.get('y\0one'), 3);
  p.clear();
  t.equal(p.get('y\0one'), undefined);
  p.set('y\0one', 4);
  t.equal(p.get('y\0one'), 4, 'usable after clear');
});
