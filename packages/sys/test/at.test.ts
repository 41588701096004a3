import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { at } from '../src/index.js';

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
