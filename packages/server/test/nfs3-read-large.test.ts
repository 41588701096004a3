/**
 * READs above 16 KiB on the promise-free path (read.ts readFast with a pooled 1 MiB buffer,
 * the SyncReadGate's maxReadBytes): the same bytes, count, eof and attributes as the thread-pool
 * path across sizes and offsets (at and past EOF, zero-length), every pooled buffer given back
 * exactly once, and the permission check kept.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import { createmode3, stable_how, type READ3res } from '@nfsts/xdr';
import { DEFAULT_SYNC_READ_MAX_READ_BYTES, type ParsedSyncReadOptions } from '../src/core/index.js';
import { GATE_WIDE_OPEN, NO_SATTR, ctxFor, me, ok, rpcPair, setup, st, stranger } from './nfs3-helpers.js';
import { CountingPool } from './counting-pool.js';

const KiB = 1024;
const MiB = 1024 * 1024;

async function until(cond: () => boolean): Promise<void> {
  // waits for the server's write callbacks; bounded so a leak fails instead of hanging
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

/** The gate's options, switched by the tests between the synchronous and the thread-pool read. */
function gateOptions(s: { core: { syncReads: { options: ParsedSyncReadOptions } } }): { maxReadBytes: number } {
  return s.core.syncReads.options as { maxReadBytes: number };
}

t.test('the default lets READs up to the largest (1 MiB) run synchronously', async (t) => {
  t.equal(DEFAULT_SYNC_READ_MAX_READ_BYTES, MiB);
});

t.test('synchronous and thread-pool READs return the same bytes, count, eof and attributes across sizes and offsets', async (t) => {
  const s = await setup(t, { syncReads: { ...GATE_WIDE_OPEN, maxReadBytes: MiB } });
  const size = 3 * MiB + 123;
  const data = randomBytes(size);
  writeFileSync(join(s.root, 'f'), data);
  s.own(join(s.root, 'f'));
  const file = await s.fh('f');
  ok(await s.nfs.read({ file, offset: 0n, count: 1 })); // caches the descriptor (and settles atime)
  const gate = gateOptions(s);
  const counts = [0, 1, 4095, 16 * KiB + 1, 64 * KiB - 1, 64 * KiB, 128 * KiB, 128 * KiB + 1, MiB, 2 * MiB];
  const offsets = [0, 7, 64 * KiB, size - 100_000, size - 1, size, size + 4096];
  let syncSeen = 0;
  for (const count of counts) {
    for (const offset of offsets) {
      gate.maxReadBytes = MiB;
      const sync0 = s.core.counters.syncReads;
      const a = await s.nfs.read({ file, offset: BigInt(offset), count });
      const tookSync = s.core.counters.syncReads > sync0;
      gate.maxReadBytes = 0;
      const sync1 = s.core.counters.syncReads;
      const b = await s.nfs.read({ file, offset: BigInt(offset), count });
      t.equal(s.core.counters.syncReads, sync1, `${count}@${offset}: gate closed, no synchronous read`);
      const ra = ok(a);
      const rb = ok(b);
      const want = Math.max(0, Math.min(count, 1 * MiB, size - offset)); // RTMAX is 1 MiB
      const end = Math.min(offset + want, size);
      t.same([ra.count, ra.eof], [rb.count, rb.eof], `${count}@${offset}: same count and eof`);
      t.equal(ra.count, want, `${count}@${offset}: count`);
      t.equal(ra.eof, offset + want >= size, `${count}@${offset}: eof exactly when the read reaches the end`);
      t.ok(ra.data.equals(data.subarray(Math.min(offset, size), end)) && rb.data.equals(ra.data), `${count}@${offset}: bytes`);
      t.same(ra.file_attributes, rb.file_attributes, `${count}@${offset}: attributes`);
      if (tookSync) syncSeen++;
    }
  }
  t.ok(syncSeen > 20, `the open gate served the large reads synchronously (${syncSeen} cells)`);
  gate.maxReadBytes = MiB;
});

