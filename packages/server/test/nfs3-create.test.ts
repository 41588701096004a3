/**
 * Creating procedures and SETATTR: CREATE (UNCHECKED, GUARDED, EXCLUSIVE with a retransmitted
 * call), MKDIR, SYMLINK, MKNOD, LINK; SETATTR with the ctime guard and owner rules; wcc_data;
 * owners of new objects; ROFS.
 */
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { authSys } from '@nfsts/rpc';
import { createmode3, ftype3, stable_how, type CREATE3res, type sattr3 } from '@nfsts/xdr';
import { G, NO_SATTR, U, groupMate, isRoot, me, nfsstat3, ok, sattr, setup, st, stranger } from './nfs3-helpers.js';

function created(r: CREATE3res) {
  const v = ok(r);
  if (!v.obj.handle_follows) throw new Error('no handle');
  return { fh: v.obj.handle, attrs: v.obj_attributes, wcc: v.dir_wcc };
}

t.test('CREATE UNCHECKED and GUARDED: mode, owner, wcc_data, EXIST, existing files kept', async (t) => {
  const s = await setup(t);
  const where = { dir: s.rootFh, name: 'a' };
  const before = await s.stat('');
  const c = created(await s.nfs.create({ where, how: { mode: createmode3.GUARDED, obj_attributes: sattr({ mode: 0o640 }) } }));
  const disk = lstatSync(join(s.root, 'a'));
  t.equal(disk.mode & 0o7777, 0o640, 'mode applied exactly (no umask)');
  t.equal(disk.uid, U, 'owned by the caller');
  t.ok(c.attrs.attributes_follow && c.attrs.attributes.fileid === BigInt(disk.ino));
  t.ok(c.wcc.before.attributes_follow && c.wcc.before.attributes.mtime.seconds === Number(before.mtimeNs / 1_000_000_000n), 'pre-op mtime of the directory');
  t.ok(c.wcc.after.attributes_follow, 'post-op attributes of the directory');
  t.same(ok(await s.nfs.lookup({ what: where })).object.data, c.fh.data, 'LOOKUP finds the same handle');

  const g = await s.nfs.create({ where, how: { mode: createmode3.GUARDED, obj_attributes: NO_SATTR } });
  t.equal(st(g), 'NFS3ERR_EXIST', 'GUARDED over an existing name');
  t.ok(g.status !== nfsstat3.NFS3_OK && g.resfail.dir_wcc.after.attributes_follow, 'wcc on failure');

  ok(await s.nfs.write({ file: c.fh, offset: 0n, count: 5, stable: stable_how.FILE_SYNC, data: Buffer.from('hello') }));
  const u = created(await s.nfs.create({ where, how: { mode: createmode3.UNCHECKED, obj_attributes: sattr({ mode: 0o600 }) } }));
  t.same(u.fh.data, c.fh.data, 'UNCHECKED over an existing file returns it');
  t.equal(readFileSync(join(s.root, 'a'), 'utf8'), 'hello', 'and keeps its data');
  t.equal(lstatSync(join(s.root, 'a')).mode & 0o777, 0o640, 'and its mode');
  created(await s.nfs.create({ where, how: { mode: createmode3.UNCHECKED, obj_attributes: sattr({ size: 0n }) } }));
  t.equal(readFileSync(join(s.root, 'a'), 'utf8'), '', 'UNCHECKED with size 0 truncates');

  mkdirSync(join(s.root, 'd'));
  t.equal(st(await s.nfs.create({ where: { dir: s.rootFh, name: 'd' }, how: { mode: createmode3.UNCHECKED, obj_attributes: NO_SATTR } })), 'NFS3ERR_EXIST', 'UNCHECKED over a directory');
  for (const name of ['.', '..']) {
    t.equal(st(await s.nfs.create({ where: { dir: s.rootFh, name }, how: { mode: createmode3.GUARDED, obj_attributes: NO_SATTR } })), 'NFS3ERR_EXIST', `"${name}"`);
  }
  t.equal(st(await s.nfs.create({ where: { dir: s.rootFh, name: 'x'.repeat(256) }, how: { mode: createmode3.GUARDED, obj_attributes: NO_SATTR } })), 'NFS3ERR_NAMETOOLONG');
  t.equal(st(await s.nfs.create({ where: { dir: c.fh, name: 'x' }, how: { mode: createmode3.GUARDED, obj_attributes: NO_SATTR } })), 'NFS3ERR_NOTDIR');
  t.equal(st(await s.nfs.create({ where: { dir: s.rootFh, name: 'y' }, how: { mode: createmode3.GUARDED, obj_attributes: NO_SATTR } }, stranger)), 'NFS3ERR_ACCES', 'no write permission on the directory');
  t.equal(st(await s.nfs.create({ where: { dir: s.roFh, name: 'y' }, how: { mode: createmode3.GUARDED, obj_attributes: NO_SATTR } })), 'NFS3ERR_ROFS');
});

