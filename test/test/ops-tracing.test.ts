/**
 * The tracing channels (nfsts:rpc:server, nfsts:rpc:client, nfsts:fs) seen by subscribers
 * for a known sequence, no message built while nobody subscribes, and client.metrics()
 * splitting RPC from LOCALIO.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { connect } from '@nfsts/client';
import { startServer } from '@nfsts/server';
import { CHANNEL_RPC_CLIENT, CHANNEL_RPC_SERVER, traceCounters, type RpcClientCallMessage, type RpcServerCallMessage } from '@nfsts/rpc';
import { CHANNEL_FS, type FsOperationMessage } from '@nfsts/client';

const EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;
type Ev = (typeof EVENTS)[number];

/** Subscribes to every event of a tracing channel; returns the log and an unsubscribe. */
function record<M>(name: string): { events: Array<{ ev: Ev; m: M }>; off: () => void } {
  const events: Array<{ ev: Ev; m: M }> = [];
  const tc = diagnosticsChannel.tracingChannel(name);
  const handlers = Object.fromEntries(EVENTS.map((ev) => [ev, (m: unknown) => void events.push({ ev, m: m as M })])) as Record<Ev, (m: unknown) => void>;
  tc.subscribe(handlers);
  return { events, off: () => tc.unsubscribe(handlers) };
}

async function setup(t: { teardown(fn: () => unknown): void }, localio: boolean): Promise<{ dir: string; nfs: Awaited<ReturnType<typeof connect>> }> {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-trace-'));
  const server = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0 });
  const nfs = await connect(server.url, { localio });
  t.teardown(async () => {
    await nfs.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, nfs };
}

t.test('nobody subscribed: no message object is built on any channel', async (t) => {
  const { nfs } = await setup(t, false);
  const before = traceCounters.messagesBuilt;
  await nfs.writeFile('a.txt', 'hello');
  t.equal(await nfs.readFile('a.txt', 'utf8'), 'hello');
  await t.rejects(nfs.stat('missing'), { code: 'ENOENT' });
  t.equal(traceCounters.messagesBuilt, before, 'no messages for RPC server, RPC client or fs operations');
});

t.test('subscribers see start/end/asyncStart/asyncEnd and error for a known sequence', async (t) => {
  const { nfs } = await setup(t, false);
  const server = record<RpcServerCallMessage>(CHANNEL_RPC_SERVER);
  const client = record<RpcClientCallMessage>(CHANNEL_RPC_CLIENT);
  const fs = record<FsOperationMessage>(CHANNEL_FS);
  t.teardown(() => {
    server.off();
    client.off();
    fs.off();
  });
  const built = traceCounters.messagesBuilt;
  await nfs.writeFile('b.txt', 'data');
  await t.rejects(nfs.stat('nope'), { code: 'ENOENT' });

  // fs: writeFile is an 'open' (and its writes); stat of a missing name rejects
  const fsOps = fs.events.filter((e) => e.ev === 'start').map((e) => e.m.operation);
  t.ok(fsOps.includes('stat'), `fs operations traced: ${fsOps.join(', ')}`);
  const statMsg = fs.events.find((e) => e.ev === 'start' && e.m.operation === 'stat')!.m;
  t.equal(statMsg.path, 'nope');
  t.same(fs.events.filter((e) => e.m === statMsg).map((e) => e.ev), ['start', 'end', 'error', 'asyncStart', 'asyncEnd'], 'stat: start, end, error, asyncStart, asyncEnd');
  t.match(statMsg.error, { code: 'ENOENT' });

  // server: every call has start → end → asyncStart → asyncEnd; the failed LOOKUP carries NFS3ERR_NOENT (2)
  const starts = server.events.filter((e) => e.ev === 'start').map((e) => e.m);
  t.ok(starts.length >= 2, `${starts.length} server calls traced`);
  for (const m of starts) {
    const evs = server.events.filter((e) => e.m === m).map((e) => e.ev);
    t.same(evs, ['start', 'end', 'asyncStart', 'asyncEnd'], `${m.procedureName} xid ${m.xid}: the four events in order`);
    t.equal(m.program, 100003);
    t.equal(m.clientAddress, '127.0.0.1');
    t.equal(m.acceptStat, 0);
  }
  const noent = starts.find((m) => m.procedureName === 'LOOKUP' && m.status === 2);
  t.ok(noent, 'the LOOKUP of "nope" answered NFS3ERR_NOENT');
  t.ok(starts.some((m) => m.procedureName === 'WRITE' && m.status === 0), 'a WRITE answered NFS3_OK');

  // client: one message per call, matched to the server's by xid
  const cstarts = client.events.filter((e) => e.ev === 'start').map((e) => e.m);
  t.equal(cstarts.length, starts.length, 'as many client calls as server calls');
  t.same(cstarts.map((m) => m.xid).sort(), starts.map((m) => m.xid).sort(), 'the same xids');
  for (const m of cstarts) t.same(client.events.filter((e) => e.m === m).map((e) => e.ev), ['start', 'end', 'asyncStart', 'asyncEnd']);
  t.ok(traceCounters.messagesBuilt > built);
});

