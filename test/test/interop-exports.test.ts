/**
 * Export options seen by libnfs against a real `nfsts serve --config` process: `secure`
 * (libnfs uses a privileged source port as root, not as nobody), `ro`, `root_squash` and a
 * client allow-list that excludes 127.0.0.1.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { missingTools, run, startCliServer, which } from '../src/index.js';
import type { CliServer } from '../src/index.js';

const skip = missingTools('nfs-ls', 'nfs-cp', 'nfs-cat');
const work = mkdtempSync(join(tmpdir(), 'nfsts-interop-exports-'));
for (const d of ['secure', 'ro', 'squash', 'squash/open', 'denied']) mkdirSync(join(work, d), { recursive: true });
chmodSync(join(work, 'squash', 'open'), 0o777);
writeFileSync(join(work, 'ro', 'file.txt'), 'read me\n');
writeFileSync(join(work, 'secure', 'file.txt'), 'secret\n');
writeFileSync(join(work, 'local.txt'), 'upload\n');
writeFileSync(
  join(work, 'nfsts.json'),
  JSON.stringify({
    portmap: false,
    logLevel: 'warn',
    stateDir: 'state',
    exports: [
      { path: '/secure', root: 'secure', options: 'rw,secure' },
      { path: '/ro', root: 'ro', options: 'ro,no_root_squash' },
      { path: '/squash', root: 'squash', options: 'rw' },
      { path: '/denied', root: 'denied', options: 'rw', clients: ['10.0.0.0/8', '192.0.2.1'] },
    ],
  }),
);

let server: CliServer | null = null;
const url = (path: string): string => `nfs://127.0.0.1${path}?version=3&nfsport=${server?.port}&mountport=${server?.port}`;

t.before(async () => {
  if (skip) return;
  server = await startCliServer(['--config', join(work, 'nfsts.json'), '--port', '0']);
});
t.teardown(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

const asNobody = process.getuid?.() !== 0 ? 'needs root to run libnfs as another user' : which('setpriv') === null ? 'setpriv (util-linux) is not installed' : false;

t.test('secure: root (privileged source port) mounts, an unprivileged user is refused', { skip: skip || asNobody }, async (t) => {
  const r = await run('nfs-cat', [url('/secure/file.txt')], { timeoutMs: 60_000 });
  t.equal(r.code, 0, `as root: ${r.stderr}`);
  t.equal(r.stdout, 'secret\n');
  const n = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'nfs-ls', url('/secure')], { timeoutMs: 60_000 });
  t.not(n.code, 0, 'as nobody: refused');
  t.match(n.stderr, /MNT3ERR_ACCES/);
});

t.test('ro: reads work, writes get NFS3ERR_ROFS', { skip }, async (t) => {
  const r = await run('nfs-cat', [url('/ro/file.txt')], { timeoutMs: 60_000 });
  t.equal(r.stdout, 'read me\n');
  const w = await run('nfs-cp', [join(work, 'local.txt'), url('/ro/new.txt')], { timeoutMs: 60_000 });
  t.not(w.code, 0, 'nfs-cp into a read-only export fails');
  t.match(w.stderr, /NFS3ERR_ROFS/);
  t.throws(() => statSync(join(work, 'ro', 'new.txt')), 'nothing created on disk');
});

t.test('root_squash (the default): root is nobody on the server', { skip: skip || (process.getuid?.() !== 0 ? 'libnfs sends uid 0 only when run as root' : false) }, async (t) => {
  const denied = await run('nfs-cp', [join(work, 'local.txt'), url('/squash/x.txt')], { timeoutMs: 60_000 });
  t.not(denied.code, 0, 'root may not create in a root-owned 0755 directory');
  t.match(denied.stderr, /NFS3ERR_ACCES/);
  const ok = await run('nfs-cp', [join(work, 'local.txt'), url('/squash/open/x.txt')], { timeoutMs: 60_000 });
  t.equal(ok.code, 0, `a world-writable directory accepts the file: ${ok.stderr}`);
  const st = statSync(join(work, 'squash', 'open', 'x.txt'));
  t.equal(st.uid, 65534, 'owned by the anonymous uid');
  t.equal(st.gid, 65534, 'and gid');
});

t.test('a client allow-list without 127.0.0.1 refuses the mount', { skip }, async (t) => {
  const r = await run('nfs-ls', [url('/denied')], { timeoutMs: 60_000 });
  t.not(r.code, 0);
  t.match(r.stderr, /MNT3ERR_ACCES/);
  const other = await run('nfs-ls', [url('/nope')], { timeoutMs: 60_000 });
  t.match(other.stderr, /MNT3ERR_NOENT/, 'an unknown export is NOENT');
});
