// preadv2(RWF_NOWAIT): reads what the page cache holds into the right place of a buffer (a view
// with a byteOffset too), 0 at the end of the file, NOT_CACHED for a file whose pages were dropped.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { NOT_CACHED, PREAD_NOWAIT_AVAILABLE, libc, preadNowaitSync } from '../src/index.js';

const POSIX_FADV_DONTNEED = 4;

t.test('preadNowaitSync', { skip: !PREAD_NOWAIT_AVAILABLE && 'needs Linux and koffi' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-nowait-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = randomBytes(200_000);
  const path = join(dir, 'f');
  writeFileSync(path, data);
  const fd = openSync(path, 'r+');
  t.teardown(() => closeSync(fd));

  const backing = Buffer.alloc(300_000, 0xee);
  const view = backing.subarray(1000, 250_000); // byteOffset 1000
  t.equal(preadNowaitSync(fd, view, 17, 100_000, 5), 100_000, 'a cached range is read whole');
  t.ok(view.subarray(17, 100_017).equals(data.subarray(5, 100_005)), 'into the view, at its offset');
  t.equal(backing[1016], 0xee, 'nothing before it is touched');
  t.equal(backing[1000 + 100_017], 0xee, 'nor after it');
  t.equal(preadNowaitSync(fd, view, 0, 100_000, 150_000), 50_000, 'a read over the end stops there');
  t.equal(preadNowaitSync(fd, view, 0, 100_000, 200_000), 0, '0 at the end of the file');
  t.equal(preadNowaitSync(fd, view, 0, 0, 0), 0, 'an empty read');
  t.throws(() => preadNowaitSync(fd, view, 249_000, 1000, 0), RangeError, 'a range outside the buffer is refused before the call');
  t.throws(() => preadNowaitSync(-1, view, 0, 10, 0), { code: 'EBADF', syscall: 'preadv2' }, 'other errors throw as fs errors');

  fdatasyncSync(fd);
  const fadvise = libc().libc.func('int posix_fadvise(int fd, int64_t offset, int64_t len, int advice)') as (fd: number, o: number, l: number, a: number) => number;
  t.equal(fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0, 'pages dropped');
  const n = preadNowaitSync(fd, view, 0, 100_000, 0);
  if (n >= 0) {
    // tmpfs: the pages are the file, DONTNEED cannot drop them
    t.equal(n, 100_000);
    t.comment(`${tmpdir()} keeps its pages in memory: the not-cached case is not reachable here`);
  } else {
    t.equal(n, NOT_CACHED, 'dropped pages are not read: NOT_CACHED, no wait');
  }
});
