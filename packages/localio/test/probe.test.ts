import t from 'tap';
import type { Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import diagnosticsChannel from 'node:diagnostics_channel';
import { NFS_LOCALIO_PROGRAM, LOCALIO_V1, LOCALIOPROC_NULL, LOCALIOPROC_UUID_IS_LOCAL, xdr_localio_uuid, xdr_void } from '@nfsts/xdr';
import { CHANNEL_PROBE } from '@nfsts/common';
import { getRegistry, probeLocal, LocalioServer, isLocalioTable } from '../src/index.js';
import { TestServer, client, tmpDir } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const localioUrl = pathToFileURL(path.join(here, '..', 'src', 'index.js')).href;
const rpcUrl = import.meta.resolve('@nfsts/rpc');

async function withServer(t: Test, opts: { localio?: boolean } = {}): Promise<TestServer> {
  const dir = tmpDir();
  const s = await new TestServer({ dir, ...opts }).listen();
  t.teardown(async () => {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

t.test('UUID_IS_LOCAL over RPC binds the probing client; an unknown uuid binds nothing', async (t) => {
  const s = await withServer(t);
  const c = client(s.port);
  t.teardown(() => c.close());
  const r = getRegistry();
  const probes: unknown[] = [];
  const onProbe = (m: unknown): void => { probes.push(m); };
  diagnosticsChannel.subscribe(CHANNEL_PROBE, onProbe);
  t.teardown(() => diagnosticsChannel.unsubscribe(CHANNEL_PROBE, onProbe));

  // NULL answers
  await c.call(NFS_LOCALIO_PROGRAM, LOCALIO_V1, LOCALIOPROC_NULL, xdr_void, undefined, xdr_void);

  // a uuid nobody registered: void reply, nothing bound, nothing added
  const before = r.clientCount();
  const stranger = randomBytes(16);
  await c.call(NFS_LOCALIO_PROGRAM, LOCALIO_V1, LOCALIOPROC_UUID_IS_LOCAL, xdr_localio_uuid, stranger, xdr_void);
  t.equal(r.find(stranger), undefined);
  t.equal(r.clientCount(), before);
  t.equal(s.localio.localClients, 0);

  const entry = await probeLocal(c);
  t.ok(entry, 'probe says local');
  t.equal(entry!.boundTo, s.localio.table, 'bound to this server\'s table');
  t.ok(isLocalioTable(entry!.boundTo));
  t.equal(s.localio.localClients, 1);
  t.same(probes.map((p) => (p as { local: boolean }).local), [true]);
  // a second probe binds a second, fresh uuid
  const entry2 = await probeLocal(c);
  t.ok(entry2);
  t.not(entry2!.key, entry!.key);
  t.equal(s.localio.localClients, 2);
  r.end(entry!);
  r.end(entry2!);
  t.equal(s.localio.localClients, 0);
  t.equal(r.clientCount(), before);
});

t.test('two servers in one process: a client reaches only the server that bound it', async (t) => {
  const a = await withServer(t);
  const b = await withServer(t);
  const ca = client(a.port);
  const cb = client(b.port);
  t.teardown(async () => { await ca.close(); await cb.close(); });
  const ea = await probeLocal(ca);
  const eb = await probeLocal(cb);
  t.equal(ea?.boundTo, a.localio.table);
  t.equal(eb?.boundTo, b.localio.table);
  // a uuid registered here but sent to server b binds to b only
  await b.close();
  t.equal(eb?.boundTo, null, 'closing b unbinds its client');
  t.equal(ea?.boundTo, a.localio.table, 'a\'s client is untouched');
  getRegistry().end(ea!);
  getRegistry().end(eb!);
});

t.test('LOCALIO disabled: PROG_UNAVAIL, and the probe says not local', async (t) => {
  const s = await withServer(t, { localio: false });
  t.equal(s.localio.program, null);
  const c = client(s.port);
  t.teardown(() => c.close());
  const before = getRegistry().clientCount();
  await t.rejects(c.call(NFS_LOCALIO_PROGRAM, LOCALIO_V1, LOCALIOPROC_NULL, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_UNAVAIL' });
  t.equal(await probeLocal(c), null);
  t.equal(getRegistry().clientCount(), before, 'the failed probe left no entry');
});

t.test('a server not yet listening or already closing binds nothing', async (t) => {
  const dir = tmpDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const s = new TestServer({ dir });
  // listen without publishing: the program is there but the table is not
  const addr = await s.rpc.listen(0, '127.0.0.1');
  const c = client(addr.port);
  t.equal(await probeLocal(c), null, 'not published yet');
  s.localio.publish();
  const e = await probeLocal(c);
  t.ok(e, 'published: local');
  await s.localio.shutdown();
  t.equal(e!.boundTo, null);
  t.equal(await probeLocal(c), null, 'closing: not local');
  s.localio.publish(); // no-op after shutdown
  t.equal(await probeLocal(c), null);
  getRegistry().end(e!);
  await c.close();
  await s.close();
});

t.test('a worker thread of this process is local to the server of this thread; a child process stays not local', async (t) => {
  const s = await withServer(t);
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const rpc = await import(workerData.rpcUrl);
      const lio = await import(workerData.localioUrl);
      const c = new rpc.RpcClient({ host: '127.0.0.1', port: workerData.port, reconnect: { retries: 0 } });
      const probed = await lio.probeLocal(c);
      // the same handshake by hand: begin in this thread's registry, call, look at the entry
      const reg = lio.getRegistry();
      const uuid = require('node:crypto').randomBytes(16);
      const entry = reg.begin(uuid);
      const codec = { size: () => 16, encode: (w, v) => w.opaqueFixed(v, 16), decode: (r) => r.opaqueFixed(16) };
      const voidc = { size: () => 0, encode: () => {}, decode: () => {} };
      await c.call(400122, 1, 1, codec, uuid, voidc);
      parentPort.postMessage({ probed: probed !== null, bound: entry.boundTo !== null, uuid: uuid.toString('hex') });
      reg.end(entry);
      await c.close();
    })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`;
  const w = new Worker(code, { eval: true, workerData: { rpcUrl, localioUrl, port: s.port } });
  const msg = (await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); })) as
    { probed: boolean; bound: boolean; uuid: string; error?: string };
  await w.terminate();
  t.equal(msg.error, undefined);
  t.equal(msg.probed, true, 'worker probe: local (issue 11: bound across threads)');
  t.equal(msg.bound, true, 'the same handshake by hand binds the worker\'s entry');
  t.equal(getRegistry().find(Buffer.from(msg.uuid, 'hex')), undefined, 'the worker\'s uuid is not in this thread\'s registry');
  // the worker ended one entry (its thread posts 'end'); the other goes with the thread
  const deadline = Date.now() + 10_000;
  while (s.localio.localClients !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.equal(s.localio.localClients, 0, 'the server forgets the clients of a thread that is gone');

  // a child process
  const childCode = `
    const rpc = await import(${JSON.stringify(rpcUrl)});
    const lio = await import(${JSON.stringify(localioUrl)});
    const c = new rpc.RpcClient({ host: '127.0.0.1', port: ${s.port}, reconnect: { retries: 0 } });
    const e = await lio.probeLocal(c);
    await c.close();
    process.stdout.write(JSON.stringify({ local: e !== null }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', childCode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const status = await new Promise((resolve) => child.on('close', resolve));
  t.equal(status, 0);
  t.same(JSON.parse(out), { local: false }, 'child process probe: not local');
  t.equal(s.localio.localClients, 0);

  // the control: this thread's probe to the same server is local
  const c = client(s.port);
  const e = await probeLocal(c);
  t.ok(e);
  getRegistry().end(e!);
  await c.close();
});

t.test('probe errors (no server) are not local, never thrown', async (t) => {
  const s = await withServer(t);
  const port = s.port;
  await s.close();
  const c = client(port);
  const before = getRegistry().clientCount();
  t.equal(await probeLocal(c), null);
  t.equal(getRegistry().clientCount(), before);
  await c.close();
});

t.test('LocalioServer options are checked and name the property', async (t) => {
  const ops = { verifier: Buffer.alloc(8), openLocalFh: async () => 70 };
  t.throws(() => new LocalioServer({ ops: { ...ops, verifier: Buffer.alloc(4) } }), { code: 'ERR_LOCALIO_BAD_OPTION', message: /ops\.verifier/ });
  t.throws(() => new LocalioServer({ ops, serverId: '' }), { code: 'ERR_LOCALIO_BAD_OPTION', message: /serverId/ });
  t.throws(() => new LocalioServer({ ops, enabled: 'yes' as unknown as boolean }), { code: 'ERR_LOCALIO_BAD_OPTION', message: /enabled/ });
  t.throws(() => new LocalioServer({ ops: {} as never }), { code: 'ERR_LOCALIO_BAD_OPTION', message: /ops/ });
  const a = new LocalioServer({ ops, serverId: 'dup' });
  const b = new LocalioServer({ ops, serverId: 'dup' });
  a.publish();
  t.throws(() => b.publish(), { code: 'ERR_LOCALIO_DUPLICATE' });
  await a.shutdown();
  await b.shutdown();
});
