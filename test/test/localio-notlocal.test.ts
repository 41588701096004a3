// LOCALIO must not happen when it must not: a client in a child process stays on RPC (one in
// a worker thread of the server's process is local: issue 11); a UUID_IS_LOCAL with a uuid nobody registered binds nothing; a
// squashed credential or a read-only export cannot write through LOCALIO (the client gets
// what RPC answers); a server started with `localio: false` keeps its clients on RPC.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { connect, type NfsClient } from '@nfsts/client';
import { getRegistry } from '@nfsts/common';
import { LOCALIO_V1, LOCALIOPROC_UUID_IS_LOCAL, NFS_LOCALIO_PROGRAM, xdr_localio_uuid, xdr_void } from '@nfsts/xdr';
import { errCode, startLocalServer, type LocalServer } from '../src/localio-helpers.js';
import type { RemoteResult } from '../src/localio-remote-client.js';

const remoteScript = fileURLToPath(new URL('../src/localio-remote-client.js', import.meta.url));

const ls: LocalServer = await startLocalServer({
  exports: { '/export': 'rw,no_root_squash', '/squash': 'rw,root_squash', '/ro': 'ro,no_root_squash' },
});
t.teardown(() => ls.close());

function checkRemote(tt: Test, r: RemoteResult, who: string): void {
  tt.equal(r.error, undefined, `${who}: ran without error`);
  tt.notOk(r.isLocal, `${who}: not local`);
  tt.equal(r.probes, 1, `${who}: it did probe`);
  tt.equal(r.probesLocal, 0, `${who}: the probe said not local`);
  tt.equal(r.readsLocal + r.writesLocal, 0, `${who}: nothing local`);
  tt.ok(r.readsRpc > 0 && r.writesRpc > 0, `${who}: reads and writes by RPC`);
  tt.ok(r.dataOk, `${who}: data read back exactly`);
}

