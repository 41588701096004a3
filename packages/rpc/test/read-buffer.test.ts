// Sockets reading into one reused buffer (socketReadBuffer 'reuse', issue 12): the record reader's
// transient mode copies out every byte it keeps before push() returns, so the bytes survive the
// buffer's reuse; the server and the client really read through onread (counted); a paused
// connection reads no further, loses nothing and holds at most one read.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import {
  BufferPool, DIVERT_MIN_RECORD, RecordReader, RpcClient, RpcServer, type RecordDivert, type RpcServerOptions,
} from '../src/index.js';
import { SERVER_READ_BUFFER_SIZE } from '../src/read-buffer.js';
import { Gates, PROC, RawConn, TEST_PROG, opaque, parseReply, rawCall, testProgram, until } from './helpers.js';

const MODES = ['reuse', 'fresh'] as const;

/** A call record for ECHO of `payload` (record mark included). */
function echoCall(xid: number, payload: Buffer): Buffer {
  const args = Buffer.alloc(4 + payload.length + ((4 - (payload.length & 3)) & 3));
  args.writeUInt32BE(payload.length, 0);
  payload.copy(args, 4);
  return rawCall({ xid, prog: TEST_PROG, vers: 1, proc: PROC.ECHO, args });
}

/** Feeds `stream` to `reader` cut at `cuts`, each piece through one scratch buffer overwritten after every push. */
function feedReused(reader: RecordReader, stream: Buffer, cuts: number[]): void {
  const scratch = Buffer.alloc(stream.length);
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    const c = Math.min(cut, stream.length);
    if (c <= from) continue;
    stream.copy(scratch, 0, from, c);
    reader.push(scratch.subarray(0, c - from));
    scratch.fill(0xee); // what a reused read buffer does to bytes a record still pointed at
    from = c;
  }
}

t.test('transient RecordReader: records cut at every position (and several in one chunk) come out intact', async (t) => {
  const recs = [randomBytes(37), randomBytes(1), randomBytes(300), randomBytes(0), randomBytes(90)];
  const stream = Buffer.concat(recs.flatMap((r) => [Buffer.from([0x80, 0, r.length >> 8, r.length & 0xff]), r]));
  let bad = 0;
  for (let cut = 0; cut <= stream.length; cut++) {
    for (const second of [cut + 1, cut + 7, stream.length]) {
      const got: Buffer[] = [];
      const reader = new RecordReader(1 << 20, (rec) => got.push(rec), undefined, undefined, { transient: true });
      feedReused(reader, stream, [cut, second]);
      if (got.length !== recs.length || got.some((g, i) => !g.equals(recs[i]!)) || !reader.idle) bad++;
    }
  }
  t.equal(bad, 0, 'every cut: the same records, byte for byte, after the chunks were overwritten');
});

t.test('transient RecordReader: multi-fragment records, and large ones copied into a pooled buffer of their size', async (t) => {
  const pool = new BufferPool(256 * 1024, 4, 8);
  const big = randomBytes(100_000);
  // one record in three fragments, then a large single-fragment one
  const frag = (b: Buffer, last: boolean) => {
    const h = Buffer.alloc(4);
    h.writeUInt32BE((last ? 0x80000000 : 0) + b.length);
    return [h, b];
  };
  const multi = randomBytes(5000);
  const stream = Buffer.concat([...frag(multi.subarray(0, 10), false), ...frag(multi.subarray(10, 4000), false), ...frag(multi.subarray(4000), true), ...frag(big, true)]);
  let bad = 0;
  for (let cut = 1; cut < stream.length; cut += 997) {
    const got: Buffer[] = [];
    const reader = new RecordReader(1 << 20, (rec) => got.push(rec), undefined, (n) => (n >= 65536 ? pool.tryTake(n) : null),
      { transient: true, free: (b) => pool.release(b) });
    feedReused(reader, stream, [cut, cut + 65536]);
    if (got.length !== 2 || !got[0]!.equals(multi) || !got[1]!.equals(big)) bad++;
    if (pool.lentCount !== 1) bad++; // the large record, lent to its owner
    for (const g of got) pool.release(g);
  }
  t.equal(bad, 0, 'every cut: both records intact, the large one in a pooled buffer');
  // a record abandoned half way gives its pooled buffer back
  const reader = new RecordReader(1 << 20, () => t.fail('no record'), undefined, (n) => pool.tryTake(n), { transient: true, free: (b) => pool.release(b) });
  feedReused(reader, stream.subarray(5000 + 12, 5000 + 12 + 4 + 70_000), []);
  t.equal(pool.lentCount, 1, 'the partial record holds one pooled buffer');
  reader.discard();
  t.equal(pool.lentCount, 0, 'discard() gave it back');
});

