/**
 * Diverted records: a large reply's bulk bytes copied from each socket chunk straight into
 * a destination (RecordReader's DivertHook, RpcClient's DivertingCodec), and the server's
 * Procedure.sent() hook that says when a reply's buffers are free again.
 */
import t from 'tap';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { XdrError, opaqueSize, type XdrReader } from '@nfsts/xdr';
import {
  DIVERT_HEAD_BYTES, DIVERT_MIN_RECORD, RecordReader, RpcClient, RpcServer, frameRecord, recordMark,
  type DivertingCodec, type Program, type RecordDivert,
} from '../src/index.js';
import { TEST_PROG, until, voidc } from './helpers.js';

/** A record: 40 header bytes, then `data`, then 8 trailer bytes. */
function record(data: Buffer): { rec: Buffer; start: number } {
  const head = Buffer.alloc(40, 0x11);
  head.writeUInt32BE(data.length, 36);
  return { rec: Buffer.concat([head, data, Buffer.alloc(8, 0x22)]), start: 40 };
}

function feed(reader: RecordReader, stream: Buffer, step: number): void {
  for (let i = 0; i < stream.length; i += step) reader.push(stream.subarray(i, i + step));
}

t.test('RecordReader: bulk bytes land in dest from every chunk split; the record keeps the rest', async (t) => {
  const data = randomBytes(DIVERT_MIN_RECORD * 3 + 5);
  const { rec, start } = record(data);
  const stream = Buffer.concat([recordMark(rec.length), rec]);
  for (const step of [1000, 4096, 30_000, 7, 100, DIVERT_HEAD_BYTES + 1]) {
    const dest = Buffer.alloc(data.length + 10, 0);
    const out: Array<{ rec: Buffer; d: RecordDivert | null }> = [];
    let heads = 0;
    const reader = new RecordReader(1 << 24, (r, d) => out.push({ rec: Buffer.from(r), d }), (head) => {
      heads++;
      t.equal(head.length, DIVERT_HEAD_BYTES);
      return { start: head.readUInt32BE(36) > 0 ? start : 0, length: head.readUInt32BE(36), dest };
    });
    feed(reader, stream, step);
    t.equal(heads, 1, `split ${step}: the hook is asked once`);
    t.equal(out.length, 1);
    t.ok(dest.subarray(0, data.length).equals(data), `split ${step}: data in dest`);
    t.ok(dest.subarray(data.length).every((b) => b === 0), 'nothing past it');
    t.ok(out[0]!.rec.equals(Buffer.concat([rec.subarray(0, start), rec.subarray(start + data.length)])), 'the record lacks the diverted bytes');
    t.equal(out[0]!.d?.length, data.length);
    t.ok(reader.idle);
  }
});

