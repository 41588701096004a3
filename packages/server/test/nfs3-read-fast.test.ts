/**
 * The promise-free small READ (read.ts readFast): once the open-file cache holds a file's
 * descriptor, a small READ is answered by the handler's return value itself. These tests make
 * sure that path is really taken (the core's fastResolves counter, a non-thenable result) and
 * that it keeps every rule of the general path: the permission check per credential, the exact
 * EOF rule, and the pooled data buffer going back once the reply is written.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { READ3res } from '@nfsts/xdr';
import { GATE_WIDE_OPEN, ctxFor, me, ok, rpcPair, setup, st, stranger } from './nfs3-helpers.js';

async function until(cond: () => boolean): Promise<void> {
  // waits for the server's write callbacks; bounded so a leak fails instead of hanging
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

/**
 * A server with a file 'f' of `size` random bytes owned by the caller, its handle, and its
 * descriptor in the open-file cache (one READ resolved the handle and opened it).
 */
async function cachedFile(t: Test, size: number): Promise<{ s: Awaited<ReturnType<typeof setup>>; data: Buffer; file: { data: Buffer } }> {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  const data = randomBytes(size);
  writeFileSync(join(s.root, 'f'), data);
  s.own(join(s.root, 'f'));
  const file = await s.fh('f');
  ok(await s.nfs.read({ file, offset: 0n, count: 1 }));
  return { s, data, file };
}

t.test('a small READ of a cached descriptor returns its result synchronously, with the right bytes', async (t) => {
  const { s, data, file } = await cachedFile(t, 10_000);
  const proc = s.prog.versions[3]!.procedures[6]!;
  const fast0 = s.core.counters.fastResolves;
  const r = proc.handler({ file, offset: 5n, count: 4096 }, ctxFor(me, 6)) as READ3res;
  t.equal(typeof (r as unknown as { then?: unknown }).then, 'undefined', 'not a promise');
  t.equal(s.core.counters.fastResolves, fast0 + 1, 'the fast resolve was used');
  t.ok(ok(r).data.equals(data.subarray(5, 4101)), 'bytes');
  t.equal(ok(r).eof, false);
  proc.sent!(r);
});

t.test('a descriptor the open-file cache dropped is never read again through the handle\'s memo', async (t) => {
  const { s, data, file } = await cachedFile(t, 8192);
  const proc = s.prog.versions[3]!.procedures[6]!;
  const read = (offset: bigint): READ3res => proc.handler({ file, offset, count: 4096 }, ctxFor(me, 6)) as READ3res;
  const r1 = read(0n); // the fast path remembers the OpenFile in the handle's memo
  t.ok(ok(r1).data.equals(data.subarray(0, 4096)));
  proc.sent!(r1);
  const cache = s.core.fileCache;
  const ino = (await import('node:fs')).statSync(join(s.root, 'f'), { bigint: true }).ino;
  const opens0 = cache.opens;
  cache.forget(ino); // as an eviction would: the remembered OpenFile is dropped and closes
  const fast0 = s.core.counters.fastResolves;
  const r2 = await read(4096n);
  t.equal(s.core.counters.fastResolves, fast0, 'the dropped descriptor was not used: the general path answered');
  t.equal(cache.opens, opens0 + 1, 'which opened the file again');
  t.ok(ok(r2).data.equals(data.subarray(4096, 8192)), 'with the right bytes');
  proc.sent!(r2);
  const r3 = read(0n);
  t.equal(s.core.counters.fastResolves, fast0 + 1, 'the new descriptor serves the fast path again');
  t.ok(ok(r3).data.equals(data.subarray(0, 4096)));
  proc.sent!(r3);
});