t.test('transient RecordReader: a diverted bulk is copied straight to its dest at every cut', async (t) => {
  const rec = randomBytes(DIVERT_MIN_RECORD * 3);
  const stream = Buffer.concat([Buffer.from([0x80, 0, 0, 0]), rec]);
  stream.writeUInt32BE(0x80000000 + rec.length, 0);
  const start = 100; // inside the 256-byte head: the kept bytes are split afterwards
  const length = rec.length - 300;
  let bad = 0;
  for (const cut of [1, 4, 50, 104, 200, 260, 261, 4000, 40_000, stream.length - 10]) {
    const dest = Buffer.alloc(length);
    const got: Array<{ rec: Buffer; d: RecordDivert | null }> = [];
    const reader = new RecordReader(1 << 20, (r, d) => got.push({ rec: r, d }), () => ({ start, length, dest }), undefined, { transient: true });
    feedReused(reader, stream, [cut]);
    const kept = Buffer.concat([rec.subarray(0, start), rec.subarray(start + length)]);
    if (got.length !== 1 || got[0]!.d === null || !got[0]!.rec.equals(kept) || !dest.equals(rec.subarray(start, start + length))) bad++;
  }
  t.equal(bad, 0, 'the bulk landed in dest and the record kept the rest, at every cut');
});

async function serve(t: { teardown(fn: () => unknown): void }, opts: RpcServerOptions) {
  const gates = new Gates();
  const server = new RpcServer(opts);
  server.register(testProgram(gates));
  const { port } = await server.listen(0, '127.0.0.1');
  t.teardown(() => server.close({ timeoutMs: 500 }));
  return { server, port, gates };
}

