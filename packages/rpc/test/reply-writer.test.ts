// The reply writer's uncorked path: a tick whose replies are all small writes them as one buffer
// without corking the socket. Proves the path is taken (its counter) and that it keeps what the
// corked path kept: every reply intact and to its own call, back-pressure from a client that does
// not read, and the sent() release of a result's buffers.
import t from 'tap';
import { RpcServer, type Procedure, type Program, type SocketReadBuffer } from '../src/index.js';
import { FLUSH_EARLY_REPLIES, replyWriterCounters } from '../src/reply.js';
import { RawConn, TEST_PROG, opaque, parseReply, rawCall, u32, until } from './helpers.js';

const ECHO = 1;
const KEPT = 2;

function program(counts: { echo: number; kept: number; released: number }): Program {
  const procedures: Record<number, Procedure> = {
    [ECHO]: { name: 'ECHO', args: opaque, res: opaque, handler: (a: Buffer) => { counts.echo++; return Buffer.from(a); } },
    // a small result whose buffer is released by sent() once its reply is out
    [KEPT]: {
      name: 'KEPT', args: u32, res: opaque,
      handler: (n: number) => { counts.kept++; return Buffer.alloc(16, n & 0xff); },
      sent: () => { counts.released++; },
    },
  };
  return { prog: TEST_PROG, name: 'test', versions: { 1: { procedures } } };
}

async function setup(t: { teardown(fn: () => unknown): void }, socketReadBuffer: SocketReadBuffer, maxQueuedReplyBytes?: number) {
  const counts = { echo: 0, kept: 0, released: 0 };
  const server = new RpcServer({ socketReadBuffer, ...(maxQueuedReplyBytes !== undefined ? { maxQueuedReplyBytes } : {}) });
  server.register(program(counts));
  const { port } = await server.listen(0, '127.0.0.1');
  const raw = await RawConn.open(port);
  t.teardown(async () => {
    await raw.destroy();
    await server.close({ timeoutMs: 500 });
  });
  return { counts, server, raw };
}

const echoCall = (xid: number, payload: Buffer): Buffer => {
  const args = Buffer.alloc(4 + payload.length + ((4 - (payload.length & 3)) & 3));
  args.writeUInt32BE(payload.length, 0);
  payload.copy(args, 4);
  return rawCall({ xid, prog: TEST_PROG, vers: 1, proc: ECHO, args });
};

for (const mode of ['reuse', 'fresh'] as const) {
  t.test(`${mode}: one small call at a time is answered by an uncorked write, each reply intact`, async (t) => {
    const { raw, counts } = await setup(t, mode);
    const n = 200;
    const before = replyWriterCounters.plainWrites;
    const earlyBefore = replyWriterCounters.earlyFlushes;
    for (let i = 0; i < n; i++) {
      const payload = Buffer.alloc(1 + (i % 100), i & 0xff);
      raw.send(echoCall(1000 + i, payload));
      const rec = await raw.next();
      const r = parseReply(rec!);
      if (r.xid !== 1000 + i || r.stat !== 'accepted' || !r.body.subarray(4, 4 + payload.length).equals(payload)) {
        t.fail(`reply ${i} is not the echo of its call`);
        return;
      }
    }
    t.equal(counts.echo, n);
    t.ok(replyWriterCounters.plainWrites - before >= n, `${replyWriterCounters.plainWrites - before} uncorked writes for ${n} calls`);
    t.equal(replyWriterCounters.earlyFlushes, earlyBefore, 'one call at a time never flushes before the end of its tick');
  });
}

