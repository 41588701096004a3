// LOCALIO parity: the same read/write/commit/stream/truncate/eof scenario runs through the
// client over RPC (`localio: false`), over LOCALIO against one in-process server, and over
// LOCALIO from a worker thread; the transcripts must be identical, and data written by one path is read back exactly by the other.
import t from 'tap';
import { connect, type NfsClient } from '@nfsts/client';
import { pattern, startLocalServer, type LocalServer } from '../src/localio-helpers.js';
import { scenario } from '../src/localio-parity-scenario.js';
import { startWorkerClient } from '../src/localio-workers.js';

const ls: LocalServer = await startLocalServer();
t.teardown(() => ls.close());

type Mode = 'rpc' | 'localio' | 'localio-worker';
const transcripts = new Map<Mode, Array<[string, unknown]>>();

function clientFor(mode: Mode, extra: Record<string, unknown> = {}): Promise<NfsClient> {
  // 64 KiB transfers: large reads and writes are cut into several concurrent pieces
  return connect(ls.url(), { localio: mode === 'localio', maxRsize: 64 * 1024, maxWsize: 64 * 1024, ...extra });
}

for (const mode of ['rpc', 'localio'] as const) {
  t.test(`parity (${mode}): read/write/commit/stream/truncate/eof through the client`, async (tt) => {
    const c = await clientFor(mode);
    try {
      tt.equal(c.isLocal, mode === 'localio', `client.isLocal is ${mode === 'localio'}`);
      transcripts.set(mode, await scenario(tt, c, `/parity-${mode}`, ls.roots['/export']!, ls.server.core.writeVerifier));
      const s = c.stats();
      if (mode === 'localio') {
        tt.ok(s.readsLocal > 0, `local reads: ${s.readsLocal}`);
        tt.ok(s.writesLocal > 0, `local writes: ${s.writesLocal}`);
        tt.ok(s.commitsLocal > 0, `local commits: ${s.commitsLocal}`);
        tt.equal(s.writesRpc, 1, 'the only RPC write is the one to a directory (refused locally, answered by RPC)');
        tt.equal(s.readsRpc, 1, 'the only RPC read is the one of a directory');
        tt.equal(s.fallbacks, 2, 'two fallbacks: the directory read and write');
        tt.ok(s.probesLocal === 1 && s.probes === 1, 'probed once, after MOUNT, and was local');
        tt.ok(ls.server.localio.stats().opens > 0, 'the server granted local opens');
      } else {
        tt.equal(s.readsLocal + s.writesLocal + s.commitsLocal, 0, 'nothing local');
        tt.ok(s.readsRpc > 0 && s.writesRpc > 0 && s.commitsRpc > 0, `all by RPC: ${s.readsRpc} reads, ${s.writesRpc} writes, ${s.commitsRpc} commits`);
        tt.equal(s.probes, 0, 'never probed');
      }
    } finally {
      await c.close();
    }
    tt.equal(c.localio.cachedHandles, 0, 'no LocalFile kept after close');
  });
}

// issue 11: the same scenario with the client in a worker thread, local to this thread's server
t.test('parity (localio-worker): the scenario from a worker thread, local across threads', async (tt) => {
  const w = await startWorkerClient(ls.url(), { maxRsize: 64 * 1024, maxWsize: 64 * 1024 });
  try {
    const opensBefore = ls.server.localio.stats().opens;
    const r = await w.call('parity', { dir: '/parity-localio-worker', root: ls.roots['/export']!, verifier: ls.server.core.writeVerifier });
    tt.equal(r.isLocal, true, 'the worker client is local');
    tt.same(r.failures, [], 'every check of the scenario held in the worker');
    transcripts.set('localio-worker', r.transcript as Array<[string, unknown]>);
    const s = r.stats as Record<string, number>;
    tt.ok(s.readsLocal! > 0 && s.writesLocal! > 0 && s.commitsLocal! > 0, `local reads, writes, commits: ${s.readsLocal}, ${s.writesLocal}, ${s.commitsLocal}`);
    tt.equal(s.writesRpc, 1, 'the only RPC write is the one to a directory');
    tt.equal(s.readsRpc, 1, 'the only RPC read is the one of a directory');
    tt.ok(ls.server.localio.stats().opens > opensBefore, 'this thread\'s server granted the opens');
    tt.equal(r.cachedHandles, 0, 'no LocalFile kept after close');
  } finally {
    await w.terminate();
  }
});