t.test('CREATE EXCLUSIVE: a retransmission with the same verifier succeeds, another verifier gets EXIST', async (t) => {
  const s = await setup(t);
  const where = { dir: s.rootFh, name: 'x' };
  const verf = Buffer.from('0123abcd');
  const first = created(await s.nfs.create({ where, how: { mode: createmode3.EXCLUSIVE, verf } }));
  const again = created(await s.nfs.create({ where, how: { mode: createmode3.EXCLUSIVE, verf: Buffer.from(verf) } }));
  t.same(again.fh.data, first.fh.data, 'the retransmitted CREATE finds the same file');
  t.equal(st(await s.nfs.create({ where, how: { mode: createmode3.EXCLUSIVE, verf: Buffer.from('0123abce') } })), 'NFS3ERR_EXIST', 'a different verifier');
  t.equal(st(await s.nfs.create({ where, how: { mode: createmode3.GUARDED, obj_attributes: NO_SATTR } })), 'NFS3ERR_EXIST');
  t.equal(lstatSync(join(s.root, 'x')).uid, U, 'owned by the caller');
  // the client then sets the real attributes; the verifier is no longer visible in the times
  ok(await s.nfs.setattr({ object: first.fh, new_attributes: sattr({ mode: 0o644, atime: 'server', mtime: 'server' }), guard: { check: false } }));
  t.equal(lstatSync(join(s.root, 'x')).mode & 0o777, 0o644);
  t.equal(st(await s.nfs.create({ where, how: { mode: createmode3.EXCLUSIVE, verf } })), 'NFS3ERR_EXIST', 'after SETATTR the old verifier no longer matches');
  // a retransmission racing the original: both succeed on the same file
  const race = await Promise.all([1, 2, 3].map(() => s.nfs.create({ where: { dir: s.rootFh, name: 'raced' }, how: { mode: createmode3.EXCLUSIVE, verf: Buffer.from('racing!!') } })));
  const raced = race.map((r) => created(r).fh.data.toString('hex'));
  t.equal(new Set(raced).size, 1, 'concurrent retransmissions all succeed with one handle');
  // a verifier on an existing directory never matches
  mkdirSync(join(s.root, 'd'));
  t.equal(st(await s.nfs.create({ where: { dir: s.rootFh, name: 'd' }, how: { mode: createmode3.EXCLUSIVE, verf } })), 'NFS3ERR_EXIST');
});

