import t from 'tap';
import net from 'node:net';
import pino from 'pino';
import { RecordReader, RpcClient, RpcServer, authSys, recordMark, type FinishingCodec } from '../src/index.js';
import { Gates, PROC, TEST_PROG, opaque, str, tcpHandles, testProgram, u32, until, voidc } from './helpers.js';

async function startServer(port = 0, seen?: number[]) {
  const gates = new Gates();
  const server = new RpcServer();
  server.register(testProgram(gates, seen));
  const addr = await server.listen(port, '127.0.0.1');
  return { gates, server, port: addr.port };
}

/** A hand-driven server: `answer` gets each call's xid and proc and writes what it likes. */
async function fakeServer(answer: (s: net.Socket, xid: number, proc: number, conn: number) => void) {
  let conns = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    const n = ++conns;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    const reader = new RecordReader(1 << 20, (rec) => answer(s, rec.readUInt32BE(0), rec.readUInt32BE(20), n));
    s.on('data', (c: Buffer) => reader.push(c));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get connections() { return conns; },
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

function successReply(xid: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32BE(xid, 0);
  b.writeUInt32BE(1, 4); // REPLY
  // MSG_ACCEPTED, verf AUTH_NONE (0, 0), SUCCESS: all zero
  return Buffer.concat([recordMark(24 + body.length), b, body]);
}

t.test('a call that times out is removed; its late reply is ignored', async (t) => {
  const { gates, server, port } = await startServer();
  const lines: { msg: string; xid?: number }[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  const client = new RpcClient({ host: '127.0.0.1', port, logger });
  t.teardown(async () => { await client.close(); await server.close(); });
  await client.connect();
  const late = client.call(TEST_PROG, 1, PROC.GATE, u32, 1, u32, { timeoutMs: 200 }).catch((e: unknown) => e);
  await gates.reached(1);
  const err = await late;
  t.match(err, { code: 'ERR_RPC_TIMEOUT' });
  t.equal(client.pendingCount, 0, 'removed from the pending map');
  gates.open(1);
  await until(() => lines.some((l) => l.msg === 'reply with unknown xid ignored'));
  t.ok(lines.some((l) => l.msg === 'reply with unknown xid ignored' && l.xid === (err as { xid: number }).xid), 'late reply logged at debug');
  t.equal(await client.call(TEST_PROG, 1, PROC.ECHO, opaque, Buffer.from([5]), opaque).then((b) => b[0]), 5, 'client still works');
});

t.test('calls with different timeouts share one deadline timer: each fails at its own, in order, the rest are answered', async (t) => {
  // a server that answers only proc 0 (NULL); every other call stays unanswered
  const fake = await fakeServer((s, xid, proc) => { if (proc === 0) s.write(successReply(xid)); });
  const client = new RpcClient({ host: '127.0.0.1', port: fake.port });
  t.teardown(async () => { await client.close(); await fake.close(); });
  await client.connect();
  const order: string[] = [];
  const mk = (name: string, timeoutMs: number) => client.call(TEST_PROG, 1, 1, voidc, undefined, voidc, { timeoutMs })
    .then(() => order.push(`${name}: answered`), (e: { code?: string }) => order.push(`${name}: ${e.code}`));
  const slow = mk('slow', 600);
  const mid = mk('mid', 300);
  const fast = mk('fast', 100);
  const ok = client.call(TEST_PROG, 1, 0, voidc, undefined, voidc, { timeoutMs: 50_000 }).then(() => order.push('null: answered'));
  await Promise.all([slow, mid, fast, ok]);
  t.same(order, ['null: answered', 'fast: ERR_RPC_TIMEOUT', 'mid: ERR_RPC_TIMEOUT', 'slow: ERR_RPC_TIMEOUT'], 'each call timed out at its own deadline, shortest first');
  t.equal(client.pendingCount, 0);
  // a later call arms the timer again
  await t.rejects(client.call(TEST_PROG, 1, 1, voidc, undefined, voidc, { timeoutMs: 30 }), { code: 'ERR_RPC_TIMEOUT' });
});

t.test('reconnect retransmits pending calls under their original XIDs', async (t) => {
  const seen1: number[] = [];
  const first = await startServer(0, seen1);
  const port = first.port;
  const client = new RpcClient({ host: '127.0.0.1', port, reconnect: { minDelayMs: 5, maxDelayMs: 20, retries: 1000 } });
  let reconnects = 0;
  let disconnects = 0;
  client.on('reconnect', () => reconnects++);
  client.on('disconnect', () => disconnects++);
  const pending = client.call(TEST_PROG, 1, PROC.XID, u32, 1, u32);
  const pending2 = client.call(TEST_PROG, 1, PROC.XID, u32, 2, u32);
  await first.gates.reached(1);
  await first.gates.reached(2);
  t.equal(seen1.length, 2);
  // The server goes away mid-call (its connections cut), then comes back on the same port.
  await first.server.close({ timeoutMs: 0 });
  first.gates.open(1);
  first.gates.open(2);
  await until(() => disconnects === 1);
  t.notOk(client.connected);
  const seen2: number[] = [];
  const second = await startServer(port, seen2);
  t.teardown(async () => { await client.close(); await second.server.close(); });
  await second.gates.reached(1);
  await second.gates.reached(2);
  second.gates.open(2);
  second.gates.open(1);
  const [x1, x2] = await Promise.all([pending, pending2]);
  t.same(seen2.slice().sort(), seen1.slice().sort(), 'the new server saw the same XIDs');
  t.equal(x1, seen1[0], 'first call answered under its original XID');
  t.equal(x2, seen1[1], 'second call answered under its original XID');
  t.equal(reconnects, 1, "one 'reconnect' event");
  t.ok(client.connected);
});

t.test('close() rejects pending calls and refuses new ones', async (t) => {
  const { gates, server, port } = await startServer();
  t.teardown(() => server.close());
  const client = new RpcClient({ host: '127.0.0.1', port });
  let closeEvents = 0;
  client.on('close', () => closeEvents++);
  const calls = [1, 2, 3].map((tag) => client.call(TEST_PROG, 1, PROC.GATE, u32, tag, u32).catch((e: unknown) => e));
  await gates.reached(3);
  await client.close();
  for (const e of await Promise.all(calls)) t.match(e, { code: 'ERR_RPC_CLOSED' });
  t.equal(client.pendingCount, 0);
  await t.rejects(client.call(TEST_PROG, 1, PROC.NULL, voidc, undefined, voidc), { code: 'ERR_RPC_CLOSED' });
  await t.rejects(client.connect(), { code: 'ERR_RPC_CLOSED' });
  await client.close(); // idempotent
  t.equal(closeEvents, 1);
  for (const tag of [1, 2, 3]) gates.open(tag);
});

t.test('an aborted call is removed and rejects with the signal reason', async (t) => {
  const { gates, server, port } = await startServer();
  const client = new RpcClient({ host: '127.0.0.1', port });
  t.teardown(async () => { await client.close(); await server.close(); });
  const ac = new AbortController();
  const p = client.call(TEST_PROG, 1, PROC.GATE, u32, 1, u32, { signal: ac.signal });
  await gates.reached(1);
  ac.abort(new Error('changed my mind'));
  await t.rejects(p, { message: 'changed my mind' });
  t.equal(client.pendingCount, 0);
  await t.rejects(client.call(TEST_PROG, 1, PROC.NULL, voidc, undefined, voidc, { signal: ac.signal }), { message: 'changed my mind' }, 'already aborted');
  gates.open(1);
});

t.test('a malformed reply fails only its own call; an unreadable stream resets the connection', async (t) => {
  const fake = await fakeServer((s, xid, proc, conn) => {
    if (proc === 1) {
      const b = Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9]); // REPLY with reply_stat 9
      b.writeUInt32BE(xid, 0);
      s.write(Buffer.concat([recordMark(12), b]));
    }
    else if (proc === 2 && conn === 1) s.write(Buffer.concat([recordMark(2), Buffer.from([1, 2])])); // no room for an xid
    else if (proc === 3) s.write(successReply(xid, Buffer.from([0, 0, 0, 1]))); // a u32 result... with 4 bytes too many
    else s.write(successReply(xid, Buffer.from([0, 0, 0, 42])));
  });
  const client = new RpcClient({ host: '127.0.0.1', port: fake.port, reconnect: { minDelayMs: 1 } });
  t.teardown(async () => { await client.close(); await fake.close(); });
  const bad = client.call(0x20000002, 1, 1, voidc, undefined, u32);
  const good = client.call(0x20000002, 1, 0, voidc, undefined, u32);
  await t.rejects(bad, { code: 'ERR_RPC_BAD_REPLY' }, 'reply_stat 9 fails that call');
  t.equal(await good, 42, 'the other call is answered');
  await t.rejects(client.call(0x20000002, 1, 3, voidc, undefined, voidc), { code: 'ERR_RPC_BAD_REPLY' }, 'bytes left over in a result');
  // A record without an xid: the connection is reset and the call is retransmitted.
  t.equal(await client.call(0x20000002, 1, 2, voidc, undefined, u32), 42);
  t.equal(fake.connections, 2, 'one reset, one new connection');
});

