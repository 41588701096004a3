/**
 * CREATE, REMOVE and RMDIR answered without a promise (Backend.createSync / removeSync): the
 * handlers return their reply itself, and that path keeps every rule of the awaited one: write
 * permission on the directory, the sticky rule, ROFS, the kind of object, confinement of the
 * directory descriptor (a directory swapped for a symlink is never followed), and a large file
 * still goes to the awaited unlink. The counters prove which path answered.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createmode3, type CREATE3res, type REMOVE3res } from '@nfsts/xdr';
import { AtBackend } from '../src/core/index.js';
import { GATE_WIDE_OPEN, NO_SATTR, U, ctxFor, me, ok, sattr, setup, st, stranger } from './nfs3-helpers.js';

const isThenable = (v: unknown): boolean => typeof (v as { then?: unknown }).then === 'function';
const skip = AtBackend.available() ? false : 'needs the Linux at-backend (openat2 through koffi)';
const CREATE = 8;
const REMOVE = 12;
const RMDIR = 13;

/** A server with the gate wide open, a directory `d` owned by `me` whose handle it already knows, and its CREATE procedure. */
async function dirForCreate(t: { teardown(fn: () => unknown): void }) {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  mkdirSync(join(s.root, 'd'), { mode: 0o755 });
  s.own(join(s.root, 'd'));
  const dir = await s.fh('d');
  await s.nfs.getattr({ object: dir }); // the directory handle is now known
  return { s, dir, proc: s.prog.versions[3]!.procedures[CREATE]! };
}

t.test('CREATE: synchronous, the reply carries the new file and the directory after it', { skip }, async (t) => {
  const { s, dir, proc } = await dirForCreate(t);
  const c0 = s.core.counters.syncCreates;
  const r = proc.handler({ where: { dir, name: 'f' }, how: { mode: createmode3.GUARDED, obj_attributes: sattr({ mode: 0o640 }) } }, ctxFor(me, CREATE)) as CREATE3res;
  t.notOk(isThenable(r), 'not a promise');
  t.equal(s.core.counters.syncCreates, c0 + 1);
  const res = ok(r);
  const onDisk = await s.stat('d/f');
  t.equal(res.obj_attributes.attributes_follow && res.obj_attributes.attributes.fileid, onDisk.ino);
  t.equal(res.obj_attributes.attributes_follow && res.obj_attributes.attributes.mode, 0o640);
  const dirNow = await s.stat('d');
  t.same(res.dir_wcc.after.attributes_follow && res.dir_wcc.after.attributes.mtime, { seconds: Number(dirNow.mtimeNs / 1_000_000_000n), nseconds: Number(dirNow.mtimeNs % 1_000_000_000n) }, 'dir_wcc.after is the directory after the create');
  // the handle works
  t.equal(ok(await s.nfs.getattr({ object: res.obj.handle_follows ? res.obj.handle : dir })).obj_attributes.fileid, onDisk.ino);
  // GUARDED on an existing name: the awaited path answers EXIST, nothing counted
  t.equal(st(await proc.handler({ where: { dir, name: 'f' }, how: { mode: createmode3.GUARDED, obj_attributes: NO_SATTR } }, ctxFor(me, CREATE))), 'NFS3ERR_EXIST');
  t.equal(s.core.counters.syncCreates, c0 + 1);
  // attributes left to apply (a size): still created synchronously, then completed
  const sized = await proc.handler({ where: { dir, name: 'g' }, how: { mode: createmode3.UNCHECKED, obj_attributes: sattr({ mode: 0o644, size: 10n }) } }, ctxFor(me, CREATE));
  t.equal(s.core.counters.syncCreates, c0 + 2);
  const sizedAttrs = ok(sized as CREATE3res).obj_attributes;
  t.equal(sizedAttrs.attributes_follow && sizedAttrs.attributes.size, 10n);
});

