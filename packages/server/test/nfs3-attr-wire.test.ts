/**
 * The fattr3 bytes of GETATTR, LOOKUP and READDIRPLUS replies against an encoding written here
 * from fs.lstat (bigint) and RFC 1813's rules, for every file type, nanosecond times, times
 * before 1970 (sent as 0) and past 2^32 seconds (wrapped), devices' specdata, and post-op
 * attributes absent. The statx → Stats conversion remembers the last device numbers and times
 * (packages/sys at.ts): replies alternate between objects so that a value leaking from one
 * object to the next changes bytes here.
 */
import { lstatSync, mkdirSync, symlinkSync, writeFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { XdrWriter, xdr_GETATTR3res, xdr_LOOKUP3res, type GETATTR3res, type LOOKUP3res, type READDIRPLUS3res } from '@nfsts/xdr';
import { at } from '@nfsts/sys';
import { GATE_WIDE_OPEN, ctxFor, isRoot, me, ok, setup } from './nfs3-helpers.js';

const FTYPE: Record<number, number> = { 0o100000: 1, 0o040000: 2, 0o060000: 3, 0o020000: 4, 0o120000: 5, 0o140000: 6, 0o010000: 7 };

/** fattr3 as RFC 1813 lays it out, from fs.lstat: the test's own encoder. */
function expectedFattr(s: BigIntStats): Buffer {
  const b = Buffer.alloc(84);
  const mode = Number(s.mode);
  b.writeInt32BE(FTYPE[mode & 0o170000]!, 0);
  b.writeUInt32BE(mode & 0o7777, 4);
  b.writeUInt32BE(Number(s.nlink), 8);
  b.writeUInt32BE(Number(s.uid), 12);
  b.writeUInt32BE(Number(s.gid), 16);
  b.writeBigUInt64BE(s.size, 20);
  b.writeBigUInt64BE(s.blocks * 512n, 28);
  // glibc's major()/minor() of st_rdev
  const major = Number(((s.rdev >> 8n) & 0xfffn) | ((s.rdev >> 32n) & ~0xfffn));
  const minor = Number((s.rdev & 0xffn) | ((s.rdev >> 12n) & ~0xffn));
  b.writeUInt32BE(major >>> 0, 36);
  b.writeUInt32BE(minor >>> 0, 40);
  b.writeBigUInt64BE(s.dev, 44);
  b.writeBigUInt64BE(s.ino, 52);
  let off = 60;
  for (const ns of [s.atimeNs, s.mtimeNs, s.ctimeNs]) {
    const neg = ns < 0n;
    b.writeUInt32BE(neg ? 0 : Number((ns / 1_000_000_000n) & 0xffffffffn), off);
    b.writeUInt32BE(neg ? 0 : Number(ns % 1_000_000_000n), off + 4);
    off += 8;
  }
  return b;
}

function encoded<T>(codec: { size(v: T): number; encode(w: XdrWriter, v: T): void }, v: T): Buffer {
  const w = new XdrWriter(codec.size(v));
  codec.encode(w, v);
  return w.buf.subarray(0, w.pos);
}

t.test('fattr3 on the wire: every file type, times and devices, as fs.lstat says', async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  const p = (n: string): string => join(s.root, n);
  writeFileSync(p('file'), 'abc');
  writeFileSync(p('nsec'), 'x');
  writeFileSync(p('old'), '');
  writeFileSync(p('future'), '');
  mkdirSync(p('dir'));
  symlinkSync('file', p('link'));
  at.mknodat(at.AT_FDCWD, p('fifo'), 0o010640, 0n);
  const names = ['file', 'nsec', 'old', 'future', 'dir', 'link', 'fifo'];
  at.mknodat(at.AT_FDCWD, p('sock'), 0o140640, 0n); // a socket node (mknod makes one unprivileged)
  names.push('sock');
  if (isRoot) {
    // a character device with major 0x123 and minor 0x456 (both halves of makedev's minor), a block device
    at.mknodat(at.AT_FDCWD, p('chr'), 0o020600, (0x123n << 8n) | (0x400n << 12n) | 0x56n);
    at.mknodat(at.AT_FDCWD, p('blk'), 0o060600, (8n << 8n) | 1n);
    names.push('chr', 'blk');
  } else {
    t.comment('not root: no device nodes (mknod needs CAP_MKNOD)');
  }
  const fd = at.openat2(at.AT_FDCWD, p('nsec'), at.O_PATH | at.O_NOFOLLOW, 0);
  at.utimensat(fd, '', 1_600_000_000_123_456_789n, 1_600_000_000_987_654_321n, at.AT_EMPTY_PATH);
  at.close(fd);
  // before 1970 (sent as 0; node's utimes takes a negative time as "now": utimensat here);
  // past 2^32 seconds (the low 32 bits)
  for (const [n, atime, mtime] of [['old', -86_400_500_000_000n, -1n], ['future', (2n ** 32n + 5n) * 1_000_000_000n, (2n ** 33n + 7n) * 1_000_000_000n + 3n]] as const) {
    const f = at.openat2(at.AT_FDCWD, p(n), at.O_PATH | at.O_NOFOLLOW, 0);
    at.utimensat(f, '', atime, mtime, at.AT_EMPTY_PATH);
    at.close(f);
  }
  for (const n of names) s.own(p(n));

  const getattr = s.prog.versions[3]!.procedures[1]!;
  const lookup = s.prog.versions[3]!.procedures[3]!;
  const fhs = new Map<string, Awaited<ReturnType<typeof s.fh>>>();
  for (const n of names) fhs.set(n, await s.fh(n));
  // twice round, alternating objects: a remembered value of the previous object would show
  for (const round of [1, 2]) {
    for (const n of names) {
      const want = expectedFattr(lstatSync(p(n), { bigint: true }));
      const r = (await getattr.handler({ object: fhs.get(n)! }, ctxFor(me, 1))) as GETATTR3res;
      const bytes = encoded(xdr_GETATTR3res, r);
      t.same(bytes.subarray(4), want, `GETATTR ${n} (round ${round}): the fattr3 bytes`);
      const l = (await lookup.handler({ what: { dir: s.rootFh, name: n } }, ctxFor(me, 3))) as LOOKUP3res;
      const lb = encoded(xdr_LOOKUP3res, l);
      const fhLen = lb.readUInt32BE(4);
      const attrAt = 8 + fhLen + ((4 - (fhLen & 3)) & 3);
      t.equal(lb.readUInt32BE(attrAt), 1, `LOOKUP ${n}: obj_attributes follow`);
      t.same(lb.subarray(attrAt + 4, attrAt + 88), want, `LOOKUP ${n} (round ${round}): the fattr3 bytes`);
    }
  }
  const before = lstatSync(p('old'), { bigint: true });
  t.ok(before.atimeNs < 0n && before.mtimeNs < 0n, 'the file system keeps times before 1970');
  t.ok(lstatSync(p('future'), { bigint: true }).mtimeNs > 2n ** 33n * 1_000_000_000n, 'and past 2^32 seconds');

  // LOOKUP of a missing name: NOENT, the directory's attributes and no object attributes
  const missing = (await lookup.handler({ what: { dir: s.rootFh, name: 'nope' } }, ctxFor(me, 3))) as LOOKUP3res;
  const mb = encoded(xdr_LOOKUP3res, missing);
  t.equal(mb.readUInt32BE(0), 2, 'NFS3ERR_NOENT');
  t.equal(mb.readUInt32BE(4), 1, 'dir_attributes follow');
  t.same(mb.subarray(8, 92), expectedFattr(lstatSync(s.root, { bigint: true })), 'the directory attributes');
  t.equal(mb.length, 92, 'nothing after them');

  // READDIRPLUS of the export root: each entry's name_attributes are its fattr3
  const rdp = s.prog.versions[3]!.procedures[17]!;
  const list = (await rdp.handler({ dir: s.rootFh, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 65536, maxcount: 1 << 20 }, ctxFor(me, 17))) as READDIRPLUS3res;
  let seen = 0;
  for (const e of ok(list).reply.entries) {
    if (!names.includes(e.name)) continue;
    seen++;
    t.equal(e.name_attributes.attributes_follow, true, `${e.name}: attributes follow`);
    if (!e.name_attributes.attributes_follow) continue;
    const w = new XdrWriter(88);
    // the fattr3 arm of post_op_attr, encoded by the same codec as the reply's
    xdr_GETATTR3res.encode(w, { status: 0, resok: { obj_attributes: e.name_attributes.attributes } });
    t.same(w.buf.subarray(4, 88), expectedFattr(lstatSync(p(e.name), { bigint: true })), `READDIRPLUS ${e.name}: the fattr3 bytes`);
  }
  t.equal(seen, names.length, 'every object listed');
});
