// The MemoryBackend at the Backend contract itself, for what the NFS procedures check before
// calling it (so nfs3-memory.test.ts cannot see it): ESTALE for a Node whose name now holds
// another object, no symlink followed in any component, rename below itself, link of a
// directory, unlink of a directory, nlink bookkeeping, and descriptors after unlink.
import t from 'tap';
import { MemoryBackend, type BackendRoot, type Node, type Stats } from '../src/core/index.js';

async function tree(): Promise<{ b: MemoryBackend; root: BackendRoot; node: (rel: string) => Promise<Node & { stats: Stats }> }> {
  const b = new MemoryBackend();
  const { root } = await b.openRoot('/t');
  return { b, root, node: async (rel) => ({ root, rel, stats: await b.lstat({ root, rel }) }) };
}

t.test('a Node is acted on only while its name still holds it (ESTALE otherwise)', async (t) => {
  const { b, node } = await tree();
  const r = await node('');
  await b.create(r, 'f', 0o644);
  const old = await node('f');
  await b.unlink(r, 'f');
  await b.create(r, 'f', 0o644);
  await t.rejects(b.chmod(old, 0o600), { code: 'ESTALE' }, 'chmod');
  await t.rejects(b.open(old, 0), { code: 'ESTALE' }, 'open');
  await t.rejects(b.utimes(old, 1n, 1n), { code: 'ESTALE' }, 'utimes');
  t.not((await node('f')).stats.ino, old.stats.ino, 'inode numbers are never reused');
});

t.test('no symlink is followed in any component; the last one is acted on itself', async (t) => {
  const { b, root, node } = await tree();
  const r = await node('');
  await b.mkdir(r, 'd', 0o755);
  await b.symlink(r, 'l', 'd');
  await b.create(await node('d'), 'f', 0o644);
  await t.rejects(b.lstat({ root, rel: 'l/f' }), { code: 'ELOOP' });
  t.ok((await b.lstat({ root, rel: 'l' })).isSymbolicLink(), 'lstat of the link itself');
  await b.chmod(await node('l'), 0o600);
  t.equal(Number((await b.lstat({ root, rel: 'l' })).mode) & 0o777, 0o777, "a symlink's mode is left alone");
  await t.rejects(b.lstat({ root, rel: 'd/f/x' }), { code: 'ENOTDIR' });
  await t.rejects(b.readlink({ root, rel: 'd' }), { code: 'EINVAL' });
});

t.test('POSIX rules the procedures rely on: rename, link, unlink, rmdir, nlink', async (t) => {
  const { b, node } = await tree();
  const r = await node('');
  await b.mkdir(r, 'a', 0o755);
  await b.mkdir(await node('a'), 'b', 0o755);
  await t.rejects(b.rename(r, 'a', await node('a/b'), 'x'), { code: 'EINVAL' }, 'a directory below itself');
  await t.rejects(b.rename(r, 'a', await node('a'), 'x'), { code: 'EINVAL' }, 'a directory into itself');
  await t.rejects(b.link(await node('a'), r, 'al'), { code: 'EPERM' }, 'link of a directory');
  await t.rejects(b.unlink(r, 'a'), { code: 'EISDIR' }, 'unlink of a directory');
  await t.rejects(b.rmdir(r, 'a'), { code: 'ENOTEMPTY' });
  await b.mkdir(r, 'c', 0o755);
  await t.rejects(b.rename(r, 'c', r, 'a'), { code: 'ENOTEMPTY' }, 'over a non-empty directory');
  t.equal((await node('')).stats.nlink, 4n, 'root: 2 + two subdirectories');
  await b.rename(await node('a'), 'b', r, 'c');
  t.equal((await node('')).stats.nlink, 4n, 'b replaced c under the root: still two subdirectories');
  t.equal((await node('a')).stats.nlink, 2n, 'a lost its subdirectory');
  await b.create(r, 'f', 0o644);
  await b.link(await node('f'), await node('a'), 'g');
  t.equal((await node('f')).stats.nlink, 2n);
  await t.rejects(b.link(await node('f'), await node('a'), 'g'), { code: 'EEXIST' });
  await b.rename(r, 'f', await node('a'), 'g');
  t.equal((await node('a/g')).stats.nlink, 2n, 'rename onto another name of the same file changes nothing');
  await t.rejects(b.create(r, 'n'.repeat(256), 0o644), { code: 'ENAMETOOLONG' });
  await t.rejects(b.symlink(r, 's', ''), { code: 'ENOENT' }, 'an empty symlink target');
  await t.rejects(b.truncate(await node('a'), 0), { code: 'EISDIR' });
});

t.test('descriptors: read-only ones refuse writes; an unlinked file lives until the last close', async (t) => {
  const { b, node } = await tree();
  const r = await node('');
  await b.create(r, 'f', 0o644);
  const rw = await b.open(await node('f'), 2);
  const ro = await b.open(await node('f'), 0);
  t.equal(await b.write(rw, Buffer.from('abc'), 0, 3, 0), 3);
  await t.rejects(b.write(ro, Buffer.from('x'), 0, 1, 0), { code: 'EBADF' });
  await t.rejects(b.ftruncate(ro, 0), { code: 'EINVAL' });
  await b.unlink(r, 'f');
  const buf = Buffer.alloc(3);
  t.equal(b.readSync(ro, buf, 0, 3, 0), 3);
  t.equal(buf.toString(), 'abc');
  t.equal(b.fstatSync(rw).nlink, 0n);
  t.equal(b.openCount, 2);
  await b.close(rw);
  await b.close(ro);
  t.equal(b.openCount, 0);
  await t.rejects(b.close(ro), { code: 'EBADF' }, 'closed twice');
});
