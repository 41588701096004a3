import t from 'tap';
import { LOCK_EOF, LockManager, lockRange, type HeldLock, type LockFile, type LockOwner } from '../src/nlm/lock-manager.js';

const F: LockFile = { key: 'f' };
const A: LockOwner = { host: 'a', svid: 1, oh: Buffer.from('a1') };
const A2: LockOwner = { host: 'a', svid: 2, oh: Buffer.from('a2') };
const B: LockOwner = { host: 'b', svid: 1, oh: Buffer.from('b1') };

/** The table as 'owner:start-end:r|w', EOF as 'eof', sorted by start. */
function table(m: LockManager): string[] {
  return m.locksOf(F.key).map((l: HeldLock) => `${l.owner.host}${l.owner.svid}:${l.start}-${l.end === LOCK_EOF ? 'eof' : l.end}:${l.exclusive ? 'w' : 'r'}`);
}

function lk(m: LockManager, o: LockOwner, off: number, len: number, ex: boolean): string {
  const { start, end } = lockRange(BigInt(off), BigInt(len));
  return m.lock(F, o, start, end, ex).status;
}

function un(m: LockManager, o: LockOwner, off: number, len: number): void {
  const { start, end } = lockRange(BigInt(off), BigInt(len));
  m.unlock(F, o, start, end);
}

t.test('ranges: length 0 is to the end; 64-bit offsets; sums past 2^64 clamp', async (t) => {
  t.same(lockRange(5n, 0n), { start: 5n, end: LOCK_EOF });
  t.same(lockRange(0xffff_ffff_ffff_fff0n, 0x100n), { start: 0xffff_ffff_ffff_fff0n, end: LOCK_EOF });
  t.same(lockRange(1n << 40n, 10n), { start: 1n << 40n, end: (1n << 40n) + 10n });
});

t.test('conflicts only between different owners, and only when one is exclusive', async (t) => {
  const m = new LockManager();
  t.equal(lk(m, A, 0, 10, true), 'granted');
  t.equal(lk(m, A, 5, 10, true), 'granted', 'the same owner never conflicts with itself');
  t.equal(lk(m, A2, 14, 1, false), 'denied', 'another svid of the same host is another owner');
  t.equal(lk(m, B, 15, 5, true), 'granted', 'touching is not overlapping');
  t.equal(lk(m, B, 14, 2, false), 'denied');
  const held = m.test(F, B, 3n, 4n, false);
  t.match(held, { owner: { host: 'a', svid: 1 }, start: 0n, end: 15n, exclusive: true }, 'TEST names the holder');
  t.equal(m.test(F, A, 3n, 4n, true), null, 'the holder itself sees no conflict');
  un(m, A, 0, 0);
  t.equal(lk(m, A2, 0, 15, false), 'granted');
  t.equal(lk(m, B, 0, 10, false), 'granted', 'shared locks of two owners overlap');
  t.equal(lk(m, A, 5, 1, true), 'denied', 'exclusive against shared');
  t.same(table(m), ['a2:0-15:r', 'b1:0-10:r', 'b1:15-20:w']);
});

t.test('merge: touching and overlapping locks of one owner and type join', async (t) => {
  const m = new LockManager();
  lk(m, A, 0, 10, true);
  lk(m, A, 10, 10, true);
  t.same(table(m), ['a1:0-20:w'], 'touching on the right');
  lk(m, A, 30, 10, true);
  lk(m, A, 15, 20, true);
  t.same(table(m), ['a1:0-40:w'], 'a bridge joins both neighbours');
  lk(m, A, 50, 5, false);
  lk(m, A, 40, 10, true);
  t.same(table(m), ['a1:0-50:w', 'a1:50-55:r'], 'a different type touches but stays apart');
  lk(m, A, 5, 5, true);
  t.same(table(m), ['a1:0-50:w', 'a1:50-55:r'], 'inside an existing lock: nothing changes');
  lk(m, A, 100, 0, true);
  lk(m, A, 60, 40, true);
  t.same(table(m), ['a1:0-50:w', 'a1:50-55:r', 'a1:60-eof:w'], 'merges into a to-EOF lock');
});

t.test('split: unlocking the middle, an end, the front, or across several', async (t) => {
  const m = new LockManager();
  lk(m, A, 0, 100, true);
  un(m, A, 40, 20);
  t.same(table(m), ['a1:0-40:w', 'a1:60-100:w'], 'middle hole');
  un(m, A, 90, 50);
  t.same(table(m), ['a1:0-40:w', 'a1:60-90:w'], 'tail cut (unlock past the end)');
  un(m, A, 0, 10);
  t.same(table(m), ['a1:10-40:w', 'a1:60-90:w'], 'head cut');
  un(m, A, 30, 40);
  t.same(table(m), ['a1:10-30:w', 'a1:70-90:w'], 'one unlock spans two locks');
  un(m, B, 0, 0);
  t.same(table(m), ['a1:10-30:w', 'a1:70-90:w'], 'another owner unlocking changes nothing');
  un(m, A, 0, 0);
  t.same(table(m), [], 'length 0 unlocks everything');
  lk(m, A, 10, 0, true);
  un(m, A, 20, 10);
  t.same(table(m), ['a1:10-20:w', 'a1:30-eof:w'], 'a hole in a to-EOF lock');
});

