import t from 'tap';
import { RecordReader, RpcError, frameRecord, recordMark } from '../src/index.js';

function records(...payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.flatMap((p) => [recordMark(p.length), p]));
}

function collect(max = 1 << 20): { reader: RecordReader; out: Buffer[] } {
  const out: Buffer[] = [];
  const reader = new RecordReader(max, (r) => out.push(Buffer.from(r)));
  return { reader, out };
}

const payloads = [Buffer.from('hello world!'), Buffer.alloc(0), Buffer.from([1, 2, 3]), Buffer.alloc(300, 0xab)];

t.test('records fed one byte at a time come out whole and in order', async (t) => {
  const stream = records(...payloads);
  const { reader, out } = collect();
  for (let i = 0; i < stream.length; i++) reader.push(stream.subarray(i, i + 1));
  t.same(out, payloads);
  t.ok(reader.idle, 'nothing left over');
});

t.test('a stream split at every offset (and at every pair of offsets) decodes the same', async (t) => {
  const stream = Buffer.concat([records(...payloads), Buffer.concat(frameRecord([Buffer.from('multi-fragment record')], 5))]);
  const expected = [...payloads, Buffer.from('multi-fragment record')];
  let checked = 0;
  for (let i = 0; i <= stream.length; i++) {
    const { reader, out } = collect();
    reader.push(stream.subarray(0, i));
    reader.push(stream.subarray(i));
    t.same(out, expected, `split at ${i}`);
    checked++;
  }
  for (let i = 0; i <= stream.length; i += 7) {
    for (let j = i; j <= stream.length; j += 5) {
      const { reader, out } = collect();
      reader.push(stream.subarray(0, i));
      reader.push(stream.subarray(i, j));
      reader.push(stream.subarray(j));
      if (out.length !== expected.length || out.some((b, k) => !b.equals(expected[k]!))) t.fail(`split at ${i} and ${j}`);
      checked++;
    }
  }
  t.ok(checked > stream.length, `${checked} splits checked`);
});

t.test('multi-fragment records are reassembled; a one-chunk single fragment is a view', async (t) => {
  const data = Buffer.alloc(10_000);
  for (let i = 0; i < data.length; i++) data[i] = i * 7;
  for (const frag of [1, 3, 4, 1000, 4096, 9999, 10_000]) {
    const framed = frameRecord([data.subarray(0, 3000), data.subarray(3000)], frag);
    const marks = framed.filter((b) => b.length === 4 && (b.readUInt32BE(0) & 0x7fffffff) <= frag).length;
    t.ok(marks >= Math.ceil(data.length / frag), `fragment size ${frag} gives ${marks} fragments`);
    const { reader, out } = collect();
    reader.push(Buffer.concat(framed));
    t.equal(out.length, 1);
    t.ok(out[0]!.equals(data), `fragment size ${frag} round-trips`);
  }
  // frameRecord never copies: its pieces are the caller's bytes.
  const framed = frameRecord([data], 4000);
  t.equal(framed[1]!.buffer, data.buffer);
  // The reader hands a single-fragment record in one chunk out as a view of that chunk.
  const chunk = records(Buffer.from('abcd'), Buffer.from('efgh'));
  const views: Buffer[] = [];
  new RecordReader(100, (r) => views.push(r)).push(chunk);
  t.equal(views.length, 2);
  t.equal(views[0]!.buffer, chunk.buffer, 'first record is a view');
  t.equal(views[1]!.buffer, chunk.buffer, 'second record is a view');
  t.equal(views[1]!.toString(), 'efgh');
});

t.test('the maximum record size is enforced from fragment headers before buffering', async (t) => {
  // A 4 GiB header (all ones): last fragment of 2^31-1 bytes.
  {
    const { reader, out } = collect(1000);
    const err = t.throws(() => reader.push(Buffer.from([0xff, 0xff, 0xff, 0xff]))) as RpcError;
    t.equal(err.code, 'ERR_RPC_RECORD_TOO_LARGE');
    t.ok(err instanceof RpcError);
    t.equal(reader.buffered, 0, 'nothing buffered');
    t.throws(() => reader.push(Buffer.from([1])), { code: 'ERR_RPC_RECORD_TOO_LARGE' }, 'stays failed');
    t.equal(out.length, 0);
  }
  // Several fragments that only together pass the maximum.
  {
    const { reader } = collect(1000);
    const stream = Buffer.concat(frameRecord([Buffer.alloc(1200)], 400));
    t.throws(() => reader.push(stream), { code: 'ERR_RPC_RECORD_TOO_LARGE' });
    t.equal(reader.buffered, 0);
  }
  // Exactly the maximum passes.
  {
    const { reader, out } = collect(1000);
    reader.push(Buffer.concat(frameRecord([Buffer.alloc(1000)], 300)));
    t.equal(out[0]!.length, 1000);
  }
  // A header split across chunks is checked when its last byte arrives.
  {
    const { reader } = collect(1000);
    reader.push(Buffer.from([0x80, 0x00]));
    t.throws(() => reader.push(Buffer.from([0x10, 0x00])), { code: 'ERR_RPC_RECORD_TOO_LARGE' });
  }
});

t.test('recordMark and frameRecord validate their input', async (t) => {
  t.same([...recordMark(5)], [0x80, 0, 0, 5]);
  t.same([...recordMark(5, false)], [0, 0, 0, 5]);
  t.throws(() => recordMark(0x80000000), { code: 'ERR_RPC_RECORD_TOO_LARGE' });
  t.throws(() => frameRecord([], 0), { code: 'ERR_RPC_INVALID_OPTION' });
  t.same(Buffer.concat(frameRecord([])), recordMark(0), 'an empty record is one empty last fragment');
});

t.test('a record spanning chunks is joined into the buffer alloc() supplies; null falls back to a fresh one', async (t) => {
  const rec = Buffer.alloc(5000, 9);
  const stream = Buffer.concat([recordMark(rec.length), rec]);
  const into = Buffer.alloc(8192, 0);
  let asked = 0;
  const out: Buffer[] = [];
  const reader = new RecordReader(1 << 20, (r) => out.push(r), undefined, (n) => { asked++; return n === 5000 ? into : null; });
  for (let i = 0; i < stream.length; i += 1000) reader.push(stream.subarray(i, i + 1000));
  t.equal(asked, 1);
  t.ok(out[0]!.equals(rec));
  t.equal(out[0]!.buffer, into.buffer, 'joined into the supplied buffer');
  const other = Buffer.alloc(100, 1);
  for (let i = 0; i < 104; i += 50) reader.push(Buffer.concat([recordMark(100), other]).subarray(i, i + 50));
  t.ok(out[1]!.equals(other), 'alloc() answered null: joined as usual');
  t.not(out[1]!.buffer, into.buffer);
});
