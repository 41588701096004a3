// Bad input over raw sockets: the server answers or closes that one connection, keeps
// serving others, and does not accumulate memory.
import t from 'tap';
import v8 from 'node:v8';
import vm from 'node:vm';
import { XdrReader, xdr_rpc_msg, msg_type, reply_stat, accept_stat, reject_stat, auth_stat, type rpc_msg } from '@nfsts/xdr';
import { RpcClient, RpcServer } from '../src/index.js';
import { Gates, PROC, RawConn, TEST_PROG, authSysBody, opaque, rawCall, tcpHandles, testProgram, until, voidc } from './helpers.js';

const gates = new Gates();
let server: RpcServer;
let port: number;
let witness: RpcClient;

// Each test gets its own server and witness, so none depends on what ran before it (the last
// one closes both and checks that nothing is left; it used to close the shared server).
let closed = false;
t.beforeEach(async () => {
  server = new RpcServer({ maxRecordSize: 64 * 1024 });
  server.register(testProgram(gates));
  ({ port } = await server.listen(0, '127.0.0.1'));
  // A well-behaved client on its own connection, which must keep working throughout.
  witness = new RpcClient({ host: '127.0.0.1', port });
  await witness.connect();
  closed = false;
});
t.afterEach(async () => {
  if (closed) return;
  await witness.close();
  await server.close();
});

async function witnessWorks(): Promise<boolean> {
  const v = await witness.call(TEST_PROG, 1, PROC.ECHO, opaque, Buffer.from('ok'), opaque);
  return v.toString() === 'ok';
}

/**
 * Decodes a reply record with the generated rpc_msg codec. Only a SUCCESS reply carries
 * bytes after the rpc_msg (the procedure's results); any other must end exactly there.
 */
function decodeReply(rec: Buffer | null): rpc_msg {
  if (rec === null) throw new Error('connection closed instead of replying');
  const r = new XdrReader(rec);
  const m = xdr_rpc_msg.decode(r);
  const success = m.body.mtype === msg_type.REPLY && m.body.rbody.stat === reply_stat.MSG_ACCEPTED && m.body.rbody.areply.reply_data.stat === accept_stat.SUCCESS;
  if (!success) r.assertDone('reply');
  return m;
}

async function replyTo(call: Parameters<typeof rawCall>[0]): Promise<rpc_msg> {
  const c = await RawConn.open(port);
  try {
    c.send(rawCall(call));
    const m = decodeReply(await c.next());
    // The connection is still usable after the error.
    c.send(rawCall({ xid: 77, prog: TEST_PROG, vers: 1, proc: PROC.NULL }));
    const after = decodeReply(await c.next());
    if (after.xid !== 77 || after.body.mtype !== msg_type.REPLY) throw new Error('no reply to the follow-up NULL call');
    return m;
  } finally {
    await c.destroy();
  }
}