t.test('the fast path checks the credential of each call', async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  writeFileSync(join(s.root, 'private'), 'secret');
  s.own(join(s.root, 'private'));
  chmodSync(join(s.root, 'private'), 0o600);
  const file = await s.fh('private');
  t.equal(ok(await s.nfs.read({ file, offset: 0n, count: 4096 })).data.toString(), 'secret', 'the owner reads (and the descriptor is now cached)');
  const proc = s.prog.versions[3]!.procedures[6]!;
  const fast0 = s.core.counters.fastResolves;
  const lent0 = s.prog.env.smallReadBuffers.lentCount;
  const r = proc.handler({ file, offset: 0n, count: 4096 }, ctxFor(stranger, 6)) as READ3res;
  t.equal(s.core.counters.fastResolves, fast0 + 1, 'answered by the fast path');
  t.equal(st(r), 'NFS3ERR_ACCES', 'a stranger may not read a 0600 file through a descriptor the owner opened');
  t.equal(s.prog.env.smallReadBuffers.lentCount, lent0, 'a refused READ lends no buffer');
});

t.test('EOF on the fast path is exact: short at the end, at the end, past the end', async (t) => {
  const { s, data, file } = await cachedFile(t, 8192);
  const fast0 = s.core.counters.fastResolves;
  const exact = ok(await s.nfs.read({ file, offset: 4096n, count: 4096 }));
  t.same([exact.count, exact.eof], [4096, true], 'a read ending exactly at the end is eof');
  t.ok(exact.data.equals(data.subarray(4096)));
  const short = ok(await s.nfs.read({ file, offset: 8000n, count: 4096 }));
  t.same([short.count, short.eof], [192, true], 'a short read at the end is eof');
  t.ok(short.data.equals(data.subarray(8000)));
  const at = ok(await s.nfs.read({ file, offset: 8192n, count: 4096 }));
  t.same([at.count, at.eof], [0, true], 'at the end: nothing, eof');
  const past = ok(await s.nfs.read({ file, offset: 1_000_000n, count: 4096 }));
  t.same([past.count, past.eof], [0, true], 'past the end: nothing, eof');
  const mid = ok(await s.nfs.read({ file, offset: 0n, count: 4096 }));
  t.same([mid.count, mid.eof], [4096, false], 'a full read before the end is not eof');
  const grown = randomBytes(100);
  writeFileSync(join(s.root, 'f'), Buffer.concat([data, grown]));
  const more = ok(await s.nfs.read({ file, offset: 8192n, count: 4096 }));
  t.same([more.count, more.eof], [100, true], 'the size comes from a fresh fstat: bytes appended since are read');
  t.ok(more.data.equals(grown));
  t.equal(s.core.counters.fastResolves, fast0 + 6, 'every read above took the fast path');
});

t.test('over RPC, small READ buffers go back to their pool once each reply is written', async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  const { nfs } = await rpcPair(t, s.prog);
  const data = randomBytes(64 * 1024);
  writeFileSync(join(s.root, 'f'), data);
  s.own(join(s.root, 'f'));
  const file = await s.fh('f');
  const pool = s.prog.env.smallReadBuffers;
  ok(await nfs.read({ file, offset: 0n, count: 1 }));
  const fast0 = s.core.counters.fastResolves;
  const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => nfs.read({ file, offset: BigInt(i * 4096), count: 4096 })));
  for (const [i, r] of replies.entries()) t.ok(ok(r).data.equals(data.subarray(i * 4096, (i + 1) * 4096)), `reply ${i}`);
  const end = ok(await nfs.read({ file, offset: BigInt(data.length), count: 4096 }));
  t.same([end.count, end.eof], [0, true]);
  t.ok(s.core.counters.fastResolves > fast0, 'the fast path served them');
  await until(() => pool.lentCount === 0);
  t.equal(pool.lentCount, 0, 'every pooled buffer came back');
  t.ok(pool.idleCount >= 1, `and is kept for reuse (${pool.idleCount} idle)`);
  const again = ok(await nfs.read({ file, offset: 4096n, count: 4096 }));
  t.ok(again.data.equals(data.subarray(4096, 8192)), 'a reused buffer carries the new bytes only');
});