t.test('MKDIR, SYMLINK and their errors', async (t) => {
  const s = await setup(t);
  const m = ok(await s.nfs.mkdir({ where: { dir: s.rootFh, name: 'd' }, attributes: sattr({ mode: 0o2750 }) }));
  t.ok(m.obj.handle_follows);
  const dst = lstatSync(join(s.root, 'd'));
  t.ok(dst.isDirectory());
  t.equal(dst.mode & 0o7777, 0o2750, 'mode including setgid');
  t.equal(dst.uid, U);
  t.equal(st(await s.nfs.mkdir({ where: { dir: s.rootFh, name: 'd' }, attributes: NO_SATTR })), 'NFS3ERR_EXIST');
  if (m.obj.handle_follows) {
    ok(await s.nfs.mkdir({ where: { dir: m.obj.handle, name: 'inner' }, attributes: sattr({ mode: 0o755 }) }));
    const inner = lstatSync(join(s.root, 'd', 'inner'));
    t.equal(inner.mode & 0o7777, 0o2755, 'a directory made in a setgid directory keeps S_ISGID');
    t.equal(inner.gid, dst.gid, 'and the group of its parent');
  }
  t.equal(st(await s.nfs.mkdir({ where: { dir: s.rootFh, name: '.' }, attributes: NO_SATTR })), 'NFS3ERR_EXIST');
  t.equal(st(await s.nfs.mkdir({ where: { dir: s.roFh, name: 'e' }, attributes: NO_SATTR })), 'NFS3ERR_ROFS');
  t.equal(st(await s.nfs.mkdir({ where: { dir: s.rootFh, name: 'e' }, attributes: NO_SATTR }, groupMate)), 'NFS3ERR_ACCES');

  const l = ok(await s.nfs.symlink({ where: { dir: s.rootFh, name: 'l' }, symlink: { symlink_attributes: sattr({ mode: 0o777 }), symlink_data: '/etc/passwd' } }));
  t.equal(readlinkSync(join(s.root, 'l')), '/etc/passwd', 'symlink_data stored verbatim');
  t.ok(l.obj_attributes.attributes_follow && l.obj_attributes.attributes.type === ftype3.NF3LNK);
  t.equal(lstatSync(join(s.root, 'l')).uid, U);
  if (l.obj.handle_follows) t.equal(ok(await s.nfs.readlink({ symlink: l.obj.handle })).data, '/etc/passwd');
  t.equal(st(await s.nfs.symlink({ where: { dir: s.rootFh, name: 'l' }, symlink: { symlink_attributes: NO_SATTR, symlink_data: 'x' } })), 'NFS3ERR_EXIST');
  t.equal(st(await s.nfs.symlink({ where: { dir: s.roFh, name: 'l' }, symlink: { symlink_attributes: NO_SATTR, symlink_data: 'x' } })), 'NFS3ERR_ROFS');
  t.equal(st(await s.nfs.symlink({ where: { dir: s.rootFh, name: 'm' }, symlink: { symlink_attributes: NO_SATTR, symlink_data: '' } })), 'NFS3ERR_INVAL', 'empty target');
});

t.test('MKNOD: FIFO and socket; devices only for root on a root server, else NOTSUPP/PERM; BADTYPE', async (t) => {
  const s = await setup(t);
  const sup = s.core.backend.mknodSupport();
  const pipe = (name: string, type: ftype3.NF3FIFO | ftype3.NF3SOCK, a: sattr3 = sattr({ mode: 0o620 })) =>
    s.nfs.mknod({ where: { dir: s.rootFh, name }, what: { type, pipe_attributes: a } });
  if (sup.fifo) {
    const f = ok(await pipe('fifo', ftype3.NF3FIFO));
    t.ok(f.obj_attributes.attributes_follow && f.obj_attributes.attributes.type === ftype3.NF3FIFO);
    t.ok(lstatSync(join(s.root, 'fifo')).isFIFO());
    t.equal(lstatSync(join(s.root, 'fifo')).mode & 0o777, 0o620);
    t.equal(st(await pipe('fifo', ftype3.NF3FIFO)), 'NFS3ERR_EXIST');
  } else {
    t.equal(st(await pipe('fifo', ftype3.NF3FIFO)), 'NFS3ERR_NOTSUPP', 'no mkfifo here');
  }
  if (sup.socket) {
    ok(await pipe('sock', ftype3.NF3SOCK));
    t.ok(lstatSync(join(s.root, 'sock')).isSocket());
  }
  const dev = (cred = me) => s.nfs.mknod({ where: { dir: s.rootFh, name: 'null' }, what: { type: ftype3.NF3CHR, device: { dev_attributes: sattr({ mode: 0o600 }), spec: { specdata1: 1, specdata2: 3 } } } }, cred);
  if (isRoot && sup.chr) {
    t.equal(st(await dev(me)), 'NFS3ERR_PERM', 'a non-root caller may not create devices');
    const r = ok(await dev(authSys({ uid: 0, gid: 0 })));
    t.ok(r.obj_attributes.attributes_follow && r.obj_attributes.attributes.type === ftype3.NF3CHR && r.obj_attributes.attributes.rdev.specdata1 === 1 && r.obj_attributes.attributes.rdev.specdata2 === 3, 'device numbers');
  } else {
    t.equal(st(await dev(authSys({ uid: 0, gid: 0 }))), 'NFS3ERR_NOTSUPP', 'devices need a root server');
  }
  for (const type of [ftype3.NF3REG, ftype3.NF3DIR, ftype3.NF3LNK] as const) {
    t.equal(st(await s.nfs.mknod({ where: { dir: s.rootFh, name: 'bad' }, what: { type } })), 'NFS3ERR_BADTYPE', ftype3[type]);
  }
  t.equal(st(await s.nfs.mknod({ where: { dir: s.roFh, name: 'p' }, what: { type: ftype3.NF3FIFO, pipe_attributes: NO_SATTR } })), 'NFS3ERR_ROFS');
});

