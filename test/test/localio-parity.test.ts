// LOCALIO parity: the same read/write/commit/stream/truncate/eof scenario runs through the
// client over RPC (`localio: false`) and over LOCALIO against one in-process server; the two
// transcripts must be identical, and data written by one path is read back exactly by the other.
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connect, type NfsClient } from '@nfsts/client';
import { pattern, startLocalServer, type LocalServer } from '../src/localio-helpers.js';

const ls: LocalServer = await startLocalServer();
t.teardown(() => ls.close());

type Mode = 'rpc' | 'localio';
const transcripts = new Map<Mode, Array<[string, unknown]>>();
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex').slice(0, 16);
const errCode = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return String((err as { code?: unknown }).code ?? (err as Error).message);
  }
};

function clientFor(mode: Mode, extra: Record<string, unknown> = {}): Promise<NfsClient> {
  // 64 KiB transfers: large reads and writes are cut into several concurrent pieces
  return connect(ls.url(), { localio: mode === 'localio', maxRsize: 64 * 1024, maxWsize: 64 * 1024, ...extra });
}

/** Everything the scenario observes, in order; identical for both modes. */
async function scenario(tt: Test, c: NfsClient, dir: string): Promise<Array<[string, unknown]>> {
  const out: Array<[string, unknown]> = [];
  const note = (k: string, v: unknown): void => { out.push([k, v]); };
  await c.mkdir(dir);

  // whole-file write and read, several rsize/wsize pieces, UNSTABLE + COMMIT
  const a = pattern(300 * 1024 + 123, 1);
  await c.writeFile(`${dir}/a`, a);
  const aBack = await c.readFile(`${dir}/a`);
  note('a: readFile', [aBack.length, sha(aBack)]);
  note('a: on disk', sha(readFileSync(join(ls.roots['/export']!, dir, 'a'))));
  tt.ok(aBack.equals(a), 'readFile returns what writeFile wrote');

  // positioned reads: inside, across the end, at the end, past the end
  const h = await c.open(`${dir}/a`, 'r');
  for (const [off, len] of [[0, 4096], [70_000, 10_000], [a.length - 100, 4096], [a.length, 4096], [a.length + 5000, 10], [1, 200_000]] as const) {
    const b = Buffer.alloc(len);
    const r = await h.read(b, 0, len, off);
    note(`a: read ${off}+${len}`, [r.bytesRead, sha(b.subarray(0, r.bytesRead))]);
    tt.ok(b.subarray(0, r.bytesRead).equals(a.subarray(off, off + len)), `read ${off}+${len} matches`);
  }
  await h.close();

  // the transport's eof flag and counts exactly as READ answers them
  const fh = (await c.resolve(`${dir}/a`)).fh;
  for (const [off, len] of [[0, 4096], [a.length - 4096, 4096], [a.length - 10, 4096], [a.length, 10], [a.length + 1, 10], [BigInt(a.length) + (1n << 40n), 10]] as const) {
    const b = Buffer.alloc(len);
    const r = await c.transport.read(fh, BigInt(off), b);
    note(`a: transport read ${off}+${len}`, [r.count, r.eof, sha(b.subarray(0, r.count))]);
  }

  // random UNSTABLE writes through a handle, COMMIT by sync(), read back; then FILE_SYNC handle
  const bData = Buffer.alloc(200_000);
  const hb = await c.open(`${dir}/b`, 'w+');
  for (let i = 0; i < 40; i++) {
    const off = (i * 7919 * 13) % 190_000;
    const piece = pattern(4096 + (i % 3) * 1000, 100 + i);
    await hb.write(piece, 0, piece.length, off);
    piece.copy(bData, off);
  }
  // RPC keeps a copy of what it wrote UNSTABLE (to resend after a verifier change); LOCALIO
  // keeps none: its writes are in the page cache of the server's file in this very process
  tt.equal(hb.pendingBytes > 0, !c.isLocal, c.isLocal ? 'LOCALIO keeps no copy of UNSTABLE data' : 'RPC keeps its UNSTABLE data until COMMIT');
  await hb.sync();
  note('b: pending after sync', hb.pendingBytes);
  const bSize = Number((await hb.stat()).size);
  note('b: size', bSize);
  const bBack = Buffer.alloc(bSize);
  await hb.read(bBack, 0, bSize, 0);
  note('b: content', sha(bBack));
  tt.ok(bBack.equals(bData.subarray(0, bSize)), 'random writes read back exactly');
  await hb.close();

  const hs = await c.open(`${dir}/s`, 'w+', 0o644, { stable: true });
  const sData = pattern(150_000, 7);
  await hs.write(sData, 0, sData.length, 0);
  note('s: pending with FILE_SYNC', hs.pendingBytes);
  await hs.close();
  note('s: content', sha(await c.readFile(`${dir}/s`)));

  // stable_how and verifiers at the transport: committed as asked, verifier = COMMIT's = the server's
  const sfh = (await c.resolve(`${dir}/s`)).fh;
  for (const stable of [0, 1, 2]) {
    const w = await c.transport.write(sfh, BigInt(stable * 4096), pattern(4096, 50 + stable), stable);
    note(`s: write stable=${stable}`, [w.count, w.committed, w.verf.equals(ls.server.core.writeVerifier)]);
  }
  const verf = await c.transport.commit(sfh, 0n, 0);
  note('s: commit verifier is the server\'s', verf.equals(ls.server.core.writeVerifier));

  // truncate down and up: reads see the new size and the zeros
  await c.truncate(`${dir}/a`, 1000);
  const t1 = await c.readFile(`${dir}/a`);
  note('a: after truncate 1000', [t1.length, sha(t1)]);
  await c.truncate(`${dir}/a`, 5000);
  const t2 = await c.readFile(`${dir}/a`);
  note('a: after extend 5000', [t2.length, sha(t2), t2.subarray(1000).every((x) => x === 0)]);
  const ha = await c.open(`${dir}/a`, 'r');
  const t3 = Buffer.alloc(8192);
  note('a: read across the new end', (await ha.read(t3, 0, 8192, 0)).bytesRead);
  await ha.close();
  const stA = await c.stat(`${dir}/a`);
  note('a: stat size after writes', Number(stA.size));

  // append and exclusive create
  await c.writeFile(`${dir}/a`, Buffer.from('tail'), { flag: 'a' });
  note('a: after append', (await c.readFile(`${dir}/a`)).subarray(-4).toString());

  // streams: 3 MiB out and back
  const big = pattern(3 * 1024 * 1024 + 17, 9);
  await pipeline(Readable.from([big.subarray(0, 1_000_000), big.subarray(1_000_000)]), c.createWriteStream(`${dir}/big`));
  const parts: Buffer[] = [];
  await pipeline(c.createReadStream(`${dir}/big`), new Writable({ write(chunk: Buffer, _e, cb) { parts.push(chunk); cb(); } }));
  const bigBack = Buffer.concat(parts);
  note('big: stream round trip', [bigBack.length, sha(bigBack)]);
  tt.ok(bigBack.equals(big), 'stream round trip exact');

  // what each path answers for a directory handle
  const dfh = (await c.resolve(dir)).fh;
  note('dir: read', await errCode(c.transport.read(dfh, 0n, Buffer.alloc(10))));
  note('dir: write', await errCode(c.transport.write(dfh, 0n, Buffer.alloc(10), 0)));
  return out;
}

for (const mode of ['rpc', 'localio'] as const) {
  t.test(`parity (${mode}): read/write/commit/stream/truncate/eof through the client`, async (tt) => {
    const c = await clientFor(mode);
    try {
      tt.equal(c.isLocal, mode === 'localio', `client.isLocal is ${mode === 'localio'}`);
      transcripts.set(mode, await scenario(tt, c, `/parity-${mode}`));
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

t.test('parity: both modes saw exactly the same results', async (tt) => {
  const rpc = transcripts.get('rpc');
  const local = transcripts.get('localio');
  tt.ok(rpc && local, 'both scenarios ran');
  if (!rpc || !local) return;
  tt.equal(local.length, rpc.length, `${rpc.length} observations each`);
  for (let i = 0; i < rpc.length; i++) tt.same(local[i], rpc[i], `same: ${rpc[i]![0]}`);
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

