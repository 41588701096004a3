/**
 * The bulk path of a large WRITE (issue 12): a call record that spans socket chunks has its data
 * handed to pwritev as views of those chunks, never joined into a pooled record buffer. A real
 * server on loopback, a raw socket sending the record in pieces the test chooses (each piece read
 * by the server before the next is sent, so the chunk boundaries are exactly where the test put
 * them), and the file read back directly. That the bulk path ran is seen from the record pool:
 * a joined record would have taken (and left idle) a pooled buffer.
 *
 * The bulk path exists only with socketReadBuffer 'fresh' (views of Node's per-read buffers); the
 * default 'reuse' copies a large record into a pooled buffer as it arrives, which the last test
 * checks with the same cuts.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { RecordReader, RpcServer } from '@nfsts/rpc';
import { XdrReader, nfsstat3, stable_how, xdr_WRITE3res } from '@nfsts/xdr';
import { setup, stranger } from './nfs3-helpers.js';
import { writeCall } from './raw-write-call.js';

async function harness(t: { teardown(fn: () => unknown): void }, socketReadBuffer: 'reuse' | 'fresh' = 'fresh') {
  const s = await setup(t);
  const server = new RpcServer({ socketReadBuffer });
  server.register(s.prog);
  const { port } = await server.listen(0, '127.0.0.1');
  const sock = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((r) => sock.once('connect', () => r()));
  t.teardown(async () => { sock.destroy(); await server.close(); });
  const replies = new Map<number, number>();
  let waiting: (() => void) | null = null;
  const reader = new RecordReader(1 << 20, (rec) => {
    const r = new XdrReader(rec);
    const xid = r.u32();
    r.u32(); r.u32(); r.u32(); r.opaqueVar(); // REPLY, MSG_ACCEPTED, verifier
    if (r.u32() !== 0) throw new Error(`xid ${xid}: not accepted SUCCESS`);
    replies.set(xid, xdr_WRITE3res.decode(r).status);
    waiting?.();
  });
  sock.on('data', (c: Buffer) => reader.push(c));
  /** Until the server has read `n` bytes of the record in progress (so the next piece is a chunk of its own). */
  const readBy = async (n: number): Promise<void> => {
    for (let i = 0; i < 5000 && server.stats().partialRecordBytes < n; i++) await new Promise((r) => setTimeout(r, 1));
  };
  /** Sends `rec` cut at `cuts` (each piece read by the server before the next goes), resolves with the reply's status. */
  const send = async (xid: number, rec: Buffer, cuts: number[]): Promise<number> => {
    let from = 0;
    for (const c of cuts) {
      if (c <= from || c >= rec.length) continue;
      sock.write(rec.subarray(from, c));
      await readBy(c - 4); // the record mark is not part of the record
      from = c;
    }
    sock.write(rec.subarray(from));
    while (!replies.has(xid)) await new Promise<void>((r) => { waiting = r; });
    return replies.get(xid)!;
  };
  return { s, server, send };
}

/** Every alignment of the data against two cuts, in `mode`; returns the pool's buffers seen. */
async function straddle(t: Test, mode: 'reuse' | 'fresh') {
  const { s, server, send } = await harness(t, mode);
  writeFileSync(join(s.root, 'f'), Buffer.alloc(0));
  s.own(join(s.root, 'f'));
  const file = await s.fh('f');
  const model = Buffer.alloc(8 * 1024 * 1024);
  let end = 0;
  let xid = 1;
  let off = 0;
  let bad = 0;
  for (let pad = 0; pad < 4; pad++) {
    const n = 70_000 + pad; // every padding of the opaque
    for (let k1 = -4; k1 <= 4; k1++) {
      for (const k2 of [-3, -1, 0]) {
        const data = randomBytes(n);
        const { rec, dataAt } = writeCall(xid, { file, offset: BigInt(off), count: n, stable: stable_how.UNSTABLE, data });
        // a cut near the data's start (before the 256-byte head is complete: the reader keeps
        // those bytes and takes the data's first ones out of them afterwards) and near its end
        // (inside the data, or between it and its padding)
        const st = await send(xid++, rec, [dataAt + k1, dataAt + n + k2]);
        if (st !== nfsstat3.NFS3_OK) bad++;
        data.copy(model, off);
        end = off + n;
        off += n + 1; // unaligned file offsets too
      }
    }
  }
  t.equal(bad, 0, 'every WRITE answered NFS3_OK');
  t.equal(readFileSync(join(s.root, 'f')).compare(model.subarray(0, end)), 0, 'the file holds exactly the bytes sent');
  t.equal(server.stats().queuedReplyBytes, 0, 'the charge was given back for every call');
  t.equal(server.recordPool.lentCount, 0, 'no pooled record is still lent');
  return server.recordPool.idleCount;
}

