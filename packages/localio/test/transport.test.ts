import t from 'tap';
import type { Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { authSys, type RpcClient } from '@nfsts/rpc';
import { CHANNEL_FALLBACK, CHANNEL_STATS } from '@nfsts/common';
import { LocalioTransport, getRegistry, type LocalioTransportOptions, type NfsTransport, type ReadResult } from '../src/index.js';
import { TestServer, TestRpcTransport, client, fdsUnder, fhOf, seededRandom, tmpDir, type TestServerOptions } from './helpers.js';

interface Rig {
  dir: string;
  server: TestServer;
  c: RpcClient;
  rpcT: TestRpcTransport;
  lt: LocalioTransport;
  /** closes client and server and checks no descriptor is left on the test files */
  end(): Promise<void>;
}

async function rig(t: Test, serverOpts: Partial<TestServerOptions> = {}, ltOpts: Partial<LocalioTransportOptions> = {}, files: Record<string, Buffer> = {}): Promise<Rig> {
  const dir = tmpDir();
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
  const server = await new TestServer({ dir, ...serverOpts }).listen();
  const c = client(server.port);
  const rpcT = new TestRpcTransport(c);
  const lt = new LocalioTransport({ rpc: c, fallback: rpcT, probeThrottle: 0, ...ltOpts });
  let ended = false;
  const cleanup = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    await lt.close();
    await c.close();
    await server.close();
  };
  t.teardown(async () => {
    await cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const end = async (): Promise<void> => {
    await cleanup();
    t.same(fdsUnder(dir), [], 'no descriptor left open on the test files');
  };
  return { dir, server, c, rpcT, lt, end };
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; v: T } | { ok: false; code: string }> {
  try {
    return { ok: true, v: await p };
  } catch (e) {
    return { ok: false, code: String((e as { code?: unknown }).code) };
  }
}

async function readBoth(a: NfsTransport, b: NfsTransport, fh: Buffer, off: number, len: number): Promise<[ReadResult & { data: Buffer }, ReadResult & { data: Buffer }]> {
  const da = Buffer.alloc(len, 0xee);
  const db = Buffer.alloc(len, 0xee);
  const ra = await a.read(fh, BigInt(off), da);
  const rb = await b.read(fh, BigInt(off), db);
  return [{ ...ra, data: da.subarray(0, ra.count) }, { ...rb, data: db.subarray(0, rb.count) }];
}

for (const sync of [true, false]) {
  t.test(`parity with RPC: reads, eof, writes each way, stable_how, commit and verifier (sync reads ${sync ? 'on' : 'off'})`, async (t) => {
    const content = randomBytes(100_000);
    const { end, server, rpcT, lt } = await rig(t, {}, { syncReadMaxBytes: sync ? 65536 : 0, slowSyncReadUs: 10_000_000, syncBudgetUs: 10_000_000 }, { a: content });
    t.equal(lt.isLocal, false);
    t.equal(await lt.probe(), true);
    t.equal(lt.isLocal, true);
    const fh = fhOf('a');
    const size = content.length;
    for (const [off, len] of [[0, 4096], [12_345, 30_000], [size - 100, 4096], [size - 4096, 4096], [size, 10], [size + 10, 100], [0, 0], [50, 0], [0, size]] as const) {
      const [l, r] = await readBoth(lt, rpcT, fh, off, len);
      t.same({ count: l.count, eof: l.eof }, { count: r.count, eof: r.eof }, `read ${off}+${len}: count and eof as RPC`);
      t.ok(l.data.equals(r.data), `read ${off}+${len}: same bytes`);
      t.ok(l.data.equals(content.subarray(off, off + len)), `read ${off}+${len}: the file's bytes`);
    }
    // local write, read back by RPC
    const w1 = randomBytes(8192);
    const lr = await lt.write(fh, 1000n, w1, 2);
    t.same({ count: lr.count, committed: lr.committed }, { count: 8192, committed: 2 });
    t.ok(lr.verf.equals(server.verifier), 'the server\'s verifier');
    const back = Buffer.alloc(8192);
    await rpcT.read(fh, 1000n, back);
    t.ok(back.equals(w1), 'RPC reads what LOCALIO wrote');
    // RPC write, read back locally
    const w2 = randomBytes(5000);
    const rr = await rpcT.write(fh, 60_000n, w2, 0);
    const back2 = Buffer.alloc(5000);
    t.same(await lt.read(fh, 60_000n, back2), { count: 5000, eof: false });
    t.ok(back2.equals(w2), 'LOCALIO reads what RPC wrote');
    // stable_how and verifiers match RPC
    for (const stable of [0, 1, 2]) {
      const l = await lt.write(fh, 0n, Buffer.from('xyz'), stable);
      const r = await rpcT.write(fh, 3n, Buffer.from('xyz'), stable);
      t.same({ count: l.count, committed: l.committed }, { count: r.count, committed: r.committed }, `stable ${stable}`);
      t.ok(l.verf.equals(r.verf));
    }
    t.ok(rr.verf.equals(lr.verf));
    // extend the file locally past its end: both paths see the new size
    await lt.write(fh, BigInt(size + 500), Buffer.from('tail'), 1);
    const [l, r] = await readBoth(lt, rpcT, fh, size + 490, 100);
    t.same({ count: l.count, eof: l.eof }, { count: r.count, eof: r.eof });
    t.same(l.data, r.data);
    t.equal(l.count, 14);
    const cv = await lt.commit(fh, 0n, 0);
    t.ok(cv.equals(await rpcT.commit(fh, 0n, 0)), 'COMMIT: the same verifier');
    const s = lt.stats();
    t.equal(s.readsRpc, 0);
    t.equal(s.writesRpc, 0);
    t.equal(s.commitsRpc, 0);
    t.equal(s.fallbacks, 0);
    t.equal(s.readsLocal, 11);
    t.equal(s.writesLocal, 5);
    t.equal(s.commitsLocal, 1);
    if (sync) t.ok(s.readsSync > 0, 'small reads ran synchronously');
    else t.equal(s.readsSync, 0, 'no synchronous reads when syncReadMaxBytes is 0');
    await end();
  });
}

t.test('fallbacks give exactly the RPC answer: stale handle, read-only export, refused write; throttled re-probe', async (t) => {
  const content = randomBytes(10_000);
  const { end, dir, rpcT, lt } = await rig(t, { denyWrite: new Set(['b']) }, { probeThrottle: 4 }, { a: content, b: content });
  const fallbacks: Array<{ op: string; reason: string; code: unknown }> = [];
  const onFb = (m: unknown): void => { fallbacks.push(m as never); };
  diagnosticsChannel.subscribe(CHANNEL_FALLBACK, onFb);
  t.teardown(() => diagnosticsChannel.unsubscribe(CHANNEL_FALLBACK, onFb));
  t.equal(await lt.probe(), true);

  // a write the export refuses: RPC's ACCES, and still local afterwards
  const viaLocal = await settle(lt.write(fhOf('b'), 0n, Buffer.from('no'), 0));
  const viaRpc = await settle(rpcT.write(fhOf('b'), 0n, Buffer.from('no'), 0));
  t.same(viaLocal, viaRpc);
  t.same(viaLocal, { ok: false, code: 'NFS3ERR_13' });
  t.equal(lt.isLocal, true, 'a refused open does not end LOCALIO');
  const rb = await lt.read(fhOf('b'), 0n, Buffer.alloc(100));
  t.equal(rb.count, 100, 'reads of that file stay local');

  // a stale handle: RPC's STALE, and not local any more
  const s0 = lt.stats();
  fs.unlinkSync(path.join(dir, 'a'));
  t.same(await settle(lt.read(fhOf('a'), 0n, Buffer.alloc(10))), await settle(rpcT.read(fhOf('a'), 0n, Buffer.alloc(10))));
  t.equal(lt.isLocal, false);
  t.same(fallbacks.map((f) => [f.op, f.reason, f.code]), [['write', 'status', 13], ['read', 'stale', 70]]);
  // every 4th I/O while not local probes again
  for (let i = 0; i < 3; i++) await lt.read(fhOf('b'), 0n, Buffer.alloc(10));
  t.equal(lt.stats().probes, s0.probes, 'no probe before the 4th I/O');
  const p = lt.read(fhOf('b'), 0n, Buffer.alloc(10));
  t.equal(lt.stats().probes, s0.probes + 1, 'the 4th I/O started a probe');
  await p;
  t.equal(await lt.probe(), true);
  t.equal(lt.isLocal, true);
  const s1 = lt.stats();
  t.equal(s1.readsRpc - s0.readsRpc, 5, 'the stale read and four more went by RPC');
  await end();
});

t.test('permissions: a descriptor opened for reading never serves a write, even when the server shares a read-write one', async (t) => {
  const { end, server, rpcT, lt: rootT } = await rig(t, { denyWriteUid: 1000 }, {}, { a: Buffer.from('original') });
  t.equal(await rootT.probe(), true);
  // uid 0 writes: the server's cache now holds a read-write descriptor for 'a'
  await rootT.write(fhOf('a'), 0n, Buffer.from('O'), 2);
  const cred = authSys({ uid: 1000, gid: 1000 });
  const c2 = client(server.port, { cred });
  const rpc2 = new TestRpcTransport(c2);
  const user = new LocalioTransport({ rpc: c2, fallback: rpc2, cred, probeThrottle: 0 });
  t.equal(await user.probe(), true);
  const d = Buffer.alloc(8);
  t.same(await user.read(fhOf('a'), 0n, d), { count: 8, eof: true });
  t.equal(d.toString(), 'Original', 'uid 1000 may read locally (through the shared read-write descriptor)');
  t.same(await settle(user.write(fhOf('a'), 0n, Buffer.from('EVIL'), 2)), await settle(rpc2.write(fhOf('a'), 0n, Buffer.from('EVIL'), 2)));
  t.same(await settle(user.write(fhOf('a'), 0n, Buffer.from('EVIL'), 2)), { ok: false, code: 'NFS3ERR_13' });
  t.same(await settle(user.commit(fhOf('a'), 0n, 0)), { ok: false, code: 'NFS3ERR_13' });
  const d2 = Buffer.alloc(8);
  await rpcT.read(fhOf('a'), 0n, d2);
  t.equal(d2.toString(), 'Original', 'nothing was written');
  t.equal(user.stats().writesLocal, 0);
  t.equal(user.isLocal, true, 'still local for reads');
  await user.close();
  await c2.close();
  await end();
});

t.test('read-only export: reads are local, writes and commits get ROFS as over RPC', async (t) => {
  const { end, dir, rpcT, lt } = await rig(t, { readOnly: true }, {}, { a: Buffer.from('hello world') });
  t.equal(await lt.probe(), true);
  const d = Buffer.alloc(5);
  t.same(await lt.read(fhOf('a'), 6n, d), { count: 5, eof: true });
  t.equal(d.toString(), 'world');
  t.same(await settle(lt.write(fhOf('a'), 0n, Buffer.from('X'), 2)), await settle(rpcT.write(fhOf('a'), 0n, Buffer.from('X'), 2)));
  t.same(await settle(lt.commit(fhOf('a'), 0n, 0)), { ok: false, code: 'NFS3ERR_30' });
  t.equal(fs.readFileSync(path.join(dir, 'a'), 'utf8'), 'hello world', 'nothing written');
  t.equal(lt.isLocal, true);
  t.equal(lt.stats().readsLocal, 1);
  await end();
});

for (const sync of [false, true]) {
  t.test(`interlock: server close during a storm of local reads and writes at depth 32 (sync reads ${sync ? 'on' : 'off'})`, async (t) => {
    const FILES = 8;
    const FILE_SIZE = 256 * 1024;
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < FILES; i++) files[`f${i}`] = randomBytes(FILE_SIZE);
    const dir = tmpDir();
    for (const [n, d] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), d);
    const server = await new TestServer({ dir }).listen();
    const c = client(server.port);
    const rpcT = new TestRpcTransport(c);
    const lt = new LocalioTransport({ rpc: c, fallback: rpcT, probeThrottle: 64, syncReadMaxBytes: sync ? 16384 : 0 });
    t.equal(await lt.probe(), true);

    const fallbacks: Array<{ reason: string; code: unknown }> = [];
    const onFb = (m: unknown): void => { fallbacks.push(m as never); };
    diagnosticsChannel.subscribe(CHANNEL_FALLBACK, onFb);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => { unhandled.push(e); };
    process.on('unhandledRejection', onUnhandled);

    const DEPTH = 32;
    const OPS = 60;
    const CLOSE_AFTER = 500;
    let done = 0;
    let refsAtClose = -1;
    let closing: Promise<void> | null = null;
    const outcomes = new Map<string, number>();
    const note = (k: string): void => { outcomes.set(k, (outcomes.get(k) ?? 0) + 1); };
    const rand = seededRandom(t);
    const worker = async (): Promise<void> => {
      for (let i = 0; i < OPS; i++) {
        const fh = fhOf(`f${rand(FILES)}`);
        const off = BigInt(rand(FILE_SIZE / 4096) * 4096);
        const r = rand(3) > 0
          ? await settle(lt.read(fh, off, Buffer.allocUnsafe(4096)))
          : await settle(lt.write(fh, off, randomBytes(4096), rand(2) * 2));
        note(r.ok ? 'ok' : r.code);
        if (++done === CLOSE_AFTER) {
          refsAtClose = server.localio.liveness.refs;
          closing = server.close();
        }
      }
    };
    await Promise.all(Array.from({ length: DEPTH }, worker));
    await closing;
    diagnosticsChannel.unsubscribe(CHANNEL_FALLBACK, onFb);
    process.off('unhandledRejection', onUnhandled);

    t.equal(done, DEPTH * OPS, 'every operation settled');
    t.ok(refsAtClose > 0, `local operations were in flight when close() began (${refsAtClose})`);
    const codes = [...outcomes.keys()].filter((k) => k !== 'ok');
    t.ok((outcomes.get('ok') ?? 0) >= CLOSE_AFTER, 'the operations before close succeeded');
    t.same(codes.filter((k) => !k.startsWith('ERR_RPC_')), [], `failures are only RPC errors of a closed server: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    t.notOk(outcomes.has('EBADF'), 'no EBADF');
    t.same(fallbacks.filter((f) => f.reason === 'error'), [], 'no local I/O error (no EBADF, no use of a closed descriptor)');
    t.same(unhandled, [], 'no unhandled rejection');
    const s = lt.stats();
    t.ok(s.readsLocal + s.writesLocal >= CLOSE_AFTER - DEPTH, 'before close the I/O was local');
    t.ok(s.readsRpc + s.writesRpc > 0, 'after close the I/O went by RPC');
    t.equal(lt.isLocal, false);
    t.equal(server.localio.liveness.refs, 0);
    await lt.close();
    await c.close();
    t.same(fdsUnder(dir), [], 'no descriptor left open');
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

t.test('restart: a new server on the same port and directory; the client re-probes on reconnect and is local again', async (t) => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'a'), Buffer.alloc(4096, 1));
  const a = await new TestServer({ dir }).listen();
  const port = a.port;
  const c = client(port, { retries: 20 });
  const rpcT = new TestRpcTransport(c);
  const lt = new LocalioTransport({ rpc: c, fallback: rpcT, probeThrottle: 0 });
  lt.watch(c);
  t.equal(await lt.probe(), true);
  await lt.write(fhOf('a'), 0n, Buffer.from('from-a'), 2);
  const tableA = a.localio.table;
  await a.close();
  t.equal(lt.isLocal, false, 'unbound by the closing server');
  const b = await new TestServer({ dir, port }).listen();
  // registered after lt.watch(c): when it runs, the transport's listener has started its probe
  const reconnected = new Promise<number>((resolve) => c.once('reconnect', () => resolve(lt.stats().probes)));
  const d = Buffer.alloc(6);
  const r = await lt.read(fhOf('a'), 0n, d);
  t.same(r, { count: 6, eof: false });
  t.equal(d.toString(), 'from-a', 'RPC to the new server reads what LOCALIO wrote through the old one');
  t.equal(await reconnected, 2, 'the reconnect started a probe');
  t.equal(await lt.probe(), true, 'and the client is local with the new server');
  t.equal(lt.isLocal, true);
  t.equal(getRegistry().clientsOf(b.localio.serverId).length, 1);
  t.not(b.localio.table, tableA);
  const before = lt.stats().readsLocal;
  await lt.read(fhOf('a'), 0n, d);
  t.equal(lt.stats().readsLocal, before + 1, 'local again');
  await lt.close();
  await c.close();
  await b.close();
  t.same(fdsUnder(dir), []);
  fs.rmSync(dir, { recursive: true, force: true });
});

t.test('LocalFile slots: shared per handle and mode, released on close, reopened when the server drops them', async (t) => {
  const files = { a: randomBytes(1000), b: randomBytes(1000), c: randomBytes(1000) };
  const { end, dir, server, lt } = await rig(t, {}, { maxCachedHandles: 2 }, files);
  t.equal(await lt.probe(), true);
  const d = Buffer.alloc(10);
  await lt.read(fhOf('a'), 0n, d);
  await lt.read(fhOf('a'), 10n, d);
  t.equal(server.localOpens, 1, 'the second read reuses the cached file');
  await lt.write(fhOf('a'), 0n, Buffer.from('w'), 0);
  t.equal(server.localOpens, 2, 'a write opens the read-write slot');
  await lt.read(fhOf('a'), 0n, d);
  t.equal(server.localOpens, 2);
  t.equal(lt.cachedHandles, 1);
  await lt.read(fhOf('b'), 0n, d);
  await lt.read(fhOf('c'), 0n, d);
  t.equal(lt.cachedHandles, 2, 'the oldest handle was dropped');
  lt.release(fhOf('c'));
  t.equal(lt.cachedHandles, 1);
  // the server drops b's file (removed/renamed over): the client puts it and opens again
  server.files.forget(path.join(dir, 'b'));
  const opens = server.localOpens;
  await lt.read(fhOf('b'), 0n, d);
  t.equal(server.localOpens, opens + 1, 'reopened after the server dropped it');
  await lt.close();
  t.equal(lt.cachedHandles, 0);
  t.equal(lt.isLocal, false);
  t.equal(getRegistry().clientsOf(server.localio.serverId).length, 0, 'close() leaves the registry');
  await end();
});

t.test('sync-read budget: at most syncReadsPerTurn synchronous reads per event-loop turn; the rest wait for the next turn', async (t) => {
  const { end, lt } = await rig(t, {}, { syncReadsPerTurn: 3, slowSyncReadUs: 10_000_000, syncBudgetUs: 10_000_000, syncReadMaxBytes: 16384 }, { a: randomBytes(65536) });
  t.equal(await lt.probe(), true);
  await lt.read(fhOf('a'), 0n, Buffer.alloc(10)); // opens the slot
  await new Promise((r) => setImmediate(r));
  const s0 = lt.stats();
  const ps = Array.from({ length: 10 }, (_, i) => lt.read(fhOf('a'), BigInt(i * 4096), Buffer.alloc(4096)));
  t.equal(lt.stats().readsSync - s0.readsSync, 3, 'three of ten ran synchronously in this turn');
  const rs = await Promise.all(ps);
  t.same(rs.map((r) => r.count), Array(10).fill(4096), 'every read complete');
  const s1 = lt.stats();
  t.equal(s1.readsSync - s0.readsSync, 10, 'the others waited for later turns and ran synchronously there, not through the threadpool');
  t.equal(s1.syncYields - s0.syncYields, 7 + 4 + 1, 'each wait is one yield (7, then 4, then 1 left over)');
  t.equal(s1.readsLocal - s0.readsLocal, 10, 'all local');
  await lt.read(fhOf('a'), 0n, Buffer.alloc(20_000));
  t.equal(lt.stats().readsSync - s0.readsSync, 10, 'reads above syncReadMaxBytes are never synchronous');
  await end();
});

t.test('fast path: the EOF rule exactly as READ answers it, also after another writer grows the file', async (t) => {
  const content = randomBytes(10_000);
  const { end, dir, rpcT, lt } = await rig(t, {}, { slowSyncReadUs: 10_000_000, syncBudgetUs: 10_000_000 }, { a: content });
  t.equal(await lt.probe(), true);
  await lt.read(fhOf('a'), 0n, Buffer.alloc(10)); // opens the slot
  const cases: Array<[number, number]> = [[0, 4096], [5904, 4096], [9000, 4096], [10_000, 10], [20_000, 10]];
  const check = async (label: string): Promise<void> => {
    for (const [off, len] of cases) {
      const s0 = lt.stats().readsSync;
      const a = Buffer.alloc(len);
      const b = Buffer.alloc(len);
      const local = await lt.read(fhOf('a'), BigInt(off), a);
      t.equal(lt.stats().readsSync, s0 + 1, `${label} ${off}+${len}: the fast path`);
      const rpc = await rpcT.read(fhOf('a'), BigInt(off), b);
      t.same(local, rpc, `${label} ${off}+${len}: count and eof as READ answers (${rpc.count}, ${rpc.eof})`);
      t.ok(a.equals(b), `${label} ${off}+${len}: same bytes`);
    }
  };
  await check('10000 bytes:');
  fs.appendFileSync(path.join(dir, 'a'), randomBytes(100)); // the transport's remembered size is now stale
  await check('grown to 10100:');
  await end();
});

t.test('fast path: takes nothing once the server is closing, though the client is still bound', async (t) => {
  const { end, server, lt } = await rig(t, {}, { slowSyncReadUs: 10_000_000, syncBudgetUs: 10_000_000 }, { a: randomBytes(8192) });
  t.equal(await lt.probe(), true);
  await lt.read(fhOf('a'), 0n, Buffer.alloc(10));
  await lt.write(fhOf('a'), 0n, Buffer.alloc(10, 1), 0); // opens the slots
  await lt.read(fhOf('a'), 0n, Buffer.alloc(10));
  await lt.write(fhOf('a'), 0n, Buffer.alloc(10, 1), 0);
  const s0 = lt.stats();
  t.equal(s0.readsSync >= 1 && s0.writesSync >= 1, true, 'both fast paths were taken while live');
  // the first step of the interlock alone: no new references, not yet unbound
  server.localio.liveness.close();
  t.ok(lt.cachedHandles > 0, 'the slot is still cached');
  const r = await lt.read(fhOf('a'), 0n, Buffer.alloc(4096));
  const w = await lt.write(fhOf('a'), 0n, Buffer.alloc(16, 2), 0);
  const s1 = lt.stats();
  t.equal(r.count, 4096, 'the read was answered');
  t.equal(w.count, 16, 'the write was answered');
  t.equal(s1.readsLocal, s0.readsLocal, 'no local read');
  t.equal(s1.writesLocal, s0.writesLocal, 'no local write');
  t.equal(s1.readsRpc - s0.readsRpc, 1, 'the read went by RPC');
  t.equal(s1.writesRpc - s0.writesRpc, 1, 'the write went by RPC');
  t.equal(lt.isLocal, false, 'not local any more');
  await end();
});

t.test('switchable: a client with localio disabled never probes; counters are published', async (t) => {
  const { end, lt, c, rpcT } = await rig(t, {}, { enabled: false, probeThrottle: 1 }, { a: randomBytes(100) });
  const snaps: unknown[] = [];
  const onStats = (m: unknown): void => { snaps.push(m); };
  diagnosticsChannel.subscribe(CHANNEL_STATS, onStats);
  t.teardown(() => diagnosticsChannel.unsubscribe(CHANNEL_STATS, onStats));
  t.equal(await lt.probe(), false);
  await lt.read(fhOf('a'), 0n, Buffer.alloc(10));
  await lt.write(fhOf('a'), 0n, Buffer.alloc(10), 0);
  await lt.commit(fhOf('a'), 0n, 0);
  t.same(lt.stats(), { readsLocal: 0, readsRpc: 1, readsSync: 0, writesLocal: 0, writesSync: 0, syncYields: 0, writesRpc: 1, commitsLocal: 0, commitsRpc: 1, fallbacks: 0, probes: 0, probesLocal: 0 });
  lt.publishStats();
  t.same(snaps, [lt.stats()]);
  // the same client with LOCALIO on: probing publishes a snapshot too
  const on = new LocalioTransport({ rpc: c, fallback: rpcT, probeThrottle: 0 });
  t.equal(await on.probe(), true);
  t.equal(snaps.length, 2);
  t.match(snaps[1], { probes: 1, probesLocal: 1 });
  await on.close();
  await end();
});

t.test('large operations at depth: once the turn is used up and one already waits, the rest go through the threadpool', async (t) => {
  const content = randomBytes(65536);
  const { end, lt } = await rig(t, {}, { syncReadsPerTurn: 1, slowSyncReadUs: 10_000_000, syncBudgetUs: 10_000_000, largeOpBytes: 4096 }, { a: content });
  t.equal(await lt.probe(), true);
  await lt.read(fhOf('a'), 0n, Buffer.alloc(10)); // opens the slot
  await new Promise((r) => setImmediate(r));
  const s0 = lt.stats();
  const bufs = [0, 1, 2, 3].map(() => Buffer.alloc(4096));
  const ps = bufs.map((b, i) => lt.read(fhOf('a'), BigInt(i * 4096), b));
  t.equal(lt.stats().readsSync - s0.readsSync, 1, 'one ran synchronously in this turn');
  t.equal(lt.stats().syncYields - s0.syncYields, 1, 'the second waits for the next turn');
  const rs = await Promise.all(ps);
  t.same(rs.map((r) => r.count), [4096, 4096, 4096, 4096], 'every read complete');
  t.ok(bufs.every((b, i) => b.equals(content.subarray(i * 4096, (i + 1) * 4096))), 'with the right bytes');
  const s1 = lt.stats();
  t.equal(s1.readsLocal - s0.readsLocal, 4, 'all local');
  t.equal(s1.readsSync - s0.readsSync, 2, 'the waiting one ran synchronously in the next turn, the other two in the threadpool');
  await end();
});

t.test('LocalioTransport options are checked and name the property', async (t) => {
  const rpc = { call: async () => undefined as never };
  const fallback = { read: async () => ({ count: 0, eof: true }), write: async () => ({ count: 0, committed: 0, verf: Buffer.alloc(8) }), commit: async () => Buffer.alloc(8) };
  const cases: Array<[Partial<LocalioTransportOptions> & Record<string, unknown>, RegExp]> = [
    [{ rpc: undefined } as never, /"rpc"/],
    [{ fallback: {} as never }, /"fallback"/],
    [{ enabled: 1 as never }, /"enabled"/],
    [{ probeThrottle: -1 }, /"probeThrottle"/],
    [{ probeThrottle: 1.5 }, /"probeThrottle"/],
    [{ syncReadMaxBytes: 'x' as never }, /"syncReadMaxBytes"/],
    [{ syncReadsPerTurn: 0 }, /"syncReadsPerTurn"/],
    [{ maxCachedHandles: 0 }, /"maxCachedHandles"/],
    [{ syncBudgetUs: 0 }, /"syncBudgetUs"/],
    [{ largeOpBytes: 0 }, /"largeOpBytes"/],
    [{ probeTimeoutMs: 0 }, /"probeTimeoutMs"/],
    [{ onLocalWrite: 3 as never }, /"onLocalWrite"/],
  ];
  for (const [o, re] of cases) {
    t.throws(() => new LocalioTransport({ rpc, fallback, ...o } as LocalioTransportOptions), { code: 'ERR_LOCALIO_BAD_OPTION', message: re });
  }
  const ok = new LocalioTransport({ rpc, fallback });
  t.equal(ok.options.probeThrottle, 512);
  t.equal(ok.options.syncReadMaxBytes, 1024 * 1024, 'up to 1 MiB synchronously (README: Sync or threadpool)');
  await ok.close();
});