t.test('a client in a child process stays on RPC', async (tt) => {
  const before = ls.server.localio.localClients;
  const child = spawn(process.execPath, [remoteScript, ls.url(), 'child.bin'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  tt.equal(code, 0, 'the child exited cleanly');
  checkRemote(tt, JSON.parse(out) as RemoteResult, 'child process');
  tt.equal(ls.server.localio.localClients, before, 'the server bound no client for it');
  tt.equal(readFileSync(join(ls.roots['/export']!, 'child.bin')).length, 64 * 1024, 'its file is on the export');
});

function checkWorkerLocal(tt: Test, r: RemoteResult, who: string): void {
  tt.equal(r.error, undefined, `${who}: ran without error`);
  tt.ok(r.isLocal, `${who}: local (a worker shares the server's process)`);
  tt.equal(r.probesLocal, 1, `${who}: the probe said local`);
  tt.ok(r.readsLocal > 0 && r.readsRpc === 0, `${who}: reads local`);
  tt.ok(r.dataOk, `${who}: data read back exactly`);
}

// issue 11: a worker thread shares the process, so the server of the main thread binds it
// (the child process above is the client that must stay on RPC)
t.test('a client in a worker thread is local to the main thread\'s server, although its own thread publishes another', async (tt) => {
  const w = new Worker(remoteScript, { workerData: { url: ls.url(), name: 'worker.bin' } });
  const r = await new Promise<RemoteResult>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await w.terminate();
  checkWorkerLocal(tt, r, 'worker thread');
});

t.test('a client in a worker with no LOCALIO server in its own thread still probes, and is bound by the main thread\'s', async (tt) => {
  const w = new Worker(remoteScript, { workerData: { url: ls.url(), name: 'worker-noown.bin', ownServer: false } });
  const r = await new Promise<RemoteResult>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await w.terminate();
  tt.equal(r.probes, 1, 'a worker probes (a server of another thread may bind it)');
  checkWorkerLocal(tt, r, 'worker thread without a server');
});

t.test('UUID_IS_LOCAL with a uuid nobody registered binds nothing', async (tt) => {
  const c = await connect(ls.url(), { localio: false });
  try {
    const reg = getRegistry();
    const clientsBefore = reg.clientCount();
    const boundBefore = ls.server.localio.localClients;
    const uuid = randomBytes(16);
    await c.rpcClient.call(NFS_LOCALIO_PROGRAM, LOCALIO_V1, LOCALIOPROC_UUID_IS_LOCAL, xdr_localio_uuid, uuid, xdr_void);
    tt.pass('the reply is void, as for a known uuid');
    tt.equal(reg.find(uuid), undefined, 'the uuid is not in the registry');
    tt.equal(reg.clientCount(), clientsBefore, 'no registry entry was created');
    tt.equal(ls.server.localio.localClients, boundBefore, 'the server bound nobody');
    tt.notOk(c.isLocal, 'the client is not local');
  } finally {
    await c.close();
  }
});

async function writeRefused(tt: Test, exportPath: string, file: string, expected: string, opts: Record<string, unknown>): Promise<void> {
  const root = ls.roots[exportPath]!;
  const original = Buffer.alloc(8192, 'o');
  writeFileSync(join(root, file), original);
  chmodSync(join(root, file), 0o644); // owned by the server's user, writable by its owner only
  const results: Record<string, string> = {};
  for (const mode of ['rpc', 'localio'] as const) {
    const refusedBefore = ls.server.localio.stats().refused;
    const c: NfsClient = await connect(ls.url(exportPath), { localio: mode === 'localio', ...opts });
    try {
      tt.equal(c.isLocal, mode === 'localio', `${mode}: isLocal ${c.isLocal}`);
      const back = await c.readFile(file);
      tt.ok(back.equals(original), `${mode}: the file is readable`);
      results[`${mode} writeFile`] = await errCode(c.writeFile(file, Buffer.alloc(100, 'x'), { flag: 'r+' }));
      const h = await c.open(file, 'r');
      results[`${mode} transport write`] = await errCode(c.transport.write(h.fh, 0n, Buffer.alloc(100, 'x'), 2));
      results[`${mode} transport commit`] = await errCode(c.transport.commit(h.fh, 0n, 0));
      await h.close();
      const s = c.stats();
      tt.equal(s.writesLocal + s.commitsLocal, 0, `${mode}: nothing written or committed locally`);
      if (mode === 'localio') {
        tt.ok(s.readsLocal > 0, 'localio: reads were local');
        tt.ok(s.fallbacks >= 2, `localio: the write and commit fell back to RPC (${s.fallbacks})`);
        tt.ok(ls.server.localio.stats().refused > refusedBefore, 'the server refused the local opens for writing');
        tt.ok(c.isLocal, 'localio: a refused open does not end LOCALIO');
      }
    } finally {
      await c.close();
    }
  }
  tt.ok(readFileSync(join(root, file)).equals(original), 'the file is unchanged on disk');
  tt.same(results, {
    'rpc writeFile': expected, 'rpc transport write': `NFS3ERR_${expected.slice(1)}`, 'rpc transport commit': `NFS3ERR_${expected.slice(1)}`,
    'localio writeFile': expected, 'localio transport write': `NFS3ERR_${expected.slice(1)}`, 'localio transport commit': `NFS3ERR_${expected.slice(1)}`,
  }, `RPC and LOCALIO answer the same: ${expected}`);
}

t.test('a squashed credential (root_squash, uid 0) cannot write through LOCALIO: EACCES as over RPC', async (tt) => {
  await writeRefused(tt, '/squash', 'sq.bin', 'EACCES', { uid: 0, gid: 0 });
  const st = ls.server.localio.stats();
  tt.ok((st.refusedByStatus[13] ?? 0) > 0, 'refused with NFS3ERR_ACCES');
});

t.test('a read-only export cannot be written through LOCALIO: EROFS as over RPC', async (tt) => {
  await writeRefused(tt, '/ro', 'ro.bin', 'EROFS', {});
  tt.ok((ls.server.localio.stats().refusedByStatus[30] ?? 0) > 0, 'refused with NFS3ERR_ROFS');
});

t.test('a server started with localio: false keeps its clients on RPC', async (tt) => {
  const off = await startLocalServer({ localio: false });
  try {
    tt.equal(off.server.localio.enabled, false, 'server.localio.enabled is false');
    const c = await connect(off.url());
    try {
      tt.notOk(c.isLocal, 'the client is not local');
      await c.writeFile('/x', Buffer.alloc(10_000, 1));
      tt.equal((await c.readFile('/x')).length, 10_000, 'I/O works');
      const s = c.stats();
      tt.equal(s.probes, 1, 'the client probed (PROG_UNAVAIL)');
      tt.equal(s.probesLocal, 0, 'and is not local');
      tt.equal(s.readsLocal + s.writesLocal + s.commitsLocal, 0, 'nothing local');
      tt.ok(s.readsRpc > 0 && s.writesRpc > 0, 'everything by RPC');
      tt.equal(off.server.localio.localClients, 0, 'the server has no local client');
    } finally {
      await c.close();
    }
  } finally {
    await off.close();
  }
});

t.test('a client with localio: false stays on RPC against a LOCALIO server', async (tt) => {
  const c = await connect(ls.url(), { localio: false });
  try {
    await c.writeFile('/y', Buffer.alloc(5000, 2));
    await c.readFile('/y');
    const s = c.stats();
    tt.notOk(c.isLocal, 'not local');
    tt.equal(s.probes, 0, 'never probed');
    tt.equal(s.readsLocal + s.writesLocal, 0, 'nothing local');
  } finally {
    await c.close();
  }
});
