import t from 'tap';
import { RpcAuthError, RpcClient, RpcError, RpcServer, authSys, type CallContext, type Program } from '../src/index.js';
import { Gates, PROC, RawConn, TEST_PROG, authSysBody, opaque, rawCall, str, tcpHandles, testProgram, u32, voidc } from './helpers.js';

async function setup(t: { teardown(fn: () => unknown): void }, serverOpts: ConstructorParameters<typeof RpcServer>[0] = {}) {
  const gates = new Gates();
  const server = new RpcServer(serverOpts);
  server.register(testProgram(gates));
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new RpcClient({ host: '127.0.0.1', port });
  await client.connect();
  t.teardown(async () => {
    await client.close();
    await server.close();
  });
  return { gates, server, client, port };
}

t.test('NULL, echo and AUTH_SYS credentials round-trip', async (t) => {
  const { client } = await setup(t);
  t.equal(await client.call(TEST_PROG, 1, PROC.NULL, voidc, undefined, voidc), undefined);
  const small = Buffer.from('hello');
  t.same(await client.call(TEST_PROG, 2, PROC.ECHO, opaque, small, opaque), small);
  // 1 MiB goes out by reference in chunk mode on both sides and comes back intact.
  const big = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
  const back = await client.call(TEST_PROG, 1, PROC.ECHO, opaque, big, opaque);
  t.ok(back.equals(big), '1 MiB echo is intact');
  for (const n of [4095, 4096, 4097, 4098, 4099, 65537]) {
    const odd = big.subarray(1, 1 + n); // external opaques that need padding, at an odd offset
    t.ok((await client.call(TEST_PROG, 1, PROC.ECHO, opaque, odd, opaque)).equals(odd), `echo of ${n} bytes`);
  }
  const none = JSON.parse(await client.call(TEST_PROG, 1, PROC.WHOAMI, voidc, undefined, str));
  t.same(none, { cred: { flavor: 0 }, prog: TEST_PROG, vers: 1, proc: PROC.WHOAMI, conn: none.conn });
  const cred = authSys({ uid: 1001, gid: 100, gids: [4, 24, 27], machinename: 'box.example', stamp: 42 });
  const sys = JSON.parse(await client.call(TEST_PROG, 2, PROC.WHOAMI, voidc, undefined, str, { cred }));
  t.same(sys.cred, { flavor: 1, sys: { stamp: 42, machinename: 'box.example', uid: 1001, gid: 100, gids: [4, 24, 27] } });
  t.equal(sys.conn, none.conn, 'same connection id for calls on one connection');
});

t.test('calls on one connection run concurrently and reply in completion order', async (t) => {
  const { client, gates } = await setup(t);
  const order: number[] = [];
  const calls = [1, 2, 3, 4, 5].map((tag) => client.call(TEST_PROG, 1, PROC.GATE, u32, tag, u32).then((v) => { order.push(v); return v; }));
  // All five are in the handler at once: the server did not wait for one to finish.
  await Promise.all([1, 2, 3, 4, 5].map((tag) => gates.reached(tag)));
  t.equal(gates.count, 5, 'five calls in progress together');
  // A NULL call overtakes them.
  await client.call(TEST_PROG, 1, PROC.NULL, voidc, undefined, voidc);
  for (const tag of [4, 2, 5, 1, 3]) {
    gates.open(tag);
    await new Promise((r) => setImmediate(r));
  }
  t.same(await Promise.all(calls), [1, 2, 3, 4, 5]);
  t.same(order, [4, 2, 5, 1, 3], 'replies arrive in completion order');
});

t.test('many calls in flight with backpressure limits still all complete', async (t) => {
  const { client } = await setup(t, { maxInFlightPerConnection: 4, maxQueuedReplyBytes: 1 });
  const payload = Buffer.alloc(20_000, 1);
  const n = 300;
  const results = await Promise.all(Array.from({ length: n }, (_, i) => client.call(TEST_PROG, 1, PROC.ECHO, opaque, i % 2 ? payload : Buffer.from(String(i)), opaque)));
  t.equal(results.length, n);
  t.ok(results.every((r, i) => (i % 2 ? r.equals(payload) : r.toString() === String(i))), 'every reply matches its call');
});