t.test('CREATE: the synchronous path checks write permission and ROFS', { skip }, async (t) => {
  const { s, dir, proc } = await dirForCreate(t);
  const c0 = s.core.counters.syncCreates;
  const r = proc.handler({ where: { dir, name: 'x' }, how: { mode: createmode3.UNCHECKED, obj_attributes: NO_SATTR } }, ctxFor(stranger, CREATE)) as CREATE3res;
  t.notOk(isThenable(r), 'answered synchronously');
  t.equal(st(r), 'NFS3ERR_ACCES', 'no write permission on a 0755 directory of someone else');
  t.notOk(existsSync(join(s.root, 'd', 'x')), 'nothing created');
  const ro = proc.handler({ where: { dir: s.roFh, name: 'x' }, how: { mode: createmode3.UNCHECKED, obj_attributes: NO_SATTR } }, ctxFor(me, CREATE));
  t.equal(st(await ro), 'NFS3ERR_ROFS');
  t.notOk(existsSync(join(s.roRoot, 'x')));
  t.equal(s.core.counters.syncCreates, c0, 'no create counted');
});

t.test('createSync / removeSync: a directory swapped for a symlink is never followed', { skip }, async (t) => {
  const s = await setup(t);
  const outside = mkdtempSync(join(tmpdir(), 'nfsts-outside-'));
  t.teardown(() => rmSync(outside, { recursive: true, force: true }));
  writeFileSync(join(outside, 'victim'), 'keep');
  mkdirSync(join(s.root, 'd'));
  const d = await s.stat('d');
  const exp = s.core.table.findExport('/export')!;
  const node = { ...s.core.table.loc(exp, 'd'), stats: d };
  renameSync(join(s.root, 'd'), join(s.root, 'd-moved'));
  symlinkSync(outside, join(s.root, 'd'));
  const backend = s.core.backend;
  t.throws(() => backend.createSync!(node, 'evil', 0o644, null), 'createSync through a swapped directory fails');
  t.throws(() => backend.createSync!(node, 'evil2', 0o600, null, { atimeNs: 1n, mtimeNs: 2n }), 'an EXCLUSIVE createSync through a swapped directory fails');
  t.throws(() => backend.removeSync!(node, 'victim', false), 'removeSync through a swapped directory fails');
  t.same(readdirSync(outside), ['victim'], 'nothing created or removed outside the export');
  // a directory replaced by another one (same name, other inode): ESTALE, not the new one
  rmSync(join(s.root, 'd'));
  mkdirSync(join(s.root, 'd'));
  t.throws(() => backend.createSync!(node, 'n', 0o644, null), { code: 'ESTALE' });
  t.same(readdirSync(join(s.root, 'd')), []);
});

