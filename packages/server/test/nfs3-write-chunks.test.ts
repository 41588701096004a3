/**
 * Large WRITEs arriving in socket chunks split at random places: the server must assemble each
 * payload exactly (whichever way the record is put together: a WRITE's data as views of the
 * chunks through the bulk path, anything else joined into a pooled buffer) and must not give a record's buffer to the
 * next record while the write from it is still running. Several WRITEs are pipelined on one
 * connection so that pooled record buffers are reused while earlier writes are in flight; a
 * buffer released early or bytes mis-assembled across a boundary show up as wrong bytes in the
 * file, which is read back directly at the end.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { RecordReader, RpcServer } from '@nfsts/rpc';
import { XdrReader, nfsstat3, stable_how, xdr_WRITE3res } from '@nfsts/xdr';
import { setup } from './nfs3-helpers.js';
import { writeCall } from './raw-write-call.js';

/** Splits `b` at `cuts` random places (1-byte pieces included), in order. */
function randomPieces(b: Buffer, cuts: number): Buffer[] {
  const at = new Set<number>();
  while (at.size < cuts) at.add(1 + Math.floor(Math.random() * (b.length - 1)));
  // a few cuts right at the interesting places: inside the record mark and the length word
  at.add(1);
  at.add(3);
  const sorted = [...at].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of sorted) {
    out.push(b.subarray(from, c));
    from = c;
  }
  out.push(b.subarray(from));
  return out;
}

t.test('pipelined large WRITEs split at random chunk boundaries land exactly, in every byte', async (t) => {
  const s = await setup(t);
  const FILE = 4 * 1024 * 1024;
  writeFileSync(join(s.root, 'big'), Buffer.alloc(FILE));
  s.own(join(s.root, 'big'));
  const file = await s.fh('big');
  const server = new RpcServer();
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
    t.equal(r.u32(), 0, `xid ${xid}: accepted SUCCESS`);
    replies.set(xid, xdr_WRITE3res.decode(r).status);
    waiting?.();
  });
  sock.on('data', (c: Buffer) => reader.push(c));

  const model = Buffer.alloc(FILE);
  const sizes = [1024 * 1024, 1024 * 1024 - 1, 300_001, 65_536, 1024 * 1024, 70_000, 1024 * 1024, 513_000];
  let xid = 1;
  for (let round = 0; round < 2; round++) {
    // non-overlapping ranges within a round, so completion order does not matter
    let off = round * 7; // unaligned too
    const calls: Buffer[] = [];
    for (const n of sizes) {
      const data = randomBytes(n);
      calls.push(writeCall(xid++, { file, offset: BigInt(off), count: n, stable: stable_how.UNSTABLE, data }).rec);
      data.copy(model, off);
      off += n + 3;
    }
    // all the calls back to back, cut into random pieces, each piece its own socket write and tick
    const stream = Buffer.concat(calls);
    for (const piece of randomPieces(stream, 400)) {
      sock.write(piece);
      if (Math.random() < 0.3) await new Promise((r) => setImmediate(r));
    }
    const want = xid - 1;
    while (replies.size < want) await new Promise<void>((r) => { waiting = r; });
    waiting = null;
  }
  t.equal(replies.size, 2 * sizes.length, 'every WRITE answered');
  t.ok([...replies.values()].every((st) => st === nfsstat3.NFS3_OK), 'all NFS3_OK');
  const back = readFileSync(join(s.root, 'big'));
  let firstBad = -1;
  for (let i = 0; i < FILE; i++) if (back[i] !== model[i]) { firstBad = i; break; }
  t.equal(firstBad, -1, 'the file holds exactly the bytes sent (first differing offset, -1: none)');
  t.equal(server.recordPool.lentCount, 0, 'every pooled record buffer came back');
});
