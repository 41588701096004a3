/**
 * REMOVE, RMDIR and RENAME: POSIX replacement rules, sticky directories, '.'/'..', ROFS,
 * handles that follow a renamed object, and cached descriptors dropped for removed or
 * replaced files.
 */
import { chmodSync, existsSync, lchownSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { stable_how } from '@nfsts/xdr';
import { groupMate, isRoot, me, nfsstat3, ok, setup, st, stranger, type Setup } from './nfs3-helpers.js';

function tree(s: Setup, spec: Record<string, string | null>): void {
  for (const [rel, content] of Object.entries(spec)) {
    const p = join(s.root, rel);
    if (content === null) mkdirSync(p, { recursive: true });
    else writeFileSync(p, content);
    s.own(p);
  }
}

t.test('REMOVE: a file goes, its handle goes STALE and its cached descriptor is dropped; errors', async (t) => {
  const s = await setup(t);
  tree(s, { f: 'data', d: null, 'd/x': 'x' });
  const file = await s.fh('f');
  ok(await s.nfs.read({ file, offset: 0n, count: 4 }));
  t.equal(s.core.fileCache.size, 1, 'READ cached a descriptor');
  const r = ok(await s.nfs.remove({ object: { dir: s.rootFh, name: 'f' } }));
  t.ok(r.dir_wcc.before.attributes_follow && r.dir_wcc.after.attributes_follow, 'dir wcc');
  t.notOk(existsSync(join(s.root, 'f')));
  t.equal(s.core.fileCache.size, 0, 'the descriptor of the removed file was forgotten');
  t.equal(st(await s.nfs.getattr({ object: file })), 'NFS3ERR_STALE');

  t.equal(st(await s.nfs.remove({ object: { dir: s.rootFh, name: 'f' } })), 'NFS3ERR_NOENT');
  t.equal(st(await s.nfs.remove({ object: { dir: s.rootFh, name: 'd' } })), 'NFS3ERR_ISDIR');
  t.equal(st(await s.nfs.remove({ object: { dir: await s.fh('d/x'), name: 'y' } })), 'NFS3ERR_NOTDIR');
  t.equal(st(await s.nfs.remove({ object: { dir: s.rootFh, name: '.' } })), 'NFS3ERR_ACCES');
  t.equal(st(await s.nfs.remove({ object: { dir: s.rootFh, name: 'n'.repeat(300) } })), 'NFS3ERR_NAMETOOLONG');
  t.equal(st(await s.nfs.remove({ object: { dir: await s.fh('d'), name: 'x' } }, stranger)), 'NFS3ERR_ACCES', 'no write permission');
  writeFileSync(join(s.roRoot, 'g'), '');
  t.equal(st(await s.nfs.remove({ object: { dir: s.roFh, name: 'g' } })), 'NFS3ERR_ROFS');
  t.ok(existsSync(join(s.roRoot, 'g')));
});

t.test('REMOVE in a sticky directory: only the owner of the file or of the directory', async (t) => {
  const s = await setup(t);
  tree(s, { tmp: null, 'tmp/mine': '' });
  chmodSync(join(s.root, 'tmp'), 0o1777);
  t.equal(st(await s.nfs.remove({ object: { dir: await s.fh('tmp'), name: 'mine' } }, stranger)), 'NFS3ERR_ACCES', 'stranger may not delete');
  t.equal(st(await s.nfs.remove({ object: { dir: await s.fh('tmp'), name: 'mine' } }, groupMate)), 'NFS3ERR_ACCES', 'group member may not delete');
  ok(await s.nfs.remove({ object: { dir: await s.fh('tmp'), name: 'mine' } }, me));
});

t.test('RMDIR: empty directory only; NOTEMPTY, NOTDIR, NOENT, ROFS', async (t) => {
  const s = await setup(t);
  tree(s, { e: null, full: null, 'full/x': '', f: '' });
  const e = await s.fh('e');
  ok(await s.nfs.rmdir({ object: { dir: s.rootFh, name: 'e' } }));
  t.notOk(existsSync(join(s.root, 'e')));
  t.equal(st(await s.nfs.getattr({ object: e })), 'NFS3ERR_STALE');
  const ne = await s.nfs.rmdir({ object: { dir: s.rootFh, name: 'full' } });
  t.equal(st(ne), 'NFS3ERR_NOTEMPTY');
  t.ok(ne.status !== nfsstat3.NFS3_OK && ne.resfail.dir_wcc.after.attributes_follow);
  t.equal(st(await s.nfs.rmdir({ object: { dir: s.rootFh, name: 'f' } })), 'NFS3ERR_NOTDIR');
  t.equal(st(await s.nfs.rmdir({ object: { dir: s.rootFh, name: 'e' } })), 'NFS3ERR_NOENT');
  t.equal(st(await s.nfs.rmdir({ object: { dir: s.rootFh, name: '..' } })), 'NFS3ERR_ACCES');
  mkdirSync(join(s.roRoot, 'x'));
  t.equal(st(await s.nfs.rmdir({ object: { dir: s.roFh, name: 'x' } })), 'NFS3ERR_ROFS');
});

t.test('RENAME: POSIX replacement rules', async (t) => {
  const s = await setup(t);
  tree(s, {
    a: 'A', b: 'B', d1: null, d2: null, 'd1/in': 'i', full: null, 'full/x': '', emptyd: null, sub: null,
  });
  const ren = (from: string, to: string, fromDir = s.rootFh, toDir = s.rootFh) =>
    s.nfs.rename({ from: { dir: fromDir, name: from }, to: { dir: toDir, name: to } });

  // file over file replaces it; the moved file keeps its handle
  const aFh = await s.fh('a');
  const r = ok(await ren('a', 'b'));
  t.ok(r.fromdir_wcc.before.attributes_follow && r.todir_wcc.after.attributes_follow, 'both wcc');
  t.equal(readFileSync(join(s.root, 'b'), 'utf8'), 'A');
  t.notOk(existsSync(join(s.root, 'a')));
  t.equal(ok(await s.nfs.read({ file: aFh, offset: 0n, count: 10 })).data.toString(), 'A', 'handle follows the renamed file');

  // a directory replaces an empty directory, never a non-empty one
  ok(await ren('d2', 'emptyd'));
  t.ok(existsSync(join(s.root, 'emptyd')) && !existsSync(join(s.root, 'd2')));
  t.equal(st(await ren('emptyd', 'full')), 'NFS3ERR_NOTEMPTY', 'dir over non-empty dir');
  t.equal(st(await ren('d1', 'b')), 'NFS3ERR_NOTDIR', 'dir over file');
  t.equal(st(await ren('b', 'd1')), 'NFS3ERR_ISDIR', 'file over dir');
  t.equal(st(await ren('d1', 'x', s.rootFh, await s.fh('d1'))), 'NFS3ERR_INVAL', 'a directory into itself');
  t.equal(st(await ren('missing', 'x')), 'NFS3ERR_NOENT');
  t.equal(st(await ren('.', 'x')), 'NFS3ERR_INVAL');
  t.equal(st(await ren('b', '..')), 'NFS3ERR_INVAL');
  t.equal(st(await ren('b', 'q'.repeat(256))), 'NFS3ERR_NAMETOOLONG');

  // hard links to the same inode: success, nothing changes
  linkSync(join(s.root, 'b'), join(s.root, 'b2'));
  ok(await ren('b', 'b2'));
  t.ok(existsSync(join(s.root, 'b')) && existsSync(join(s.root, 'b2')), 'same-file rename is a no-op');
  ok(await ren('b', 'b'));
  t.ok(existsSync(join(s.root, 'b')), 'rename onto itself');

  // across directories, and the moved directory's children stay reachable
  const inFh = await s.fh('d1/in');
  ok(await ren('d1', 'moved', s.rootFh, await s.fh('sub')));
  t.ok(existsSync(join(s.root, 'sub', 'moved', 'in')));
  t.equal(ok(await s.nfs.read({ file: inFh, offset: 0n, count: 10 })).data.toString(), 'i', 'child handle survives its parent moving');

  t.equal(st(await ren('b', 'c', s.rootFh, s.roFh)), 'NFS3ERR_XDEV', 'across exports');
  writeFileSync(join(s.roRoot, 'r'), '');
  t.equal(st(await ren('r', 's', s.roFh, s.roFh)), 'NFS3ERR_ROFS');
  t.equal(st(await s.nfs.rename({ from: { dir: s.rootFh, name: 'b' }, to: { dir: s.rootFh, name: 'z' } }, stranger)), 'NFS3ERR_ACCES', 'no write permission');
});

t.test('RENAME over a file forgets its cached descriptor; sticky rules apply to the target', async (t) => {
  const s = await setup(t);
  tree(s, { src: 'new', dst: 'old', sticky: null, 'sticky/theirs': '' });
  const dstFh = await s.fh('dst');
  ok(await s.nfs.write({ file: dstFh, offset: 0n, count: 3, stable: stable_how.UNSTABLE, data: Buffer.from('OLD') }));
  t.equal(s.core.fileCache.size, 1);
  ok(await s.nfs.rename({ from: { dir: s.rootFh, name: 'src' }, to: { dir: s.rootFh, name: 'dst' } }));
  t.equal(s.core.fileCache.size, 0, 'the replaced file was forgotten by the file cache');
  t.equal(st(await s.nfs.getattr({ object: dstFh })), 'NFS3ERR_STALE', 'the replaced file is gone');
  t.equal(readFileSync(join(s.root, 'dst'), 'utf8'), 'new');

  chmodSync(join(s.root, 'sticky'), 0o1777);
  const sticky = await s.fh('sticky');
  if (isRoot) {
    writeFileSync(join(s.root, 'sticky', 'stranger-file'), '');
    lchownSync(join(s.root, 'sticky', 'stranger-file'), 6666, 6666);
    ok(await s.nfs.rename({ from: { dir: sticky, name: 'stranger-file' }, to: { dir: sticky, name: 'fresh' } }, stranger));
    t.equal(st(await s.nfs.rename({ from: { dir: sticky, name: 'fresh' }, to: { dir: sticky, name: 'theirs' } }, stranger)), 'NFS3ERR_ACCES', "may not replace another user's file in a sticky directory");
  }
  t.equal(st(await s.nfs.rename({ from: { dir: sticky, name: 'theirs' }, to: { dir: sticky, name: 'mine' } }, stranger)), 'NFS3ERR_ACCES', "may not rename another user's file out of a sticky directory");
});