t.test('every reply error carries the RFC fields', async (t) => {
  const { client } = await setup(t);
  const err = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: RpcError) => e);
  let e = await err(client.call(0x3fffffff, 1, 0, voidc, undefined, voidc));
  t.match(e, { code: 'ERR_RPC_PROG_UNAVAIL' });
  t.ok(e instanceof RpcError);
  e = await err(client.call(TEST_PROG, 7, 0, voidc, undefined, voidc));
  t.match(e, { code: 'ERR_RPC_PROG_MISMATCH', low: 1, high: 2 });
  e = await err(client.call(TEST_PROG, 1, 99, voidc, undefined, voidc));
  t.match(e, { code: 'ERR_RPC_PROC_UNAVAIL' });
  // GARBAGE_ARGS: arguments that fail to decode, and arguments with bytes left over.
  e = await err(client.call(TEST_PROG, 1, PROC.GATE, voidc, undefined, voidc));
  t.match(e, { code: 'ERR_RPC_GARBAGE_ARGS' });
  e = await err(client.call(TEST_PROG, 1, PROC.NULL, u32, 5, voidc));
  t.match(e, { code: 'ERR_RPC_GARBAGE_ARGS' });
  e = await err(client.call(TEST_PROG, 1, PROC.ECHO, u32, 0xffffffff, opaque));
  t.match(e, { code: 'ERR_RPC_GARBAGE_ARGS' }, 'a 4 GiB opaque length is garbage, not an allocation');
  // SYSTEM_ERR: sync throw, async rejection, a result codec whose size() lies.
  for (const proc of [PROC.THROW, PROC.THROW_ASYNC, PROC.THROW, PROC.LIE]) {
    e = await err(client.call(TEST_PROG, 1, proc, voidc, undefined, voidc));
    t.match(e, { code: 'ERR_RPC_SYSTEM_ERR' });
  }
  e = await err(client.call(TEST_PROG, 1, PROC.TOOWEAK, voidc, undefined, voidc));
  t.match(e, { code: 'ERR_RPC_AUTH', authStat: 5 });
  // The connection survived all of it.
  t.same(await client.call(TEST_PROG, 1, PROC.ECHO, opaque, Buffer.from('still here'), opaque), Buffer.from('still here'));
});

t.test('SYSTEM_ERR is logged once per cause, not per call', async (t) => {
  const lines: { level: number; msg: string }[] = [];
  const pino = (await import('pino')).default;
  const logger = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  const { client } = await setup(t, { logger });
  for (let i = 0; i < 20; i++) await client.call(TEST_PROG, 1, PROC.THROW, voidc, undefined, voidc).catch(() => {});
  for (let i = 0; i < 20; i++) await client.call(TEST_PROG, 1, PROC.THROW_ASYNC, voidc, undefined, voidc).catch(() => {});
  for (let i = 0; i < 20; i++) await client.call(TEST_PROG, 1, PROC.NULL, voidc, undefined, voidc);
  const errors = lines.filter((l) => l.level >= 50);
  t.equal(errors.length, 2, 'one error line for each of the two causes');
  t.equal(lines.length, 2, 'nothing per call at info level');
});

t.test('checkAuth can refuse credentials with AUTH_TOOWEAK', async (t) => {
  const { client } = await setup(t, {
    checkAuth: (ctx) => {
      if (ctx.proc !== 0 && ctx.cred.flavor !== 1) throw new RpcAuthError(5);
    },
  });
  await client.call(TEST_PROG, 1, PROC.NULL, voidc, undefined, voidc);
  await t.rejects(client.call(TEST_PROG, 1, PROC.WHOAMI, voidc, undefined, str), { code: 'ERR_RPC_AUTH', authStat: 5 });
  const ok = JSON.parse(await client.call(TEST_PROG, 1, PROC.WHOAMI, voidc, undefined, str, { cred: authSys({ uid: 0, gid: 0 }) }));
  t.equal(ok.cred.flavor, 1);
});

