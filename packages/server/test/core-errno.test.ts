import t from 'tap';
import fs from 'node:fs';
import {
  errnoToNfsStat, NfsError, nfsStatusError, isNfsError,
  NFS3ERR_PERM, NFS3ERR_NOENT, NFS3ERR_IO, NFS3ERR_NXIO, NFS3ERR_ACCES, NFS3ERR_EXIST, NFS3ERR_XDEV, NFS3ERR_NODEV,
  NFS3ERR_NOTDIR, NFS3ERR_ISDIR, NFS3ERR_INVAL, NFS3ERR_FBIG, NFS3ERR_NOSPC, NFS3ERR_ROFS, NFS3ERR_MLINK,
  NFS3ERR_NAMETOOLONG, NFS3ERR_NOTEMPTY, NFS3ERR_DQUOT, NFS3ERR_STALE, NFS3ERR_REMOTE, NFS3ERR_NOTSUPP,
  NFS3ERR_SERVERFAULT, NFS3ERR_JUKEBOX, NFS3ERR_BADHANDLE,
} from '../src/core/index.js';

const table: Array<[string, number]> = [
  ['EPERM', NFS3ERR_PERM], ['ENOENT', NFS3ERR_NOENT], ['EIO', NFS3ERR_IO], ['ENXIO', NFS3ERR_NXIO],
  ['EACCES', NFS3ERR_ACCES], ['EEXIST', NFS3ERR_EXIST], ['EXDEV', NFS3ERR_XDEV], ['ENODEV', NFS3ERR_NODEV],
  ['ENOTDIR', NFS3ERR_NOTDIR], ['EISDIR', NFS3ERR_ISDIR], ['EINVAL', NFS3ERR_INVAL], ['EFBIG', NFS3ERR_FBIG],
  ['E2BIG', NFS3ERR_FBIG], ['ENOSPC', NFS3ERR_NOSPC], ['EROFS', NFS3ERR_ROFS], ['EMLINK', NFS3ERR_MLINK],
  ['ENAMETOOLONG', NFS3ERR_NAMETOOLONG], ['ENOTEMPTY', NFS3ERR_NOTEMPTY], ['EDQUOT', NFS3ERR_DQUOT],
  ['ESTALE', NFS3ERR_STALE], ['EREMOTE', NFS3ERR_REMOTE], ['EBADF', NFS3ERR_STALE], ['ELOOP', NFS3ERR_INVAL],
  ['ENOTSUP', NFS3ERR_NOTSUPP], ['EOPNOTSUPP', NFS3ERR_NOTSUPP], ['ENOSYS', NFS3ERR_NOTSUPP],
  ['EAGAIN', NFS3ERR_JUKEBOX], ['ENOMEM', NFS3ERR_JUKEBOX], ['EMFILE', NFS3ERR_JUKEBOX], ['ENFILE', NFS3ERR_JUKEBOX],
  ['ETXTBSY', NFS3ERR_IO], ['EWHATEVER', NFS3ERR_SERVERFAULT],
];

t.test('errno → nfsstat3 table', async (t) => {
  for (const [code, stat] of table) {
    const e = Object.assign(new Error(code), { code });
    t.equal(errnoToNfsStat(e), stat, `${code} → ${stat}`);
  }
  t.equal(NFS3ERR_NOTSUPP, 10004);
  t.equal(NFS3ERR_SERVERFAULT, 10006);
});

t.test('errnoToNfsStat on real fs errors, NfsError and non-errors', async (t) => {
  t.equal(errnoToNfsStat(await fs.promises.lstat('/nonexistent/x').catch((e: unknown) => e)), NFS3ERR_NOENT);
  t.equal(errnoToNfsStat(await fs.promises.readdir('/etc/passwd').catch((e: unknown) => e)), NFS3ERR_NOTDIR);
  t.equal(errnoToNfsStat(await fs.promises.mkdir('/').catch((e: unknown) => e)), NFS3ERR_EXIST);
  t.equal(errnoToNfsStat(nfsStatusError(NFS3ERR_BADHANDLE)), NFS3ERR_BADHANDLE);
  const e = new NfsError('ERR_NFS_CLOSED', 'closed');
  t.equal(errnoToNfsStat(e), NFS3ERR_SERVERFAULT);
  t.ok(isNfsError(e));
  t.notOk(isNfsError(new Error('x')));
  t.ok(isNfsError({ [Symbol.for('nfsts.error.nfs')]: true }), 'brand works across package copies');
  t.equal(errnoToNfsStat(new Error('plain')), NFS3ERR_SERVERFAULT);
  t.equal(errnoToNfsStat(undefined), NFS3ERR_SERVERFAULT);
  t.equal(errnoToNfsStat('ENOENT'), NFS3ERR_SERVERFAULT, 'a bare string is not an error object');
});
