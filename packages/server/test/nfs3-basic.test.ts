/**
 * NFSv3 read-only procedures called on the handlers over a real ServerCore: NULL, GETATTR,
 * LOOKUP, ACCESS, READLINK, FSSTAT, FSINFO, PATHCONF, with the error cases RFC 1813 lists.
 */
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { authSys, AUTH_NONE_CRED } from '@nfsts/rpc';
import { ftype3, ACCESS3_READ, ACCESS3_LOOKUP, ACCESS3_MODIFY, ACCESS3_EXTEND, ACCESS3_DELETE, ACCESS3_EXECUTE } from '@nfsts/xdr';
import { U, groupMate, me, nfsstat3, ok, setup, st, stranger } from './nfs3-helpers.js';

const ALL = ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE | ACCESS3_EXECUTE;

t.test('NULL and GETATTR; BADHANDLE for forged or truncated handles, STALE for removed objects', async (t) => {
  const s = await setup(t);
  writeFileSync(join(s.root, 'f'), 'hello');
  s.own(join(s.root, 'f'));
  t.equal(await s.nfs.null(undefined), undefined);
  const fh = await s.fh('f');
  const a = ok(await s.nfs.getattr({ object: fh })).obj_attributes;
  t.equal(a.type, ftype3.NF3REG);
  t.equal(a.size, 5n);
  t.equal(a.uid, U);
  t.equal(a.fileid, (await s.stat('f')).ino);
  const r = ok(await s.nfs.getattr({ object: s.rootFh })).obj_attributes;
  t.equal(r.type, ftype3.NF3DIR);

  const forged = Buffer.from(fh.data);
  forged[forged.length - 1]! ^= 1;
  t.equal(st(await s.nfs.getattr({ object: { data: forged } })), 'NFS3ERR_BADHANDLE', 'bit flipped');
  t.equal(st(await s.nfs.getattr({ object: { data: fh.data.subarray(0, 10) } })), 'NFS3ERR_BADHANDLE', 'truncated');
  t.equal(st(await s.nfs.getattr({ object: { data: Buffer.alloc(0) } })), 'NFS3ERR_BADHANDLE', 'empty');
  t.equal(st(await s.nfs.getattr({ object: { data: Buffer.alloc(64, 0xab) } })), 'NFS3ERR_BADHANDLE', 'garbage');

  ok(await s.nfs.remove({ object: { dir: s.rootFh, name: 'f' } }));
  t.equal(st(await s.nfs.getattr({ object: fh })), 'NFS3ERR_STALE', 'removed file');
});

