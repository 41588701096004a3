import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { at, SysStats } from '../src/index.js';

const skip = at.openat2Available() ? {} : { skip: 'openat2 is not available here (Linux 5.6+ with koffi)' };

t.test('openat2 confines: no symlink in any component, no way above the directory', skip, async (t) => {
  const d = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-at-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  fs.mkdirSync(join(d, 'a', 'b'), { recursive: true });
  fs.writeFileSync(join(d, 'a', 'b', 'f'), 'x');
  fs.symlinkSync('/etc', join(d, 'a', 'l'));
  const root = at.openat2(at.AT_FDCWD, d, at.O_PATH | at.O_DIRECTORY, 0);
  t.teardown(() => at.close(root));
  const R = at.RESOLVE_BENEATH | at.RESOLVE_NO_SYMLINKS;
  t.throws(() => at.openat2(root, 'a/l/passwd', at.O_PATH, R), { code: 'ELOOP' }, 'a symlink component is refused');
  t.throws(() => at.openat2(root, '../x', at.O_PATH, R), { code: 'EXDEV' }, "'..' above the directory is refused");
  t.throws(() => at.openat2(root, '/etc', at.O_PATH, R), { code: 'EXDEV' }, 'an absolute path is refused');
  const l = at.openat2(root, 'a/l', at.O_PATH | at.O_NOFOLLOW, R);
  t.ok(at.fstatx(l).isSymbolicLink(), 'O_PATH|O_NOFOLLOW gives the final symlink itself');
  t.equal(at.readlinkat(l, ''), '/etc');
  at.close(l);
  const f = at.openat2(root, 'a/b/f', at.O_PATH | at.O_NOFOLLOW, R);
  const s = at.fstatx(f);
  const n = fs.lstatSync(join(d, 'a', 'b', 'f'), { bigint: true });
  for (const k of ['dev', 'ino', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'size', 'blocks', 'atimeNs', 'mtimeNs', 'ctimeNs', 'birthtimeNs'] as const) {
    t.equal(s[k], n[k], `statx ${k} as fs.lstat reports it`);
  }
  t.ok(s.isFile() && !s.isDirectory());
  // nanosecond times, one left alone
  at.utimensat(f, '', 1_900_000_000_100_000_001n, null, at.AT_EMPTY_PATH);
  const after = fs.lstatSync(join(d, 'a', 'b', 'f'), { bigint: true });
  t.equal(after.atimeNs, 1_900_000_000_100_000_001n, 'atime to the nanosecond');
  t.equal(after.mtimeNs, n.mtimeNs, 'UTIME_OMIT left mtime alone');
  at.fchmodPath(f, 0o600);
  t.equal(fs.statSync(join(d, 'a', 'b', 'f')).mode & 0o777, 0o600, 'chmod through the magic link');
  at.close(f);
  at.mknodat(root, 'p', 0o010640, 0n);
  t.ok(fs.lstatSync(join(d, 'p')).isFIFO(), 'mknodat makes a FIFO');
  t.throws(() => at.mkdirat(root, 'p', 0o755), { code: 'EEXIST', syscall: 'mkdirat' }, 'errors are fs-shaped');
});

t.test('Stats: the remembered device numbers and times never leak from one statx to the next', skip, async (t) => {
  const d = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-at-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  const a = join(d, 'a');
  const b = join(d, 'b');
  fs.writeFileSync(a, 'x');
  fs.writeFileSync(b, 'y');
  // same seconds, different nanoseconds; before 1970 (negative seconds); far future (seconds ≥ 2^32)
  fs.utimesSync(a, new Date(1_000_000_000_000), new Date(1_000_000_000_000));
  const fa = at.openat2(at.AT_FDCWD, a, at.O_PATH | at.O_NOFOLLOW, 0);
  const fb = at.openat2(at.AT_FDCWD, b, at.O_PATH | at.O_NOFOLLOW, 0);
  t.teardown(() => { at.close(fa); at.close(fb); });
  at.utimensat(fa, '', 1_000_000_000_000_000_001n, 1_000_000_000_000_000_002n, at.AT_EMPTY_PATH);
  at.utimensat(fb, '', 1_000_000_000_000_000_003n, -86_400_000_000_001n, at.AT_EMPTY_PATH);
  // other file systems and a device: /dev/null (rdev ≠ 0, devtmpfs), the export's /tmp, /proc
  const paths = [a, b, '/dev/null', a, '/proc/self', b, '/dev/null', '/dev/null', b, b, a];
  const keys = ['dev', 'ino', 'mode', 'rdev', 'atimeNs', 'mtimeNs', 'ctimeNs', 'birthtimeNs'] as const;
  for (const p of paths) {
    const s = at.statx(at.AT_FDCWD, p, at.AT_SYMLINK_NOFOLLOW);
    const n = fs.lstatSync(p, { bigint: true });
    const bad = keys.filter((k) => s[k] !== n[k] && !(k === 'birthtimeNs' && n[k] === 0n));
    t.same(bad, [], `${p}: every field as fs.lstat reports it`);
  }
  t.equal(at.statx(at.AT_FDCWD, b, at.AT_SYMLINK_NOFOLLOW).mtimeNs, -86_400_000_000_001n, 'a time before 1970 to the nanosecond');
  t.equal(at.statx(at.AT_FDCWD, '/dev/null', 0).rdev, fs.statSync('/dev/null', { bigint: true }).rdev, 'a device number');
});