t.test('each reply error has exactly the RFC 5531 layout', async (t) => {
  const accepted = (m: rpc_msg) => {
    if (m.body.mtype !== msg_type.REPLY || m.body.rbody.stat !== reply_stat.MSG_ACCEPTED) throw new Error('not an accepted reply');
    t.equal(m.body.rbody.areply.verf.flavor, 0, 'verifier is AUTH_NONE');
    t.equal(m.body.rbody.areply.verf.body.length, 0);
    return m.body.rbody.areply.reply_data;
  };
  const denied = (m: rpc_msg) => {
    if (m.body.mtype !== msg_type.REPLY || m.body.rbody.stat !== reply_stat.MSG_DENIED) throw new Error('not a denied reply');
    return m.body.rbody.rreply;
  };
  let m = await replyTo({ xid: 1, prog: 0x3ffffff0, vers: 1, proc: 0 });
  t.equal(m.xid, 1);
  t.same(accepted(m), { stat: accept_stat.PROG_UNAVAIL });
  m = await replyTo({ xid: 2, prog: TEST_PROG, vers: 9, proc: 0 });
  t.same(accepted(m), { stat: accept_stat.PROG_MISMATCH, mismatch_info: { low: 1, high: 2 } });
  m = await replyTo({ xid: 3, prog: TEST_PROG, vers: 1, proc: 1000 });
  t.same(accepted(m), { stat: accept_stat.PROC_UNAVAIL });
  m = await replyTo({ xid: 4, prog: TEST_PROG, vers: 1, proc: PROC.NULL, args: Buffer.alloc(4) });
  t.same(accepted(m), { stat: accept_stat.GARBAGE_ARGS }, 'bytes left over after the arguments');
  m = await replyTo({ xid: 5, prog: TEST_PROG, vers: 1, proc: PROC.ECHO, args: Buffer.from([0, 0, 0, 9, 1]) });
  t.same(accepted(m), { stat: accept_stat.GARBAGE_ARGS }, 'truncated arguments');
  m = await replyTo({ xid: 6, prog: TEST_PROG, vers: 1, proc: PROC.THROW });
  t.same(accepted(m), { stat: accept_stat.SYSTEM_ERR });
  m = await replyTo({ xid: 7, rpcvers: 3, prog: TEST_PROG, vers: 1, proc: 0 });
  t.same(denied(m), { stat: reject_stat.RPC_MISMATCH, mismatch_info: { low: 2, high: 2 } });
  m = await replyTo({ xid: 8, prog: TEST_PROG, vers: 1, proc: PROC.TOOWEAK });
  t.same(denied(m), { stat: reject_stat.AUTH_ERROR, why: auth_stat.AUTH_TOOWEAK });
  // Malformed credentials: AUTH_BADCRED, and the connection stays up.
  const badcred = { stat: reject_stat.AUTH_ERROR, why: auth_stat.AUTH_BADCRED };
  m = await replyTo({ xid: 9, prog: TEST_PROG, vers: 1, proc: 0, credFlavor: 1, credBody: Buffer.alloc(404) });
  t.same(denied(m), badcred, 'credential body over 400 bytes');
  m = await replyTo({ xid: 10, prog: TEST_PROG, vers: 1, proc: 0, credFlavor: 1, credBody: authSysBody({ gids: Array.from({ length: 17 }, (_, i) => i) }) });
  t.same(denied(m), badcred, '17 gids');
  m = await replyTo({ xid: 11, prog: TEST_PROG, vers: 1, proc: 0, credFlavor: 1, credBody: authSysBody({ machinename: 'm'.repeat(256) }) });
  t.same(denied(m), badcred, 'machinename of 256 bytes');
  m = await replyTo({ xid: 12, prog: TEST_PROG, vers: 1, proc: 0, credFlavor: 1, credBody: Buffer.concat([authSysBody({}), Buffer.alloc(4)]) });
  t.same(denied(m), badcred, 'bytes left over in the AUTH_SYS body');
  m = await replyTo({ xid: 13, prog: TEST_PROG, vers: 1, proc: 0, credFlavor: 1, credBody: authSysBody({}).subarray(0, 12) });
  t.same(denied(m), badcred, 'truncated AUTH_SYS body');
  m = await replyTo({ xid: 14, prog: TEST_PROG, vers: 1, proc: 0, credFlavor: 6, credBody: Buffer.alloc(8) });
  t.same(denied(m), badcred, 'a flavor we do not speak (RPCSEC_GSS)');
  m = await replyTo({ xid: 15, prog: TEST_PROG, vers: 1, proc: 0, credLen: 0xfffffff0 });
  t.same(denied(m), badcred, 'a credential length of 4 GiB');
  m = await replyTo({ xid: 16, prog: TEST_PROG, vers: 1, proc: 0, verfBody: Buffer.alloc(401) });
  t.same(denied(m), { stat: reject_stat.AUTH_ERROR, why: auth_stat.AUTH_BADVERF }, 'verifier over 400 bytes');
  // A good AUTH_SYS call on a raw socket still works: the bytes above were ours, not the server's.
  m = await replyTo({ xid: 17, prog: TEST_PROG, vers: 1, proc: 0, credFlavor: 1, credBody: authSysBody({ gids: Array.from({ length: 16 }, (_, i) => i), machinename: 'm'.repeat(255) }) });
  t.same(accepted(m), { stat: accept_stat.SUCCESS }, '16 gids and a 255-byte machinename are fine');
  t.ok(await witnessWorks());
});

/** Sends bytes on a fresh connection and reports whether the server closed it. */
async function closesConnection(bytes: Buffer[], endAfter = false): Promise<{ closed: boolean; replies: number }> {
  const c = await RawConn.open(port);
  for (const b of bytes) c.send(b);
  if (endAfter) c.socket.end();
  let replies = 0;
  for (;;) {
    const rec = await c.next();
    if (rec === null) break;
    replies++;
  }
  await c.closed;
  return { closed: true, replies };
}

t.test('garbage that is not an rpc_msg closes only that connection', async (t) => {
  const before = server.connectionCount;
  const cases: [string, Buffer[]][] = [
    ['4 GiB fragment header', [Buffer.from([0xff, 0xff, 0xff, 0xff])]],
    ['fragment header over the maximum record size', [Buffer.from([0x80, 0x01, 0x00, 0x01])]],
    ['non-last fragments adding up past the maximum', [Buffer.from([0x00, 0x00, 0x80, 0x00]), Buffer.alloc(0x8000), Buffer.from([0x00, 0x00, 0x80, 0x04]), Buffer.alloc(0x8004)]],
    ['an HTTP request', [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]],
    ['an empty record', [Buffer.from([0x80, 0, 0, 0])]],
    ['a record too short for xid and msg_type', [Buffer.from([0x80, 0, 0, 4, 0, 0, 0, 1])]],
    ['a REPLY sent to the server', [Buffer.from([0x80, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0])]],
    ['msg_type 7', [Buffer.from([0x80, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 7])]],
    ['a call header cut short', [Buffer.from([0x80, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1])]],
  ];
  for (const [what, bytes] of cases) {
    const r = await closesConnection(bytes);
    t.ok(r.closed, `${what}: connection closed`);
    t.equal(r.replies, 0, `${what}: no reply`);
  }
  // A truncated record followed by EOF: the server drops it and closes.
  const r = await closesConnection([Buffer.from([0x80, 0, 0, 100]), Buffer.alloc(50)], true);
  t.equal(r.replies, 0, 'truncated record: no reply, connection closed');
  // Calls before the garbage on the same connection are still answered.
  const mixed = await closesConnection([rawCall({ xid: 5, prog: TEST_PROG, vers: 1, proc: PROC.NULL }), Buffer.from([0xff, 0xff, 0xff, 0xff])]);
  t.equal(mixed.replies, 1, 'the good call before the garbage got its reply');
  t.ok(await witnessWorks(), 'another connection is still served');
  await until(() => server.connectionCount === before);
  t.equal(server.connectionCount, before, 'every bad connection is gone');
});

