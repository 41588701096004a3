/**
 * startServer(): URL and mount line, NFS + MOUNT on one port, PROG_UNAVAIL for NFS_ACL and
 * unknown programs, PROG_MISMATCH for NFSv2/v4, errors for a taken port and a missing
 * directory, and close() leaving no descriptor, socket or timer behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { RpcClient, authSys } from '@nfsts/rpc';
import { mountstat3, nfsstat3, xdr_dirpath, xdr_LOOKUP3args, xdr_LOOKUP3res, xdr_mountres3, xdr_READ3args, xdr_READ3res, xdr_void } from '@nfsts/xdr';
import { startServer, StartError } from '../src/server.js';
import { ConfigError } from '../src/config.js';

function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

function resources(): string[] {
  // Pending fs requests come and go with tap's own work; sockets, servers, timers and file handles must not.
  return process.getActiveResourcesInfo().filter((r) => !r.startsWith('FSReq') && r !== 'Immediate').sort();
}

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-server-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('serves NFS and MOUNT on one port; the URL and mount line point at it', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'hello'), 'hi');
  const server = await startServer({ exports: [{ path: '/export', root: dir }], port: 0 });
  t.teardown(() => server.close());
  t.ok(server.port > 0);
  t.equal(server.host, '127.0.0.1');
  t.equal(server.url, `nfs://127.0.0.1/export?version=3&nfsport=${server.port}&mountport=${server.port}`);
  t.equal(server.mountCommand, `mount -t nfs -o vers=3,proto=tcp,port=${server.port},mountport=${server.port},nolock 127.0.0.1:/export /mnt`);
  t.equal(server.portmap.mode, 'off', 'no portmapper for an ephemeral port by default');
  const client = new RpcClient({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
  t.teardown(() => client.close());
  await client.connect();
  const r = await client.call(100005, 3, 1, xdr_dirpath, '/export', xdr_mountres3);
  t.equal(r.fhs_status, mountstat3.MNT3_OK);
  t.equal(await client.call(100003, 3, 0, xdr_void, undefined, xdr_void), undefined, 'NFS NULL');
  await t.rejects(client.call(100227, 3, 0, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_UNAVAIL' }, 'NFS_ACL');
  t.equal(await client.call(100021, 4, 0, xdr_void, undefined, xdr_void), undefined, 'NLM v4 NULL on the NFS port');
  t.equal(await client.call(100024, 1, 0, xdr_void, undefined, xdr_void), undefined, 'NSM NULL on the NFS port');
  await t.rejects(client.call(100021, 2, 0, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_MISMATCH', low: 1, high: 4 }, 'NLM v2 does not exist');
  await t.rejects(client.call(100000, 2, 0, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_UNAVAIL' }, 'portmap is not on the NFS port');
  await t.rejects(client.call(100003, 2, 0, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_MISMATCH', low: 3, high: 3 }, 'NFSv2');
  await t.rejects(client.call(100003, 4, 0, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_MISMATCH', low: 3, high: 3 }, 'NFSv4');
});

t.test('close() leaves no file descriptor, socket or handle behind', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'f'), 'data');
  // Warm up lazily-opened process resources (e.g. the first tmpdir/crypto use) first.
  const warm = await startServer({ exports: [{ path: '/export', root: dir }], port: 0 });
  await warm.close();
  const fdsBefore = fdCount();
  const resBefore = resources();
  const server = await startServer({ exports: [{ path: '/export', root: dir }], port: 0, portmap: true, portmapPort: 0 });
  t.equal(server.portmap.mode, 'own');
  const client = new RpcClient({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
  await client.connect();
  t.equal((await client.call(100005, 3, 1, xdr_dirpath, '/export', xdr_mountres3)).fhs_status, mountstat3.MNT3_OK);
  t.ok(fdCount() > fdsBefore, 'the server holds descriptors while running');
  // (In-flight calls during close() are the RPC server's business, tested in packages/rpc.)
  await client.close();
  await server.close();
  await new Promise((r) => setImmediate(r));
  t.equal(fdCount(), fdsBefore, 'descriptors back to the count before start');
  t.same(resources(), resBefore, 'no sockets or handles left');
  await server.close(); // idempotent
});

t.test('errors: port in use, missing or non-directory root, bad options', async (t) => {
  const dir = tempDir(t);
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => blocker.close(r)));
  const port = (blocker.address() as AddressInfo).port;
  const fdsBefore = fdCount();
  await t.rejects(startServer({ exports: [{ path: '/export', root: dir }], port }), { code: 'ERR_NFS_ADDR_IN_USE', message: new RegExp(`port ${port} on 127.0.0.1 is already in use`) });
  t.equal(fdCount(), fdsBefore, 'a failed start leaks nothing');
  await t.rejects(startServer({ exports: [{ path: '/export', root: join(dir, 'missing') }], port: 0 }), { code: 'ERR_NFS_EXPORT_ROOT', message: /does not exist/ });
  writeFileSync(join(dir, 'file'), '');
  await t.rejects(startServer({ exports: [{ path: '/export', root: join(dir, 'file') }], port: 0 }), { code: 'ERR_NFS_EXPORT_ROOT', message: /not a directory/ });
  try {
    await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,bogus' }], port: 0 });
    t.fail('bad option accepted');
  } catch (err) {
    t.ok(err instanceof ConfigError);
    t.match((err as Error).message, /bogus/);
  }
  const e = new StartError('ERR_NFS_LISTEN', 'x');
  t.ok(e instanceof StartError, 'brand');
});

t.test('close() answers the calls already in progress before it closes their connection', async (t) => {
  const dir = tempDir(t);
  const MiB = 1024 * 1024;
  const N = 16;
  const content = randomBytes(N * MiB);
  writeFileSync(join(dir, 'big'), content);
  const server = await startServer({ exports: [{ path: '/export', root: dir, options: 'no_root_squash' }], port: 0 });
  t.teardown(() => server.close());
  const client = new RpcClient({ host: '127.0.0.1', port: server.port, timeoutMs: 20_000, reconnect: { retries: 0 }, cred: authSys({ uid: 0, gid: 0 }) });
  t.teardown(() => client.close());
  await client.connect();
  const m = await client.call(100005, 3, 1, xdr_dirpath, '/export', xdr_mountres3);
  if (m.fhs_status !== mountstat3.MNT3_OK) throw new Error(`MNT failed: ${m.fhs_status}`);
  const l = await client.call(100003, 3, 3, xdr_LOOKUP3args, { what: { dir: { data: m.mountinfo.fhandle }, name: 'big' } }, xdr_LOOKUP3res);
  if (l.status !== nfsstat3.NFS3_OK) throw new Error(`LOOKUP failed: ${l.status}`);
  const fh = l.resok.object;
  // N reads of 1 MiB sent together (small calls, one write); close() starts when the first
  // reply is in, while the others are being read from disk or written to the socket.
  let closing: Promise<void> | null = null;
  let closed = false;
  let afterClose = 0;
  const reads = Array.from({ length: N }, (_, i) =>
    client.call(100003, 3, 6, xdr_READ3args, { file: fh, offset: BigInt(i * MiB), count: MiB }, xdr_READ3res).then((r) => {
      if (closing !== null && !closed) afterClose++;
      closing ??= server.close().then(() => {
        closed = true;
      });
      return r;
    }),
  );
  const results = await Promise.allSettled(reads);
  await closing;
  const ok = results.filter((r) => r.status === 'fulfilled' && r.value.status === nfsstat3.NFS3_OK);
  t.equal(ok.length, N, 'every read answered although close() began after the first reply');
  t.ok(afterClose > 0, `replies arrived while close() was in progress (${afterClose} of ${N - 1})`);
  results.forEach((r, i) => {
    if (r.status === 'fulfilled' && r.value.status === nfsstat3.NFS3_OK) {
      if (!r.value.resok.data.equals(content.subarray(i * MiB, (i + 1) * MiB))) t.fail(`read ${i} data differs`);
    }
  });
  const after = client.call(100003, 3, 0, xdr_void, undefined, xdr_void, { timeoutMs: 2000 });
  await t.rejects(after, 'a closed server takes no new calls');
});