t.test('several programs share one port', async (t) => {
  const server = new RpcServer();
  const mk = (prog: number, name: string, versions: number[]): Program => ({
    prog, name,
    versions: Object.fromEntries(versions.map((v) => [v, { procedures: { 0: { name: 'NULL', args: voidc, res: voidc, handler: () => {} }, 1: { name: 'WHO', args: voidc, res: u32, handler: () => prog + v } } }])),
  });
  server.register(mk(100003, 'nfs', [3]));
  server.register(mk(100005, 'mount', [1, 3]));
  server.register(mk(400122, 'localio', [1]));
  t.throws(() => server.register(mk(100003, 'nfs again', [3])), { code: 'ERR_RPC_INVALID_OPTION' });
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new RpcClient({ host: '127.0.0.1', port });
  t.teardown(async () => { await client.close(); await server.close(); });
  t.equal(await client.call(100003, 3, 1, voidc, undefined, u32), 100006);
  t.equal(await client.call(100005, 1, 1, voidc, undefined, u32), 100006);
  t.equal(await client.call(100005, 3, 1, voidc, undefined, u32), 100008);
  t.equal(await client.call(400122, 1, 1, voidc, undefined, u32), 400123);
  await t.rejects(client.call(100005, 2, 0, voidc, undefined, voidc), { code: 'ERR_RPC_PROG_MISMATCH', low: 1, high: 3 });
  await t.rejects(client.call(100227, 3, 0, voidc, undefined, voidc), { code: 'ERR_RPC_PROG_UNAVAIL' });
  t.equal(server.connectionCount, 1);
});

t.test('close() lets in-flight calls reply, then ends connections', async (t) => {
  const gates = new Gates();
  const server = new RpcServer();
  server.register(testProgram(gates));
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new RpcClient({ host: '127.0.0.1', port, reconnect: { retries: 0 } });
  const inflight = client.call(TEST_PROG, 1, PROC.GATE, u32, 9, u32);
  await gates.reached(9);
  const closing = server.close();
  let closed = false;
  void closing.then(() => { closed = true; });
  await new Promise((r) => setImmediate(r));
  t.notOk(closed, 'close waits for the call in progress');
  gates.open(9);
  t.equal(await inflight, 9, 'the in-flight call got its reply');
  await closing;
  t.equal(server.connectionCount, 0);
  await t.rejects(server.listen(0), { code: 'ERR_RPC_CLOSED' });
  await client.close();
});

t.test('close() destroys connections whose calls outlive its timeout', async (t) => {
  const gates = new Gates();
  const server = new RpcServer();
  server.register(testProgram(gates));
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new RpcClient({ host: '127.0.0.1', port, reconnect: { retries: 0 } });
  const stuck = client.call(TEST_PROG, 1, PROC.GATE, u32, 1, u32).catch((e: unknown) => e);
  await gates.reached(1);
  await server.close({ timeoutMs: 10 });
  t.equal(server.connectionCount, 0);
  gates.open(1); // the handler finishes after its connection is gone: nothing breaks
  t.match(await stuck, { code: 'ERR_RPC_CONNECT' }, 'the client gives up after its retries');
  await client.close();
});

t.test('options are validated and errors name the property', async (t) => {
  t.throws(() => new RpcServer({ maxRecordSize: -1 }), { code: 'ERR_RPC_INVALID_OPTION', message: /maxRecordSize/ });
  t.throws(() => new RpcServer({ maxInFlightPerConnection: 0 }), { message: /maxInFlightPerConnection/ });
  t.throws(() => new RpcServer({ logger: {} as never }), { message: /logger/ });
  t.throws(() => new RpcClient({ host: '', port: 1 }), { message: /host/ });
  t.throws(() => new RpcClient({ host: 'x', port: 70000 }), { message: /port/ });
  t.throws(() => new RpcClient({ host: 'x', port: 1, reconnect: { minDelayMs: 10, maxDelayMs: 5 } }), { message: /reconnect.maxDelayMs/ });
  t.throws(() => authSys({ uid: 0, gid: 0, gids: Array(17).fill(1) }), { code: 'ERR_RPC_INVALID_OPTION' });
  t.throws(() => authSys({ uid: -1, gid: 0 }), { message: /uid/ });
  t.throws(() => authSys({ uid: 0, gid: 0, machinename: 'x'.repeat(256) }), { code: 'ERR_RPC_INVALID_OPTION' });
});