t.test('RecordReader: no divert for one-chunk, small or multi-fragment records, for a refused or impossible range; dest null drops', async (t) => {
  const data = randomBytes(DIVERT_MIN_RECORD + 100);
  const { rec, start } = record(data);
  let asked = 0;
  const mk = (answer: (head: Buffer) => RecordDivert | null) => {
    const out: Array<{ rec: Buffer; d: RecordDivert | null }> = [];
    const reader = new RecordReader(1 << 24, (r, d) => out.push({ rec: Buffer.from(r), d }), (h) => { asked++; return answer(h); });
    return { reader, out };
  };
  const dest = Buffer.alloc(data.length);
  // whole record in one chunk: a view, hook not asked
  let m = mk(() => ({ start, length: data.length, dest }));
  m.reader.push(Buffer.concat([recordMark(rec.length), rec]));
  t.equal(asked, 0, 'one chunk: not asked');
  t.ok(m.out[0]!.rec.equals(rec) && m.out[0]!.d === null);
  // small record across chunks
  const small = record(randomBytes(1000)).rec;
  m = mk(() => ({ start, length: 1000, dest }));
  feed(m.reader, Buffer.concat([recordMark(small.length), small]), 100);
  t.equal(asked, 0, 'small: not asked');
  t.ok(m.out[0]!.rec.equals(small));
  // multi-fragment
  m = mk(() => ({ start, length: data.length, dest }));
  feed(m.reader, Buffer.concat(frameRecord([rec], 9000)), 4096);
  t.equal(asked, 0, 'multi-fragment: not asked');
  t.ok(m.out[0]!.rec.equals(rec));
  // refused
  m = mk(() => null);
  feed(m.reader, Buffer.concat([recordMark(rec.length), rec]), 4096);
  t.equal(asked, 1);
  t.ok(m.out[0]!.rec.equals(rec) && m.out[0]!.d === null, 'refused: whole record');
  // a range past the record's end, or before bytes already kept, is ignored
  m = mk(() => ({ start, length: rec.length, dest: Buffer.alloc(rec.length) }));
  feed(m.reader, Buffer.concat([recordMark(rec.length), rec]), 4096);
  t.ok(m.out[0]!.rec.equals(rec) && m.out[0]!.d === null, 'past the end: whole record');
  const early = Buffer.alloc(100);
  m = mk(() => ({ start: 10, length: 100, dest: early }));
  m.reader.push(Buffer.concat([recordMark(rec.length), rec.subarray(0, 100)]));
  feed(m.reader, rec.subarray(100), 4096);
  t.ok(early.equals(rec.subarray(10, 110)), 'a range starting in bytes already kept is copied from them');
  t.ok(m.out[0]!.rec.equals(Buffer.concat([rec.subarray(0, 10), rec.subarray(110)])) && m.out[0]!.d !== null, 'and left out of the record');
  // dest set to null midway: the rest is dropped, not written
  const dest2 = Buffer.alloc(data.length, 0);
  let div: RecordDivert | null = null;
  m = mk(() => (div = { start, length: data.length, dest: dest2 }));
  const stream = Buffer.concat([recordMark(rec.length), rec]);
  m.reader.push(stream.subarray(0, 5000));
  div!.dest = null;
  feed(m.reader, stream.subarray(5000), 4096);
  t.ok(dest2.subarray(0, 5000 - 4 - start).equals(data.subarray(0, 5000 - 4 - start)), 'bytes before the cancel landed');
  t.ok(dest2.subarray(5000 - 4 - start).every((b) => b === 0), 'none after it');
  t.equal(m.out.length, 1);
});

/** Test program: proc 1 answers `n` random-ish bytes as u32 length + opaque; it records what sent() saw. */
function bulkProgram(sent: unknown[], payload: Buffer, hold?: Promise<void>): Program {
  return {
    prog: TEST_PROG, name: 'BULK',
    versions: {
      1: {
        procedures: {
          0: { name: 'NULL', args: voidc, res: voidc, handler: () => {} },
          1: {
            name: 'BULK', args: voidc,
            res: {
              size: (v: Buffer) => opaqueSize(v.length),
              encode: (w, v: Buffer) => w.opaqueVar(v),
              decode: (r) => r.opaqueVar(),
            },
            handler: async () => {
              if (hold) await hold;
              return payload;
            },
            sent: (v: Buffer) => { sent.push(v); },
          },
        },
      },
    },
  };
}

function intoCodec(dest: Buffer): DivertingCodec<number> & { diverted: number } {
  const c = {
    diverted: 0,
    size(): number { throw new Error('decode only'); },
    encode(): void { throw new Error('decode only'); },
    decode(r: XdrReader): number {
      const b = r.opaqueVar();
      b.copy(dest);
      return b.length;
    },
    divert(head: Buffer, at: number): RecordDivert | null {
      const n = head.readUInt32BE(at);
      return n <= dest.length ? { start: at + 4, length: n, dest } : null;
    },
    decodeDiverted(r: XdrReader, d: RecordDivert): number {
      const n = r.u32();
      const pad = (4 - (n & 3)) & 3;
      if (r.remaining < pad) throw new XdrError('ERR_XDR_SHORT', `READ data padding needs ${pad} bytes, ${r.remaining} remain`);
      r.pos += pad;
      c.diverted++;
      return d.length;
    },
  };
  return c;
}