t.test('LINK: a second name, XDEV across exports, ISDIR, EXIST, ROFS', async (t) => {
  const s = await setup(t);
  writeFileSync(join(s.root, 'f'), 'data');
  s.own(join(s.root, 'f'));
  mkdirSync(join(s.root, 'd'));
  s.own(join(s.root, 'd'));
  const file = await s.fh('f');
  const l = ok(await s.nfs.link({ file, link: { dir: await s.fh('d'), name: 'g' } }));
  t.ok(l.file_attributes.attributes_follow && l.file_attributes.attributes.nlink === 2, 'nlink is 2 after LINK');
  t.ok(l.linkdir_wcc.before.attributes_follow && l.linkdir_wcc.after.attributes_follow);
  t.equal(lstatSync(join(s.root, 'd', 'g')).ino, lstatSync(join(s.root, 'f')).ino);
  t.equal(st(await s.nfs.link({ file, link: { dir: s.rootFh, name: 'f' } })), 'NFS3ERR_EXIST');
  t.equal(st(await s.nfs.link({ file, link: { dir: s.roFh, name: 'x' } })), 'NFS3ERR_ROFS');
  t.equal(st(await s.nfs.link({ file: await s.fh('d'), link: { dir: s.rootFh, name: 'dl' } })), 'NFS3ERR_ISDIR');
  chmodSync(join(s.root, 'f'), 0o600);
  chmodSync(s.root, 0o777);
  t.equal(st(await s.nfs.link({ file, link: { dir: s.rootFh, name: 'steal' } }, stranger)), 'NFS3ERR_PERM', "linking someone else's unreadable file");
  const ro = join(s.roRoot, 'r');
  writeFileSync(ro, '');
  const rfh = ok(await s.nfs.lookup({ what: { dir: s.roFh, name: 'r' } })).object;
  t.equal(st(await s.nfs.link({ file: rfh, link: { dir: s.rootFh, name: 'cross' } })), 'NFS3ERR_XDEV', 'across exports');
});

