import t from 'tap';
import { XdrError, XdrReader, XdrWriter, opaqueSize, stringSize } from '../src/index.js';
import { Rng } from './lib/arbitrary.js';

const RUNS = 2000;

/** Every read of random bytes either succeeds or throws XdrError: never RangeError or TypeError. */
function onlyXdrErrors(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof XdrError ? null : String(err);
  }
}

t.test('property: integers of every width round trip and take 4 or 8 bytes', async (t) => {
  const rng = new Rng(1);
  let bad = 0;
  for (let i = 0; i < RUNS; i++) {
    const a = rng.i32Edgy();
    const b = rng.u32Edgy();
    const c = rng.i64();
    const d = rng.u64();
    const e = rng.bool();
    const w = new XdrWriter(28);
    w.i32(a);
    w.u32(b);
    w.i64(c);
    w.u64(d);
    w.bool(e);
    if (w.pos !== 28) bad++;
    const r = new XdrReader(w.bytes());
    if (r.i32() !== a || r.u32() !== b || r.i64() !== c || r.u64() !== d || r.bool() !== e || r.remaining !== 0) bad++;
  }
  t.equal(bad, 0);
});

t.test('property: out-of-range values are refused by the writer with ERR_XDR_RANGE', async (t) => {
  const w = new XdrWriter(64);
  for (const v of [0x80000000, -0x80000001, 1.5, NaN]) t.throws(() => w.i32(v), { code: 'ERR_XDR_RANGE' }, `i32(${v})`);
  for (const v of [-1, 0x100000000, 0.5]) t.throws(() => w.u32(v), { code: 'ERR_XDR_RANGE' }, `u32(${v})`);
  t.throws(() => w.u64(-1n), { code: 'ERR_XDR_RANGE' });
  t.throws(() => w.u64(1n << 64n), { code: 'ERR_XDR_RANGE' });
  t.throws(() => w.i64(1n << 63n), { code: 'ERR_XDR_RANGE' });
  t.throws(() => new XdrWriter(3).u32(1), { code: 'ERR_XDR_RANGE' }, 'writer overflow');
});

t.test('property: opaques and strings round trip, are padded with zeros to 4 bytes and sized by opaqueSize/stringSize', async (t) => {
  const rng = new Rng(2);
  let bad = 0;
  const reasons: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const data = rng.bytes(rng.int(40));
    const s = rng.string(40);
    const fixed = rng.bytes(rng.int(9));
    const size = opaqueSize(data.length) + stringSize(s) + fixed.length + ((4 - (fixed.length % 4)) % 4);
    const w = new XdrWriter(size);
    w.opaqueVar(data, 40);
    w.string(s, 40);
    w.opaqueFixed(fixed, fixed.length);
    const bytes = w.bytes();
    if (w.pos !== size || size % 4 !== 0) {
      bad++;
      reasons.push(`size ${size}, wrote ${w.pos}`);
      continue;
    }
    // Padding after the opaque data is zero.
    const padStart = 4 + data.length;
    if (!bytes.subarray(padStart, opaqueSize(data.length)).every((x) => x === 0)) bad++;
    const r = new XdrReader(bytes);
    const d2 = r.opaqueVar(40);
    const s2 = r.string(40);
    const f2 = r.opaqueFixed(fixed.length);
    if (!d2.equals(data) || s2 !== s || !f2.equals(fixed) || r.remaining !== 0) bad++;
    if (d2.length > 0 && d2.buffer !== bytes.buffer) bad++; // a view, not a copy
  }
  t.equal(bad, 0, reasons[0] ?? 'all round trips exact');
});

t.test('property: non-zero padding is accepted on decode', async (t) => {
  const rng = new Rng(3);
  let bad = 0;
  for (let i = 0; i < 500; i++) {
    const n = 1 + rng.int(11);
    const padded = n + ((4 - (n % 4)) % 4);
    const buf = Buffer.alloc(4 + padded, 0xff);
    buf.writeUInt32BE(n, 0);
    const r = new XdrReader(buf);
    if (r.opaqueVar().length !== n || r.remaining !== 0) bad++;
  }
  t.equal(bad, 0);
});

t.test('property: any prefix of an encoding fails with ERR_XDR_SHORT', async (t) => {
  const rng = new Rng(4);
  let bad = 0;
  let first = '';
  for (let i = 0; i < 300; i++) {
    const data = rng.bytes(rng.int(30));
    const w = new XdrWriter(8 + opaqueSize(data.length) + 4 + 8);
    w.u64(rng.u64());
    w.opaqueVar(data);
    w.arrayLength(2, 10);
    w.i32(1);
    w.i32(2);
    const bytes = w.bytes();
    for (let k = 0; k < bytes.length; k++) {
      const r = new XdrReader(bytes.subarray(0, k));
      try {
        r.u64();
        r.opaqueVar();
        const n = r.arrayLength(10, 4);
        for (let j = 0; j < n; j++) r.i32();
        bad++;
      } catch (err) {
        if (!(err instanceof XdrError && err.code === 'ERR_XDR_SHORT')) {
          bad++;
          first ||= String(err);
        }
      }
    }
  }
  t.equal(bad, 0, first);
});

t.test('property: random bytes never make a primitive throw anything but XdrError', async (t) => {
  const rng = new Rng(5);
  let other = 0;
  let first = '';
  for (let i = 0; i < RUNS; i++) {
    const buf = rng.bytes(rng.int(24));
    const start = rng.int(buf.length + 1);
    const ops: ((r: XdrReader) => unknown)[] = [
      (r) => r.u32(), (r) => r.i32(), (r) => r.u64(), (r) => r.i64(), (r) => r.bool(),
      (r) => r.opaqueVar(), (r) => r.opaqueVar(8), (r) => r.opaqueFixed(rng.int(20)), (r) => r.string(), (r) => r.string(3),
      (r) => r.arrayLength(100, 4), (r) => r.enumValue((v) => v === 1, 'one'), (r) => r.ensureElements(rng.int(10), 4),
    ];
    const r = new XdrReader(buf, start);
    for (let k = 0; k < 4; k++) {
      const fail = onlyXdrErrors(() => rng.pick(ops)(r));
      if (fail !== null) {
        other++;
        first ||= fail;
      }
    }
  }
  t.equal(other, 0, first || 'only XdrError');
});

t.test('property: declared lengths above the maximum are refused before reading the data', async (t) => {
  const rng = new Rng(6);
  let bad = 0;
  for (let i = 0; i < 500; i++) {
    const max = rng.int(100);
    const n = max + 1 + rng.int(0xfffff);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(n, 0);
    for (const op of [(r: XdrReader) => r.opaqueVar(max), (r: XdrReader) => r.string(max), (r: XdrReader) => r.arrayLength(max, 4)]) {
      try {
        op(new XdrReader(buf));
        bad++;
      } catch (err) {
        if (!(err instanceof XdrError && err.code === 'ERR_XDR_TOO_LONG')) bad++;
      }
    }
  }
  t.equal(bad, 0);
});