t.test('RpcClient: a large reply is diverted into the caller\'s buffer; the server\'s sent() sees every reply', async (t) => {
  const payload = randomBytes(1024 * 1024 + 3);
  const sent: unknown[] = [];
  const server = new RpcServer();
  server.register(bulkProgram(sent, payload));
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new RpcClient({ host: '127.0.0.1', port });
  t.teardown(async () => { await client.close(); await server.close(); });
  for (let i = 0; i < 3; i++) {
    const dest = Buffer.alloc(payload.length);
    const codec = intoCodec(dest);
    const n = await client.call(TEST_PROG, 1, 1, voidc, undefined, codec);
    t.equal(n, payload.length);
    t.ok(dest.equals(payload), `call ${i}: data landed`);
    t.equal(codec.diverted, 1, 'it came through the diverted path');
  }
  await until(() => sent.length === 3);
  t.ok(sent.every((v) => v === payload), 'sent() got each result once its reply was written');
});

t.test('RpcClient: a call given up while its reply streams in never writes the caller\'s buffer afterwards', async (t) => {
  // a raw server that sends the first part of a large reply, then the rest on request
  let sock: net.Socket | null = null;
  let gotCall!: () => void;
  const called = new Promise<void>((r) => { gotCall = r; });
  let xid = 0;
  const srv = net.createServer((s) => {
    sock = s;
    s.once('data', (b) => { xid = b.readUInt32BE(4); gotCall(); });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const client = new RpcClient({ host: '127.0.0.1', port: (srv.address() as net.AddressInfo).port, timeoutMs: 60_000 });
  t.teardown(async () => { await client.close(); sock?.destroy(); await new Promise((r) => srv.close(r)); });
  const n = 200_000;
  const dest = Buffer.alloc(n, 0);
  const ac = new AbortController();
  const p = client.call(TEST_PROG, 1, 1, voidc, undefined, intoCodec(dest), { signal: ac.signal });
  await called;
  const rec = Buffer.alloc(28 + n);
  rec.writeUInt32BE(xid, 0);
  rec.writeUInt32BE(1, 4); // REPLY
  rec.writeUInt32BE(0, 8); // MSG_ACCEPTED
  rec.writeUInt32BE(0, 12); // AUTH_NONE
  rec.writeUInt32BE(0, 16);
  rec.writeUInt32BE(0, 20); // SUCCESS
  rec.writeUInt32BE(n, 24);
  rec.fill(0x5a, 28);
  const stream = Buffer.concat([recordMark(rec.length), rec]);
  const half = 4 + 28 + n / 2;
  await new Promise<void>((r) => sock!.write(stream.subarray(0, half), () => r()));
  await until(() => dest[n / 2 - 1] === 0x5a);
  ac.abort(new Error('given up'));
  await t.rejects(p, /given up/);
  const before = Buffer.from(dest);
  await new Promise<void>((r) => sock!.write(stream.subarray(half), () => r()));
  // the rest arrives and is dropped; a NULL call on the same connection proves the stream went past it
  const q = client.call(TEST_PROG, 1, 0, voidc, undefined, voidc);
  await new Promise<void>((r) => sock!.once('data', (b) => {
    const x = b.readUInt32BE(4);
    const reply = Buffer.alloc(28);
    reply.writeUInt32BE(0x80000000 + 24, 0);
    reply.writeUInt32BE(x, 4);
    reply.writeUInt32BE(1, 8);
    sock!.write(reply, () => r());
  }));
  await q;
  t.ok(dest.equals(before), 'the caller\'s buffer was not touched after the call settled');
  t.ok(dest.subarray(n / 2 + 1).every((b) => b === 0), 'the second half never landed');
});