t.test('upgrade and downgrade replace the owner\'s own range, splitting it', async (t) => {
  const m = new LockManager();
  lk(m, A, 0, 100, false);
  t.equal(lk(m, A, 40, 20, true), 'granted');
  t.same(table(m), ['a1:0-40:r', 'a1:40-60:w', 'a1:60-100:r'], 'upgrade of the middle');
  t.equal(lk(m, B, 10, 10, false), 'granted', 'B shares the read part');
  t.equal(lk(m, A, 0, 100, true), 'denied', 'A cannot upgrade over B\'s shared lock');
  t.same(table(m), ['a1:0-40:r', 'b1:10-20:r', 'a1:40-60:w', 'a1:60-100:r'], 'a refused upgrade changes nothing');
  t.equal(lk(m, A, 30, 40, false), 'granted', 'downgrade');
  t.same(table(m), ['a1:0-100:r', 'b1:10-20:r'], 'the downgraded piece merges back');
  t.equal(lk(m, B, 50, 10, false), 'granted');
  t.same(table(m), ['a1:0-100:r', 'b1:10-20:r', 'b1:50-60:r']);
});

t.test('blocking: waiters queue in order and are granted as conflicts go', async (t) => {
  t.plan(8);
  const m = new LockManager();
  lk(m, A, 0, 10, true);
  const order: string[] = [];
  t.equal(m.lock(F, B, 0n, 5n, true, () => order.push('b')).status, 'blocked');
  t.equal(m.lock(F, A2, 5n, 10n, false, () => order.push('a2')).status, 'blocked');
  t.equal(m.waitersOf(F.key), 2);
  un(m, A, 0, 5);
  t.same(order, ['b'], 'B\'s range freed first');
  un(m, A, 5, 5);
  t.same(order, ['b', 'a2']);
  t.same(table(m), ['b1:0-5:w', 'a2:5-10:r']);
  // a cancelled waiter is never granted
  m.lock(F, A, 0n, 1n, true, () => t.fail('cancelled waiter granted'));
  t.equal(m.cancel(F, A, 0n, 1n, true), true);
  un(m, B, 0, 0);
  t.equal(m.waitersOf(F.key), 0);
});

t.test('releaseHost frees a host\'s locks and waiters and wakes others', async (t) => {
  t.plan(3);
  const m = new LockManager();
  lk(m, A, 0, 10, true);
  lk(m, A2, 20, 10, true);
  m.lock(F, B, 0n, 30n, true, () => t.pass('B granted after host a went'));
  m.lock(F, A, 50n, 1n, true);
  t.equal(m.releaseHost('a'), 2);
  t.same(table(m), ['b1:0-30:w']);
});

t.test('a host is bounded in locks and waiters', async (t) => {
  const m = new LockManager({ maxLocksPerHost: 3, maxWaitersPerHost: 1 });
  t.equal(lk(m, A, 0, 1, true), 'granted');
  t.equal(lk(m, A, 2, 1, true), 'granted');
  t.equal(lk(m, A, 4, 1, true), 'nolocks', 'a third range could pass the bound after a split');
  lk(m, B, 10, 1, true);
  t.equal(m.lock(F, A, 10n, 11n, true, () => {}).status, 'blocked');
  t.equal(m.lock(F, A, 10n, 12n, true, () => {}).status, 'nolocks', 'one waiter per host here');
  m.close();
  t.same(m.hosts(), []);
});

t.test('the whole table is bounded too, whatever host names the clients claim', async (t) => {
  const m = new LockManager({ maxLocks: 5, maxWaiters: 1 });
  const granted = [0, 1, 2, 3, 4, 5].map((i) => m.lock(F, { host: `made-up-${i}`, svid: 1, oh: Buffer.alloc(1) }, BigInt(i * 10), BigInt(i * 10 + 1), true).status);
  t.same(granted, ['granted', 'granted', 'granted', 'granted', 'nolocks', 'nolocks'], 'room kept for a split');
  t.equal(m.lock(F, B, 0n, 1n, true, () => {}).status, 'blocked');
  t.equal(m.lock(F, { host: 'other', svid: 1, oh: Buffer.alloc(1) }, 0n, 1n, true, () => {}).status, 'nolocks', 'one waiter in all');
  m.close();
});
