import t from 'tap';
import { XdrReader, XdrWriter, XdrError, encodeChunks, EXTERNAL_OPAQUE_MIN, opaqueSize, type Codec } from '../src/index.js';

t.test('int, uint, hyper round trip at their limits', async (t) => {
  const w = new XdrWriter(4 * 4 + 8 * 4);
  w.i32(-0x80000000); w.i32(0x7fffffff); w.u32(0); w.u32(0xffffffff);
  w.i64(-(1n << 63n)); w.i64((1n << 63n) - 1n); w.u64(0n); w.u64((1n << 64n) - 1n);
  const r = new XdrReader(w.bytes());
  t.equal(r.i32(), -0x80000000);
  t.equal(r.i32(), 0x7fffffff);
  t.equal(r.u32(), 0);
  t.equal(r.u32(), 0xffffffff);
  t.equal(r.i64(), -(1n << 63n));
  t.equal(r.i64(), (1n << 63n) - 1n);
  t.equal(r.u64(), 0n);
  t.equal(r.u64(), (1n << 64n) - 1n);
  r.assertDone();
});

t.test('short input throws ERR_XDR_SHORT, never RangeError', async (t) => {
  const r = new XdrReader(Buffer.from([0, 0, 0]));
  t.throws(() => r.u32(), { code: 'ERR_XDR_SHORT' });
  t.throws(() => new XdrReader(Buffer.from([0, 0, 0, 9, 1, 2])).opaqueVar(), { code: 'ERR_XDR_SHORT' });
  t.throws(() => new XdrReader(Buffer.from([0xff, 0xff, 0xff, 0xff])).string(), { code: 'ERR_XDR_SHORT' });
});

t.test('declared length over the maximum is refused before reading data', async (t) => {
  const r = new XdrReader(Buffer.from([0, 0, 1, 0]));
  const err = t.throws(() => r.opaqueVar(64), { code: 'ERR_XDR_TOO_LONG' });
  t.ok(err instanceof XdrError);
  t.throws(() => new XdrReader(Buffer.from([0, 0, 0, 5, 0, 0, 0, 0])).arrayLength(4, 4), { code: 'ERR_XDR_TOO_LONG' });
  t.throws(() => new XdrReader(Buffer.from([0, 0, 0, 3, 0, 0, 0, 0])).arrayLength(10, 4), { code: 'ERR_XDR_SHORT' });
});

t.test('opaque decodes as a view and accepts non-zero padding', async (t) => {
  const buf = Buffer.from([0, 0, 0, 3, 7, 8, 9, 0xee]);
  const v = new XdrReader(buf).opaqueVar();
  t.same([...v], [7, 8, 9]);
  t.equal(v.buffer, buf.buffer, 'shares memory with the input');
  const w = new XdrWriter(8);
  w.opaqueVar(Buffer.from([7, 8, 9]));
  t.same([...w.bytes()], [0, 0, 0, 3, 7, 8, 9, 0], 'padding written as zeros');
});

t.test('bool accepts only 0 and 1', async (t) => {
  t.equal(new XdrReader(Buffer.from([0, 0, 0, 1])).bool(), true);
  t.throws(() => new XdrReader(Buffer.from([0, 0, 0, 2])).bool(), { code: 'ERR_XDR_BAD_VALUE' });
});

t.test('chunk mode splices large opaques without copying', async (t) => {
  const payload = Buffer.alloc(EXTERNAL_OPAQUE_MIN + 1, 0xab);
  const codec: Codec<{ a: number; data: Buffer; b: number }> = {
    size: (v) => 4 + opaqueSize(v.data.length) + 4,
    encode: (w, v) => { w.u32(v.a); w.opaqueVar(v.data); w.u32(v.b); },
    decode: (r) => ({ a: r.u32(), data: r.opaqueVar(), b: r.u32() }),
  };
  const chunks = encodeChunks(codec, { a: 1, data: payload, b: 2 });
  t.equal(chunks.length, 3);
  t.equal(chunks[1], payload, 'the payload itself, not a copy');
  const whole = Buffer.concat(chunks);
  t.equal(whole.length, codec.size({ a: 1, data: payload, b: 2 }));
  const back = codec.decode(new XdrReader(whole));
  t.equal(back.a, 1);
  t.equal(back.b, 2);
  t.ok(back.data.equals(payload));
});
