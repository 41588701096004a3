// The request engine against an in-memory NfsTransport: a file in a Buffer with the knobs a
// real server only shows under stress (short replies, lost unstable data on a verifier
// change, transient failures), which is why it is used here instead of a server.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readInto, writeFrom, commitRanges, NfsError, UNSTABLE, FILE_SYNC, type NfsTransport } from '../src/index.js';

class MemoryFile implements NfsTransport {
  stable = Buffer.alloc(0); // what survives a "restart"
  data = Buffer.alloc(0);
  verf = Buffer.from('verf0001');
  maxReply = Infinity; // short reads/writes
  inFlight = 0;
  maxInFlight = 0;
  calls = 0;
  failNext = 0; // transient failures to inject
  failWith: unknown = Object.assign(new Error('timed out'), { code: 'ERR_RPC_TIMEOUT' });
  readSizes: number[] = [];

  private async enter(): Promise<void> {
    this.calls++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setImmediate(r));
    this.inFlight--;
    if (this.failNext > 0) { this.failNext--; throw this.failWith; }
  }

  async read(_fh: Buffer, offset: bigint, dest: Buffer) {
    await this.enter();
    this.readSizes.push(dest.length);
    const off = Number(offset);
    const n = Math.max(0, Math.min(dest.length, this.maxReply, this.data.length - off));
    if (n > 0) this.data.copy(dest, 0, off, off + n);
    return { count: n, eof: off + n >= this.data.length };
  }

  async write(_fh: Buffer, offset: bigint, src: Buffer, stable: number) {
    await this.enter();
    const off = Number(offset);
    const n = Math.min(src.length, this.maxReply);
    if (this.data.length < off + n) this.data = Buffer.concat([this.data, Buffer.alloc(off + n - this.data.length)]);
    src.copy(this.data, off, 0, n);
    if (stable !== UNSTABLE) this.stable = Buffer.from(this.data);
    return { count: n, committed: stable === UNSTABLE ? UNSTABLE : FILE_SYNC, verf: this.verf };
  }

  async commit() {
    await this.enter();
    this.stable = Buffer.from(this.data);
    return this.verf;
  }

  restart(): void {
    this.data = Buffer.from(this.stable);
    this.verf = randomBytes(8);
  }
}

const fh = Buffer.from('fh');
const opts = { window: 4, retries: 3 };

t.test('reads split into rsize pieces, at most window in flight, landing in place', async (t) => {
  const m = new MemoryFile();
  m.data = randomBytes(1_000_000);
  const buf = Buffer.alloc(1_000_010, 0xee);
  const r = await readInto(m, fh, buf, 10, 1_000_000, 0n, 65536, opts);
  t.same(r, { bytesRead: 1_000_000, eof: true });
  t.ok(buf.subarray(10).equals(m.data), 'data in its slice');
  t.equal(buf[9], 0xee, 'nothing written before the slice');
  t.ok(m.readSizes.every((n) => n <= 65536), 'no piece above rsize');
  t.ok(m.maxInFlight <= 4 && m.maxInFlight > 1, `window respected (max ${m.maxInFlight} in flight)`);
});

t.test('short reads are continued and EOF is exact', async (t) => {
  const m = new MemoryFile();
  m.data = randomBytes(300_001);
  m.maxReply = 7000;
  const buf = Buffer.alloc(400_000);
  const r = await readInto(m, fh, buf, 0, buf.length, 0n, 65536, opts);
  t.same(r, { bytesRead: 300_001, eof: true });
  t.ok(buf.subarray(0, 300_001).equals(m.data));
  const mid = await readInto(m, fh, Buffer.alloc(100), 0, 100, 300_000n, 65536, opts);
  t.same(mid, { bytesRead: 1, eof: true }, 'one byte before EOF');
  const past = await readInto(m, fh, Buffer.alloc(100), 0, 100, 400_000n, 65536, opts);
  t.same(past, { bytesRead: 0, eof: true }, 'past EOF');
  const inside = await readInto(m, fh, Buffer.alloc(100), 0, 100, 1000n, 65536, opts);
  t.same(inside, { bytesRead: 100, eof: false }, 'inside the file: not EOF');
});

t.test('short writes are continued; UNSTABLE ranges are reported for COMMIT', async (t) => {
  const m = new MemoryFile();
  m.maxReply = 10_000;
  const data = randomBytes(250_000);
  const w = await writeFrom(m, fh, data, 5n, 65536, UNSTABLE, opts);
  t.ok(m.data.subarray(5).equals(data), 'every byte written');
  t.equal(w.unstable.reduce((s, r) => s + r.data.length, 0), data.length, 'unstable ranges cover the data');
  const s = await writeFrom(m, fh, data, 5n, 65536, FILE_SYNC, opts);
  t.equal(s.unstable.length, 0, 'FILE_SYNC leaves nothing to commit');
});

