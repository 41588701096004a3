// Hostile clients against `startServer()` (issue 9, items 2 and 3), at test scale and with short
// timeouts: connections that pipeline 1 MiB READs and never read the replies, connections that
// park a WRITE-sized record one byte short of its end, slow-loris connections sending a byte
// every 100 ms, and a flood of idle connections past maxConnections, while a well-behaved
// client makes a bounded number of calls. The server runs in a child process so that its
// memory is measured alone. Asserted: the server's RSS grows by less than RSS_BOUND, every
// hostile connection is closed by a limit (counted by the server's stats() and by the sockets
// themselves), and every call of the well-behaved client completes with p99 under P99_BOUND_MS
// (before the limits, it stalled for seconds while unread replies piled up).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { XdrWriter, encode, xdr_READ3args } from '@nfsts/xdr';
import { connect } from '@nfsts/client';

const LIMITS = {
  maxConnections: 64,
  idleTimeoutMs: 600,
  recordTimeoutMs: 300,
  writeTimeoutMs: 300,
  maxQueuedReplyBytes: 4 * 1024 * 1024,
  maxQueuedReplyBytesTotal: 16 * 1024 * 1024,
  maxPartialRecordBytesTotal: 16 * 1024 * 1024,
};
const MiB = 1024 * 1024;
/** Growth of the server's RSS over its warmed-up baseline that the attacks may cause. */
const RSS_BOUND = 160 * MiB;
/** The well-behaved client's 99th percentile latency while the attacks run. */
const P99_BOUND_MS = 2000;
const READERS = 6; // connections pipelining READS_EACH 1 MiB READs, never reading a reply
const READS_EACH = 80;
const PARKERS = 20; // connections parking a 1,060,000-byte record one byte short
const PARKED_RECORD = 1_060_000;
const SLOW = 10; // slow-loris connections
const CALLS = 200; // calls of the well-behaved client
const IDLE_FLOOD = 80; // idle connections opened at once, past maxConnections

interface Sample { type: 'sample'; rss: number; heapUsed: number; external: number; stats: Record<string, number> | null }

const childPath = fileURLToPath(new URL('../src/limits-child-server.js', import.meta.url));

function startChild(root: string): Promise<{ child: ChildProcess; url: string; port: number; limits: boolean }> {
  const child = fork(childPath, [root, JSON.stringify(LIMITS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => {
      const msg = m as { type: string; url: string; port: number; limits: boolean };
      resolve({ child, url: msg.url, port: msg.port, limits: msg.limits });
    });
    child.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
  });
}

function sample(child: ChildProcess): Promise<Sample> {
  return new Promise((resolve) => {
    const on = (m: unknown): void => {
      if ((m as Sample).type !== 'sample') return;
      child.off('message', on);
      resolve(m as Sample);
    };
    child.on('message', on);
    child.send('sample');
  });
}

/** An RPC call record (record mark included) with an AUTH_SYS root credential. */
function callRecord(xid: number, prog: number, vers: number, proc: number, args: Buffer): Buffer {
  const name = Buffer.from('attacker');
  const credLen = 4 + 4 + name.length + 4 + 4 + 4;
  const len = 24 + 8 + credLen + 8 + args.length;
  const w = new XdrWriter(4 + len);
  w.u32(0x80000000 + len);
  w.u32(xid); w.u32(0); w.u32(2); w.u32(prog); w.u32(vers); w.u32(proc);
  w.u32(1); w.u32(credLen); w.u32(0); w.u32(name.length); w.opaqueFixed(name, name.length); w.u32(0); w.u32(0); w.u32(0);
  w.u32(0); w.u32(0);
  w.buf.set(args, w.pos);
  return w.buf;
}

function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when `s` has closed (the server ended it), or false at the deadline. */
function closedWithin(s: net.Socket, ms: number): Promise<boolean> {
  if (s.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    s.once('close', () => { clearTimeout(timer); resolve(true); });
  });
}

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