for (const mode of MODES) {
  t.test(`server (${mode}): calls cut at every position across socket reads are answered exactly`, async (t) => {
    const { server, port } = await serve(t, { socketReadBuffer: mode });
    const conn = await RawConn.open(port);
    t.teardown(() => conn.destroy());
    const payloads = [randomBytes(13), randomBytes(70), randomBytes(1)];
    const stream = Buffer.concat(payloads.map((p, i) => echoCall(i + 1, p)));
    let bad = 0;
    for (let cut = 1; cut < stream.length; cut++) {
      conn.send(stream.subarray(0, cut));
      const before = server.received;
      await until(() => server.received > before); // the first piece was read on its own
      conn.send(stream.subarray(cut));
      for (let i = 0; i < payloads.length; i++) {
        const r = parseReply((await conn.next())!);
        if (r.stat !== 'accepted' || r.xid !== i + 1 || !r.body.subarray(4, 4 + payloads[i]!.length).equals(payloads[i]!)) bad++;
      }
    }
    t.equal(bad, 0, `${stream.length - 1} cuts: every reply echoes its call`);
    if (mode === 'reuse') t.ok(server.reusedReads >= stream.length - 1, `the server read into its reused buffer (${server.reusedReads} reads)`);
    else t.equal(server.reusedReads, 0, 'fresh: no read into a reused buffer');
  });

  t.test(`server (${mode}): a record larger than a read, and many records in one read`, async (t) => {
    const { server, port } = await serve(t, { socketReadBuffer: mode });
    const conn = await RawConn.open(port);
    t.teardown(() => conn.destroy());
    const big = randomBytes(3 * SERVER_READ_BUFFER_SIZE + 5);
    const small = Array.from({ length: 200 }, () => randomBytes(20));
    conn.send(Buffer.concat([echoCall(1, big), ...small.map((p, i) => echoCall(i + 2, p))]));
    let r = parseReply((await conn.next())!);
    t.ok(r.stat === 'accepted' && r.body.subarray(4, 4 + big.length).equals(big), 'the large record echoed byte for byte');
    let bad = 0;
    for (let i = 0; i < small.length; i++) {
      r = parseReply((await conn.next())!);
      if (r.stat !== 'accepted' || r.xid !== i + 2 || !r.body.subarray(4, 24).equals(small[i]!)) bad++;
    }
    t.equal(bad, 0, '200 small records, in order, intact');
    t.equal(server.recordPool.lentCount, 0, 'the large record\'s pooled buffer went back');
  });

  t.test(`server (${mode}): a client flooding a paused connection loses nothing; the server reads at most one read past the pause`, async (t) => {
    const { server, port, gates } = await serve(t, { socketReadBuffer: mode, maxInFlightPerConnection: 1 });
    const conn = await RawConn.open(port);
    t.teardown(() => conn.destroy());
    const gate = rawCall({ xid: 1, prog: TEST_PROG, vers: 1, proc: PROC.GATE, args: Buffer.from([0, 0, 0, 9]) });
    conn.send(gate);
    await gates.reached(9); // GATE in flight: the connection is paused
    const at = server.received;
    const payloads = Array.from({ length: 400 }, () => randomBytes(20_000));
    conn.send(Buffer.concat(payloads.map((p, i) => echoCall(i + 2, p)))); // 8 MB, more than the socket buffers hold
    await until(() => conn.socket.writableLength > 0);
    for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 2));
    t.ok(server.received - at <= SERVER_READ_BUFFER_SIZE, `while paused the server read ${server.received - at} bytes (at most one read of ${SERVER_READ_BUFFER_SIZE})`);
    t.equal(server.stats().partialRecordBytes <= SERVER_READ_BUFFER_SIZE, true, 'partial bytes within one read');
    gates.open(9);
    const first = parseReply((await conn.next())!);
    t.equal(first.xid, 1, 'the GATE call answered first');
    let bad = 0;
    for (let i = 0; i < payloads.length; i++) {
      const r = parseReply((await conn.next())!);
      if (r.stat !== 'accepted' || r.xid !== i + 2 || !r.body.subarray(4, 4 + 20_000).equals(payloads[i]!)) bad++;
    }
    t.equal(bad, 0, 'all 400 flooded calls answered, in order, byte for byte');
    t.ok(server.stats().dispatchWaits > 0, 'the connection did pause');
  });

  t.test(`client (${mode}): large replies read through the socket, byte for byte`, async (t) => {
    const { port } = await serve(t, {});
    const client = new RpcClient({ host: '127.0.0.1', port, socketReadBuffer: mode });
    t.teardown(() => client.close());
    const payloads = [randomBytes(1024 * 1024), randomBytes(128 * 1024 + 3), randomBytes(5)];
    const got = await Promise.all(payloads.map((p) => client.call(TEST_PROG, 1, PROC.ECHO, opaque, p, opaque)));
    t.ok(got.every((g, i) => g.equals(payloads[i]!)), 'every reply echoes its call');
    if (mode === 'reuse') t.ok(client.reusedReads > 0, `the client read into the shared buffer (${client.reusedReads} reads)`);
    else t.equal(client.reusedReads, 0, 'fresh: no read into the shared buffer');
  });
}

t.test('socketReadBuffer: a bad value is named', async (t) => {
  t.throws(() => new RpcServer({ socketReadBuffer: 'big' as 'reuse' }), { code: 'ERR_RPC_INVALID_OPTION', message: /socketReadBuffer/ });
  t.throws(() => new RpcClient({ host: 'h', port: 1, socketReadBuffer: 1 as unknown as 'fresh' }), { code: 'ERR_RPC_INVALID_OPTION', message: /socketReadBuffer/ });
});
