// The server's limits against clients that hog it: reply budgets that stop dispatching, a
// bounded buffer pool that holds calls, the connection cap, and the idle, record and
// write-progress timeouts (short ones here), each counted by stats().
import t from 'tap';
import { BufferPool, RpcServer, type Procedure, type Program, type RpcServerOptions } from '../src/index.js';
import { Gates, PROC, RawConn, TEST_PROG, opaque, rawCall, testProgram, u32, until } from './helpers.js';

const MiB = 1024 * 1024;
const BIG = 20;
const POOLED = 21;
const big = Buffer.alloc(MiB, 0x42);

/** The test program plus BIG (a 1 MiB reply by reference, announced by replyBytes) and POOLED (a gated call holding a pool buffer). */
function program(gates: Gates, counts: { big: number; pooled: number }, pool: BufferPool): Program {
  const base = testProgram(gates);
  const procs: Record<number, Procedure> = { ...base.versions[1]!.procedures };
  procs[BIG] = {
    name: 'BIG', args: u32, res: opaque,
    handler: () => { counts.big++; return big; },
    replyBytes: () => MiB + 8,
  };
  procs[POOLED] = {
    name: 'POOLED', args: u32, res: opaque,
    handler: async (tag: number) => {
      counts.pooled++;
      const b = pool.take(64);
      b.fill(tag);
      await gates.wait(tag);
      return b;
    },
    sent: (b: Buffer) => pool.release(b),
    bufferPool: () => pool,
  };
  return { prog: TEST_PROG, name: 'test', versions: { 1: { procedures: procs } } };
}

async function setup(t: { teardown(fn: () => unknown): void }, opts: RpcServerOptions, poolMax = 4) {
  const gates = new Gates();
  const counts = { big: 0, pooled: 0 };
  const pool = new BufferPool(4096, 2, poolMax);
  const server = new RpcServer(opts);
  server.register(program(gates, counts, pool));
  const { port } = await server.listen(0, '127.0.0.1');
  const raws: RawConn[] = [];
  const open = async (): Promise<RawConn> => {
    const r = await RawConn.open(port);
    raws.push(r);
    return r;
  };
  t.teardown(async () => {
    for (const r of raws) await r.destroy();
    await server.close({ timeoutMs: 500 });
  });
  return { gates, counts, pool, server, open };
}

const call = (xid: number, proc: number, tag = 0): Buffer => rawCall({ xid, prog: TEST_PROG, vers: 1, proc, args: Buffer.from([0, 0, 0, tag]) });
const pipeline = (n: number, proc: number, xid0 = 1): Buffer => Buffer.concat(Array.from({ length: n }, (_, i) => call(xid0 + i, proc)));

t.test('a connection that reads no replies stops being served at its reply budget, and is served again once it reads', async (t) => {
  const { counts, server, open } = await setup(t, { maxQueuedReplyBytes: 2 * MiB });
  const raw = await open();
  raw.socket.pause();
  const n = 64;
  raw.send(pipeline(n, BIG));
  await until(() => server.stats().dispatchWaits > 0);
  await new Promise((r) => setTimeout(r, 100));
  const ran = counts.big;
  t.ok(ran < n / 2, `only ${ran} of ${n} 1 MiB calls were dispatched while their replies went unread`);
  t.ok(server.stats().queuedReplyBytes <= 2 * MiB + MiB + 64, `charged ${server.stats().queuedReplyBytes} bytes: the budget plus one reply at most`);
  raw.socket.resume();
  for (let i = 0; i < n; i++) t.ok(await raw.next(), `reply ${i + 1}`, { diagnostic: false });
  t.equal(counts.big, n, 'every call ran once the client read');
  await until(() => server.stats().queuedReplyBytes === 0);
  t.pass('and nothing stays charged');
});

t.test('calls a budget holds back are still answered when the peer half-closes after sending them', async (t) => {
  const { counts, open } = await setup(t, { maxQueuedReplyBytes: 2 * MiB });
  const raw = await open();
  const n = 24;
  raw.send(pipeline(n, BIG));
  raw.socket.end();
  const xids: number[] = [];
  for (let rec = await raw.next(); rec !== null; rec = await raw.next()) xids.push(rec.readUInt32BE(0));
  t.equal(xids.length, n, 'every call got its reply before the server closed');
  t.equal(counts.big, n);
});

t.test('past the total budget heavy connections wait, light ones are served, and one making no write progress is cut off', async (t) => {
  const { counts, server, open } = await setup(t, { maxQueuedReplyBytesTotal: 2 * MiB, writeTimeoutMs: 200 });
  const hog = await open();
  hog.socket.pause();
  hog.send(pipeline(64, BIG));
  await until(() => server.stats().queuedReplyBytes >= 2 * MiB);
  const ran = counts.big;
  const other = await open();
  other.send(call(1, PROC.NULL));
  t.ok(await other.next(), 'a light call on another connection is answered past the total');
  t.equal(server.stats().closedWriteTimeout, 0, 'while the hog is still connected');
  t.equal(counts.big, ran, 'the hog got no more calls dispatched');
  await until(() => server.stats().closedWriteTimeout === 1);
  t.pass('the hog was closed for making no write progress');
  t.equal(server.stats().connections, 1);
  await until(() => server.stats().queuedReplyBytes === 0);
  t.pass('its queued bytes left the total with it');
  other.send(call(2, PROC.NULL));
  t.ok(await other.next(), 'the other connection is still served');
});

