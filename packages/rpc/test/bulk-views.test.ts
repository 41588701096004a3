/**
 * RecordReader's views mode (RecordDivert.views, the server's bulk WRITE path): the bulk bytes
 * are collected as views of the chunks they arrived in, without a copy, and small pieces are
 * staged so a record sent in tiny segments yields a bounded number of views.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { BULK_VIEW_MIN, RecordReader, recordMark, type RecordDivert } from '@nfsts/rpc';

function run(record: Buffer, start: number, length: number, pieces: (stream: Buffer) => Buffer[]) {
  const got: Array<{ rec: Buffer; d: RecordDivert | null }> = [];
  let asked = 0;
  const r = new RecordReader(4 << 20, (rec, d) => got.push({ rec: Buffer.from(rec), d }), () => {
    asked++;
    return { start, length, dest: null, views: [] };
  });
  const stream = Buffer.concat([recordMark(record.length), record]);
  const chunks = pieces(stream);
  for (const c of chunks) r.push(c);
  return { got, asked, chunks };
}

t.test('large chunks: the bulk is views of the chunks themselves, the record keeps the rest', async (t) => {
  const record = randomBytes(1024 * 1024 + 300);
  const start = 200;
  const length = 1024 * 1024;
  const { got, asked, chunks } = run(record, start, length, (s) => {
    const out: Buffer[] = [];
    for (let i = 0; i < s.length; i += 65536) out.push(s.subarray(i, i + 65536));
    return out;
  });
  t.equal(asked, 1);
  t.equal(got.length, 1);
  const { rec, d } = got[0]!;
  t.equal(rec.compare(Buffer.concat([record.subarray(0, start), record.subarray(start + length)])), 0, 'the record without the bulk');
  const views = d!.views!;
  t.equal(Buffer.concat(views).compare(record.subarray(start, start + length)), 0, 'the views hold the bulk, in order');
  const chunkBuffers = new Set(chunks.map((c) => c.buffer));
  // only a piece under BULK_VIEW_MIN at either end of the bulk is staged (copied)
  const copied = views.filter((v) => !chunkBuffers.has(v.buffer as ArrayBuffer)).reduce((n, v) => n + v.length, 0);
  t.ok(copied < 2 * BULK_VIEW_MIN, `the views are of the socket chunks (bytes copied: ${copied})`);
  t.ok(views.length <= chunks.length, `${views.length} views for ${chunks.length} chunks`);
});

t.test('tiny segments: staged, a bounded number of views, the same bytes', async (t) => {
  const record = randomBytes(300_000 + 103);
  const start = 100;
  const length = 300_000;
  for (const max of [1, 7, BULK_VIEW_MIN - 1]) {
    const { got } = run(record, start, length, (s) => {
      const out: Buffer[] = [];
      for (let i = 0; i < s.length;) {
        const n = 1 + Math.floor(Math.random() * max);
        out.push(Buffer.from(s.subarray(i, i + n)));
        i += n;
      }
      return out;
    });
    const { rec, d } = got[0]!;
    t.equal(rec.compare(Buffer.concat([record.subarray(0, start), record.subarray(start + length)])), 0, `pieces of <= ${max}: the record without the bulk`);
    t.equal(Buffer.concat(d!.views!).compare(record.subarray(start, start + length)), 0, `pieces of <= ${max}: the bulk`);
    // staged in 64 KiB buffers: one view per staging buffer
    t.ok(d!.views!.length <= Math.ceil(length / 65536) + 1, `pieces of <= ${max}: ${d!.views!.length} views`);
  }
});

t.test('mixed sizes: never more than two views per BULK_VIEW_MIN bytes', async (t) => {
  const record = randomBytes(1024 * 1024 + 64);
  const start = 64;
  const length = 1024 * 1024;
  const { got } = run(record, start, length, (s) => {
    const out: Buffer[] = [];
    let small = true;
    for (let i = 0; i < s.length;) {
      const n = small ? 1 : BULK_VIEW_MIN;
      out.push(s.subarray(i, i + n));
      i += n;
      small = !small;
    }
    return out;
  });
  const views = got[0]!.d!.views!;
  t.equal(Buffer.concat(views).compare(record.subarray(start, start + length)), 0, 'the bulk');
  t.ok(views.length <= 2 * Math.ceil(length / BULK_VIEW_MIN) + 1, `${views.length} views`);
});