t.test('backpressure: a connection at its in-flight limit is not read further until a call finishes', async (t) => {
  const events: string[] = [];
  const gates = new Gates();
  const server = new RpcServer({ maxInFlightPerConnection: 3 });
  const prog = testProgram(gates);
  const gate = prog.versions[1]!.procedures[PROC.GATE]!;
  const logged = { ...gate, handler: (tag: number, ctx: CallContext) => { events.push(`start ${tag}`); return gate.handler(tag, ctx); } };
  server.register({ ...prog, versions: { 1: { procedures: { ...prog.versions[1]!.procedures, [PROC.GATE]: logged } } } });
  const { port } = await server.listen(0, '127.0.0.1');
  const raw = await RawConn.open(port);
  t.teardown(async () => { await raw.destroy(); await server.close(); });
  // Ten calls in one write: the server must hold back all but three.
  raw.send(Buffer.concat(Array.from({ length: 10 }, (_, i) => rawCall({ xid: i + 1, prog: TEST_PROG, vers: 1, proc: PROC.GATE, args: Buffer.from([0, 0, 0, i + 1]) }))));
  for (let tag = 1; tag <= 10; tag++) {
    await gates.reached(tag);
    t.equal(gates.count, Math.min(3, 11 - tag), `calls in progress when call ${tag} is the oldest`);
    events.push(`open ${tag}`);
    gates.open(tag);
    if (tag + 3 <= 10) await gates.reached(tag + 3);
    else await raw.next();
  }
  t.same(events.slice(0, 4), ['start 1', 'start 2', 'start 3', 'open 1'], 'the fourth call waits for the first to finish');
  t.ok(events.indexOf('start 10') > events.indexOf('open 7'), 'the tenth call starts only after the seventh finishes');
});

t.test('a peer that half-closes after its calls still gets every reply', async (t) => {
  const gates = new Gates();
  const server = new RpcServer();
  server.register(testProgram(gates));
  const { port } = await server.listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  const raw = await RawConn.open(port);
  raw.send(rawCall({ xid: 1, prog: TEST_PROG, vers: 1, proc: PROC.GATE, args: Buffer.from([0, 0, 0, 1]) }));
  raw.send(rawCall({ xid: 2, prog: TEST_PROG, vers: 1, proc: PROC.NULL }));
  raw.socket.end();
  await gates.reached(1);
  gates.open(1);
  const first = await raw.next();
  const second = await raw.next();
  t.same([first?.readUInt32BE(0), second?.readUInt32BE(0)].sort(), [1, 2], 'both replies arrive after the half-close');
  t.equal(await raw.next(), null, 'then the server ends the connection');
  await raw.closed;
});

t.test('no TCP handles are left open', async (t) => {
  await new Promise((r) => setImmediate(r));
  t.equal(tcpHandles(), 0);
});

t.test('small replies gathered under one cork come out as intact records, each to its own call', async (t) => {
  const { client } = await setup(t);
  const n = 500;
  const replies = await Promise.all(Array.from({ length: n }, (_, i) => {
    const payload = Buffer.alloc(i % 300, i & 0xff);
    return client.call(TEST_PROG, 1, PROC.ECHO, opaque, payload, opaque).then((b) => b.equals(payload));
  }));
  t.equal(replies.filter(Boolean).length, n, 'every echo came back to its caller, byte for byte');
  // a large reply between small ones keeps its place as a whole record
  const big = Buffer.alloc(100_000, 7);
  const mixed = await Promise.all([
    client.call(TEST_PROG, 1, PROC.ECHO, opaque, Buffer.from('a'), opaque),
    client.call(TEST_PROG, 1, PROC.ECHO, opaque, big, opaque),
    client.call(TEST_PROG, 1, PROC.ECHO, opaque, Buffer.from('b'), opaque),
  ]);
  t.equal(mixed[0]!.toString(), 'a');
  t.ok(mixed[1]!.equals(big));
  t.equal(mixed[2]!.toString(), 'b');
});