t.test('LOOKUP: found, NOENT, NOTDIR, NAMETOOLONG, ACCES without x, "." and "..", symlinks not traversed', async (t) => {
  const s = await setup(t);
  mkdirSync(join(s.root, 'd'));
  mkdirSync(join(s.root, 'd', 'e'));
  writeFileSync(join(s.root, 'd', 'f'), 'x');
  symlinkSync('/etc', join(s.root, 'etc-link'));
  mkdirSync(join(s.root, 'locked'), { mode: 0o700 });
  writeFileSync(join(s.root, 'locked', 'in'), 'x');
  for (const p of ['d', 'd/e', 'd/f', 'etc-link', 'locked', 'locked/in']) s.own(join(s.root, p));
  chmodSync(join(s.root, 'locked'), 0o700);

  const d = ok(await s.nfs.lookup({ what: { dir: s.rootFh, name: 'd' } }));
  t.equal(d.obj_attributes.attributes_follow && d.obj_attributes.attributes.type, ftype3.NF3DIR);
  t.ok(d.dir_attributes.attributes_follow, 'dir attributes on success');
  const f = ok(await s.nfs.lookup({ what: { dir: d.object, name: 'f' } }));
  t.equal(f.obj_attributes.attributes_follow && f.obj_attributes.attributes.size, 1n);
  t.same(f.object.data, (await s.fh('d/f')).data, 'same handle as the core gives');

  const noent = await s.nfs.lookup({ what: { dir: s.rootFh, name: 'missing' } });
  t.equal(st(noent), 'NFS3ERR_NOENT');
  t.ok(noent.status !== nfsstat3.NFS3_OK && noent.resfail.dir_attributes.attributes_follow, 'dir attributes on failure');
  t.equal(st(await s.nfs.lookup({ what: { dir: f.object, name: 'x' } })), 'NFS3ERR_NOTDIR');
  t.equal(st(await s.nfs.lookup({ what: { dir: s.rootFh, name: 'n'.repeat(256) } })), 'NFS3ERR_NAMETOOLONG');
  t.not(st(await s.nfs.lookup({ what: { dir: s.rootFh, name: 'a/b' } })), 'NFS3_OK', "'/' in a name is refused");

  // search permission: the stranger may not look into a 0700 directory
  const locked = await s.fh('locked');
  t.equal(st(await s.nfs.lookup({ what: { dir: locked, name: 'in' } }, stranger)), 'NFS3ERR_ACCES');
  ok(await s.nfs.lookup({ what: { dir: locked, name: 'in' } }, me));

  const dot = ok(await s.nfs.lookup({ what: { dir: d.object, name: '.' } }));
  t.same(dot.object.data, d.object.data, "'.' is the directory");
  const up = ok(await s.nfs.lookup({ what: { dir: (await s.fh('d/e')), name: '..' } }));
  t.same(up.object.data, d.object.data, "'..' is the parent");
  const top = ok(await s.nfs.lookup({ what: { dir: s.rootFh, name: '..' } }));
  t.same(top.object.data, s.rootFh.data, "'..' at the export root is the root itself");

  const link = ok(await s.nfs.lookup({ what: { dir: s.rootFh, name: 'etc-link' } }));
  t.equal(link.obj_attributes.attributes_follow && link.obj_attributes.attributes.type, ftype3.NF3LNK, 'a symlink is returned as a symlink');
  t.equal(st(await s.nfs.lookup({ what: { dir: link.object, name: 'passwd' } })), 'NFS3ERR_NOTDIR', 'and never traversed');
});

t.test('ACCESS for owner, group, other, root squash and a read-only export', async (t) => {
  const s = await setup(t, { options: { squash: 'root', anonuid: 60001, anongid: 60001 } });
  const file = join(s.root, 'f');
  writeFileSync(file, 'x');
  s.own(file);
  chmodSync(file, 0o640);
  const fh = await s.fh('f');
  const acc = async (cred = me, want = ALL) => ok(await s.nfs.access({ object: fh, access: want }, cred)).access;
  t.equal(await acc(me), ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND, 'owner rw-');
  t.equal(await acc(groupMate), ACCESS3_READ, 'group r--');
  t.equal(await acc(stranger), 0, 'other ---');
  t.equal(await acc(me, ACCESS3_READ), ACCESS3_READ, 'only asked bits are answered');
  chmodSync(file, 0o755);
  t.equal(await acc(stranger), ACCESS3_READ | ACCESS3_EXECUTE, 'other r-x');
  t.equal(await acc(AUTH_NONE_CRED), ACCESS3_READ | ACCESS3_EXECUTE, 'AUTH_NONE is anonymous (other)');
  // root is squashed to nobody: only the "other" bits
  chmodSync(file, 0o750);
  t.equal(await acc(authSys({ uid: 0, gid: 0 })), 0, 'squashed root gets other bits');

  const dir = join(s.root, 'd');
  mkdirSync(dir);
  s.own(dir);
  chmodSync(dir, 0o755);
  const dfh = await s.fh('d');
  t.equal(ok(await s.nfs.access({ object: dfh, access: ALL }, me)).access, ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE, 'owner of a directory');
  t.equal(ok(await s.nfs.access({ object: dfh, access: ALL }, stranger)).access, ACCESS3_READ | ACCESS3_LOOKUP, 'stranger on a 755 directory');
  const res = await s.nfs.access({ object: dfh, access: ALL }, me);
  t.ok(res.status === nfsstat3.NFS3_OK && res.resok.obj_attributes.attributes_follow, 'attributes follow');

  writeFileSync(join(s.roRoot, 'g'), 'x');
  s.own(join(s.roRoot, 'g'));
  chmodSync(join(s.roRoot, 'g'), 0o644);
  const ro = ok(await s.nfs.lookup({ what: { dir: s.roFh, name: 'g' } }));
  t.equal(ok(await s.nfs.access({ object: ro.object, access: ALL }, me)).access, ACCESS3_READ, 'no MODIFY/EXTEND on a read-only export');
  t.equal(ok(await s.nfs.access({ object: s.roFh, access: ALL }, me)).access, ACCESS3_READ | ACCESS3_LOOKUP, 'no MODIFY/EXTEND/DELETE on a read-only directory');
  t.equal(st(await s.nfs.access({ object: { data: Buffer.alloc(8) }, access: ALL })), 'NFS3ERR_BADHANDLE');
});