t.test('reply verifiers: an empty one is skipped, a non-empty one is read past, an oversized one fails that call; xids match out of order', async (t) => {
  /** an accepted SUCCESS reply with a verifier of `verf` bytes (declared length `declared`) and a u32 result */
  const reply = (xid: number, verf: number, declared: number, v: number): Buffer => {
    const pad = (4 - (verf & 3)) & 3;
    const b = Buffer.alloc(20 + verf + pad + 8);
    b.writeUInt32BE(xid, 0);
    b.writeUInt32BE(1, 4); // REPLY; MSG_ACCEPTED 0
    b.writeUInt32BE(1, 12); // verifier flavor AUTH_SYS (a server may send any flavor)
    b.writeUInt32BE(declared, 16);
    b.fill(0xee, 20, 20 + verf);
    b.writeUInt32BE(0, 20 + verf + pad); // SUCCESS
    b.writeUInt32BE(v, 24 + verf + pad);
    return Buffer.concat([recordMark(b.length), b]);
  };
  const held: { s: net.Socket; xid: number; proc: number }[] = [];
  const fake = await fakeServer((s, xid, proc) => {
    held.push({ s, xid, proc });
    if (held.length < 4) return;
    // all four answered in reverse order, in one write
    const out: Buffer[] = [];
    for (const h of held.reverse()) {
      if (h.proc === 0) out.push(reply(h.xid, 0, 0, 100));
      else if (h.proc === 1) out.push(reply(h.xid, 8, 8, 101));
      else if (h.proc === 2) out.push(reply(h.xid, 5, 5, 102));
      else out.push(reply(h.xid, 404, 404, 103)); // verifier over MAX_AUTH_BYTES (400)
    }
    s.write(Buffer.concat(out));
  });
  const client = new RpcClient({ host: '127.0.0.1', port: fake.port });
  t.teardown(async () => { await client.close(); await fake.close(); });
  const calls = [0, 1, 2, 3].map((proc) => client.call(0x20000002, 1, proc, voidc, undefined, u32).catch((e: unknown) => e));
  const [a, b, c, d] = await Promise.all(calls);
  t.equal(a, 100, 'empty verifier: its own result');
  t.equal(b, 101, '8-byte verifier read past: its own result');
  t.equal(c, 102, '5-byte verifier and its padding read past: its own result');
  t.match(d, { code: 'ERR_RPC_BAD_REPLY' }, 'a verifier over 400 bytes fails that call');
  t.equal(client.pendingCount, 0, 'nothing left pending');
});