t.test('hostile clients: memory stays bounded, limits close them, a well-behaved client is served', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'nfsts-limits-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'big'), Buffer.alloc(4 * MiB, 0x5a));
  const { child, url, port, limits } = await startChild(root);
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  t.ok(limits, 'the server takes the limits option');

  const client = await connect(url, { timeoutMs: 60_000 });
  t.teardown(() => client.close().catch(() => {}));
  const rootFh = client.rootFh;
  const fh = Buffer.from((await client.raw.lookup({ what: { dir: { data: rootFh }, name: 'big' } })).object.data);
  const readArgs = (offset: number, count: number): Buffer => encode(xdr_READ3args, { file: { data: fh }, offset: BigInt(offset), count });

  // warm up: code paths, pools, a few 1 MiB READs; then the baseline
  for (let i = 0; i < 20; i++) await client.raw.getattr({ object: { data: fh } });
  for (let i = 0; i < 4; i++) await client.raw.read({ file: { data: fh }, offset: BigInt(i * MiB), count: MiB });
  await new Promise((r) => setTimeout(r, 300));
  const baseline = await sample(child);
  let maxRss = baseline.rss;
  let maxConnections = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = await sample(child);
      maxRss = Math.max(maxRss, s.rss);
      maxConnections = Math.max(maxConnections, s.stats?.connections ?? 0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  // the attacks
  let xid = 1;
  const readers: net.Socket[] = [];
  const launchReaders = (async () => {
    for (let i = 0; i < READERS; i++) {
      const s = await open(port);
      s.on('error', () => {});
      s.pause(); // never read a reply
      const calls = Array.from({ length: READS_EACH }, (_, k) => callRecord(xid++, 100003, 3, 6, readArgs((k % 4) * MiB, MiB)));
      s.write(Buffer.concat(calls));
      readers.push(s);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  const parkers: net.Socket[] = [];
  for (let i = 0; i < PARKERS; i++) {
    const s = await open(port);
    s.on('error', () => {});
    const rec = Buffer.alloc(4 + PARKED_RECORD - 1, 0);
    rec.writeUInt32BE(0x80000000 + PARKED_RECORD, 0);
    s.write(rec);
    parkers.push(s);
  }
  const slow: net.Socket[] = [];
  const slowTimers: NodeJS.Timeout[] = [];
  for (let i = 0; i < SLOW; i++) {
    const s = await open(port);
    s.on('error', () => {});
    const bytes = callRecord(xid++, 100003, 3, 0, Buffer.alloc(0));
    let at = 0;
    const timer = setInterval(() => {
      if (s.destroyed || at >= bytes.length) return;
      s.write(bytes.subarray(at, at + 1));
      at++;
    }, 100);
    s.once('close', () => clearInterval(timer));
    slowTimers.push(timer);
    slow.push(s);
  }

  // the well-behaved client, alongside: paced so that its calls span the attacks (about 2 s)
  const lat: number[] = [];
  let completed = 0;
  for (let i = 0; i < CALLS; i++) {
    await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    if (i % 2 === 0) await client.raw.getattr({ object: { data: fh } });
    else await client.raw.read({ file: { data: fh }, offset: BigInt((i % 1024) * 4096), count: 4096 });
    lat.push(performance.now() - t0);
    completed++;
  }
  await launchReaders;

  const parkedClosed = (await Promise.all(parkers.map((s) => closedWithin(s, 5000)))).filter(Boolean).length;
  const slowClosed = (await Promise.all(slow.map((s) => closedWithin(s, 5000)))).filter(Boolean).length;
  for (const timer of slowTimers) clearInterval(timer);
  // an unread socket learns of its end only by reading: the server's counters say it first
  const readersCut = await waitFor(async () => ((await sample(child)).stats?.closedWriteTimeout ?? 0) >= READERS, 5000);
  sampling = false;
  await sampler;
  const after = await sample(child);
  for (const s of readers) s.destroy();

  lat.sort((a, b) => a - b);
  const p99 = lat[Math.ceil(lat.length * 0.99) - 1]!;
  const growth = maxRss - baseline.rss;
  t.comment(`server RSS: baseline ${(baseline.rss / MiB).toFixed(0)} MiB, peak ${(maxRss / MiB).toFixed(0)} MiB (+${(growth / MiB).toFixed(0)} MiB); `
    + `well-behaved: ${completed}/${CALLS} calls, median ${lat[lat.length >> 1]!.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms`);
  t.comment(`server stats: ${JSON.stringify(after.stats)}`);
  t.ok(growth < RSS_BOUND, `server RSS grew by ${(growth / MiB).toFixed(0)} MiB, under ${RSS_BOUND / MiB} MiB`);
  t.equal(completed, CALLS, 'every call of the well-behaved client completed');
  t.ok(p99 < P99_BOUND_MS, `the well-behaved client's p99 (${p99.toFixed(0)} ms) stays under ${P99_BOUND_MS} ms`);
  t.equal(parkedClosed, PARKERS, 'every connection parking a record short of its end was closed');
  t.equal(slowClosed, SLOW, 'every slow-loris connection was closed');
  t.ok(readersCut, `every connection leaving its READ replies unread was cut off (${after.stats?.closedWriteTimeout ?? 'no'} write timeouts)`);
  const st = after.stats ?? {};
  t.ok((st.closedRecordTimeout ?? 0) + (st.closedPartialBudget ?? 0) + (st.closedIdle ?? 0) >= PARKERS + SLOW,
    'the server counts the parked and slow connections it closed');
  t.ok(maxConnections <= LIMITS.maxConnections, `never more than maxConnections open (${maxConnections})`);

  // a flood of idle connections past maxConnections: the longest idle make room, the rest idle out
  const before = after.stats ?? {};
  // all at once, as a flood comes: opened one after another on a loaded CPU they took longer
  // than the idle timeout, the first had idled out before the last arrived, and the cap was
  // never reached (2 failures in 13 loaded runs)
  const flood = (await Promise.all(Array.from({ length: IDLE_FLOOD }, () => open(port).catch(() => null))))
    .filter((s): s is net.Socket => s !== null);
  for (const s of flood) s.on('error', () => {});
  const peak = (await sample(child)).stats ?? {};
  const floodClosed = (await Promise.all(flood.map((s) => closedWithin(s, 5000)))).filter(Boolean).length;
  const end = (await sample(child)).stats ?? {};
  t.ok((peak.connections ?? Infinity) <= LIMITS.maxConnections, `at most maxConnections open during the flood (${peak.connections})`);
  t.ok((end.closedForNew ?? 0) - (before.closedForNew ?? 0) + (end.refused ?? 0) - (before.refused ?? 0) >= IDLE_FLOOD - LIMITS.maxConnections,
    `connections past the cap were made room for or refused (${(end.closedForNew ?? 0) - (before.closedForNew ?? 0)} oldest idle closed, ${(end.refused ?? 0) - (before.refused ?? 0)} refused)`);
  t.equal(floodClosed, flood.length, 'every idle connection of the flood was closed by the server');

  // and the well-behaved client still works (it reconnects if its idle connection was closed)
  t.ok((await client.raw.getattr({ object: { data: fh } })).obj_attributes, 'the well-behaved client is served afterwards');
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
});
