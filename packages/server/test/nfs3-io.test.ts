/**
 * READ, WRITE and COMMIT: data, exact eof, stable_how, the write verifier (constant for a
 * server's lifetime, new for a new ServerCore), the open-file cache, and their error cases.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import { stable_how } from '@nfsts/xdr';
import { ServerCore } from '../src/core/index.js';
import { groupMate, isRoot, me, nfsstat3, ok, sattr, setup, st, stranger } from './nfs3-helpers.js';

t.test('READ returns the bytes with an exact eof', async (t) => {
  const s = await setup(t);
  const data = randomBytes(10_000);
  writeFileSync(join(s.root, 'f'), data);
  s.own(join(s.root, 'f'));
  const file = await s.fh('f');
  const r1 = ok(await s.nfs.read({ file, offset: 0n, count: 4096 }));
  t.equal(r1.count, 4096);
  t.equal(r1.eof, false);
  t.ok(r1.data.equals(data.subarray(0, 4096)));
  const r2 = ok(await s.nfs.read({ file, offset: 4096n, count: 10_000 - 4096 }));
  t.equal(r2.count, 10_000 - 4096);
  t.equal(r2.eof, true, 'a read ending exactly at the end is eof');
  t.ok(r2.data.equals(data.subarray(4096)));
  const r3 = ok(await s.nfs.read({ file, offset: 9000n, count: 5000 }));
  t.equal(r3.count, 1000);
  t.equal(r3.eof, true, 'a short read is eof');
  const r4 = ok(await s.nfs.read({ file, offset: 20_000n, count: 10 }));
  t.equal(r4.count, 0);
  t.equal(r4.eof, true, 'beyond the end');
  const r5 = ok(await s.nfs.read({ file, offset: 0n, count: 0 }));
  t.equal(r5.count, 0);
  t.equal(r5.eof, false, 'a zero-byte read at 0 of a non-empty file is not eof');
  t.ok(r1.file_attributes.attributes_follow && r1.file_attributes.attributes.size === 10_000n, 'post-op attributes');
  const big = ok(await s.nfs.read({ file, offset: 0n, count: 8 * 1024 * 1024 }));
  t.equal(big.count, 10_000, 'count is capped, not refused');

  writeFileSync(join(s.root, 'empty'), '');
  const e = ok(await s.nfs.read({ file: await s.fh('empty'), offset: 0n, count: 100 }));
  t.equal(e.count, 0);
  t.equal(e.eof, true);
  t.ok(s.core.fileCache.opens >= 1, 'reads went through the open-file cache');
  const opens = s.core.fileCache.opens;
  ok(await s.nfs.read({ file, offset: 0n, count: 10 }));
  t.equal(s.core.fileCache.opens, opens, 'a second read reuses the cached descriptor');
});

t.test('READ errors: ISDIR, INVAL on a symlink, ACCES, STALE, BADHANDLE; owner and x may read', async (t) => {
  const s = await setup(t);
  mkdirSync(join(s.root, 'd'));
  writeFileSync(join(s.root, 'f'), 'secret');
  s.own(join(s.root, 'f'));
  chmodSync(join(s.root, 'f'), 0o600);
  const file = await s.fh('f');
  t.equal(st(await s.nfs.read({ file: await s.fh('d'), offset: 0n, count: 10 })), 'NFS3ERR_ISDIR');
  const { symlinkSync, unlinkSync } = await import('node:fs');
  symlinkSync('f', join(s.root, 'l'));
  t.equal(st(await s.nfs.read({ file: await s.fh('l'), offset: 0n, count: 10 })), 'NFS3ERR_INVAL');
  t.equal(st(await s.nfs.read({ file, offset: 0n, count: 10 }, stranger)), 'NFS3ERR_ACCES');
  t.equal(st(await s.nfs.read({ file, offset: 0n, count: 10 }, groupMate)), 'NFS3ERR_ACCES');
  chmodSync(join(s.root, 'f'), 0o200);
  t.equal(st(await s.nfs.read({ file, offset: 0n, count: 10 }, me)), isRoot ? 'NFS3_OK' : 'NFS3ERR_ACCES', 'the owner reads a file it may only write (nfsd owner override, when the server may open it)');
  chmodSync(join(s.root, 'f'), 0o601);
  t.equal(ok(await s.nfs.read({ file, offset: 0n, count: 10 }, stranger)).count, 6, 'x is enough to read (clients execute by reading)');
  unlinkSync(join(s.root, 'f'));
  t.equal(st(await s.nfs.read({ file, offset: 0n, count: 10 })), 'NFS3ERR_STALE');
  t.equal(st(await s.nfs.read({ file: { data: Buffer.from('nope') }, offset: 0n, count: 10 })), 'NFS3ERR_BADHANDLE');
});

// That WRITE and COMMIT really sync before answering is checked in nfs3-durability.test.ts.
t.test('WRITE answers the committed level asked for and the constant write verifier; COMMIT too', async (t) => {
  const s = await setup(t);
  writeFileSync(join(s.root, 'f'), '');
  s.own(join(s.root, 'f'));
  const file = await s.fh('f');
  const verfs: Buffer[] = [];
  const modes = [stable_how.UNSTABLE, stable_how.DATA_SYNC, stable_how.FILE_SYNC];
  for (const [i, stable] of modes.entries()) {
    const data = Buffer.alloc(1000, 0x61 + i);
    const w = await s.nfs.write({ file, offset: BigInt(i * 1000), count: 1000, stable, data });
    const r = ok(w);
    t.equal(r.count, 1000);
    t.equal(r.committed, stable, `committed = ${stable_how[stable]}`);
    t.ok(r.file_wcc.before.attributes_follow && r.file_wcc.before.attributes.size === BigInt(i * 1000), 'pre-op size');
    t.ok(r.file_wcc.after.attributes_follow && r.file_wcc.after.attributes.size === BigInt((i + 1) * 1000), 'post-op size');
    verfs.push(Buffer.from(r.verf));
  }
  t.equal(verfs[0]!.length, 8);
  t.ok(verfs.every((v) => v.equals(verfs[0]!)), 'verifier constant across calls');
  t.ok(verfs[0]!.equals(s.core.writeVerifier), 'the core write verifier');
  const c = ok(await s.nfs.commit({ file, offset: 0n, count: 0 }));
  t.ok(c.verf.equals(verfs[0]!), 'COMMIT answers the same verifier');
  t.ok(c.file_wcc.after.attributes_follow);
  const disk = readFileSync(join(s.root, 'f'));
  t.equal(disk.length, 3000);
  t.ok(disk.subarray(0, 1000).every((b) => b === 0x61) && disk.subarray(2000).every((b) => b === 0x63), 'data on disk');

  // a second ServerCore (a server restart) has another verifier
  const again = await ServerCore.open({ stateDir: join(s.dir, 'state'), exports: [{ path: '/export', root: s.root }] });
  t.teardown(() => again.close());
  t.notOk(again.writeVerifier.equals(s.core.writeVerifier), 'a new server has a new verifier');

  // a 1 MiB write in one call, read back
  const big = randomBytes(1024 * 1024);
  ok(await s.nfs.write({ file, offset: 0n, count: big.length, stable: stable_how.UNSTABLE, data: big }));
  const back = ok(await s.nfs.read({ file, offset: 0n, count: big.length }));
  t.ok(back.data.equals(big), '1 MiB round trip');
  // count shorter than the data: only count bytes are written
  ok(await s.nfs.write({ file, offset: 0n, count: 2, stable: stable_how.FILE_SYNC, data: Buffer.from('xyz!') }));
  t.equal(readFileSync(join(s.root, 'f')).subarray(0, 4).toString('latin1'), `xy${big.subarray(2, 4).toString('latin1')}`);
});

t.test('WRITE and COMMIT errors: INVAL, ISDIR, ACCES, ROFS, STALE', async (t) => {
  const s = await setup(t);
  mkdirSync(join(s.root, 'd'));
  writeFileSync(join(s.root, 'f'), 'abc');
  s.own(join(s.root, 'f'));
  chmodSync(join(s.root, 'f'), 0o644);
  const file = await s.fh('f');
  const w = (args: Partial<Parameters<typeof s.nfs.write>[0]>, cred = me) =>
    s.nfs.write({ file, offset: 0n, count: 1, stable: stable_how.UNSTABLE, data: Buffer.from('z'), ...args }, cred);
  const inval = await w({ count: 5 });
  t.equal(st(inval), 'NFS3ERR_INVAL', 'count larger than the data');
  t.ok(inval.status !== nfsstat3.NFS3_OK && inval.resfail.file_wcc.before.attributes_follow, 'wcc on failure');
  t.equal(st(await w({ file: await s.fh('d') })), 'NFS3ERR_ISDIR');
  t.equal(st(await w({ offset: 1n << 60n })), 'NFS3ERR_FBIG', 'beyond maxfilesize');
  t.equal(st(await s.nfs.setattr({ object: file, new_attributes: sattr({ size: 1n << 60n }), guard: { check: false } })), 'NFS3ERR_FBIG', 'SETATTR size beyond maxfilesize');
  t.equal(st(await w({}, stranger)), 'NFS3ERR_ACCES');
  t.equal(st(await s.nfs.commit({ file: await s.fh('d'), offset: 0n, count: 0 })), 'NFS3ERR_ISDIR');
  t.equal(st(await s.nfs.commit({ file, offset: 0n, count: 0 }, stranger)), 'NFS3ERR_ACCES');
  chmodSync(join(s.root, 'f'), 0o444);
  t.equal(st(await w({}, groupMate)), 'NFS3ERR_ACCES');
  // a server running as root can honour nfsd's owner override; an unprivileged one cannot open the file
  t.equal(st(await w({})), isRoot ? 'NFS3_OK' : 'NFS3ERR_ACCES', 'the owner writes a 0444 file (nfsd owner override, when the server may)');

  writeFileSync(join(s.roRoot, 'g'), 'abc');
  s.own(join(s.roRoot, 'g'));
  const g = ok(await s.nfs.lookup({ what: { dir: s.roFh, name: 'g' } })).object;
  t.equal(st(await w({ file: g })), 'NFS3ERR_ROFS');
  t.equal(st(await s.nfs.commit({ file: g, offset: 0n, count: 0 })), 'NFS3ERR_ROFS');
  const { unlinkSync } = await import('node:fs');
  unlinkSync(join(s.root, 'f'));
  t.equal(st(await w({})), 'NFS3ERR_STALE');
  t.equal(st(await s.nfs.commit({ file, offset: 0n, count: 0 })), 'NFS3ERR_STALE');
});

t.test('READ/WRITE fast path (cached descriptor, fstat): fresh attributes; STALE once removed or replaced on disk; trust ends at a change through the core', async (t) => {
  const { appendFileSync, renameSync, unlinkSync } = await import('node:fs');
  const s = await setup(t);
  writeFileSync(join(s.root, 'f'), '0123456789');
  s.own(join(s.root, 'f'));
  const file = await s.fh('f');
  ok(await s.nfs.read({ file, offset: 0n, count: 4 }));
  const fast0 = s.core.counters.fastResolves;
  const r1 = ok(await s.nfs.read({ file, offset: 0n, count: 4 }));
  t.equal(r1.data.toString('latin1'), '0123');
  t.equal(s.core.counters.fastResolves, fast0 + 1, 'a second READ takes the fast path');

  appendFileSync(join(s.root, 'f'), 'abc');
  const r2 = ok(await s.nfs.read({ file, offset: 8n, count: 100 }));
  t.equal(r2.data.toString('latin1'), '89abc', 'data written on disk behind the server is read');
  t.ok(r2.file_attributes.attributes_follow && r2.file_attributes.attributes.size === 13n, 'post-op size is fresh (fstat of the descriptor)');
  t.equal(r2.eof, true);
  t.equal(s.core.counters.fastResolves, fast0 + 2);

  const w = ok(await s.nfs.write({ file, offset: 13n, count: 2, stable: stable_how.UNSTABLE, data: Buffer.from('XY') }));
  t.ok(w.file_wcc.before.attributes_follow && w.file_wcc.before.attributes.size === 13n, 'WRITE pre-op size');
  t.ok(w.file_wcc.after.attributes_follow && w.file_wcc.after.attributes.size === 15n, 'WRITE post-op size');
  ok(await s.nfs.write({ file, offset: 15n, count: 1, stable: stable_how.FILE_SYNC, data: Buffer.from('Z') }));
  t.ok(s.core.counters.fastResolves >= fast0 + 3, 'WRITE takes the fast path once its read-write descriptor is cached');
  t.equal(readFileSync(join(s.root, 'f'), 'latin1'), '0123456789abcXYZ');

  chmodSync(join(s.root, 'f'), 0o600);
  t.equal(st(await s.nfs.read({ file, offset: 0n, count: 1 }, stranger)), 'NFS3ERR_ACCES', 'permissions from the fresh mode');

  // any change through the core ends the trust in resolved paths: the next call walks the path again
  s.core.dirChanged();
  const before = s.core.counters.fastResolves;
  ok(await s.nfs.read({ file, offset: 0n, count: 1 }));
  t.equal(s.core.counters.fastResolves, before, 'after a change through the core, the path is checked again');
  ok(await s.nfs.read({ file, offset: 0n, count: 1 }));
  t.equal(s.core.counters.fastResolves, before + 1, 'then trusted again');

  // replaced on disk behind the server (the descriptor still open on the old inode): STALE
  writeFileSync(join(s.root, 'g'), 'new');
  renameSync(join(s.root, 'g'), join(s.root, 'f'));
  t.equal(st(await s.nfs.read({ file, offset: 0n, count: 1 })), 'NFS3ERR_STALE', 'replaced on disk: STALE');
  t.equal(st(await s.nfs.write({ file, offset: 0n, count: 1, stable: stable_how.UNSTABLE, data: Buffer.from('q') })), 'NFS3ERR_STALE');
  t.equal(readFileSync(join(s.root, 'f'), 'latin1'), 'new', 'the new file is untouched');

  // removed on disk: STALE
  const file2 = await s.fh('f');
  ok(await s.nfs.read({ file: file2, offset: 0n, count: 1 }));
  ok(await s.nfs.read({ file: file2, offset: 0n, count: 1 }));
  unlinkSync(join(s.root, 'f'));
  t.equal(st(await s.nfs.read({ file: file2, offset: 0n, count: 1 })), 'NFS3ERR_STALE', 'removed on disk: STALE');
});
