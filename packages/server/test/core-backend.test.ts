import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { AtBackend, NodeFsBackend, ServerCore, fattrOf, type Backend, type BackendRoot, type Node, type Resolved } from '../src/core/index.js';

function tmpdir(t: Test): string {
  const d = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-be-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

const backends: Array<[string, Backend | null]> = [
  ['AtBackend', AtBackend.available() ? new AtBackend() : null],
  ['NodeFsBackend (portable)', new NodeFsBackend()],
];

/** The backend's root for d and a Node maker that stats rel freshly. */
async function rooted(b: Backend, d: string): Promise<{ root: BackendRoot; node: (rel: string) => Node }> {
  const { root } = await b.openRoot(d);
  return { root, node: (rel) => ({ root, rel, stats: fs.lstatSync(rel === '' ? d : join(d, rel), { bigint: true }) }) };
}

for (const [bname, bb] of backends) {
  t.test(bname, bb === null ? { skip: 'openat2 is not available (Linux 5.8+ and koffi needed)' } : {}, async (t) => {
    const b = bb!;

    t.test('MKNOD: FIFO and socket are created with their mode; devices only as root', async (t) => {
      const d = tmpdir(t);
      const { node } = await rooted(b, d);
      const sup = b.mknodSupport();
      t.equal(sup.socket, true);
      if (sup.fifo) {
        await b.mknod(node(''), 'fifo', 'fifo', 0o640);
        const st = fs.lstatSync(join(d, 'fifo'));
        t.ok(st.isFIFO(), 'a FIFO');
        t.equal(st.mode & 0o777, 0o640);
        await t.rejects(b.mknod(node(''), 'fifo', 'fifo', 0o640), { code: 'EEXIST' });
      } else {
        t.comment('mkfifo binary missing: FIFOs answer NOTSUPP');
        await t.rejects(b.mknod(node(''), 'fifo', 'fifo', 0o640), { code: 'ENOTSUP' });
      }
      // a deep directory: a socket path there would exceed sun_path's 108 bytes
      const deepRel = join('x'.repeat(60), 'y'.repeat(60));
      const deep = join(d, deepRel);
      fs.mkdirSync(deep, { recursive: true });
      await b.mknod(node(deepRel), 'sock', 'socket', 0o600);
      const st = fs.lstatSync(join(deep, 'sock'));
      t.ok(st.isSocket(), 'a socket');
      t.equal(st.mode & 0o777, 0o600);
      t.same(fs.readdirSync(deep), ['sock'], 'no temporary name left behind');
      await t.rejects(b.mknod(node(deepRel), 'sock', 'socket', 0o600), { code: 'EEXIST' });
      if (sup.chr) {
        await b.mknod(node(''), 'null', 'chr', 0o666, 1, 3);
        const c = fs.lstatSync(join(d, 'null'), { bigint: true });
        t.ok(c.isCharacterDevice());
        const core = await ServerCore.open({ exports: [{ path: '/e', root: d }], stateDir: join(d, '.state'), backend: b });
        t.teardown(() => core.close());
        t.same(fattrOf(c).rdev, { specdata1: 1, specdata2: 3 }, 'rdev as major/minor');
        t.equal(fattrOf(c).type, 4, 'NF3CHR');
      } else {
        await t.rejects(b.mknod(node(''), 'null', 'chr', 0o666, 1, 3), { code: /ENOTSUP|EOPNOTSUPP/ });
      }
    });

    t.test('chmod, chown and utimes never follow a symlink; times keep nanoseconds, null omits', async (t) => {
      const d = tmpdir(t);
      const { node } = await rooted(b, d);
      const target = join(d, 'target');
      fs.writeFileSync(target, '');
      fs.chmodSync(target, 0o600);
      fs.symlinkSync(target, join(d, 'link'));
      await b.chmod(node('link'), 0o777);
      t.equal(fs.statSync(target).mode & 0o777, 0o600, 'chmod on the link leaves the target alone');
      await b.chmod(node('target'), 0o640);
      t.equal(fs.statSync(target).mode & 0o777, 0o640, 'chmod of a file works');
      const before = fs.statSync(target, { bigint: true });
      await b.utimes(node('link'), 1_000_000_000_000_000_000n, 1_000_000_000_000_000_000n);
      const after = fs.statSync(target, { bigint: true });
      t.equal(after.mtimeNs, before.mtimeNs, 'utimes on the link leaves the target alone');
      t.equal(fs.lstatSync(join(d, 'link'), { bigint: true }).mtimeNs / 1_000_000n, 1_000_000_000_000n, 'the link itself got the time');
      await b.utimes(node('target'), 1_500_000_000_123_456_789n, 1_600_000_000_654_321_987n);
      const st = fs.lstatSync(target, { bigint: true });
      if (b.raceSafe) {
        t.equal(st.mtimeNs, 1_600_000_000_654_321_987n, 'mtime to the nanosecond');
        t.equal(st.atimeNs, 1_500_000_000_123_456_789n, 'atime to the nanosecond');
        await b.utimes(node('target'), 1_900_000_000_100_000_000n, null);
        const st2 = fs.lstatSync(target, { bigint: true });
        t.equal(st2.atimeNs, 1_900_000_000_100_000_000n, 'atime set exactly');
        t.equal(st2.mtimeNs, 1_600_000_000_654_321_987n, 'the omitted mtime is untouched, nanoseconds included');
      } else {
        const near = (a: bigint, c: bigint): boolean => (a > c ? a - c : c - a) <= 2_000n;
        t.ok(near(st.mtimeNs, 1_600_000_000_654_321_987n), `about microsecond precision kept (${st.mtimeNs})`);
        t.ok(near(st.atimeNs, 1_500_000_000_123_456_789n), `atime too (${st.atimeNs})`);
      }
      // chown: the link changes and the target does not. As root the owner itself moves; anyone
      // else may only chown to the ids already there, which still stamps the target's ctime if
      // chown followed the link.
      const isRoot = process.getuid?.() === 0;
      const linkBefore = fs.lstatSync(join(d, 'link'), { bigint: true });
      const targetBefore = fs.statSync(target, { bigint: true });
      const [uid, gid] = isRoot ? [1234, 5678] : [Number(linkBefore.uid), Number(linkBefore.gid)];
      await b.chown(node('link'), uid, gid);
      const linkAfter = fs.lstatSync(join(d, 'link'), { bigint: true });
      const targetAfter = fs.statSync(target, { bigint: true });
      t.same([Number(linkAfter.uid), Number(linkAfter.gid)], [uid, gid], 'chown gave the link itself the ids');
      t.same([targetAfter.uid, targetAfter.gid, targetAfter.ctimeNs], [targetBefore.uid, targetBefore.gid, targetBefore.ctimeNs], 'the target was not touched: same owner, same ctime');
      await t.rejects(b.open(node('link'), fs.constants.O_RDONLY), { code: /ELOOP|ESTALE/ }, 'open never follows a final symlink');
      await t.rejects(b.truncate(node('link'), 0), { code: /ELOOP|EINVAL/ }, 'truncate neither');
      // an object replaced under its name is not acted on
      const n = node('target');
      fs.renameSync(target, join(d, 'moved'));
      fs.writeFileSync(target, 'other');
      await t.rejects(b.chmod(n, 0o777), { code: 'ESTALE' }, 'a Node whose name now holds another object is ESTALE');
      t.equal(fs.statSync(target).mode & 0o777, 0o644 & ~process.umask(), 'the new object was not touched');
    });

    t.test('read/write/fsync/ftruncate, statfs, readdir kinds, readlink, link, rename', async (t) => {
      const d = tmpdir(t);
      const { node } = await rooted(b, d);
      const p = join(d, 'f');
      await b.create(node(''), 'f', 0o644);
      await t.rejects(b.create(node(''), 'f', 0o644), { code: 'EEXIST' });
      const fd = await b.open(node('f'), fs.constants.O_RDWR);
      t.equal(await b.write(fd, Buffer.from('hello world'), 0, 11, 0), 11);
      await b.fsync(fd);
      await b.fdatasync(fd);
      const buf = Buffer.alloc(5);
      t.equal(await b.read(fd, buf, 0, 5, 6n), 5);
      t.equal(buf.toString(), 'world');
      await b.ftruncate(fd, 5n);
      t.equal((await b.fstat(fd)).size, 5n);
      await b.close(fd);
      await b.truncate(node('f'), 2);
      t.equal(fs.readFileSync(p, 'utf8'), 'he');
      const sfs = await b.statfs(node(''));
      t.ok(sfs.blocks > 0n && sfs.bsize > 0n && sfs.bavail <= sfs.blocks);
      await b.mkdir(node(''), 'dir', 0o755);
      await b.symlink(node(''), 'ln', 'f');
      t.equal(await b.readlink(node('ln')), 'f');
      const kinds = Object.fromEntries((await b.readdir(node(''))).map((e) => [e.name, e.kind]));
      t.same(kinds, { f: 'file', dir: 'dir', ln: 'symlink' });
      await b.link(node('f'), node('dir'), 'hard');
      t.equal(fs.lstatSync(p).nlink, 2);
      await b.rename(node('dir'), 'hard', node(''), 'hard2');
      await b.unlink(node(''), 'hard2');
      await b.rmdir(node(''), 'dir');
      t.same(fs.readdirSync(d).sort(), ['f', 'ln']);
    });
  });
}

t.test('fattr3 from real stats', async (t) => {
  const d = tmpdir(t);
  fs.writeFileSync(join(d, 'f'), 'x'.repeat(5000));
  fs.chmodSync(join(d, 'f'), 0o4755);
  fs.symlinkSync('f', join(d, 'l'));
  const core = await ServerCore.open({ exports: [{ path: '/e', root: d }], stateDir: join(d, '.state') });
  t.teardown(() => core.close());
  const st = fs.lstatSync(join(d, 'f'), { bigint: true });
  const a = fattrOf(st);
  t.equal(a.type, 1, 'NF3REG');
  t.equal(a.mode, 0o4755, 'mode keeps setuid, drops the type bits');
  t.equal(a.size, 5000n);
  t.equal(a.used, st.blocks * 512n);
  t.equal(a.fileid, st.ino);
  t.equal(a.fsid, st.dev);
  t.equal(a.nlink, 1);
  t.equal(BigInt(a.mtime.seconds) * 1_000_000_000n + BigInt(a.mtime.nseconds), st.mtimeNs);
  t.ok(a.mtime.nseconds < 1_000_000_000);
  t.equal(fattrOf(fs.lstatSync(join(d, 'l'), { bigint: true })).type, 5, 'NF3LNK');
  t.equal(fattrOf(fs.lstatSync(d, { bigint: true })).type, 2, 'NF3DIR');
});

t.test('listDir: stable unique cookies, order independent of creation, cache invalidation', async (t) => {
  const d = tmpdir(t);
  for (let i = 0; i < 2000; i++) fs.writeFileSync(join(d, `n${i}`), '');
  const core = await ServerCore.open({ exports: [{ path: '/e', root: d }], stateDir: join(os.tmpdir(), `nfsts-be-state-${process.pid}`) });
  t.teardown(async () => { await core.close(); fs.rmSync(join(os.tmpdir(), `nfsts-be-state-${process.pid}`), { recursive: true, force: true }); });
  const root = (await core.handles.resolve(core.exports[0]!.rootHandle)) as Resolved;
  const l1 = await core.listings.list(root);
  t.equal(l1.length, 2000);
  t.ok(l1.every((e, i) => e.cookie >= 16n && (i === 0 || e.cookie > l1[i - 1]!.cookie)), 'cookies strictly increasing, ≥ 16');
  const cookieOf = new Map(l1.map((e) => [e.name, e.cookie]));
  // entries come and go: the cookies of the others do not move
  fs.unlinkSync(join(d, 'n5'));
  fs.writeFileSync(join(d, 'extra'), '');
  core.dirChanged();
  const l2 = await core.listings.list({ ...root, stats: fs.lstatSync(d, { bigint: true }) });
  t.equal(l2.length, 2000);
  t.ok(l2.every((e) => e.name === 'extra' || cookieOf.get(e.name) === e.cookie), 'surviving names keep their cookies');
  t.notOk(l2.some((e) => e.name === 'n5'));
  t.ok(l2.some((e) => e.name === 'extra'));
});