// A client with 16 calls in flight sends them in one write: the first FLUSH_EARLY_REPLIES replies
// leave as soon as they are made, not in one write at the end of the tick, and none is lost,
// reordered or released twice on the way.
for (const proc of [ECHO, KEPT] as const) {
  t.test(`${proc === ECHO ? 'small replies' : 'replies with a sent() hook'}: a burst of calls has its first replies flushed early, every reply in order`, async (t) => {
    const { raw, counts } = await setup(t, 'reuse');
    const n = 4 * FLUSH_EARLY_REPLIES;
    const before = replyWriterCounters.earlyFlushes;
    const calls = Buffer.concat(Array.from({ length: n }, (_, i) => (proc === ECHO
      ? echoCall(500 + i, Buffer.alloc(8, i))
      : rawCall({ xid: 500 + i, prog: TEST_PROG, vers: 1, proc: KEPT, args: Buffer.from([0, 0, 0, i]) }))));
    raw.send(calls);
    const xids: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = parseReply((await raw.next())!);
      // both results are a length word, then bytes filled with the call's index
      if (r.stat !== 'accepted' || r.body[4] !== ((r.xid - 500) & 0xff)) t.fail(`reply to ${r.xid} is not its call's`);
      xids.push(r.xid);
    }
    t.same(xids, Array.from({ length: n }, (_, i) => 500 + i), 'one reply per call, in the order of the calls');
    // the calls arrive in one chunk (or a few): a chunk of at least FLUSH_EARLY_REPLIES calls flushes early, once
    t.ok(replyWriterCounters.earlyFlushes - before >= 1, `${replyWriterCounters.earlyFlushes - before} early flushes for ${n} calls sent at once`);
    if (proc === KEPT) {
      await until(() => counts.released === n);
      t.equal(counts.released, counts.kept, 'every result released once');
    }
  });
}

t.test('small results with a sent() hook are released once each, their replies intact', async (t) => {
  const { raw, counts } = await setup(t, 'reuse');
  const n = 100;
  const calls = Buffer.concat(Array.from({ length: n }, (_, i) => rawCall({ xid: i + 1, prog: TEST_PROG, vers: 1, proc: KEPT, args: Buffer.from([0, 0, 0, i]) })));
  raw.send(calls);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const r = parseReply((await raw.next())!);
    t.ok(r.stat === 'accepted' && r.body.readUInt32BE(0) === 16 && r.body[4] === ((r.xid - 1) & 0xff), `reply to ${r.xid}`, { diagnostic: false });
    seen.add(r.xid);
  }
  t.equal(seen.size, n, 'one reply per call');
  await until(() => counts.released === n);
  t.equal(counts.released, counts.kept, 'every result released once');
});

t.test('a client that reads no small replies stops being served at its reply budget, then gets every reply in order', async (t) => {
  const budget = 64 * 1024;
  const { raw, counts, server } = await setup(t, 'reuse', budget);
  raw.socket.pause();
  const n = 20_000;
  const payload = Buffer.alloc(400, 9); // a 436-byte reply: the small, uncorked path
  const before = replyWriterCounters.plainWrites;
  const chunks: Buffer[] = [];
  for (let i = 0; i < n; i++) chunks.push(echoCall(i + 1, payload));
  raw.send(Buffer.concat(chunks));
  await until(() => server.stats().dispatchWaits > 0);
  await new Promise((r) => setTimeout(r, 100));
  const ran = counts.echo;
  t.ok(ran < n, `only ${ran} of ${n} calls were dispatched while their replies went unread`);
  // the budget, plus the replies to one socket read's records (64 KiB of calls, dispatched in one tick) and the socket's high-water mark
  t.ok(server.queuedReplyBytes() <= budget + 2 * 64 * 1024, `${server.queuedReplyBytes()} reply bytes queued`);
  t.ok(replyWriterCounters.plainWrites > before, 'the replies went out by the uncorked path');
  raw.socket.resume();
  for (let i = 0; i < n; i++) {
    const rec = await raw.next();
    if (rec === null || rec.readUInt32BE(0) !== i + 1) {
      t.fail(`reply ${i + 1} missing or out of order`);
      return;
    }
  }
  t.equal(counts.echo, n, 'every call ran once the client read');
  await until(() => server.stats().queuedReplyBytes === 0);
  t.pass('and nothing stays charged');
});
