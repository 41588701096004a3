/**
 * Synchronous small READs on the server (SyncReadGate): which reads run on the event loop,
 * the per-turn bounds, the cooldown after a slow one, option checks, and READ through
 * NFS with the gate on and off giving the same bytes.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ServerCore, SyncReadGate, parseSyncReadOptions, DEFAULT_SYNC_READ_MAX_BYTES, DEFAULT_SYNC_READ_MAX_READ_BYTES, DEFAULT_SYNC_READS_PER_TURN,
  DEFAULT_SLOW_SYNC_READ_STRIKES,
} from '../src/core/index.js';
import { GATE_WIDE_OPEN, ok, setup } from './nfs3-helpers.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('the gate: size limit, per-turn count and budget, cooldown after a slow read, off with maxBytes 0', async (t) => {
  const g = new SyncReadGate();
  t.equal(g.allow(DEFAULT_SYNC_READ_MAX_BYTES), true, 'up to maxBytes');
  t.equal(g.allow(DEFAULT_SYNC_READ_MAX_BYTES + 1), false, 'larger reads go to the thread pool');
  g.done(0, 0.001);
  let allowed = 1;
  for (let i = 1; i < DEFAULT_SYNC_READS_PER_TURN; i++) if (g.allow(4096)) allowed++;
  t.equal(allowed, DEFAULT_SYNC_READS_PER_TURN, 'small reads allowed up to the per-turn count');
  t.equal(g.allow(4096), false, `at most ${DEFAULT_SYNC_READS_PER_TURN} per event-loop turn`);
  await turn();
  t.equal(g.allow(4096), true, 'a new turn allows again');

  const b = new SyncReadGate({ budgetUs: 100 });
  t.equal(b.allow(4096), true);
  b.done(10, 10.15); // 150 µs: over the budget, under slowUs
  t.equal(b.allow(4096), false, 'the per-turn time budget is spent');
  await turn();
  t.equal(b.allow(4096), true, 'and renewed next turn');

  const c = new SyncReadGate({ cooldownMs: 60_000 });
  const slowRead = (): void => c.done(performance.now() - 1, performance.now()); // 1 ms: not from the page cache
  for (let i = 1; i < DEFAULT_SLOW_SYNC_READ_STRIKES; i++) {
    t.equal(c.allow(4096), true);
    slowRead();
    await turn();
  }
  t.equal(c.allow(4096), true, `${DEFAULT_SLOW_SYNC_READ_STRIKES - 1} slow reads in a row (a preempted thread) keep synchronous reads on`);
  c.done(0, 0.001); // a fast one clears the count
  for (let i = 1; i < DEFAULT_SLOW_SYNC_READ_STRIKES; i++) {
    await turn();
    t.equal(c.allow(4096), true);
    slowRead();
  }
  await turn();
  t.equal(c.allow(4096), true, 'a fast read in between starts the count again');
  slowRead();
  await turn();
  t.equal(c.allow(4096), false, `${DEFAULT_SLOW_SYNC_READ_STRIKES} slow reads in a row turn synchronous reads off for the cooldown`);

  const off = new SyncReadGate({ maxBytes: 0 });
  t.equal(off.allow(1), false, 'maxBytes 0: never');
});

t.test('READs have their own size limit; a large read is judged slow by its size', async (t) => {
  const g = new SyncReadGate();
  t.equal(g.allowRead(DEFAULT_SYNC_READ_MAX_READ_BYTES), true, 'a READ up to maxReadBytes');
  t.equal(g.allowRead(DEFAULT_SYNC_READ_MAX_READ_BYTES + 1), false, 'a larger READ goes to the thread pool');
  t.equal(g.allow(DEFAULT_SYNC_READ_MAX_BYTES + 1), false, 'writes keep maxBytes');
  t.equal(new SyncReadGate({ maxReadBytes: 0 }).allowRead(1), false, 'maxReadBytes 0: no synchronous READ');
  t.equal(new SyncReadGate({ maxBytes: 0 }).allowRead(1), false, 'maxBytes 0 turns READs off too');
  const c = new SyncReadGate({ cooldownMs: 60_000, slowStrikes: 1 });
  // 128 KiB in 300 µs: over slowUs (200) but within 200 + 1 µs per KiB beyond 16 KiB (312)
  t.equal(c.allowRead(128 * 1024), true);
  c.done(0, 0.3, 128 * 1024);
  await turn();
  t.equal(c.allowRead(128 * 1024), true, 'a 128 KiB read in 300 µs is not slow');
  c.done(0, 0.4, 128 * 1024);
  await turn();
  t.equal(c.allowRead(4096), false, 'one in 400 µs is');
  const d = new SyncReadGate({ cooldownMs: 60_000, slowStrikes: 1 });
  t.equal(d.allowRead(4096), true);
  d.done(0, 0.3, 4096);
  await turn();
  t.equal(d.allowRead(4096), false, 'a 4 KiB read in 300 µs is slow');
});

t.test('options are checked and errors name the property', async (t) => {
  t.same(parseSyncReadOptions(undefined).maxBytes, DEFAULT_SYNC_READ_MAX_BYTES);
  t.same(parseSyncReadOptions(undefined).maxReadBytes, DEFAULT_SYNC_READ_MAX_READ_BYTES);
  t.throws(() => parseSyncReadOptions({ maxBytes: -1 }), /"maxBytes"/);
  t.throws(() => parseSyncReadOptions({ maxReadBytes: 0.5 }), /"maxReadBytes"/);
  t.throws(() => parseSyncReadOptions({ perTurn: 0 }), /"perTurn"/);
  t.throws(() => parseSyncReadOptions({ slowUs: 1.5 }), /"slowUs"/);
  t.throws(() => parseSyncReadOptions({ slowStrikes: 0 }), /"slowStrikes"/);
  t.throws(() => parseSyncReadOptions('x' as never), /"syncReads"/);
  await t.rejects(ServerCore.open({ stateDir: '/nonexistent-nfsts/state', exports: [], syncReads: { budgetUs: 0 } }), { code: 'ERR_NFS_BAD_OPTION' });
});

t.test('READ: reads up to maxReadBytes run synchronously, larger ones through the thread pool; same bytes either way', async (t) => {
  // Only the size may decide here. These READs run without a promise, all in one event-loop
  // turn, so with the default gate the per-turn time budget and the slow-read cooldown (wall
  // time: a read preempted on a loaded CPU counts as slow) sent the 128 KiB one to the thread
  // pool now and then (4 runs of `run-tests.mjs core-` in 31 on one loaded CPU). Both are tested
  // above with the durations given to done(), not measured.
  const s = await setup(t, { syncReads: { ...GATE_WIDE_OPEN, maxReadBytes: 128 * 1024 } });
  const data = randomBytes(256 * 1024);
  writeFileSync(join(s.root, 'f'), data);
  s.own(join(s.root, 'f'));
  const file = await s.fh('f');
  const sync0 = s.core.counters.syncReads;
  for (let i = 0; i < 8; i++) {
    const off = i * 4096 + 7;
    const r = ok(await s.nfs.read({ file, offset: BigInt(off), count: 4096 }));
    t.ok(r.data.equals(data.subarray(off, off + 4096)), `4 KiB at ${off}`);
  }
  t.ok(s.core.counters.syncReads > sync0, `small reads ran synchronously (${s.core.counters.syncReads - sync0} of 8)`);
  const sync1 = s.core.counters.syncReads;
  const mid = ok(await s.nfs.read({ file, offset: 0n, count: 128 * 1024 }));
  t.ok(mid.data.equals(data.subarray(0, 128 * 1024)), '128 KiB');
  t.equal(s.core.counters.syncReads, sync1 + 1, 'a 128 KiB read ran synchronously (maxReadBytes)');
  const big = ok(await s.nfs.read({ file, offset: 0n, count: 256 * 1024 }));
  t.ok(big.data.equals(data), '256 KiB');
  t.equal(s.core.counters.syncReads, sync1 + 1, 'a 256 KiB read went through the thread pool');
  const tail = ok(await s.nfs.read({ file, offset: BigInt(data.length - 100), count: 4096 }));
  t.equal(tail.count, 100);
  t.equal(tail.eof, true, 'eof exact on the synchronous path');
});

t.test('core.io.lstat: synchronous under the gate, same stats and errors as the backend; off with maxBytes 0', async (t) => {
  const s = await setup(t);
  writeFileSync(join(s.root, 'f'), 'x');
  const exp = s.core.exports[0]!;
  const want = await s.core.backend.lstat(s.core.table.loc(exp, 'f'));
  const got = await s.core.io.lstat(s.core.table.loc(exp, 'f'));
  t.equal(got.ino, want.ino);
  t.equal(got.size, 1n);
  t.equal(got.mtimeNs, want.mtimeNs);
  await t.rejects(s.core.io.lstat(s.core.table.loc(exp, 'missing')), { code: 'ENOENT' }, 'a missing path rejects with the errno, as the async call does');
  const g = new SyncReadGate();
  t.equal(g.allowStat(), true);
  const off = new SyncReadGate({ maxBytes: 0 });
  t.equal(off.allowStat(), false, 'maxBytes 0 turns synchronous stats off too');
  const slow = new SyncReadGate({ cooldownMs: 60_000, slowStrikes: 1 });
  t.equal(slow.allowStat(), true);
  slow.done(performance.now() - 1, performance.now());
  await turn();
  t.equal(slow.allowStat(), false, 'a slow synchronous call turns stats off for the cooldown as well');
});

t.test('the per-turn bound holds whichever turns the counted reads came from (the reset is scheduled lazily)', async (t) => {
  const g = new SyncReadGate({ perTurn: 20 });
  // a few reads, each in a turn of its own (QD 1): no reset needed for them
  for (let i = 0; i < 5; i++) {
    t.equal(g.allow(4096), true);
    g.done(0, 0.001);
    await turn();
  }
  let allowed = 0;
  for (let i = 0; i < 100; i++) if (g.allow(4096)) allowed++;
  t.ok(allowed <= 20, `never more than perTurn in one turn (${allowed})`);
  t.ok(allowed >= 20 - 8, 'at most a few reads of earlier turns are counted into this one');
  await turn();
  let next = 0;
  for (let i = 0; i < 100; i++) if (g.allow(4096)) next++;
  t.equal(next, 20, 'a full turn resets the count');
  const b = new SyncReadGate({ budgetUs: 100, perTurn: 1000 });
  t.equal(b.allow(4096), true);
  b.done(0, 0.03); // 30 µs: a quarter of the budget spent schedules the reset
  t.equal(b.allow(4096), true);
  b.done(0, 0.08); // 110 µs in all: spent
  t.equal(b.allow(4096), false, 'the time budget is per turn');
  await turn();
  t.equal(b.allow(4096), true, 'renewed next turn');
});
