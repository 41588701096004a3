/**
 * BufferPool's bookkeeping: only its own lent buffers come back, once each, through any view
 * of them; a foreign buffer, another pool's buffer, an overflow buffer or a second release of
 * the same buffer changes nothing (a miscount would let the pool lend more than its maximum,
 * or hand one buffer to two replies at once).
 */
import t from 'tap';
import { BufferPool } from '../src/index.js';

t.test('take and release count each pooled buffer once, through any view', async (t) => {
  const pool = new BufferPool(1024, 2, 3);
  const a = pool.take(100);
  const b = pool.take(1024);
  t.equal(pool.lentCount, 2);
  pool.release(a.subarray(10, 20));
  t.equal(pool.lentCount, 1, 'a view of a lent buffer gives it back');
  pool.release(a);
  pool.release(a.subarray(1));
  t.equal(pool.lentCount, 1, 'released twice: counted once');
  t.equal(pool.idleCount, 1);
  const again = pool.take(50);
  t.equal(again.buffer, a.buffer, 'the idle buffer is lent again');
  pool.release(b);
  pool.release(again);
  t.equal(pool.lentCount, 0);
  t.equal(pool.idleCount, 2, 'kept up to keep');
});

t.test('foreign buffers and other pools\' buffers are ignored', async (t) => {
  const one = new BufferPool(512, 4, 4);
  const two = new BufferPool(512, 4, 4);
  const x = one.take(512);
  two.release(x);
  t.equal(one.lentCount, 1, 'another pool cannot release it');
  t.equal(two.lentCount, 0);
  t.equal(two.idleCount, 0, 'nor keep it');
  one.release(Buffer.alloc(512));
  one.release(Buffer.from(new ArrayBuffer(512)));
  t.equal(one.lentCount, 1, 'fresh buffers are not the pool\'s');
  one.release(x);
  t.equal(one.lentCount, 0);
});

t.test('the maximum holds: tryTake refuses, take overflows outside the pool', async (t) => {
  const pool = new BufferPool(256, 1, 2);
  const a = pool.take(256);
  const b = pool.tryTake(256)!;
  t.ok(pool.exhausted);
  t.equal(pool.tryTake(1), null, 'tryTake at the maximum: null');
  const over = pool.take(10);
  t.equal(pool.overflowCount, 1);
  t.equal(pool.lentCount, 2, 'an overflow buffer is not counted as lent');
  pool.release(over);
  t.equal(pool.lentCount, 2, 'nor taken back');
  t.equal(pool.idleCount, 0);
  let woke = 0;
  pool.waitAvailable(() => woke++);
  pool.release(a);
  t.equal(woke, 1, 'a release wakes the waiter');
  pool.release(b);
  t.equal(pool.idleCount, 1, 'one kept (keep = 1)');
  t.notOk(pool.exhausted);
});