t.test('REMOVE / RMDIR: synchronous, with the sticky rule, the kind check and NOTEMPTY', { skip }, async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  mkdirSync(join(s.root, 'tmp'));
  s.own(join(s.root, 'tmp'));
  chmodSync(join(s.root, 'tmp'), 0o1777);
  writeFileSync(join(s.root, 'tmp', 'mine'), 'x');
  s.own(join(s.root, 'tmp', 'mine'));
  mkdirSync(join(s.root, 'tmp', 'sub'));
  writeFileSync(join(s.root, 'tmp', 'sub', 'inner'), 'x');
  s.own(join(s.root, 'tmp', 'sub'));
  const dir = await s.fh('tmp');
  const rm = s.prog.versions[3]!.procedures[REMOVE]!;
  const rmdir = s.prog.versions[3]!.procedures[RMDIR]!;
  await s.nfs.getattr({ object: dir });
  const r0 = s.core.counters.syncRemoves;
  const theirs = rm.handler({ object: { dir, name: 'mine' } }, ctxFor(stranger, REMOVE)) as REMOVE3res;
  t.notOk(isThenable(theirs), 'answered synchronously');
  t.equal(st(theirs), 'NFS3ERR_ACCES', 'a stranger may not delete my file in a sticky directory');
  t.ok(existsSync(join(s.root, 'tmp', 'mine')), 'still there');
  t.equal(st(rm.handler({ object: { dir, name: 'sub' } }, ctxFor(me, REMOVE)) as REMOVE3res), 'NFS3ERR_ISDIR');
  t.equal(st(await rmdir.handler({ object: { dir, name: 'sub' } }, ctxFor(me, RMDIR))), 'NFS3ERR_NOTEMPTY');
  t.equal(s.core.counters.syncRemoves, r0, 'nothing removed so far');
  const mine = rm.handler({ object: { dir, name: 'mine' } }, ctxFor(me, REMOVE)) as REMOVE3res;
  t.notOk(isThenable(mine), 'not a promise');
  const dirNow = await s.stat('tmp');
  const after = ok(mine).dir_wcc.after;
  t.same(after.attributes_follow && after.attributes.mtime, { seconds: Number(dirNow.mtimeNs / 1_000_000_000n), nseconds: Number(dirNow.mtimeNs % 1_000_000_000n) }, 'dir_wcc.after is the directory after the removal');
  t.notOk(existsSync(join(s.root, 'tmp', 'mine')));
  rmSync(join(s.root, 'tmp', 'sub', 'inner'));
  t.equal(st(rmdir.handler({ object: { dir, name: 'sub' } }, ctxFor(me, RMDIR)) as REMOVE3res), 'NFS3_OK');
  t.equal(s.core.counters.syncRemoves, r0 + 2);
  t.equal(st(await rm.handler({ object: { dir, name: 'mine' } }, ctxFor(me, REMOVE))), 'NFS3ERR_NOENT', 'gone');
  // ROFS before anything else
  writeFileSync(join(s.roRoot, 'keep'), 'x');
  t.equal(st(await rm.handler({ object: { dir: s.roFh, name: 'keep' } }, ctxFor(me, REMOVE))), 'NFS3ERR_ROFS');
  t.ok(existsSync(join(s.roRoot, 'keep')));
});

t.test('REMOVE of a large file goes to the awaited unlink (its blocks are freed off the event loop)', { skip }, async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  writeFileSync(join(s.root, 'big'), '');
  truncateSync(join(s.root, 'big'), 65 * 1024 * 1024);
  s.own(join(s.root, 'big'));
  await s.nfs.getattr({ object: s.rootFh });
  const r0 = s.core.counters.syncRemoves;
  const r = s.prog.versions[3]!.procedures[REMOVE]!.handler({ object: { dir: s.rootFh, name: 'big' } }, ctxFor(me, REMOVE));
  t.ok(isThenable(r), 'a promise');
  t.equal(st(await r), 'NFS3_OK');
  t.equal(s.core.counters.syncRemoves, r0, 'not the synchronous path');
  t.notOk(existsSync(join(s.root, 'big')));
});