t.test('a storm of bad input does not grow memory', async (t) => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const storm = async (rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      const c = await RawConn.open(port);
      // Answered errors on one connection, then a half-sent record and a 4 GiB header.
      for (let k = 0; k < 20; k++) {
        c.send(rawCall({ xid: k, prog: TEST_PROG, vers: 9, proc: 0 }));
        c.send(rawCall({ xid: k, prog: TEST_PROG, vers: 1, proc: 0, credFlavor: 1, credBody: Buffer.alloc(400, 0xff) }));
        c.send(rawCall({ xid: k, prog: 1, vers: 1, proc: 0 }));
      }
      c.send(Buffer.from([0x00, 0x00, 0x40, 0x00]));
      c.send(Buffer.alloc(0x4000)); // a whole non-last fragment, buffered
      c.send(Buffer.from([0xff, 0xff, 0xff, 0xff]));
      let replies = 0;
      while ((await c.next()) !== null) replies++;
      if (replies !== 60) throw new Error(`expected 60 replies before the close, got ${replies}`);
    }
  };
  await storm(50); // warm up
  gc();
  const before = process.memoryUsage().heapUsed;
  await storm(300);
  await until(() => server.connectionCount === 1);
  gc();
  const after = process.memoryUsage().heapUsed;
  t.ok(after - before < 16 * 1024 * 1024, `heap grew by ${((after - before) / 1024).toFixed(0)} KiB over 300 bad connections (bound 16 MiB)`);
  t.equal(server.connectionCount, 1, 'only the witness connection is left');
  t.ok(await witnessWorks());
});

t.test('a pipeline of calls in one write is answered in full', async (t) => {
  const c = await RawConn.open(port);
  const n = 500;
  c.send(Buffer.concat(Array.from({ length: n }, (_, i) => rawCall({ xid: i, prog: TEST_PROG, vers: 1, proc: i % 3 === 0 ? PROC.NULL : 99 }))));
  const xids = new Set<number>();
  for (let i = 0; i < n; i++) xids.add(decodeReply(await c.next()).xid);
  t.equal(xids.size, n, 'one reply per call');
  await c.destroy();
});

t.test('mutated calls: every byte flip is answered or closes that connection, never more', async (t) => {
  // A seeded generator, so a failure can be replayed.
  let seed = 0x2545f491;
  const rnd = (n: number) => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const base = rawCall({
    xid: 0x11223344, prog: TEST_PROG, vers: 1, proc: PROC.ECHO,
    credFlavor: 1, credBody: authSysBody({ gids: [1, 2, 3], machinename: 'fuzz' }),
    args: Buffer.from([0, 0, 0, 5, 104, 101, 108, 108, 111, 0, 0, 0]),
  });
  let answered = 0;
  let closed = 0;
  for (let round = 0; round < 150; round++) {
    const c = await RawConn.open(port);
    const calls: Buffer[] = [];
    for (let k = 0; k < 8; k++) {
      const m = Buffer.from(base);
      const flips = 1 + rnd(3);
      // Leave the record mark alone in most calls so the call body is what gets fuzzed.
      for (let f = 0; f < flips; f++) m[(rnd(10) === 0 ? 0 : 4) + rnd(m.length - 4)] = rnd(256);
      calls.push(m);
    }
    c.send(Buffer.concat(calls));
    c.socket.end();
    let replies = 0;
    for (;;) {
      const rec = await c.next();
      if (rec === null) break;
      decodeReply(rec); // every reply is a complete, well-formed rpc_msg
      replies++;
    }
    if (replies > calls.length) t.fail(`round ${round}: ${replies} replies to ${calls.length} calls`);
    if (replies === calls.length) answered++;
    else closed++;
  }
  t.ok(answered > 0 && closed > 0, `${answered} connections fully answered, ${closed} closed early`);
  t.ok(await witnessWorks(), 'the server still serves its other connection');
});

t.test('nothing leaks', async (t) => {
  const c = await RawConn.open(port);
  c.send(Buffer.from([0x80, 0, 0, 4, 1, 2, 3, 4])); // one bad record on a connection left open
  await witness.close();
  await server.close();
  closed = true;
  await c.closed; // the server's close ended that connection too
  await new Promise((r) => setImmediate(r));
  t.equal(tcpHandles(), 0, `no TCP handles left open: ${process.getActiveResourcesInfo().join(',')}`);
});

void voidc;
