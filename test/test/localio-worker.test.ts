// LOCALIO across worker threads: a client in a worker of the server's process becomes local
// (UUID_IS_LOCAL answered through the other thread's registry), reads and writes the same
// bytes RPC would, and the shutdown interlock holds across threads.
import { chmodSync, chownSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import t from 'tap';
import { connect } from '@nfsts/client';
import { errCode, fdsUnder, isRpcGoneError, pattern, startLocalServer, until } from '../src/localio-helpers.js';
import { startWorkerClient, type WorkerClient } from '../src/localio-workers.js';

/** the worker's readNow/writeNow calls (and those that did the I/O) and its fstats, counted in the worker */
interface Lean { reads: number; readsDone: number; writes: number; writesDone: number; fstats: number }
const leanOf = async (w: WorkerClient): Promise<Lean> => (await w.call('state')).lean as Lean;

t.test('a client in a worker thread is local and reads and writes what RPC does', async (tt) => {
  const ls = await startLocalServer();
  const w = await startWorkerClient(ls.url());
  const rpc = await connect(ls.url(), { localio: false, retries: 0 });
  try {
    const data = pattern(256 * 1024, 7);
    await rpc.writeFile('/a', data);
    const st = await w.call('state');
    tt.equal(st.isLocal, true, 'the worker client is local');
    tt.equal(ls.server.localio.localClients, 1, 'the server counts it');
    for (const [off, len] of [[0, 4096], [4096 * 7, 64 * 1024], [250 * 1024, 16 * 1024]] as const) {
      const r = await w.call('read', { path: '/a', offset: off, length: len });
      tt.same(Buffer.from(r.data as Uint8Array), data.subarray(off, Math.min(off + len, data.length)), `read ${len} at ${off}`);
    }
    const patch = pattern(8192, 9);
    const wr = await w.call('write', { path: '/a', offset: 12288, data: patch });
    tt.equal(wr.written, 8192);
    const back = await rpc.readFile('/a');
    tt.same(back.subarray(12288, 12288 + 8192), patch, 'RPC sees the worker\'s local write');
    const st2 = await w.call('state');
    const s = st2.stats as Record<string, number>;
    tt.ok(s.readsLocal! >= 3 && s.writesLocal! >= 1, `local I/O counted (${s.readsLocal} reads, ${s.writesLocal} writes)`);
    tt.equal(s.readsRpc, 0, 'no read went by RPC');
  } finally {
    await rpc.close();
    await w.call('close');
    await w.terminate();
    await ls.close();
  }
});

t.test('the lean path from a worker, root grant: the bytes and EOF of RPC, no per-use fstat, a file removed through the server dropped at once', async (tt) => {
  const ls = await startLocalServer(); // rw,no_root_squash: the worker's root credential keeps root
  const w = await startWorkerClient(ls.url(), { uid: 0, gid: 0, gids: [] });
  const rpc = await connect(ls.url(), { uid: 0, gid: 0, gids: [], localio: false, retries: 0 });
  try {
    const data = pattern(10_000, 5);
    await rpc.writeFile('/e', data);
    tt.equal((await w.call('state')).isLocal, true, 'the worker client is local');
    const h = (await w.call('open', { path: '/e', flags: 'r+' })).h;
    const hr = await rpc.open('/e', 'r+');
    await w.call('hread', { h, offset: 0, length: 1 }); // opens the read slot
    const l0 = await leanOf(w);
    const cases = [[0, 4096], [5904, 4096], [8192, 4096], [9999, 16], [10_000, 4096], [12_000, 100]] as const;
    for (const [pos, len] of cases) {
      const r = await w.call('hread', { h, offset: pos, length: len });
      const b = Buffer.alloc(len);
      const rb = await hr.read(b, 0, len, pos);
      const got = Buffer.from(r.data as Uint8Array);
      tt.equal(got.length, Math.max(0, Math.min(len, 10_000 - pos)), `${pos}+${len}: ${got.length} bytes (EOF)`);
      tt.same(got, b.subarray(0, rb.bytesRead), `${pos}+${len}: the bytes and count of RPC`);
    }
    const l1 = await leanOf(w);
    tt.equal(l1.readsDone - l0.readsDone, cases.length, 'every read done by readNow in the worker');
    tt.equal(l1.fstats - l0.fstats, 0, 'and none re-checked the grant with an fstat (root: nothing to re-check)');

    const patch = pattern(4096, 6);
    await w.call('hwrite', { h, offset: 4096, data: patch }); // opens the write slot
    const l2 = await leanOf(w);
    await w.call('hwrite', { h, offset: 4096, data: patch });
    const l3 = await leanOf(w);
    tt.equal(l3.writesDone - l2.writesDone, 1, 'the write done by writeNow');
    tt.equal(l3.fstats - l2.fstats, 0, 'without an fstat');
    tt.same((await rpc.readFile('/e')).subarray(4096, 8192), patch, 'RPC reads what the worker wrote');

    // removed through the server: RPC answers STALE at once, and so must the worker's open handle
    await rpc.unlink('/e');
    const viaRpc = await errCode(hr.read(Buffer.alloc(16), 0, 16, 0));
    const viaWorker = await w.call('hread', { h, offset: 0, length: 16 }).then(() => 'ok', (e: { code?: string }) => String(e.code));
    tt.not(viaRpc, 'ok', `RPC refuses the removed file (${viaRpc})`);
    tt.equal(viaWorker, viaRpc, 'the worker\'s lean path refuses it the same way');
    tt.equal((await leanOf(w)).readsDone, l3.readsDone, 'no lean read after the removal');
    await hr.close().catch(() => {});
    await w.call('hclose', { h }).catch(() => {});
  } finally {
    await rpc.close();
    await w.call('close');
    await w.terminate();
    await ls.close();
  }
});

const root = process.getuid?.() === 0;
const OWNER = root ? 1000 : (process.getuid?.() ?? 1000);
const OTHER = OWNER + 1;

t.test('with 4 workers at once: all local, then server.close() during their storms', async (tt) => {
  const NFILES = 4;
  const SIZE = 256 * 1024;
  for (const opSize of [4096, 64 * 1024]) {
    const ls = await startLocalServer();
    const rpc = await connect(ls.url(), { localio: false, retries: 0 });
    for (let i = 0; i < NFILES; i++) await rpc.writeFile(`/f${i}`, pattern(SIZE, 1000 + i));
    await rpc.close();
    const ws = await Promise.all(Array.from({ length: 4 }, () => startWorkerClient(ls.url(), { maxRsize: 64 * 1024, maxWsize: 64 * 1024 })));
    try {
      const states = await Promise.all(ws.map((w) => w.call('state')));
      tt.same(states.map((s) => s.isLocal), [true, true, true, true], `${opSize}: every worker client is local`);
      tt.equal(ls.server.localio.localClients, 4, 'the server counts 4 clients of other threads');
      let closing: Promise<void> | null = null;
      const progress = (): void => {
        // every worker has opened its files and is storming (a slow one on a loaded machine
        // must not meet a closed server while still opening them), and 2048 operations are done
        if (closing === null && ws.every((w) => w.progress >= 256) && ws.reduce((n, w) => n + w.progress, 0) >= 2048) closing = ls.server.close();
      };
      for (const w of ws) w.onProgress = progress;
      const results = await Promise.all(ws.map((w) => w.call('storm', {
        paths: Array.from({ length: NFILES }, (_, i) => `/f${i}`), size: SIZE, opSize, qd: 8, ops: 4000,
      })));
      tt.ok(closing !== null, 'the server was closed during the storms');
      await closing;
      const bad = results.reduce((n, r) => n + (r.badData as number), 0);
      const unexpected = results.flatMap((r) => r.unexpected as string[]);
      tt.equal(bad, 0, 'no read returned wrong data (no recycled descriptor)');
      tt.same(unexpected, [], 'every failure is what RPC to a closed server gives');
      tt.comment(`errors: ${JSON.stringify(results.map((r) => r.errors))}`);
      tt.equal(ls.server.localio.localClients, 0, 'no client bound after close');
      tt.same(fdsUnder(ls.base), [], 'no descriptor left open on the export');
    } finally {
      await Promise.all(ws.map((w) => w.terminate()));
      await ls.close();
    }
  }
});

t.test('worker.terminate() during local I/O: the server puts the worker\'s grants; close() does not hang', async (tt) => {
  const ls = await startLocalServer();
  const rpc = await connect(ls.url(), { localio: false, retries: 0 });
  for (let i = 0; i < 4; i++) await rpc.writeFile(`/f${i}`, pattern(256 * 1024, 1000 + i));
  await rpc.close();
  const w = await startWorkerClient(ls.url());
  try {
    tt.equal((await w.call('state')).isLocal, true, 'the worker client is local');
    let killed: Promise<number> | null = null;
    w.onProgress = (n) => { if (n >= 512 && killed === null) killed = w.terminate(); };
    await w.call('storm', { paths: ['/f0', '/f1', '/f2', '/f3'], size: 256 * 1024, opSize: 65536, qd: 16, ops: 1e9 }).catch(() => {});
    tt.ok(killed !== null, 'terminated during the storm');
    await killed;
    tt.ok(await until(() => ls.server.localio.localClients === 0, 10_000), 'the server forgot the dead thread\'s client');
    // the worker's own descriptors (its reopened grants) went with its thread: what is left is the server's file cache
    tt.ok(await until(() => fdsUnder(ls.roots['/export']!).length === ls.server.core.fileCache.openCount, 10_000),
      `no descriptor of the dead worker left open (${fdsUnder(ls.roots['/export']!).join(', ')} open under the export, ${ls.server.core.fileCache.openCount} the server's)`);
    await ls.server.close();
    tt.same(fdsUnder(ls.base), [], 'no descriptor left open on the export');
  } finally {
    await ls.close();
  }
});

t.test('a worker client never gets what RPC refuses (open refused, grant revoked by chmod)', { skip: root ? false : 'needs root (files of another uid)' }, async (tt) => {
  const ls = await startLocalServer();
  const dir = ls.roots['/export']!;
  writeFileSync(join(dir, 'private'), 'secret');
  chownSync(join(dir, 'private'), OWNER, OWNER);
  chmodSync(join(dir, 'private'), 0o600);
  writeFileSync(join(dir, 'shared'), 'shared data');
  chownSync(join(dir, 'shared'), OWNER, OWNER);
  chmodSync(join(dir, 'shared'), 0o666);
  const w = await startWorkerClient(ls.url(), { uid: OTHER, gid: OTHER, gids: [] });
  const rpc = await connect(ls.url(), { uid: OTHER, gid: OTHER, gids: [], localio: false, retries: 0 });
  try {
    tt.equal((await w.call('state')).isLocal, true, 'the worker client is local');
    const viaRpc = await rpc.readFile('/private').then(() => 'ok', (e: { code?: string }) => e.code);
    const viaWorker = await w.call('read', { path: '/private', offset: 0, length: 6 }).then(() => 'ok', (e: { code?: string }) => e.code);
    tt.not(viaRpc, 'ok', 'RPC refuses the other uid');
    tt.equal(viaWorker, viaRpc, 'the worker gets the same refusal');
    const h = (await w.call('open', { path: '/shared', flags: 'r' })).h;
    const r1 = await w.call('hread', { h, offset: 0, length: 6 });
    tt.equal(Buffer.from(r1.data as Uint8Array).toString(), 'shared', '0666: local read');
    const l0 = await leanOf(w);
    for (let i = 0; i < 8; i++) await w.call('hread', { h, offset: 0, length: 6 });
    const l1 = await leanOf(w);
    tt.equal(l1.readsDone - l0.readsDone, 8, 'the next reads went by the worker\'s lean path');
    tt.ok(l1.fstats - l0.fstats >= 8, `each re-checked the grant (another uid's: conditional): ${l1.fstats - l0.fstats} fstats`);
    const before = (await w.call('state')).stats as Record<string, number>;
    tt.ok(before.readsLocal! >= 1, 'it was local');
    chmodSync(join(dir, 'shared'), 0o600);
    const rpcAfter = await rpc.readFile('/shared').then(() => 'ok', (e: { code?: string }) => e.code);
    const after = await w.call('hread', { h, offset: 0, length: 6 }).then(() => 'ok', (e: { code?: string }) => e.code);
    tt.not(rpcAfter, 'ok', 'RPC refuses after the chmod');
    tt.equal(after, rpcAfter, 'the worker\'s open handle is refused the same way');
    const s = (await w.call('state')).stats as Record<string, number>;
    tt.equal(s.readsLocal, before.readsLocal, 'no read went local after the chmod');
  } finally {
    await rpc.close();
    await w.terminate();
    await ls.close();
  }
});

t.test('a server without LOCALIO: the worker client goes by RPC', async (tt) => {
  const ls = await startLocalServer({ localio: false });
  const w = await startWorkerClient(ls.url());
  try {
    const rpc = await connect(ls.url(), { localio: false, retries: 0 });
    await rpc.writeFile('/x', 'by rpc');
    await rpc.close();
    tt.equal((await w.call('state')).isLocal, false, 'not local');
    const r = await w.call('read', { path: '/x', offset: 0, length: 6 });
    tt.equal(Buffer.from(r.data as Uint8Array).toString(), 'by rpc', 'read by RPC');
  } finally {
    await w.terminate();
    await ls.close();
  }
});

t.test('a server thread that dies under a worker client leaves it on RPC, failing as RPC to a dead server fails', async (tt) => {
  const sw = new Worker(new URL('../src/localio-server-worker.js', import.meta.url));
  const info = await new Promise<{ url: string; base: string }>((resolve, reject) => { sw.once('message', resolve); sw.once('error', reject); });
  const w = await startWorkerClient(info.url);
  try {
    const data = pattern(64 * 1024, 3);
    const rpc = await connect(info.url, { localio: false, retries: 0 });
    await rpc.writeFile('/d', data);
    await rpc.close();
    tt.equal((await w.call('state')).isLocal, true, 'the client (one worker) is local to the server (another worker)');
    const h = (await w.call('open', { path: '/d', flags: 'r' })).h;
    const r = await w.call('hread', { h, offset: 4096, length: 4096 });
    tt.same(Buffer.from(r.data as Uint8Array), data.subarray(4096, 8192), 'local read from the other worker\'s server');
    await sw.terminate();
    // the client notices the server's thread is gone (DEFAULT_THREAD_CHECK_MS) and unbinds
    let local = true;
    const deadline = Date.now() + 10_000;
    while (local && Date.now() < deadline) {
      local = (await w.call('state')).isLocal as boolean;
      if (local) await new Promise((res) => setTimeout(res, 100));
    }
    tt.equal(local, false, 'the client is not local any more');
    const after = await w.call('hread', { h, offset: 0, length: 4096 }).then(() => 'ok', (e: { code?: string }) => String(e.code));
    tt.ok(after === 'ok' || isRpcGoneError({ code: after }), `a read afterwards fails as RPC to a dead server does, or succeeds (${after})`);
  } finally {
    await w.terminate();
    await sw.terminate();
    rmSync(info.base, { recursive: true, force: true });
  }
});