t.test('SETATTR: mode, size, times, owner rules, the ctime guard (NOT_SYNC), ROFS', async (t) => {
  const s = await setup(t);
  writeFileSync(join(s.root, 'f'), 'hello world');
  s.own(join(s.root, 'f'));
  chmodSync(join(s.root, 'f'), 0o644);
  const object = await s.fh('f');
  const set = (a: sattr3, cred = me, guard: { check: false } | { check: true; obj_ctime: { seconds: number; nseconds: number } } = { check: false }) =>
    s.nfs.setattr({ object, new_attributes: a, guard }, cred);

  const r = ok(await set(sattr({ mode: 0o600, size: 5n, atime: [1_000_000, 0], mtime: [2_000_000, 500] })));
  const d = lstatSync(join(s.root, 'f'), { bigint: true });
  t.equal(Number(d.mode) & 0o777, 0o600);
  t.equal(d.size, 5n);
  t.equal(d.atimeNs / 1_000_000_000n, 1_000_000n);
  t.equal(d.mtimeNs / 1_000_000_000n, 2_000_000n);
  t.ok(r.obj_wcc.before.attributes_follow && r.obj_wcc.before.attributes.size === 11n, 'pre-op size');
  t.ok(r.obj_wcc.after.attributes_follow && r.obj_wcc.after.attributes.size === 5n, 'post-op size');

  // guard: the right ctime passes, another fails with NOT_SYNC and changes nothing
  const ctime = lstatSync(join(s.root, 'f'), { bigint: true }).ctimeNs;
  const good = { seconds: Number(ctime / 1_000_000_000n), nseconds: Number(ctime % 1_000_000_000n) };
  const bad = { seconds: good.seconds - 1, nseconds: good.nseconds };
  const ns = await set(sattr({ mode: 0o644 }), me, { check: true, obj_ctime: bad });
  t.equal(st(ns), 'NFS3ERR_NOT_SYNC');
  t.ok(ns.status !== nfsstat3.NFS3_OK && ns.resfail.obj_wcc.after.attributes_follow, 'wcc with NOT_SYNC');
  t.equal(lstatSync(join(s.root, 'f')).mode & 0o777, 0o600, 'nothing changed');
  ok(await set(sattr({ mode: 0o644 }), me, { check: true, obj_ctime: good }));
  t.equal(lstatSync(join(s.root, 'f')).mode & 0o777, 0o644);

  t.equal(st(await set(sattr({ mode: 0o777 }), stranger)), 'NFS3ERR_PERM', 'only the owner may chmod');
  t.equal(st(await set(sattr({ uid: 6666 }), me)), 'NFS3ERR_PERM', 'only root may give a file away');
  t.equal(st(await set(sattr({ mtime: [5, 0] }), groupMate)), 'NFS3ERR_PERM', 'explicit times need ownership');
  t.equal(st(await set(sattr({ size: 0n }), stranger)), 'NFS3ERR_ACCES', 'truncation needs write permission');
  chmodSync(join(s.root, 'f'), 0o666);
  t.equal(st(await set(sattr({ atime: 'server', mtime: 'server' }), stranger)), 'NFS3_OK', 'anyone who may write may touch');
  t.equal(st(await set(sattr({ gid: G }), me)), 'NFS3_OK', 'chgrp to own group');
  t.equal(st(await set(sattr({ gid: 999_999 }), me)), 'NFS3ERR_PERM', 'chgrp to a foreign group');
  if (isRoot) {
    t.equal(st(await set(sattr({ uid: 7777, gid: 7778 }), authSys({ uid: 0, gid: 0 }))), 'NFS3_OK', 'root (no_root_squash) may chown');
    t.equal(lstatSync(join(s.root, 'f')).uid, 7777);
    ok(await set(sattr({ uid: 7000, mode: 0o4755 }), authSys({ uid: 0, gid: 0 })));
    t.equal(lstatSync(join(s.root, 'f')).mode & 0o7777, 0o4755, 'a setuid mode given with a chown survives it');
  }
  t.equal(st(await s.nfs.setattr({ object: s.rootFh, new_attributes: sattr({ size: 0n }), guard: { check: false } })), 'NFS3ERR_ISDIR', 'size on a directory');
  writeFileSync(join(s.roRoot, 'g'), '');
  const g = ok(await s.nfs.lookup({ what: { dir: s.roFh, name: 'g' } })).object;
  t.equal(st(await s.nfs.setattr({ object: g, new_attributes: sattr({ mode: 0o600 }), guard: { check: false } })), 'NFS3ERR_ROFS');
  t.equal(st(await s.nfs.setattr({ object: { data: Buffer.alloc(4) }, new_attributes: NO_SATTR, guard: { check: false } })), 'NFS3ERR_BADHANDLE');
});