t.test('large call records are joined into pooled buffers, reused only once their replies are written', async (t) => {
  const { client, server } = await setup(t);
  const pool = server.recordPool;
  t.equal(pool.idleCount, 0);
  // ECHO answers a view of its arguments, so each reply holds its call's record until written
  const payloads = Array.from({ length: 6 }, (_, i) => Buffer.alloc(300_000 + i, 0x30 + i));
  const back = await Promise.all(payloads.map((p) => client.call(TEST_PROG, 1, PROC.ECHO, opaque, p, opaque)));
  t.ok(back.every((b, i) => b.equals(payloads[i]!)), 'concurrent large echoes each came back intact');
  const deadline = Date.now() + 5000;
  while (pool.idleCount === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  t.ok(pool.idleCount >= 1, `record buffers returned after their replies were written (${pool.idleCount} idle)`);
  const again = await Promise.all(payloads.map((p) => client.call(TEST_PROG, 1, PROC.ECHO, opaque, p, opaque)));
  t.ok(again.every((b, i) => b.equals(payloads[i]!)), 'and reused without mixing bytes');
});

t.test('AUTH_SYS credentials: the parse is reused while a connection repeats the same bytes, never across different ones', async (t) => {
  const seen: CallContext['cred'][] = [];
  const server = new RpcServer();
  server.register({
    prog: 0x20000002, name: 'who', versions: { 1: { procedures: { 1: { name: 'WHO', args: voidc, res: str, handler: (_: void, ctx: CallContext) => { seen.push(ctx.cred); return JSON.stringify(ctx.cred); } } } } },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const conn = await RawConn.open(port);
  t.teardown(async () => { await conn.destroy(); await server.close(); });
  const a = authSysBody({ uid: 1, gid: 2, gids: [3] });
  const b = authSysBody({ uid: 1, gid: 2, gids: [4] }); // same length, one byte apart
  const bodies = [a, a, b, a, b, b];
  const who = async (body: Buffer, xid: number) => {
    const r = await conn.call({ xid, prog: 0x20000002, vers: 1, proc: 1, credFlavor: 1, credBody: body });
    t.equal(r.stat, 'accepted');
    return JSON.parse((r as { body: Buffer }).body.subarray(4, 4 + (r as { body: Buffer }).body.readUInt32BE(0)).toString());
  };
  for (const [i, body] of bodies.entries()) {
    const got = await who(body, 100 + i);
    t.same(got.sys.gids, body === a ? [3] : [4], `call ${i} sees its own credential`);
  }
  t.equal(seen[0], seen[1], 'the same bytes twice in a row: one parse, one shared object');
  t.not(seen[2], seen[1], 'different bytes: parsed anew');
  t.same([seen[3]!.flavor === 1 && seen[3]!.sys.gids, seen[5]!.flavor === 1 && seen[5]!.sys.gids], [[3], [4]]);
  t.ok(Object.isFrozen(seen[0]) && seen[0]!.flavor === 1 && Object.isFrozen(seen[0]!.sys) && Object.isFrozen(seen[0]!.sys.gids), 'a shared credential cannot be changed by a handler');
  // a malformed body after a good one is still refused (the cache matches whole bodies only)
  const bad = Buffer.concat([a, Buffer.alloc(4)]);
  const r = await conn.call({ xid: 200, prog: 0x20000002, vers: 1, proc: 1, credFlavor: 1, credBody: bad });
  t.match(r, { stat: 'denied', authStat: 1 }, 'trailing bytes: AUTH_BADCRED');
  t.same((await who(a, 201)).sys.uid, 1, 'and the next good call is served');
});
