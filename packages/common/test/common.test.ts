import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  getRegistry, LOCALIO_REGISTRY_KEY, LocalioError, RefcountedFile, ServerLiveness, beginShutdown,
  CHANNEL_BIND, CHANNEL_UNBIND, type ServerTable, type LocalFile,
} from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const srcDir = path.join(here, '..', 'src');

function fdTarget(fd: number): string | null {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

function table(serverId: string): { table: ServerTable; liveness: ServerLiveness } {
  const liveness = new ServerLiveness();
  return { table: { serverId, liveness }, liveness };
}

t.test('two module instances and a second installed copy share one registry', async (t) => {
  const r1 = getRegistry();
  // the same file loaded again as a separate module instance
  const second = (await import(`${pathToFileURL(path.join(srcDir, 'registry.js')).href}?instance=2`)) as typeof import('../src/registry.js');
  // a whole second copy of the package in another directory (as two node_modules installs would be)
  const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nfsts-common-copy-'));
  t.teardown(() => fs.rmSync(copyDir, { recursive: true, force: true }));
  for (const f of fs.readdirSync(srcDir)) if (f.endsWith('.js')) fs.copyFileSync(path.join(srcDir, f), path.join(copyDir, f));
  // as in an installed copy: its own package.json marks the .js files as ES modules
  fs.writeFileSync(path.join(copyDir, 'package.json'), JSON.stringify({ name: '@nfsts/common', type: 'module' }));
  const third = (await import(pathToFileURL(path.join(copyDir, 'index.js')).href)) as typeof import('../src/index.js');
  t.not(second.getRegistry, getRegistry, 'really a second module instance');
  t.not(third.getRegistry, getRegistry, 'really a second copy');
  t.equal(second.getRegistry(), r1);
  t.equal(third.getRegistry(), r1);
  t.equal((globalThis as unknown as Record<symbol, unknown>)[Symbol.for('nfsts.localio.registry')], r1);
  t.equal(LOCALIO_REGISTRY_KEY, Symbol.for('nfsts.localio.registry'));

  // an entry begun through one copy is bound through the other's server table
  const uuid = randomBytes(16);
  const entry = third.getRegistry().begin(uuid);
  const liveness = new third.ServerLiveness();
  const tbl = { serverId: 'copy-srv', liveness };
  r1.publish(tbl);
  t.equal(r1.bind(uuid, 'copy-srv'), true);
  t.equal(entry.boundTo, tbl);
  await beginShutdown(r1, tbl, liveness as unknown as ServerLiveness);
  t.equal(entry.boundTo, null);
  third.getRegistry().end(entry);
  t.equal(r1.find(uuid), undefined);

  // errors are recognised across copies
  const e = new third.LocalioError('ERR_LOCALIO_BAD_UUID', 'x');
  t.ok(e instanceof LocalioError);
  t.throws(() => r1.begin(Buffer.alloc(15)), { code: 'ERR_LOCALIO_BAD_UUID' });
});

t.test('a registry of another version is refused with a typed error (in a worker: its own globalThis)', async (t) => {
  const url = pathToFileURL(path.join(srcDir, 'index.js')).href;
  const code = `
    const { parentPort } = require('node:worker_threads');
    globalThis[Symbol.for('nfsts.localio.registry')] = { version: 99 };
    import(${JSON.stringify(url)}).then((m) => {
      try { m.getRegistry(); parentPort.postMessage('no error'); }
      catch (e) { parentPort.postMessage(e.code + ' ' + (e instanceof m.LocalioError)); }
    });`;
  const w = new Worker(code, { eval: true });
  const msg = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await w.terminate();
  t.equal(msg, 'ERR_LOCALIO_REGISTRY_VERSION true');
});

t.test('bind, unknown uuid, duplicate, bound elsewhere, closing server, withdraw and end', async (t) => {
  const r = getRegistry();
  const events: Array<[string, unknown]> = [];
  const onBind = (m: unknown): void => { events.push(['bind', m]); };
  const onUnbind = (m: unknown): void => { events.push(['unbind', m]); };
  diagnosticsChannel.subscribe(CHANNEL_BIND, onBind);
  diagnosticsChannel.subscribe(CHANNEL_UNBIND, onUnbind);
  t.teardown(() => {
    diagnosticsChannel.unsubscribe(CHANNEL_BIND, onBind);
    diagnosticsChannel.unsubscribe(CHANNEL_UNBIND, onUnbind);
  });
  const a = table('srv-a');
  const b = table('srv-b');
  const clientsBefore = r.clientCount();

  const u1 = randomBytes(16);
  t.equal(r.bind(u1, 'srv-a'), false, 'server not published yet');
  r.publish(a.table);
  r.publish(b.table);
  t.throws(() => r.publish(table('srv-a').table), { code: 'ERR_LOCALIO_DUPLICATE' });
  t.equal(r.bind(u1, 'srv-a'), false, 'unknown uuid binds nothing');
  t.equal(r.clientsOf('srv-a').length, 0);
  t.equal(r.bind(Buffer.alloc(3), 'srv-a'), false, 'malformed uuid binds nothing');

  const e1 = r.begin(u1);
  t.throws(() => r.begin(u1), { code: 'ERR_LOCALIO_DUPLICATE' });
  t.equal(e1.boundTo, null);
  const unbound: string[] = [];
  r.onUnbind(e1, (_e, s, reason) => unbound.push(`${s.serverId}:${reason}`));
  t.equal(r.bind(u1, 'srv-nope'), false, 'unpublished server binds nothing');
  t.equal(e1.boundTo, null);
  t.equal(r.bind(u1, 'srv-a'), true);
  t.equal(e1.boundTo, a.table);
  t.equal(r.bind(u1, 'srv-a'), true, 'binding again to the same server is idempotent');
  t.equal(r.bind(u1, 'srv-b'), false, 'bound to another server: unchanged');
  t.equal(e1.boundTo, a.table);
  t.same(r.clientsOf('srv-a').map((e) => e.key), [e1.key]);
  t.same(r.clientsOf('srv-b'), []);

  const u2 = randomBytes(16);
  const e2 = r.begin(u2);
  t.equal(r.bind(u2, 'srv-b'), true);
  // a closing server binds nothing
  const e3 = r.begin(randomBytes(16));
  a.liveness.close();
  t.equal(r.bind(e3.uuid, 'srv-a'), false);
  t.equal(e3.boundTo, null);

  const gen = e1.generation;
  const w = r.withdraw(a.table);
  t.same(w.map((e) => e.key), [e1.key]);
  t.equal(e1.boundTo, null, 'withdraw unbinds the server\'s clients');
  t.ok(e1.generation > gen);
  t.same(unbound, ['srv-a:shutdown']);
  t.equal(e2.boundTo, b.table, 'another server\'s clients are untouched');
  t.equal(r.server('srv-a'), undefined);
  t.equal(r.server('srv-b'), b.table);

  r.end(e2);
  t.equal(e2.boundTo, null);
  t.same(r.clientsOf('srv-b'), [], 'end() leaves the server\'s list');
  t.equal(r.find(u2), undefined);
  r.end(e2); // idempotent
  r.end(e1);
  r.end(e3);
  r.withdraw(b.table);
  t.equal(r.clientCount(), clientsBefore);
  t.same(events.map((e) => e[0]), ['bind', 'bind', 'unbind', 'unbind']);
});

t.test('RefcountedFile: the descriptor closes only at the last put', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nfsts-lf-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const p = path.join(dir, 'f');
  fs.writeFileSync(p, 'hello');
  const fd = fs.openSync(p, 'r');
  const f = new RefcountedFile(fd, 'r');
  const asLocal: LocalFile = f;
  t.equal(asLocal.get(), f);
  f.get();
  t.equal(f.refs, 3);
  f.put();
  f.put();
  t.equal(fdTarget(fd), p, 'still open with one reference');
  t.equal(fs.readSync(fd, Buffer.alloc(5), 0, 5, 0), 5);
  f.put();
  await f.whenClosed;
  t.equal(f.closed, true);
  t.equal(fdTarget(fd) === p, false, 'closed at the last put');
  t.throws(() => f.put(), { code: 'ERR_LOCALIO_REFCOUNT' });
  t.throws(() => f.get(), { code: 'ERR_LOCALIO_REFCOUNT' });

  // a cache entry stays open while idle and closes at the last put after drop()
  const fd2 = fs.openSync(p, 'r');
  const closed: number[] = [];
  const c = new RefcountedFile(fd2, 'rw', { keepWhenIdle: true, closer: (n) => { closed.push(n); fs.closeSync(n); } });
  c.put();
  t.equal(fdTarget(fd2), p, 'idle cache entry keeps its descriptor');
  c.get();
  c.drop();
  t.equal(c.dropped, true);
  t.equal(fdTarget(fd2), p, 'dropped but held: still open');
  c.put();
  await c.whenClosed;
  t.same(closed, [fd2]);
  t.equal(fdTarget(fd2) === p, false);
});

