/**
 * READDIRPLUS entries stat'ed as LeanStats (the Linux backend's listing path) encode the bytes
 * of the Stats path: putFattr3 of both, for the same hand-written statx buffers, at the edges of
 * the Number shortcuts (64-bit seconds, times before 1970 and past 2^32 s, sizes and blocks past
 * 2^53, devices). nfs3-readdirplus-wire.test.ts compares the Stats path with fs.lstat over RPC.
 */
import t from 'tap';
import { XdrWriter } from '@nfsts/xdr';
import { at, SysStats } from '@nfsts/sys';
import { putFattr3 } from '../src/nfs3/readdirplus-wire.js';

function bytes(st: at.LeanStats | SysStats): Buffer {
  const w = new XdrWriter(128);
  putFattr3(w, st);
  return w.bytes();
}

t.test('putFattr3 of a LeanStats writes the bytes of the Stats of the same statx buffer', async (t) => {
  const u64s = [0n, 1n, 2n ** 32n + 5n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 55n - 1n];
  const secs = [0n, -1n, 1_700_000_000n, 2n ** 32n + 3n, 18_446_744_072n, 18_446_744_073n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) - 7n, 2n ** 62n + 12345n];
  const nsecs = [0, 1, 999_999_999];
  let n = 0;
  for (let i = 0; i < u64s.length; i++) {
    for (let j = 0; j < secs.length; j++) {
      for (const nsec of nsecs) {
        const b = Buffer.alloc(256);
        b.writeUInt32LE(2 + j, 16);
        b.writeUInt32LE(0xffff_fffe, 20);
        b.writeUInt32LE(1000 + i, 24);
        b.writeUInt16LE([0o100644, 0o040755, 0o120777, 0o010600, 0o140700, 0o020666, 0o060660, 0o000644][(i + j) % 8]!, 28);
        b.writeBigUInt64LE(u64s[(i + 2) % u64s.length]!, 32);
        b.writeBigUInt64LE(u64s[i]!, 40);
        b.writeBigUInt64LE(u64s[(i + j) % u64s.length]!, 48);
        for (const [k, off] of [64, 80, 96, 112].entries()) {
          b.writeBigInt64LE(secs[(j + k * (i % 3)) % secs.length]!, off);
          b.writeUInt32LE(nsec, off + 8);
        }
        b.writeUInt32LE(j % 3 === 0 ? 0 : 0x1234 + i, 128);
        b.writeUInt32LE(j % 2 === 0 ? 0 : 0xabcdef + j, 132);
        b.writeUInt32LE(0xfd, 136);
        b.writeUInt32LE(i, 140);
        const lean = bytes(new at.LeanStats(b));
        const full = bytes(new SysStats(b));
        if (!lean.equals(full)) t.fail(`case ${i},${j},${nsec}: ${lean.toString('hex')} != ${full.toString('hex')}`);
        n++;
      }
    }
  }
  t.equal(n, u64s.length * secs.length * nsecs.length, 'every case compared');
  t.pass('all equal');
});