t.test('the maximum reply record size is enforced', async (t) => {
  const { server, port } = await startServer();
  const client = new RpcClient({ host: '127.0.0.1', port, maxRecordSize: 1024 });
  t.teardown(async () => { await client.close(); await server.close(); });
  await t.rejects(client.call(TEST_PROG, 1, PROC.ECHO, opaque, Buffer.alloc(2000), opaque), { code: 'ERR_RPC_RECORD_TOO_LARGE' });
  t.same(await client.call(TEST_PROG, 1, PROC.ECHO, opaque, Buffer.alloc(100, 1), opaque), Buffer.alloc(100, 1), 'works again after a reconnect');
});

t.test('connection failures reject with ERR_RPC_CONNECT after the retries', async (t) => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const client = new RpcClient({ host: '127.0.0.1', port, reconnect: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
  t.teardown(() => client.close());
  await t.rejects(client.connect(), { code: 'ERR_RPC_CONNECT' });
  await t.rejects(client.call(TEST_PROG, 1, PROC.NULL, voidc, undefined, voidc), { code: 'ERR_RPC_CONNECT' });
  t.equal(client.pendingCount, 0);
});

t.test('calls made before connect() queue and go out on connect', async (t) => {
  const { server, port } = await startServer();
  const client = new RpcClient({ host: '127.0.0.1', port });
  t.teardown(async () => { await client.close(); await server.close(); });
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => client.call(TEST_PROG, 2, PROC.ECHO, opaque, Buffer.from([i]), opaque)));
  t.same(results.map((b) => b[0]), Array.from({ length: 50 }, (_, i) => i));
  t.ok(client.connected);
});

