import t from 'tap';
import { parseNfsUrl, parseOptions, NfsError, NfsFsError, nfsStatusToErrno, DEFAULT_WINDOW, DEFAULT_ACTIMEO_MS } from '../src/index.js';

t.test('libnfs URL format', async (t) => {
  const o = parseNfsUrl('nfs://127.0.0.1/srv/export?version=3&nfsport=2049&mountport=20048&uid=1000&gid=100');
  t.same({ host: o.host, export: o.export, nfsPort: o.nfsPort, mountPort: o.mountPort, uid: o.uid, gid: o.gid },
    { host: '127.0.0.1', export: '/srv/export', nfsPort: 2049, mountPort: 20048, uid: 1000, gid: 100 });
  t.equal(parseNfsUrl('nfs://host:3049/x').nfsPort, 3049, 'authority port is the NFS port');
  t.equal(parseNfsUrl('nfs://[::1]/x/').host, '::1', 'IPv6 literal');
  t.equal(parseNfsUrl('nfs://host/x/').export, '/x', 'trailing slash dropped');
  t.equal(parseNfsUrl('nfs://host/').export, '/', 'root export');
  t.equal(parseNfsUrl('nfs://h/x', { window: 3 }).window, 3, 'extra options merged');
  for (const [bad, why] of [['http://h/x', 'scheme'], ['nfs://h/x?version=4', 'version'], ['nfs://h/x?nfsport=abc', 'number'], ['nfs://h/x?bogus=1', 'unknown'], ['not a url', 'URL']]) {
    t.throws(() => parseNfsUrl(bad!), { name: 'NfsClientError', code: 'ERR_NFS_INVALID_URL', message: new RegExp(why!) }, `${bad} refused`);
  }
});

t.test('parseOptions: defaults, and errors naming the bad property', async (t) => {
  const o = parseOptions({ host: 'h', export: '/e' });
  t.equal(o.window, DEFAULT_WINDOW);
  t.equal(o.actimeoMs, DEFAULT_ACTIMEO_MS);
  t.equal(o.portmapPort, 111);
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ export: '/e' }, 'options.host'],
    [{ host: 'h', export: 'e' }, 'options.export'],
    [{ host: 'h', export: '/e', window: 0 }, 'options.window'],
    [{ host: 'h', export: '/e', nfsPort: 70000 }, 'options.nfsPort'],
    [{ host: 'h', export: '/e', gids: [1, -1] }, 'options.gids'],
    [{ host: 'h', export: '/e', maxRsize: 1.5 }, 'options.maxRsize'],
    [{ host: 'h', export: '/e', actimeoMs: 'x' }, 'options.actimeoMs'],
  ];
  for (const [input, prop] of bad) {
    t.throws(() => parseOptions(input as never), { name: 'NfsClientError', code: 'ERR_NFS_INVALID_OPTION', message: new RegExp(`^${prop.replace('.', '\\.')} `) }, prop);
  }
});

t.test('errors: raw status names, errno mapping, fs-shaped errors, brands', async (t) => {
  const e = new NfsError('LOOKUP', 2, { status: 2 });
  t.equal(e.code, 'NFS3ERR_NOENT');
  t.equal(e.status, 2);
  t.equal(new NfsError('MNT', 13, {}, true).code, 'MNT3ERR_ACCES');
  t.same([2, 13, 17, 20, 21, 66, 70, 63, 28, 30, 10008, 10006].map(nfsStatusToErrno),
    ['ENOENT', 'EACCES', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'ESTALE', 'ENAMETOOLONG', 'ENOSPC', 'EROFS', 'EAGAIN', 'EIO']);
  const f = new NfsFsError('ENOENT', 'stat', '/x', { status: 2 });
  t.equal(f.errno, -2);
  t.equal(f.nfsCode, 'NFS3ERR_NOENT');
  t.match(f.message, /^ENOENT: no such file or directory, stat '\/x'$/);
  t.ok(Object.assign(Object.create(null), { [Symbol.for('nfsts.error.nfs.status')]: true }) instanceof NfsError, 'brand check, not prototype');
  t.notOk(new Error('x') instanceof NfsError);
});