t.test('calls that need a buffer from an exhausted pool wait undispatched until one comes back', async (t) => {
  const { gates, counts, pool, open } = await setup(t, {}, 2);
  const raw = await open();
  raw.send(Buffer.concat([1, 2, 3, 4].map((tag) => call(tag, POOLED, tag))));
  await gates.reached(1);
  await gates.reached(2);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(counts.pooled, 2, 'two calls run: the pool holds two buffers');
  t.ok(pool.exhausted);
  gates.open(1);
  t.equal((await raw.next())?.readUInt32BE(0), 1, 'the first reply');
  await gates.reached(3);
  t.equal(counts.pooled, 3, 'its buffer came back and the third call ran');
  gates.open(2);
  gates.open(3);
  await gates.reached(4);
  gates.open(4);
  const xids = [(await raw.next())!.readUInt32BE(0), (await raw.next())!.readUInt32BE(0), (await raw.next())!.readUInt32BE(0)].sort();
  t.same(xids, [2, 3, 4]);
  t.equal(pool.lentCount, 0, 'every buffer was given back');
  t.equal(pool.overflowCount, 0, 'none was allocated past the pool');
});

t.test('maxConnections: the longest-idle connection makes room; with none idle a new one is refused', async (t) => {
  const { gates, server, open } = await setup(t, { maxConnections: 2 });
  const a = await open();
  const b = await open();
  a.send(call(1, PROC.GATE, 1));
  b.send(call(2, PROC.GATE, 2));
  await gates.reached(1);
  await gates.reached(2);
  const c = await open();
  await c.closed;
  t.equal(server.stats().refused, 1, 'both connections busy: the new one is refused');
  gates.open(1);
  await a.next();
  const d = await open();
  await a.closed;
  t.equal(server.stats().closedForNew, 1, 'the idle one was closed for the new one');
  d.send(call(3, PROC.NULL));
  t.ok(await d.next(), 'and the new one is served');
  gates.open(2);
  t.ok(await b.next(), 'the busy one kept its call');
});

t.test('idle and record timeouts, and the total budget for partly received records', async (t) => {
  const { server, open } = await setup(t, { idleTimeoutMs: 150, recordTimeoutMs: 100, maxPartialRecordBytesTotal: 100_000 });
  const idle = await open();
  await idle.closed;
  t.equal(server.stats().closedIdle, 1, 'an idle connection is closed');
  const partial = await open();
  partial.send(call(1, PROC.NULL).subarray(0, 20));
  await partial.closed;
  t.equal(server.stats().closedRecordTimeout, 1, 'a record left incomplete closes its connection');
  const park = (): Buffer => {
    const b = Buffer.alloc(4 + 70_000);
    b.writeUInt32BE(0x80000000 + 200_000, 0);
    return b;
  };
  const first = await open();
  first.send(park());
  await until(() => server.stats().partialRecordBytes >= 70_000);
  await new Promise((r) => setTimeout(r, 30));
  const second = await open();
  second.send(park());
  await first.closed;
  t.equal(server.stats().closedPartialBudget, 1, 'past the budget the stalest partial record is shed');
  t.notOk(second.socket.destroyed, 'the newer one stays (until its own record timeout)');
  await second.closed;
  t.equal(server.stats().closedRecordTimeout, 2);
  t.equal(server.stats().partialRecordBytes, 0, 'no partial bytes remain counted');
});

t.test('limit options are validated and errors name the property', async (t) => {
  for (const k of ['maxConnections', 'idleTimeoutMs', 'recordTimeoutMs', 'writeTimeoutMs', 'maxQueuedReplyBytesTotal', 'maxPartialRecordBytesTotal']) {
    t.throws(() => new RpcServer({ [k]: 0 } as RpcServerOptions), { code: 'ERR_RPC_INVALID_OPTION', message: new RegExp(k) });
  }
});

t.test('a peer that resets its connection leaves nothing charged or lent behind', async (t) => {
  const { server, open } = await setup(t, { maxQueuedReplyBytesTotal: 2 * MiB });
  const hog = await open();
  hog.socket.pause();
  hog.send(pipeline(64, BIG));
  await until(() => server.stats().queuedReplyBytes >= 2 * MiB);
  const hogCharge = server.stats().queuedReplyBytes;
  // a 100 KB call arrives in several chunks, is joined into a pooled buffer and held: the total is full
  const raw = await open();
  raw.send(rawCall({ xid: 2, prog: TEST_PROG, vers: 1, proc: PROC.ECHO, args: Buffer.concat([Buffer.from([0, 1, 0x86, 0xa0]), Buffer.alloc(100_000, 2)]) }));
  await until(() => server.recordPool.lentCount === 1);
  t.ok(server.stats().queuedReplyBytes >= hogCharge + 100_000, 'the held record is charged');
  raw.socket.resetAndDestroy();
  await until(() => server.stats().connections === 1);
  await until(() => server.recordPool.lentCount === 0);
  t.pass('the held record went back to the pool');
  t.ok(server.stats().queuedReplyBytes < hogCharge + 100_000, 'and off the charge');
  hog.socket.resetAndDestroy();
  await until(() => server.stats().connections === 0);
  await until(() => server.stats().queuedReplyBytes === 0);
  t.pass('nothing stays charged');
});