t.test('credentials are encoded once and still reach the server intact, per client and per call', async (t) => {
  const { server, port } = await startServer();
  const mine = authSys({ uid: 1001, gid: 1002, gids: [3, 4, 5], machinename: 'h14' });
  const other = authSys({ uid: 7, gid: 8 });
  const client = new RpcClient({ host: '127.0.0.1', port, cred: mine });
  t.teardown(async () => { await client.close(); await server.close(); });
  const who = async (cred?: typeof mine) => JSON.parse(await client.call(TEST_PROG, 1, PROC.WHOAMI, voidc, undefined, str, cred ? { cred } : undefined)).cred;
  // several calls with the same Credential object: the cached bytes must not drift between calls
  for (let i = 0; i < 3; i++) t.same(await who(), { flavor: 1, sys: { stamp: 0, machinename: 'h14', uid: 1001, gid: 1002, gids: [3, 4, 5] } }, `client credential, call ${i}`);
  t.same(await who(other), { flavor: 1, sys: { stamp: 0, machinename: 'nfsts', uid: 7, gid: 8, gids: [] } }, 'a per-call credential is its own');
  t.same((await who()).sys.uid, 1001, 'and the client credential is back on the next call');
  const echoed = await client.call(TEST_PROG, 1, PROC.ECHO, opaque, Buffer.from('after the credential'), opaque, { cred: other });
  t.equal(echoed.toString(), 'after the credential', 'the arguments follow the pre-encoded credential at the right offset');
});

t.test('a FinishingCodec settles the call: its value resolves, its throw rejects as is and is not an RPC failure', async (t) => {
  const { server, port } = await startServer();
  const client = new RpcClient({ host: '127.0.0.1', port });
  t.teardown(async () => { await client.close(); await server.close(); });
  class Refused extends Error {}
  // ECHO answers the bytes it got; this codec reads back their count and refuses 13
  const length: FinishingCodec<number, string> = {
    size: () => 0,
    encode: () => {},
    decode: (r) => r.opaqueVar().length,
    finish: (n: number) => {
      if (n === 13) throw new Refused('thirteen');
      return `got ${n}`;
    },
  };
  t.equal(await client.call(TEST_PROG, 1, PROC.ECHO, opaque, Buffer.alloc(4), length) as unknown as string, 'got 4', 'finish maps the decoded result');
  const failures0 = client.counters.failures;
  const err = await client.call(TEST_PROG, 1, PROC.ECHO, opaque, Buffer.alloc(13), length).catch((e: unknown) => e);
  t.ok(err instanceof Refused, 'the error finish threw, not a wrapped RpcError');
  t.equal(client.counters.failures, failures0, 'a refused result is not counted as a failed RPC');
  t.equal(client.pendingCount, 0);
});

t.test('no TCP handles are left open', async (t) => {
  await new Promise((r) => setImmediate(r));
  t.equal(tcpHandles(), 0, process.getActiveResourcesInfo().join(','));
});