t.test('REMOVE: the one-step lookup+removal keeps search and write permission, the name rules and NOENT', { skip }, async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  mkdirSync(join(s.root, 'd'), { mode: 0o755 });
  writeFileSync(join(s.root, 'd', 'f'), 'x');
  mkdirSync(join(s.root, 'd', 'sub'));
  writeFileSync(join(s.root, 'd', 'sub', 'inner'), 'x');
  s.own(join(s.root, 'd'));
  s.own(join(s.root, 'd', 'f'));
  chmodSync(join(s.root, 'd'), 0o755);
  const dir = await s.fh('d');
  const rm = s.prog.versions[3]!.procedures[REMOVE]!;
  await s.nfs.getattr({ object: dir });
  const r0 = s.core.counters.syncRemoves;
  const sync = (who: typeof me, name: string): string => {
    const r = rm.handler({ object: { dir, name } }, ctxFor(who, REMOVE));
    t.notOk(isThenable(r), `${name}: answered synchronously`);
    return st(r as REMOVE3res);
  };
  t.equal(sync(stranger, 'f'), 'NFS3ERR_ACCES', 'no write permission on a 0755 directory of someone else');
  t.equal(sync(me, 'sub/inner'), 'NFS3ERR_ACCES', "a '/' in the name");
  t.equal(sync(me, 'missing'), 'NFS3ERR_NOENT');
  t.equal(sync(me, ''), 'NFS3ERR_NOENT', 'an empty name');
  chmodSync(join(s.root, 'd'), 0o776);
  await s.nfs.getattr({ object: dir });
  t.equal(sync(stranger, 'f'), 'NFS3ERR_ACCES', 'write but no search permission');
  t.equal(sync(stranger, 'missing'), 'NFS3ERR_ACCES', 'no search permission: ACCES before the name is looked at, not NOENT');
  t.equal(s.core.counters.syncRemoves, r0, 'nothing removed');
  t.ok(existsSync(join(s.root, 'd', 'f')) && existsSync(join(s.root, 'd', 'sub', 'inner')), 'both files still there');
  chmodSync(join(s.root, 'd'), 0o755);
  await s.nfs.getattr({ object: dir });
  const mine = rm.handler({ object: { dir, name: 'f' } }, ctxFor(me, REMOVE)) as REMOVE3res;
  t.notOk(isThenable(mine));
  t.equal(st(mine), 'NFS3_OK');
  t.equal(s.core.counters.syncRemoves, r0 + 1, 'the synchronous path removed it');
  t.notOk(existsSync(join(s.root, 'd', 'f')));
  t.equal(st(await s.nfs.lookup({ what: { dir, name: 'f' } })), 'NFS3ERR_NOENT', 'the core forgot the name');
});

t.test('removeChildSync: one name only, never through a swapped directory, check() before anything goes', { skip }, async (t) => {
  const s = await setup(t);
  const outside = mkdtempSync(join(tmpdir(), 'nfsts-outside-'));
  t.teardown(() => rmSync(outside, { recursive: true, force: true }));
  writeFileSync(join(outside, 'victim'), 'keep');
  mkdirSync(join(s.root, 'd'));
  mkdirSync(join(s.root, 'd', 'sub'));
  writeFileSync(join(s.root, 'd', 'sub', 'inner'), 'x');
  writeFileSync(join(s.root, 'd', 'f'), 'x');
  const exp = s.core.table.findExport('/export')!;
  const node = { ...s.core.table.loc(exp, 'd'), stats: await s.stat('d') };
  const backend = s.core.backend;
  const yes = (): boolean => true;
  for (const name of ['sub/inner', '..', '.', '', 'a\0b']) {
    t.throws(() => backend.removeChildSync!(node, name, false, yes), { code: 'EINVAL' }, `${JSON.stringify(name)} is refused`);
  }
  t.ok(existsSync(join(s.root, 'd', 'sub', 'inner')));
  let asked = 0;
  const refused = backend.removeChildSync!(node, 'f', false, () => { asked++; return false; });
  t.equal(asked, 1);
  t.ok(refused !== null && typeof refused === 'object' && refused.after === null && refused.obj.isFile(), 'refused: the object, nothing removed');
  t.ok(existsSync(join(s.root, 'd', 'f')));
  t.equal(backend.removeChildSync!(node, 'missing', false, yes), 2, 'ENOENT as a number');
  renameSync(join(s.root, 'd'), join(s.root, 'd-moved'));
  symlinkSync(outside, join(s.root, 'd'));
  t.throws(() => backend.removeChildSync!(node, 'victim', false, yes), 'through a swapped directory: fails');
  t.same(readdirSync(outside), ['victim'], 'nothing removed outside the export');
});