t.test('a WRITE whose data straddles chunk boundaries at every alignment lands byte for byte, through the bulk path', async (t) => {
  t.equal(await straddle(t, 'fresh'), 0, 'no record was joined into a pooled buffer (the bulk path ran)');
});

t.test('socketReadBuffer reuse: the same cuts land byte for byte, each record copied into a pooled buffer as it arrived', async (t) => {
  t.ok(await straddle(t, 'reuse') > 0, 'the records went into the record pool (reuse mode, no bulk views)');
});

t.test('a 1 MiB WRITE arriving in thousands of small segments lands exactly and its charge is given back', async (t) => {
  const { s, server, send } = await harness(t);
  writeFileSync(join(s.root, 'g'), Buffer.alloc(0));
  s.own(join(s.root, 'g'));
  const file = await s.fh('g');
  const n = 1024 * 1024;
  const data = randomBytes(n);
  const { rec } = writeCall(7, { file, offset: 3n, count: n, stable: stable_how.FILE_SYNC, data });
  // pieces of 1..1500 bytes, the first ones read one by one by the server
  const cuts: number[] = [];
  for (let at = 1 + Math.floor(Math.random() * 1500); at < rec.length; at += 1 + Math.floor(Math.random() * 1500)) cuts.push(at);
  t.ok(cuts.length > 1000, `${cuts.length + 1} pieces`);
  t.equal(await send(7, rec, cuts), nfsstat3.NFS3_OK, 'NFS3_OK');
  const back = readFileSync(join(s.root, 'g'));
  t.equal(back.length, n + 3);
  t.equal(back.subarray(3).compare(data), 0, 'the file holds exactly the bytes sent');
  t.equal(server.recordPool.idleCount + server.recordPool.lentCount, 0, 'the bulk path ran (no pooled record)');
  t.equal(server.stats().queuedReplyBytes, 0, 'nothing left charged');
  t.equal(server.stats().partialRecordBytes, 0, 'no partial record counted');
});

t.test('the bulk path checks permission: a stranger\'s 1 MiB WRITE to a file it may not write is refused and changes nothing', async (t) => {
  const { s, server, send } = await harness(t);
  const before = randomBytes(4096);
  writeFileSync(join(s.root, 'mine'), before);
  s.own(join(s.root, 'mine'));
  chmodSync(join(s.root, 'mine'), 0o644);
  const file = await s.fh('mine');
  const n = 1024 * 1024;
  const { rec, dataAt } = writeCall(9, { file, offset: 0n, count: n, stable: stable_how.UNSTABLE, data: Buffer.alloc(n, 1) }, stranger);
  t.equal(await send(9, rec, [dataAt + 100, dataAt + 200_000]), nfsstat3.NFS3ERR_ACCES, 'NFS3ERR_ACCES');
  t.equal(readFileSync(join(s.root, 'mine')).compare(before), 0, 'the file is unchanged');
  t.equal(server.recordPool.idleCount + server.recordPool.lentCount, 0, 'the call went through the bulk path');
  t.equal(server.stats().queuedReplyBytes, 0, 'its charge was given back');
  // the owner may: the same path writes
  const ok = writeCall(10, { file, offset: 0n, count: n, stable: stable_how.UNSTABLE, data: Buffer.alloc(n, 2) });
  t.equal(await send(10, ok.rec, [ok.dataAt + 100, ok.dataAt + 200_000]), nfsstat3.NFS3_OK, 'the owner\'s WRITE is NFS3_OK');
  t.equal(readFileSync(join(s.root, 'mine')).compare(Buffer.alloc(n, 2)), 0, 'and lands');
});

t.test('a WRITE whose count is below its data length writes only count bytes from the views', async (t) => {
  const { s, send } = await harness(t);
  writeFileSync(join(s.root, 'h'), Buffer.alloc(0));
  s.own(join(s.root, 'h'));
  const file = await s.fh('h');
  const data = randomBytes(300_000);
  const { rec, dataAt } = writeCall(11, { file, offset: 0n, count: 200_001, stable: stable_how.UNSTABLE, data });
  t.equal(await send(11, rec, [dataAt + 70_000, dataAt + 150_000]), nfsstat3.NFS3_OK);
  t.equal(readFileSync(join(s.root, 'h')).compare(data.subarray(0, 200_001)), 0, 'count bytes written, no more');
});
