import t from 'tap';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OFD_LOCKS_AVAILABLE, ofdGetLock, ofdSetLock } from '../src/index.js';

t.test('OFD locks: two descriptions of one file conflict within one process; a local process sees them', { skip: !OFD_LOCKS_AVAILABLE && 'no OFD locks (not Linux x86_64 with koffi)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-ofd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'f');
  writeFileSync(file, 'x'.repeat(100));
  const a = openSync(file, 'r+');
  const b = openSync(file, 'r+');
  t.teardown(() => {
    closeSync(a);
    closeSync(b);
  });
  t.equal(ofdSetLock(a, 'write', 10n, 10n), true, 'a write-locks [10,20)');
  t.equal(ofdSetLock(b, 'read', 15n, 1n), false, 'b cannot read-lock inside it');
  t.equal(ofdSetLock(b, 'write', 20n, 0n), true, 'b write-locks [20, EOF) next to it');
  t.same(ofdGetLock(b, 'read', 0n, 0n), { type: 'write', start: 10n, length: 10n, pid: -1 }, 'GETLK names a\'s lock');
  t.equal(ofdSetLock(a, 'read', 10n, 10n), true, 'a downgrades to read');
  t.equal(ofdSetLock(b, 'read', 12n, 2n), true, 'then b may share it');
  // a local process (python's fcntl.lockf, a classic POSIX lock) is refused by our OFD locks
  const py = spawnSync('python3', ['-c', `
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 25, 0)
    print('locked')
except OSError:
    print('refused')
`, file], { encoding: 'utf8' });
  if (py.error) t.comment('python3 not installed: the local-process half is not checked');
  else t.equal(py.stdout.trim(), 'refused', 'python lockf on byte 25 is refused by b\'s OFD lock');
  t.equal(ofdSetLock(b, 'unlock', 0n, 0n), true);
  t.equal(ofdSetLock(a, 'unlock', 0n, 0n), true);
  t.equal(ofdGetLock(b, 'write', 0n, 0n), null, 'nothing left');
});