t.test('a changed verifier at COMMIT makes the lost ranges be resent', async (t) => {
  const m = new MemoryFile();
  const data = randomBytes(500_000);
  const w = await writeFrom(m, fh, data, 0n, 65536, UNSTABLE, opts);
  m.restart(); // the server lost every unstable byte and has a new verifier
  t.notOk(m.data.equals(data), 'the data is gone from the server');
  const r = await commitRanges(m, fh, w.unstable, 65536, opts);
  t.equal(r.resent, data.length, 'everything resent');
  t.ok(m.stable.equals(data), 'committed data exact');
  const again = await commitRanges(m, fh, [], 65536, opts);
  t.equal(again.resent, 0, 'nothing to resend when the verifier matches');
});

t.test('transient failures are retried; past the retries the first error fails the whole request', async (t) => {
  const m = new MemoryFile();
  m.data = randomBytes(200_000);
  m.failNext = 3;
  const buf = Buffer.alloc(200_000);
  const r = await readInto(m, fh, buf, 0, buf.length, 0n, 65536, { window: 1, retries: 3 });
  t.equal(r.bytesRead, 200_000, 'retried to success');
  t.ok(buf.equals(m.data));
  const first = Object.assign(new Error('first'), { code: 'ERR_RPC_TIMEOUT' });
  m.failWith = first;
  m.failNext = 100;
  await t.rejects(readInto(m, fh, Buffer.alloc(200_000), 0, 200_000, 0n, 65536, { window: 4, retries: 2 }), first, 'the first error');
  t.equal(m.inFlight, 0, 'no subrequest still running when the request rejects');
  m.failNext = 0;
  m.failWith = new NfsError('WRITE', 28, {});
  m.failNext = 1;
  const calls = m.calls;
  await t.rejects(writeFrom(m, fh, randomBytes(10), 0n, 65536, UNSTABLE, opts), { code: 'NFS3ERR_NOSPC' }, 'NFS errors are not retried');
  t.equal(m.calls - calls, 1, 'one attempt only');
});

t.test('a WRITE that makes no progress fails instead of looping', async (t) => {
  const m = new MemoryFile();
  m.maxReply = 0;
  await t.rejects(writeFrom(m, fh, randomBytes(10), 0n, 65536, UNSTABLE, opts), { code: 'ERR_NFS_NO_PROGRESS' });
});

// One piece (≤ rsize/wsize) skips the retry loop on its first attempt: the same attempts, the
// same first-error rule and the same stop when closed as withRetries must hold there too.
t.test('one-piece reads and writes: retried as many times as asked, the first error wins, a closed session stops', async (t) => {
  const m = new MemoryFile();
  m.data = randomBytes(4096);
  const timeout = (msg: string): Error => Object.assign(new Error(msg), { code: 'ERR_RPC_TIMEOUT' });
  for (const op of ['read', 'write'] as const) {
    const run = (retries: number, isClosed?: () => boolean): Promise<unknown> => op === 'read'
      ? readInto(m, fh, Buffer.alloc(4096), 0, 4096, 0n, 65536, { window: 4, retries }, isClosed)
      : writeFrom(m, fh, randomBytes(4096), 0n, 65536, UNSTABLE, { window: 4, retries }, isClosed);
    let calls = m.calls;
    m.failWith = timeout('t');
    m.failNext = 3;
    await run(3);
    t.equal(m.calls - calls, 4, `${op}: 3 failures and the 4th attempt succeeds`);
    const first = timeout('first');
    m.failWith = first;
    m.failNext = 100;
    calls = m.calls;
    await t.rejects(run(2), first, `${op}: past the retries, the first error`);
    t.equal(m.calls - calls, 3, `${op}: 1 + 2 retries`);
    calls = m.calls;
    await t.rejects(run(0), first, `${op}: retries 0 rejects with the first failure`);
    t.equal(m.calls - calls, 1, `${op}: one attempt with retries 0`);
    calls = m.calls;
    await t.rejects(run(3, () => true), first, `${op}: a closed session does not retry`);
    t.equal(m.calls - calls, 1, `${op}: one attempt when closed`);
    m.failNext = 0;
    m.failWith = new NfsError(op.toUpperCase(), 10008, {}); // JUKEBOX: retried after a back-off
    m.failNext = 1;
    calls = m.calls;
    await run(1);
    t.equal(m.calls - calls, 2, `${op}: JUKEBOX retried once`);
    m.failWith = new NfsError(op.toUpperCase(), 13, {});
    m.failNext = 1;
    calls = m.calls;
    await t.rejects(run(3), { code: 'NFS3ERR_ACCES' }, `${op}: other NFS errors are not retried`);
    t.equal(m.calls - calls, 1, `${op}: one attempt`);
    m.failNext = 0;
  }
  // a short one-piece read is continued from where it stopped
  m.maxReply = 1000;
  const buf = Buffer.alloc(4096);
  const r = await readInto(m, fh, buf, 0, 4096, 0n, 65536, opts);
  t.equal(r.bytesRead, 4096, 'continued to the full length');
  t.ok(buf.equals(m.data.subarray(0, 4096)), 'each piece in place');
});