t.test('Stats: u64 fields and times at the edges of the Number shortcut convert exactly', async (t) => {
  // a statx buffer written by hand: the shortcut (one Number below 2^53) must hand over to the
  // exact BigInt reading at its bounds, for sizes and for 64-bit seconds (btrfs holds those)
  const cases: Array<{ size: bigint; sec: bigint; nsec: number }> = [
    { size: 2n ** 53n - 1n, sec: 2n ** 53n - 1n, nsec: 999_999_999 },
    { size: 2n ** 53n, sec: 2n ** 53n, nsec: 1 },
    { size: 2n ** 64n - 1n, sec: 2n ** 62n + 12345n, nsec: 0 },
    { size: 0n, sec: -(2n ** 53n) - 7n, nsec: 5 },
    { size: 1n, sec: -1n, nsec: 999_999_999 },
    { size: 0x1234_5678_9abcn, sec: 1_700_000_000n, nsec: 123 },
  ];
  for (const c of cases) {
    const b = Buffer.alloc(256);
    b.writeBigUInt64LE(c.size, 40);
    for (const off of [64, 80, 96, 112]) {
      b.writeBigInt64LE(c.sec, off);
      b.writeUInt32LE(c.nsec, off + 8);
    }
    const st = new SysStats(b);
    const ns = c.sec * 1_000_000_000n + BigInt(c.nsec);
    t.equal(st.size, c.size, `size ${c.size}`);
    t.equal(st.mtimeNs, ns, `mtime ${c.sec} s ${c.nsec} ns`);
    t.equal(st.atimeNs, ns, 'atime');
    t.equal(st.ctimeNs, ns, 'ctime');
    t.equal(st.birthtimeNs, ns, 'birthtime');
  }
});

t.test('openat2OrErrno / statxOrErrno: failures as numbers, the same confinement, no Error', skip, async (t) => {
  const d = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-at-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  fs.mkdirSync(join(d, 'a'));
  fs.writeFileSync(join(d, 'a', 'f'), 'xy');
  fs.symlinkSync('/etc', join(d, 'a', 'l'));
  const root = at.openat2(at.AT_FDCWD, d, at.O_PATH | at.O_DIRECTORY, 0);
  t.teardown(() => at.close(root));
  const R = at.RESOLVE_BENEATH | at.RESOLVE_NO_SYMLINKS;
  const ENOENT = os.constants.errno.ENOENT;
  t.equal(at.openat2OrErrno(root, 'a/missing', at.O_PATH | at.O_NOFOLLOW, R), -ENOENT, 'a missing name: -ENOENT');
  t.equal(at.openat2OrErrno(root, 'a/l/passwd', at.O_PATH, R), -os.constants.errno.ELOOP, 'a symlink component: -ELOOP');
  t.equal(at.openat2OrErrno(root, '../x', at.O_PATH, R), -os.constants.errno.EXDEV, "'..' above: -EXDEV");
  t.equal(at.openat2OrErrno(root, '/etc', at.O_PATH, R), -os.constants.errno.EXDEV, 'an absolute path: -EXDEV');
  const fd = at.openat2OrErrno(root, 'a/f', at.O_PATH | at.O_NOFOLLOW, R);
  t.ok(fd >= 0, 'a descriptor when it exists');
  t.equal(at.fstatx(fd).size, 2n);
  at.close(fd);
  // the throwing form still says the same thing as an fs-shaped error
  t.throws(() => at.openat2(root, 'a/missing', at.O_PATH, R), { code: 'ENOENT', syscall: 'openat2' });
  const a = at.openat2(root, 'a', at.O_PATH | at.O_DIRECTORY, R);
  t.teardown(() => at.close(a));
  t.equal(at.statxOrErrno(a, 'missing', at.AT_SYMLINK_NOFOLLOW), ENOENT, 'a missing name: ENOENT');
  const st = at.statxOrErrno(a, 'f', at.AT_SYMLINK_NOFOLLOW);
  t.ok(typeof st !== 'number' && st.isFile() && st.size === 2n, 'the Stats when it exists');
  const l = at.statxOrErrno(a, 'l', at.AT_SYMLINK_NOFOLLOW);
  t.ok(typeof l !== 'number' && l.isSymbolicLink(), 'a final symlink is not followed');
});