t.test('the server channel reports undecodable arguments as an error event', async (t) => {
  const { nfs } = await setup(t, false);
  const server = record<RpcServerCallMessage>(CHANNEL_RPC_SERVER);
  const client = record<RpcClientCallMessage>(CHANNEL_RPC_CLIENT);
  t.teardown(() => {
    server.off();
    client.off();
  });
  const { RpcClient } = await import('@nfsts/rpc');
  const { xdr_void } = await import('@nfsts/xdr');
  const rpc = new RpcClient({ host: '127.0.0.1', port: nfs.nfsPort, timeoutMs: 5000 });
  t.teardown(() => rpc.close());
  await rpc.call(100003, 3, 0, xdr_void, undefined, xdr_void);
  const okNull = server.events.find((e) => e.ev === 'start' && e.m.procedureName === 'NULL');
  t.ok(okNull, 'NULL traced');
  const { xdr_GETATTR3res } = await import('@nfsts/xdr');
  // GETATTR with no arguments: GARBAGE_ARGS, an error event with acceptStat 4
  await t.rejects(rpc.call(100003, 3, 1, xdr_void, undefined, xdr_GETATTR3res), { code: 'ERR_RPC_GARBAGE_ARGS' });
  const bad = server.events.filter((e) => e.m.procedureName === 'GETATTR');
  t.same(bad.map((e) => e.ev), ['start', 'error', 'asyncStart', 'asyncEnd']);
  t.equal(bad[0]?.m.acceptStat, 4);
  const failed = client.events.filter((e) => e.m.procedure === 1);
  t.same(failed.map((e) => e.ev), ['start', 'end', 'error', 'asyncStart', 'asyncEnd'], 'the client sees its call fail');
  t.match(failed[0]?.m.error, { code: 'ERR_RPC_GARBAGE_ARGS' });
});

t.test('client.metrics(): per procedure, RPC against LOCALIO', async (t) => {
  const viaRpc = await setup(t, false);
  await viaRpc.nfs.writeFile('r.bin', Buffer.alloc(8192, 7));
  await viaRpc.nfs.readFile('r.bin');
  const m = viaRpc.nfs.metrics();
  t.ok(m.rpc.nfs.WRITE! >= 1 && m.rpc.nfs.READ! >= 1, `READ ${m.rpc.nfs.READ}, WRITE ${m.rpc.nfs.WRITE} by RPC`);
  t.equal(m.localio.isLocal, false);
  t.equal(m.localio.reads.local, 0);
  t.ok(m.localio.reads.rpc >= 1);
  t.ok(m.rpc.calls >= m.rpc.nfs.READ! + m.rpc.nfs.WRITE!);
  t.equal(m.rpc.retransmits, 0);
  t.equal(m.rpc.reconnects, 0);

  const local = await setup(t, true);
  t.ok(local.nfs.isLocal, 'LOCALIO in use');
  await local.nfs.writeFile('l.bin', Buffer.alloc(8192, 7));
  await local.nfs.readFile('l.bin');
  const l = local.nfs.metrics();
  t.ok(l.localio.reads.local >= 1 && l.localio.writes.local >= 1, 'reads and writes done locally');
  t.equal(l.rpc.nfs.READ, 0, 'no READ went by RPC');
  t.equal(l.rpc.nfs.WRITE, 0, 'no WRITE went by RPC');
});