t.test('CREATE: a mode the process umask narrowed is set on the new descriptor, still synchronous', { skip }, async (t) => {
  const { s, dir, proc } = await dirForCreate(t);
  const old = process.umask(0o022);
  t.teardown(() => { process.umask(old); });
  const c0 = s.core.counters.syncCreates;
  for (const [name, mode] of [['g664', 0o664], ['g666', 0o666], ['g2775', 0o2775]] as const) {
    const r = proc.handler({ where: { dir, name }, how: { mode: createmode3.UNCHECKED, obj_attributes: sattr({ mode }) } }, ctxFor(me, CREATE));
    t.notOk(isThenable(r), `${mode.toString(8)}: answered synchronously`);
    const attrs = ok(r as CREATE3res).obj_attributes;
    t.equal(attrs.attributes_follow && attrs.attributes.mode, mode, `${mode.toString(8)}: the reply's mode`);
    t.equal(Number((await s.stat(`d/${name}`)).mode) & 0o7777, mode, `${mode.toString(8)}: the mode on disk`);
    t.equal((await s.stat(`d/${name}`)).uid, BigInt(U), `${mode.toString(8)}: owned by the caller`);
  }
  t.equal(s.core.counters.syncCreates, c0 + 3);
  // still no way around write permission
  const r = proc.handler({ where: { dir, name: 'x' }, how: { mode: createmode3.UNCHECKED, obj_attributes: sattr({ mode: 0o664 }) } }, ctxFor(stranger, CREATE));
  t.equal(st(r as CREATE3res), 'NFS3ERR_ACCES');
  t.notOk(existsSync(join(s.root, 'd', 'x')));
});

t.test('CREATE EXCLUSIVE: synchronous, the verifier in the same step, retransmission and EXIST as before', { skip }, async (t) => {
  const { s, dir, proc } = await dirForCreate(t);
  const verf = Buffer.from([0, 0, 0, 7, 0x12, 0x34, 0x56, 0x78]);
  const how = { mode: createmode3.EXCLUSIVE, verf } as never;
  const c0 = s.core.counters.syncCreates;
  const stranger1 = proc.handler({ where: { dir, name: 'x' }, how }, ctxFor(stranger, CREATE));
  t.notOk(isThenable(stranger1), 'a refusal is synchronous too');
  t.equal(st(stranger1 as CREATE3res), 'NFS3ERR_ACCES', 'no write permission on a 0755 directory of someone else');
  t.notOk(existsSync(join(s.root, 'd', 'x')), 'nothing created');
  const r = proc.handler({ where: { dir, name: 'x' }, how }, ctxFor(me, CREATE));
  t.notOk(isThenable(r), 'not a promise');
  t.equal(s.core.counters.syncCreates, c0 + 1, 'the synchronous path created it');
  const onDisk = await s.stat('d/x');
  t.equal(onDisk.atimeNs, 7n * 1_000_000_000n, 'atime seconds: the verifier\'s first half');
  t.equal(onDisk.mtimeNs, 0x12345678n * 1_000_000_000n, 'mtime seconds: its second half');
  t.equal(Number(onDisk.mode) & 0o7777, 0o600);
  t.equal(onDisk.uid, BigInt(U), 'owned by the caller');
  const res = ok(r as CREATE3res);
  t.equal(res.obj_attributes.attributes_follow && res.obj_attributes.attributes.mtime.seconds, 0x12345678, 'the reply carries the verifier times');
  // a retransmission (same verifier) finds its own file through the awaited path; another verifier is EXIST
  const again = ok(await proc.handler({ where: { dir, name: 'x' }, how }, ctxFor(me, CREATE)) as CREATE3res);
  t.equal(again.obj_attributes.attributes_follow && again.obj_attributes.attributes.fileid, onDisk.ino, 'the same file');
  const other = { mode: createmode3.EXCLUSIVE, verf: Buffer.from([0, 0, 0, 8, 0, 0, 0, 1]) } as never;
  t.equal(st(await proc.handler({ where: { dir, name: 'x' }, how: other }, ctxFor(me, CREATE))), 'NFS3ERR_EXIST');
  t.equal(s.core.counters.syncCreates, c0 + 1, 'neither counted as a synchronous create');
  // ROFS first
  t.equal(st(await proc.handler({ where: { dir: s.roFh, name: 'x' }, how }, ctxFor(me, CREATE))), 'NFS3ERR_ROFS');
  t.notOk(existsSync(join(s.roRoot, 'x')));
});