t.test('over RPC every pooled READ buffer goes back exactly once, whichever path served it', async (t) => {
  const s = await setup(t, { syncReads: { ...GATE_WIDE_OPEN, maxReadBytes: 128 * KiB } });
  const pool = new CountingPool(MiB, 4, 64);
  s.prog.env.readBuffers = pool;
  const { nfs } = await rpcPair(t, s.prog);
  const size = 2 * MiB + 5;
  const data = randomBytes(size);
  writeFileSync(join(s.root, 'f'), data);
  s.own(join(s.root, 'f'));
  writeFileSync(join(s.root, 'private'), randomBytes(256 * KiB));
  s.own(join(s.root, 'private'));
  chmodSync(join(s.root, 'private'), 0o600);
  const file = await s.fh('f');
  const priv = await s.fh('private');
  ok(await nfs.read({ file, offset: 0n, count: 1 }));
  ok(await nfs.read({ file: priv, offset: 0n, count: 1 }));
  const sync0 = s.core.counters.syncReads;
  const calls: Array<Promise<READ3res>> = [];
  const expect: Array<[number, number] | 'ACCES'> = [];
  for (let i = 0; i < 40; i++) {
    const count = [64 * KiB, 128 * KiB, 256 * KiB, MiB][i % 4]!;
    const offset = (i * 37 * KiB) % (size + 200_000); // some at or past EOF
    calls.push(nfs.read({ file, offset: BigInt(offset), count }));
    expect.push([offset, count]);
  }
  for (let i = 0; i < 4; i++) {
    calls.push(nfs.read({ file: priv, offset: 0n, count: 128 * KiB }, stranger));
    expect.push('ACCES');
  }
  calls.push(nfs.read({ file, offset: 0n, count: 0 }));
  expect.push([0, 0]);
  const res = await Promise.all(calls);
  for (const [i, r] of res.entries()) {
    const e = expect[i]!;
    if (e === 'ACCES') {
      t.equal(st(r), 'NFS3ERR_ACCES', `call ${i}: refused`);
      continue;
    }
    const [offset, count] = e;
    const want = Math.max(0, Math.min(count, size - offset));
    t.ok(ok(r).data.equals(data.subarray(Math.min(offset, size), Math.min(offset, size) + want)), `call ${i}: ${count}@${offset}`);
  }
  t.ok(s.core.counters.syncReads > sync0, 'some were served synchronously');
  await until(() => pool.lentCount === 0);
  t.equal(pool.lentCount, 0, 'nothing is still lent');
  t.ok(pool.taken >= 40, `buffers taken (${pool.taken})`);
  t.equal(pool.released, pool.taken, 'each taken buffer came back');
  t.equal(pool.repeated, 0, 'and none was given back twice');
  t.equal(pool.overflowCount, 0);
});

t.test('a large READ on the fast path checks the credential and lends nothing when refused', async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  const pool = new CountingPool(MiB, 4, 64);
  s.prog.env.readBuffers = pool;
  const data = randomBytes(256 * KiB);
  writeFileSync(join(s.root, 'private'), data);
  s.own(join(s.root, 'private'));
  chmodSync(join(s.root, 'private'), 0o600);
  const file = await s.fh('private');
  const proc = s.prog.versions[3]!.procedures[6]!;
  const first = await proc.handler({ file, offset: 0n, count: 128 * KiB }, ctxFor(me, 6)) as READ3res;
  t.ok(ok(first).data.equals(data.subarray(0, 128 * KiB)), 'the owner reads (and the descriptor is now cached)');
  proc.sent!(first);
  const fast0 = s.core.counters.fastResolves;
  const sync0 = s.core.counters.syncReads;
  const mine = proc.handler({ file, offset: 0n, count: 128 * KiB }, ctxFor(me, 6)) as READ3res;
  t.equal(typeof (mine as unknown as { then?: unknown }).then, 'undefined', 'the owner\'s 128 KiB READ is answered without a promise');
  t.equal(s.core.counters.syncReads, sync0 + 1, 'by a synchronous read');
  t.ok(ok(mine).data.equals(data.subarray(0, 128 * KiB)));
  proc.sent!(mine);
  const r = proc.handler({ file, offset: 0n, count: 128 * KiB }, ctxFor(stranger, 6)) as READ3res;
  t.equal(s.core.counters.fastResolves, fast0 + 2, 'both answered by the fast path');
  t.equal(st(r), 'NFS3ERR_ACCES', 'a stranger may not read a 0600 file through a descriptor the owner opened');
  t.equal(s.core.counters.syncReads, sync0 + 1, 'and no byte was read for the stranger');
  proc.sent!(r);
  t.equal(pool.lentCount, 0, 'the refused READ gave its pooled buffer back');
  t.same([pool.taken, pool.released, pool.repeated], [3, 3, 0], 'taken and given back once each');
});

t.test('a large READ of the memory backend lends its bytes and gives the pooled buffer back', async (t) => {
  const s = await setup(t, { memory: {}, syncReads: GATE_WIDE_OPEN });
  const pool = new CountingPool(MiB, 4, 64);
  s.prog.env.readBuffers = pool;
  const data = randomBytes(300 * KiB);
  const created = ok(await s.nfs.create({ where: { dir: s.rootFh, name: 'm' }, how: { mode: createmode3.UNCHECKED, obj_attributes: NO_SATTR } }));
  if (!created.obj.handle_follows) throw new Error('CREATE returned no handle');
  const file = created.obj.handle;
  ok(await s.nfs.write({ file, offset: 0n, count: data.length, stable: stable_how.FILE_SYNC, data }));
  const proc = s.prog.versions[3]!.procedures[6]!;
  for (const [offset, count] of [[0, 128 * KiB], [200 * KiB, 256 * KiB], [300 * KiB, 64 * KiB]] as const) {
    const r = await proc.handler({ file, offset: BigInt(offset), count }, ctxFor(me, 6)) as READ3res;
    const want = Math.max(0, Math.min(count, data.length - offset));
    t.ok(ok(r).data.equals(data.subarray(offset, offset + want)), `${count}@${offset}`);
    t.equal(ok(r).eof, offset + want >= data.length);
    proc.sent!(r);
  }
  t.equal(pool.lentCount, 0, 'no pooled buffer is held for the lent bytes');
  t.equal(pool.released, pool.taken, 'each taken buffer came back');
  t.equal(pool.repeated, 0);
});