t.test('parity: all modes saw exactly the same results', async (tt) => {
  const rpc = transcripts.get('rpc');
  tt.ok(rpc, 'the RPC scenario ran');
  if (!rpc) return;
  for (const mode of ['localio', 'localio-worker'] as const) {
    const local = transcripts.get(mode);
    tt.ok(local, `the ${mode} scenario ran`);
    if (!local) continue;
    tt.equal(local.length, rpc.length, `${mode}: ${rpc.length} observations each`);
    for (let i = 0; i < rpc.length; i++) tt.same(local[i], rpc[i], `${mode} same: ${rpc[i]![0]}`);
  }
  tt.same(rpc.find(([k]) => k === 'dir: read')?.[1], 'NFS3ERR_ISDIR', 'a directory READ is ISDIR both ways');
});

t.test('cross: what LOCALIO writes RPC reads back exactly, and the reverse', async (tt) => {
  const local = await clientFor('localio');
  const rpc = await clientFor('rpc', { actimeoMs: 0 });
  try {
    tt.ok(local.isLocal && !rpc.isLocal, 'one local client, one RPC client');
    await local.mkdir('/cross');
    const d1 = pattern(1024 * 1024 + 4097, 21);
    await local.writeFile('/cross/by-local', d1);
    tt.ok((await rpc.readFile('/cross/by-local')).equals(d1), 'RPC reads what LOCALIO wrote');
    const d2 = pattern(700_001, 22);
    await rpc.writeFile('/cross/by-rpc', d2);
    tt.ok((await local.readFile('/cross/by-rpc')).equals(d2), 'LOCALIO reads what RPC wrote');
    // interleaved on one file: local handle writes, RPC overwrites part, local reads all
    const hl = await local.open('/cross/mixed', 'w+');
    const m = pattern(64 * 1024, 23);
    await hl.write(m, 0, m.length, 0);
    await hl.sync();
    const patch = pattern(5000, 24);
    const hr = await rpc.open('/cross/mixed', 'r+');
    await hr.write(patch, 0, patch.length, 10_000);
    await hr.close();
    patch.copy(m, 10_000);
    const back = Buffer.alloc(m.length);
    await hl.read(back, 0, back.length, 0);
    tt.ok(back.equals(m), 'a local handle sees an RPC write to the same file');
    await hl.close();
    // the attribute cache follows local writes
    await local.writeFile('/cross/grow', Buffer.alloc(10));
    tt.equal(Number((await local.stat('/cross/grow')).size), 10, 'size 10');
    const hg = await local.open('/cross/grow', 'r+');
    await hg.write(Buffer.alloc(5000, 1), 0, 5000, 10);
    tt.equal(Number((await local.stat('/cross/grow')).size), 5010, 'stat after a local write sees the new size');
    await hg.close();
    const sl = local.stats();
    tt.ok(sl.readsLocal > 0 && sl.writesLocal > 0 && sl.readsRpc === 0 && sl.writesRpc === 0, 'the local client stayed local');
    const sr = rpc.stats();
    tt.ok(sr.readsLocal === 0 && sr.writesLocal === 0 && sr.readsRpc > 0, 'the RPC client stayed on RPC');
  } finally {
    await local.close();
    await rpc.close();
  }
});

t.test('stats are published on diagnostics_channel nfsts:localio:stats', async (tt) => {
  const dc = await import('node:diagnostics_channel');
  const seen: unknown[] = [];
  const fn = (m: unknown): void => { seen.push(m); };
  dc.subscribe('nfsts:localio:stats', fn);
  try {
    const c = await clientFor('localio');
    await c.writeFile('/dc', Buffer.from('x'));
    const s = c.stats();
    await c.close();
    tt.ok(seen.length >= 2, `published ${seen.length} snapshots (probe, stats(), close)`);
    tt.ok(seen.some((m) => (m as { writesLocal?: number }).writesLocal === s.writesLocal), 'a snapshot carries the counters');
  } finally {
    dc.unsubscribe('nfsts:localio:stats', fn);
  }
});