t.test('READLINK returns the target verbatim; INVAL on a non-symlink', async (t) => {
  const s = await setup(t);
  symlinkSync('../../outside/target', join(s.root, 'l'));
  writeFileSync(join(s.root, 'f'), '');
  const r = ok(await s.nfs.readlink({ symlink: await s.fh('l') }));
  t.equal(r.data, '../../outside/target');
  t.ok(r.symlink_attributes.attributes_follow);
  t.equal(st(await s.nfs.readlink({ symlink: await s.fh('f') })), 'NFS3ERR_INVAL');
  t.equal(st(await s.nfs.readlink({ symlink: s.rootFh })), 'NFS3ERR_INVAL');
});

t.test('FSSTAT, FSINFO and PATHCONF', async (t) => {
  const s = await setup(t);
  const fs = ok(await s.nfs.fsstat({ fsroot: s.rootFh }));
  t.ok(fs.tbytes > 0n && fs.tbytes >= fs.fbytes && fs.fbytes >= fs.abytes, 'space counts are consistent');
  t.ok(fs.tfiles >= fs.ffiles, 'inode counts are consistent');
  t.ok(fs.obj_attributes.attributes_follow);

  const fi = ok(await s.nfs.fsinfo({ fsroot: s.rootFh }));
  t.equal(fi.rtmax, 1024 * 1024);
  t.equal(fi.wtmax, 1024 * 1024);
  t.equal(fi.rtpref, 1024 * 1024);
  t.equal(fi.wtpref, 1024 * 1024);
  t.ok(fi.dtpref >= 8192);
  t.equal(fi.maxfilesize, BigInt(Number.MAX_SAFE_INTEGER), 'what node:fs can address exactly');
  t.same(fi.time_delta, { seconds: 0, nseconds: 1 });
  t.equal(fi.properties, 0x1b, 'FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME');

  const pc = ok(await s.nfs.pathconf({ object: s.rootFh }));
  t.equal(pc.name_max, 255);
  t.ok(pc.linkmax > 1);
  t.equal(pc.no_trunc, true);
  t.equal(pc.chown_restricted, true);
  t.equal(pc.case_insensitive, false);
  t.equal(pc.case_preserving, true);

  for (const r of [await s.nfs.fsstat({ fsroot: { data: Buffer.alloc(3) } }), await s.nfs.fsinfo({ fsroot: { data: Buffer.alloc(3) } }), await s.nfs.pathconf({ object: { data: Buffer.alloc(3) } })]) {
    t.equal(st(r), 'NFS3ERR_BADHANDLE');
  }
});

t.test('a client outside the export allow-list gets ACCES', async (t) => {
  const s = await setup(t, { options: { clients: ['10.1.2.0/24'] } });
  t.equal(st(await s.nfs.getattr({ object: s.rootFh })), 'NFS3ERR_ACCES', '127.0.0.1 is not in 10.1.2.0/24');
  const ro = await s.nfs.getattr({ object: s.roFh });
  t.equal(st(ro), 'NFS3_OK', 'another export without a list still answers');
});