t.test('liveness and beginShutdown: refuse, unbind, wait for in-flight references, then resolve', async (t) => {
  const r = getRegistry();
  const { table: tbl, liveness } = table('srv-shut');
  r.publish(tbl);
  const e = r.begin(randomBytes(16));
  t.ok(r.bind(e.uuid, 'srv-shut'));
  const order: string[] = [];
  r.onUnbind(e, () => order.push('unbound'));
  t.ok(liveness.tryGet());
  t.ok(liveness.tryGet());
  t.equal(liveness.refs, 2);
  const done = beginShutdown(r, tbl, liveness).then((clients) => { order.push(`drained:${clients.length}`); });
  t.equal(liveness.closing, true);
  t.equal(liveness.tryGet(), false, 'no new references once closing');
  t.same(order, ['unbound'], 'clients are unbound synchronously');
  t.equal(e.boundTo, null);
  liveness.put();
  await new Promise((res) => setImmediate(res));
  t.same(order, ['unbound'], 'still one reference in flight');
  liveness.put();
  await done;
  t.same(order, ['unbound', 'drained:1']);
  t.throws(() => liveness.put(), { code: 'ERR_LOCALIO_REFCOUNT' });
  await beginShutdown(r, tbl, liveness); // idempotent, nothing to wait for
  r.end(e);
});
