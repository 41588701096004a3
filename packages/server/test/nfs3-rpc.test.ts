/**
 * The NFSv3 program through a real RpcServer and RpcClient: a session of calls, 1 MiB READ
 * and WRITE (rtmax/wtmax) on the wire, ROFS from every modifying procedure on a read-only
 * export, and malformed arguments to every procedure answered GARBAGE_ARGS while the server
 * keeps serving.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import {
  createmode3, ftype3, stable_how, xdr_uint, xdr_void, NFS_PROGRAM, NFSPROC3_NULL, type nfs_fh3,
} from '@nfsts/xdr';
import { NO_SATTR, me, nfsstat3, ok, rpcPair, sattr, setup, st } from './nfs3-helpers.js';

t.test('a session over RPC: FSINFO, MKDIR, CREATE, WRITE, COMMIT, READ, READDIRPLUS, RENAME, REMOVE', async (t) => {
  const s = await setup(t);
  const { nfs } = await rpcPair(t, s.prog);
  const fi = ok(await nfs.fsinfo({ fsroot: s.rootFh }));
  t.equal(fi.rtmax, 1024 * 1024);
  const d = ok(await nfs.mkdir({ where: { dir: s.rootFh, name: 'dir' }, attributes: sattr({ mode: 0o755 }) }));
  if (!d.obj.handle_follows) throw new Error('no handle');
  const dir = d.obj.handle;
  const c = ok(await nfs.create({ where: { dir, name: 'data.bin' }, how: { mode: createmode3.EXCLUSIVE, verf: Buffer.from('verifier') } }));
  if (!c.obj.handle_follows) throw new Error('no handle');
  const file: nfs_fh3 = c.obj.handle;
  const again = ok(await nfs.create({ where: { dir, name: 'data.bin' }, how: { mode: createmode3.EXCLUSIVE, verf: Buffer.from('verifier') } }));
  t.ok(again.obj.handle_follows && Buffer.compare(again.obj.handle.data, file.data) === 0, 'a retransmitted exclusive CREATE over the wire');

  const data = randomBytes(1024 * 1024);
  const w = ok(await nfs.write({ file, offset: 0n, count: data.length, stable: stable_how.UNSTABLE, data }));
  t.equal(w.count, data.length, '1 MiB WRITE in one call');
  t.equal(w.committed, stable_how.UNSTABLE);
  const cm = ok(await nfs.commit({ file, offset: 0n, count: 0 }));
  t.ok(Buffer.compare(cm.verf, w.verf) === 0, 'COMMIT verifier equals WRITE verifier');
  const r = ok(await nfs.read({ file, offset: 0n, count: data.length }));
  t.equal(r.count, data.length);
  t.equal(r.eof, true);
  t.ok(Buffer.compare(r.data, data) === 0, '1 MiB READ in one call, same bytes');

  const l = ok(await nfs.readdirplus({ dir, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 8192, maxcount: 65536 }));
  t.same(l.reply.entries.map((e) => e.name).sort(), ['.', '..', 'data.bin']);
  ok(await nfs.rename({ from: { dir, name: 'data.bin' }, to: { dir: s.rootFh, name: 'moved.bin' } }));
  t.equal(ok(await nfs.getattr({ object: file })).obj_attributes.size, BigInt(data.length), 'handle survives RENAME');
  ok(await nfs.remove({ object: { dir: s.rootFh, name: 'moved.bin' } }));
  t.equal(st(await nfs.getattr({ object: file })), 'NFS3ERR_STALE');
  ok(await nfs.rmdir({ object: { dir: s.rootFh, name: 'dir' } }));
});

t.test('a read-only export answers ROFS to every modifying procedure, over RPC', async (t) => {
  const s = await setup(t);
  const { nfs } = await rpcPair(t, s.prog);
  writeFileSync(join(s.roRoot, 'f'), 'x');
  mkdirSync(join(s.roRoot, 'd'));
  const ro = s.roFh;
  const f = ok(await nfs.lookup({ what: { dir: ro, name: 'f' } })).object;
  const results: Array<[string, { status: nfsstat3 }]> = [
    ['SETATTR', await nfs.setattr({ object: f, new_attributes: sattr({ mode: 0o600 }), guard: { check: false } })],
    ['WRITE', await nfs.write({ file: f, offset: 0n, count: 1, stable: stable_how.FILE_SYNC, data: Buffer.from('y') })],
    ['CREATE', await nfs.create({ where: { dir: ro, name: 'n' }, how: { mode: createmode3.UNCHECKED, obj_attributes: NO_SATTR } })],
    ['MKDIR', await nfs.mkdir({ where: { dir: ro, name: 'n' }, attributes: NO_SATTR })],
    ['SYMLINK', await nfs.symlink({ where: { dir: ro, name: 'n' }, symlink: { symlink_attributes: NO_SATTR, symlink_data: 'f' } })],
    ['MKNOD', await nfs.mknod({ where: { dir: ro, name: 'n' }, what: { type: ftype3.NF3FIFO, pipe_attributes: NO_SATTR } })],
    ['REMOVE', await nfs.remove({ object: { dir: ro, name: 'f' } })],
    ['RMDIR', await nfs.rmdir({ object: { dir: ro, name: 'd' } })],
    ['RENAME', await nfs.rename({ from: { dir: ro, name: 'f' }, to: { dir: ro, name: 'g' } })],
    ['LINK', await nfs.link({ file: f, link: { dir: ro, name: 'g' } })],
    ['COMMIT', await nfs.commit({ file: f, offset: 0n, count: 0 })],
  ];
  for (const [name, res] of results) t.equal(st(res), 'NFS3ERR_ROFS', name);
  t.equal(ok(await nfs.read({ file: f, offset: 0n, count: 1 })).data.toString(), 'x', 'reads still work');
  t.equal(st(await nfs.getattr({ object: f }, me)), 'NFS3_OK');
});

t.test('malformed arguments to every procedure get GARBAGE_ARGS and the server keeps serving', async (t) => {
  const s = await setup(t);
  const { client, nfs } = await rpcPair(t, s.prog);
  for (let proc = 1; proc <= 21; proc++) {
    // a handle length of 2^32-1: longer than NFS3_FHSIZE and than the record
    await t.rejects(client.call(NFS_PROGRAM, 3, proc, xdr_uint, 0xffffffff, xdr_void), { code: 'ERR_RPC_GARBAGE_ARGS' }, `proc ${proc}`);
  }
  t.equal(await client.call(NFS_PROGRAM, 3, NFSPROC3_NULL, xdr_void, undefined, xdr_void), undefined, 'NULL still answers');
  t.equal(st(await nfs.getattr({ object: s.rootFh })), 'NFS3_OK', 'GETATTR still answers');
  await t.rejects(client.call(NFS_PROGRAM, 3, 22, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROC_UNAVAIL' }, 'procedure 22 does not exist');
  await t.rejects(client.call(NFS_PROGRAM, 2, 0, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_MISMATCH', low: 3, high: 3 }, 'NFSv2 is PROG_MISMATCH 3..3');
});

t.test('large READs over RPC reuse pooled buffers once their replies are written; the bytes stay right', async (t) => {
  const s = await setup(t);
  const { nfs } = await rpcPair(t, s.prog);
  const a = randomBytes(300_001);
  const b = randomBytes(300_001);
  writeFileSync(join(s.root, 'a'), a);
  writeFileSync(join(s.root, 'b'), b);
  const fa = await s.fh('a');
  const fb = await s.fh('b');
  const pool = s.prog.env.readBuffers;
  t.equal(pool.idleCount, 0);
  // concurrent large READs of two files: each reply carries its own file's bytes
  const replies = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => nfs.read({ file: i % 2 ? fb : fa, offset: 1n, count: 200_000 })));
  for (const [i, r] of replies.entries()) t.ok(ok(r).data.equals((i % 2 ? b : a).subarray(1, 200_001)), `reply ${i}`);
  const deadline = Date.now() + 5000;
  while (pool.idleCount === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  t.ok(pool.idleCount >= 1, `buffers came back to the pool once written (${pool.idleCount} idle)`);
  const idle = pool.idleCount;
  const r = ok(await nfs.read({ file: fa, offset: 0n, count: 300_001 }));
  t.ok(r.data.equals(a), 'a READ in a reused buffer is exact');
  t.equal(r.eof, true);
  t.ok(pool.idleCount <= idle, 'the READ took a pooled buffer');
  const small = ok(await nfs.read({ file: fb, offset: 0n, count: 4096 }));
  t.ok(small.data.equals(b.subarray(0, 4096)), 'small READs do not use the pool');
});
