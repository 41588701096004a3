/**
 * MOUNT v1 and v3 through a real RpcServer and RpcClient: every procedure, and refusals
 * (unknown path, client not allowed, `secure` from a high port, not a directory, a symlink).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { RpcClient, RpcServer } from '@nfsts/rpc';
import type { Codec } from '@nfsts/xdr';
import { mountstat3, xdr_dirpath, xdr_exports, xdr_fhstatus, xdr_mountlist, xdr_mountres3, xdr_void } from '@nfsts/xdr';
import type { mountres3 } from '@nfsts/xdr';
import { ServerCore } from '../src/core/index.js';
import { createMountProgram, MOUNT_AUTH_FLAVORS } from '../src/mount/index.js';

const MOUNT = 100005;

async function setup(t: { teardown(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-mount-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(root, 'file'), 'x');
  symlinkSync('/etc', join(root, 'etc-link'));
  mkdirSync(join(dir, 'other'));
  const core = await ServerCore.open({
    stateDir: join(dir, 'state'),
    exports: [
      { path: '/export', root },
      { path: '/private', root: join(dir, 'other'), options: { clients: ['10.0.0.0/8', 'backup.example'] } },
      { path: '/secure', root: join(dir, 'other'), options: { secure: true } },
    ],
  });
  const server = new RpcServer();
  server.register(createMountProgram(core));
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new RpcClient({ host: '127.0.0.1', port, timeoutMs: 5000 });
  await client.connect();
  t.teardown(async () => {
    await client.close();
    await server.close();
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const mnt = (path: string): Promise<mountres3> => client.call(MOUNT, 3, 1, xdr_dirpath, path, xdr_mountres3);
  return { core, client, mnt, root, port };
}

t.test('NULL answers on v1 and v3; v2 gets PROG_MISMATCH 1..3', async (t) => {
  const { client } = await setup(t);
  t.equal(await client.call(MOUNT, 3, 0, xdr_void, undefined, xdr_void), undefined);
  t.equal(await client.call(MOUNT, 1, 0, xdr_void, undefined, xdr_void), undefined);
  await t.rejects(client.call(MOUNT, 2, 0, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_MISMATCH', low: 1, high: 3 });
  await t.rejects(client.call(MOUNT, 3, 99, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROC_UNAVAIL' });
});

t.test('MNT v3 returns the export root handle and AUTH_SYS, AUTH_NONE', async (t) => {
  const { core, mnt } = await setup(t);
  const exp = core.table.findExport('/export');
  t.ok(exp);
  for (const path of ['/export', '/export/', '//export']) {
    const r = await mnt(path);
    t.equal(r.fhs_status, mountstat3.MNT3_OK, `MNT ${path}`);
    if (r.fhs_status !== mountstat3.MNT3_OK) continue;
    t.same([...r.mountinfo.fhandle], [...(exp?.rootHandle ?? [])], 'root handle');
    t.same(r.mountinfo.auth_flavors, MOUNT_AUTH_FLAVORS);
    t.same(MOUNT_AUTH_FLAVORS, [1, 0]);
  }
});

t.test('MNT v3 of a directory below the export; refusals for file, symlink, missing', async (t) => {
  const { core, mnt, root } = await setup(t);
  const r = await mnt('/export/sub/deeper');
  t.equal(r.fhs_status, mountstat3.MNT3_OK);
  if (r.fhs_status === mountstat3.MNT3_OK) {
    const res = await core.handles.resolve(Buffer.from(r.mountinfo.fhandle));
    t.not(typeof res, 'number', 'handle resolves');
    if (typeof res !== 'number') t.equal(`${res.root.path}/${res.rel}`, join(root, 'sub', 'deeper'));
  }
  t.equal((await mnt('/export/file')).fhs_status, mountstat3.MNT3ERR_NOTDIR, 'a file is not mountable');
  t.equal((await mnt('/export/etc-link')).fhs_status, mountstat3.MNT3ERR_NOTDIR, 'a symlink to /etc is not followed');
  t.equal((await mnt('/export/etc-link/passwd')).fhs_status, mountstat3.MNT3ERR_NOTDIR, 'nor traversed');
  t.equal((await mnt('/export/missing')).fhs_status, mountstat3.MNT3ERR_NOENT);
  t.equal((await mnt('/export/../etc')).fhs_status, mountstat3.MNT3ERR_NOENT, '.. refused');
  t.equal((await mnt('/nope')).fhs_status, mountstat3.MNT3ERR_NOENT, 'unknown export');
  t.equal((await mnt('/exportx')).fhs_status, mountstat3.MNT3ERR_NOENT, 'prefix of a name is not an export');
  t.equal((await mnt('relative')).fhs_status, mountstat3.MNT3ERR_NOENT);
});

t.test('MNT refused: client not in the allow-list, secure export from a high port', async (t) => {
  const { mnt, client } = await setup(t);
  t.equal((await mnt('/private')).fhs_status, mountstat3.MNT3ERR_ACCES, 'allow-list');
  t.equal((await mnt('/secure')).fhs_status, mountstat3.MNT3ERR_ACCES, 'secure needs a port < 1024');
  const v1 = await client.call(MOUNT, 1, 1, xdr_dirpath, '/private', xdr_fhstatus);
  t.equal(v1.fhs_status, 13, 'v1 refusal is EACCES');
  const v1b = await client.call(MOUNT, 1, 1, xdr_dirpath, '/nope', xdr_fhstatus);
  t.equal(v1b.fhs_status, 2, 'v1 unknown path is ENOENT');
});

t.test('MNT v1 answers an fhstatus', async (t) => {
  const { client, core } = await setup(t);
  const r = await client.call(MOUNT, 1, 1, xdr_dirpath, '/export', xdr_fhstatus);
  const rootHandle = core.table.findExport('/export')?.rootHandle ?? Buffer.alloc(0);
  if (rootHandle.length <= 32) {
    t.equal(r.fhs_status, 0);
    if ('fhs_fhandle' in r) t.same([...r.fhs_fhandle.subarray(0, rootHandle.length)], [...rootHandle], 'zero-padded v3 handle');
  } else {
    t.equal(r.fhs_status, 19, `our ${rootHandle.length}-byte handles do not fit NFSv2: NODEV`);
  }
});

t.test('DUMP tracks mounts per client; UMNT and UMNTALL remove them', async (t) => {
  const { client, mnt } = await setup(t);
  const dump = (): Promise<Array<{ ml_hostname: string; ml_directory: string }>> => client.call(MOUNT, 3, 2, xdr_void, undefined, xdr_mountlist);
  t.same(await dump(), []);
  await mnt('/export');
  await mnt('//export/'); // the same directory, spelled differently: one entry
  await mnt('/export/sub');
  await mnt('/nope'); // refused: not recorded
  t.same(
    (await dump()).map((e) => [e.ml_hostname, e.ml_directory]).sort(),
    [
      ['127.0.0.1', '/export'],
      ['127.0.0.1', '/export/sub'],
    ],
  );
  t.same(await client.call(MOUNT, 1, 2, xdr_void, undefined, xdr_mountlist), await dump(), 'v1 DUMP is the same list');
  await client.call(MOUNT, 3, 3, xdr_dirpath, '/export/', xdr_void);
  t.same((await dump()).map((e) => e.ml_directory), ['/export/sub'], 'UMNT removed one');
  await client.call(MOUNT, 3, 3, xdr_dirpath, '/never-mounted', xdr_void);
  await mnt('/export');
  await client.call(MOUNT, 3, 4, xdr_void, undefined, xdr_void);
  t.same(await dump(), [], 'UMNTALL removed the rest');
});

t.test('EXPORT lists every export with its client groups (v1 and v3)', async (t) => {
  const { client } = await setup(t);
  for (const v of [1, 3]) {
    const list = await client.call(MOUNT, v, 5, xdr_void, undefined, xdr_exports);
    t.same(
      list.map((e) => [e.ex_dir, e.ex_groups.map((g) => g.gr_name)]),
      [
        ['/export', []],
        ['/private', ['10.0.0.0/8', 'backup.example']],
        ['/secure', []],
      ],
      `v${v}`,
    );
  }
});

t.test('malformed MNT arguments get GARBAGE_ARGS and the server keeps serving', async (t) => {
  const { client, mnt } = await setup(t);
  const longPath: Codec<string> = { size: (s) => 4 + s.length + ((4 - (s.length & 3)) & 3), encode: (w, s) => w.string(s), decode: (r) => r.string() };
  await t.rejects(client.call(MOUNT, 3, 1, longPath, `/${'a'.repeat(2000)}`, xdr_mountres3), { code: 'ERR_RPC_GARBAGE_ARGS' }, 'dirpath over MNTPATHLEN');
  const truncated: Codec<number> = { size: () => 4, encode: (w, n) => w.u32(n), decode: (r) => r.u32() };
  await t.rejects(client.call(MOUNT, 3, 1, truncated, 100, xdr_mountres3), { code: 'ERR_RPC_GARBAGE_ARGS' }, 'string length past the end');
  await t.rejects(client.call(MOUNT, 3, 5, truncated, 1, xdr_exports), { code: 'ERR_RPC_GARBAGE_ARGS' }, 'bytes left over after void args');
  t.equal((await mnt('/export')).fhs_status, mountstat3.MNT3_OK, 'still serving');
});
