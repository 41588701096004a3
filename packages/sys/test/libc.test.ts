import t from 'tap';
import { SYS_AVAILABLE, errnoName, sysError, check, libc } from '../src/index.js';

t.test('errno names and fs-shaped errors', async (t) => {
  t.equal(errnoName(2), 'ENOENT');
  t.equal(errnoName(9999), 'E9999');
  const e = sysError(13, 'openat', '/x');
  t.match(e, { code: 'EACCES', errno: -13, syscall: 'openat', path: '/x' });
  t.equal(e.message, "EACCES: openat '/x'");
});

t.test('libc loads on Linux and check() turns -1 into the call errno', { skip: process.platform !== 'linux' && 'not Linux' }, async (t) => {
  t.ok(SYS_AVAILABLE, 'koffi and libc.so.6 load');
  const { libc: c } = libc();
  const close = c.func('int close(int)');
  t.throws(() => check(close(-1), 'close'), { code: 'EBADF', syscall: 'close' });
  t.equal(check(0, 'close'), 0);
});
