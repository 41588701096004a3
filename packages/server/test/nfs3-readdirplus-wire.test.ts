/**
 * READDIRPLUS entries are encoded straight from their stats (readdirplus-wire.ts). Over real RPC
 * the attributes a client decodes are those fs.lstat gives for every file type, nanosecond
 * times, times before 1970 and devices; a change of the directory between two listings shows
 * in the second; a caller without search permission gets no attributes and no handles on the
 * wire; every reply fits maxcount and the codec's size is the encoded length; the bytes are the
 * generated codec's for the same entries.
 */
import { appendFileSync, chmodSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { XdrReader, encode, xdr_READDIRPLUS3res, type entryplus3, type READDIRPLUS3args, type READDIRPLUS3res } from '@nfsts/xdr';
import { at } from '@nfsts/sys';
import { ctxFor, isRoot, me, ok, rpcPair, setup, st, stranger, type Setup } from './nfs3-helpers.js';

const ZERO: Buffer = Buffer.alloc(8);

/** Every entry of a whole listing over `nfs`, page by page (maxcount bytes a reply). */
async function listAll(nfs: Setup['nfs'], args: READDIRPLUS3args, cred = me): Promise<entryplus3[]> {
  const out: entryplus3[] = [];
  let { cookie, cookieverf } = args;
  for (;;) {
    const r = ok(await nfs.readdirplus({ ...args, cookie, cookieverf }, cred));
    out.push(...r.reply.entries);
    if (r.reply.eof) return out;
    cookie = r.reply.entries[r.reply.entries.length - 1]!.cookie;
    cookieverf = r.cookieverf;
  }
}

/** The decoded attributes of `e` against fs.lstat of `path` (RFC 1813's fattr3 rules). */
function sameAsLstat(t: Test, e: entryplus3, path: string, readByListing = false): void {
  const s: BigIntStats = lstatSync(path, { bigint: true });
  t.equal(e.fileid, s.ino, `${e.name}: fileid`);
  if (!e.name_attributes.attributes_follow) {
    t.fail(`${e.name}: attributes follow`);
    return;
  }
  const a = e.name_attributes.attributes;
  const mode = Number(s.mode);
  const types: Record<number, number> = { 0o100000: 1, 0o040000: 2, 0o060000: 3, 0o020000: 4, 0o120000: 5, 0o140000: 6, 0o010000: 7 };
  const time = (ns: bigint): { seconds: number; nseconds: number } => ns < 0n ? { seconds: 0, nseconds: 0 }
    : { seconds: Number((ns / 1_000_000_000n) & 0xffffffffn), nseconds: Number(ns % 1_000_000_000n) };
  t.same({
    type: a.type, mode: a.mode, nlink: a.nlink, uid: a.uid, gid: a.gid, size: a.size, used: a.used, rdev: a.rdev,
    fsid: a.fsid, fileid: a.fileid, atime: a.atime, mtime: a.mtime, ctime: a.ctime,
  }, {
    type: types[mode & 0o170000], mode: mode & 0o7777, nlink: Number(s.nlink), uid: Number(s.uid), gid: Number(s.gid),
    size: s.size, used: s.blocks * 512n,
    rdev: {
      specdata1: Number(((s.rdev >> 8n) & 0xfffn) | ((s.rdev >> 32n) & ~0xfffn)) >>> 0,
      specdata2: Number((s.rdev & 0xffn) | ((s.rdev >> 12n) & ~0xffn)) >>> 0,
    },
    fsid: s.dev, fileid: s.ino, atime: readByListing ? a.atime : time(s.atimeNs), mtime: time(s.mtimeNs), ctime: time(s.ctimeNs),
  }, `${e.name}: attributes as fs.lstat gives them`);
  t.equal(e.name_handle.handle_follows, true, `${e.name}: a handle follows`);
}

t.test('over RPC, listed attributes are fs.lstat\'s for every file type, and a change shows in the next listing', async (t) => {
  const s = await setup(t);
  const { nfs } = await rpcPair(t, s.prog);
  const dir = join(s.root, 'd');
  mkdirSync(dir);
  const p = (n: string): string => join(dir, n);
  writeFileSync(p('file'), 'abc');
  writeFileSync(p('nsec'), 'x');
  writeFileSync(p('old'), '');
  writeFileSync(p('future'), '');
  mkdirSync(p('sub'));
  symlinkSync('file', p('link'));
  at.mknodat(at.AT_FDCWD, p('fifo'), 0o010640, 0n);
  at.mknodat(at.AT_FDCWD, p('sock'), 0o140640, 0n);
  if (isRoot) {
    at.mknodat(at.AT_FDCWD, p('chr'), 0o020600, (0x123n << 8n) | (0x400n << 12n) | 0x56n);
    at.mknodat(at.AT_FDCWD, p('blk'), 0o060600, (8n << 8n) | 1n);
  } else {
    t.comment('not root: no device nodes (mknod needs CAP_MKNOD)');
  }
  for (let i = 0; i < 150; i++) writeFileSync(p(`f${i}`), 'y'.repeat(i));
  const setTimes = (n: string, a: bigint, m: bigint): void => {
    const fd = at.openat2(at.AT_FDCWD, p(n), at.O_PATH | at.O_NOFOLLOW, 0);
    at.utimensat(fd, '', a, m, at.AT_EMPTY_PATH);
    at.close(fd);
  };
  setTimes('nsec', 1_600_000_000_123_456_789n, 1_600_000_000_987_654_321n);
  setTimes('old', -86_400_500_000_000n, -1n);
  setTimes('future', (2n ** 32n + 5n) * 1_000_000_000n, (2n ** 33n + 7n) * 1_000_000_000n + 3n);
  for (const n of readdirSync(dir)) s.own(p(n));
  s.own(dir);
  const args: READDIRPLUS3args = { dir: await s.fh('d'), cookie: 0n, cookieverf: ZERO, dircount: 2048, maxcount: 4096 };

  const check = async (round: string): Promise<void> => {
    const entries = await listAll(nfs, args);
    const names = entries.map((e) => e.name).filter((n) => n !== '.' && n !== '..').sort();
    t.same(names, readdirSync(dir).sort(), `${round}: the names readdir gives`);
    // '.' has the directory's attributes from before the listing read it (which may set its atime)
    for (const e of entries) sameAsLstat(t, e, e.name === '.' ? dir : e.name === '..' ? s.root : p(e.name), e.name === '.');
  };
  await check('first listing');
  // the directory changes between two listings that were not in flight together
  appendFileSync(p('f7'), 'more bytes');
  chmodSync(p('f8'), 0o600);
  rmSync(p('f9'));
  writeFileSync(p('new'), 'new');
  s.own(p('new'));
  setTimes('f10', 1_700_000_000_000_000_001n, 1_700_000_000_000_000_002n);
  await check('after the change');
});

t.test('without search permission no attributes nor handles go on the wire; without read permission ACCES', async (t) => {
  const s = await setup(t);
  const { nfs } = await rpcPair(t, s.prog);
  const dir = join(s.root, 'nox');
  mkdirSync(dir);
  for (let i = 0; i < 40; i++) writeFileSync(join(dir, `f${i}`), '');
  s.own(dir);
  chmodSync(dir, 0o744);
  const args: READDIRPLUS3args = { dir: await s.fh('nox'), cookie: 0n, cookieverf: ZERO, dircount: 1024, maxcount: 2048 };
  const owner = await listAll(nfs, args, me);
  t.ok(owner.every((e) => e.name_attributes.attributes_follow && e.name_handle.handle_follows), 'the owner gets attributes and handles');
  const other = await listAll(nfs, args, stranger);
  t.equal(other.length, 42, 'the stranger gets every name');
  t.ok(other.every((e) => !e.name_attributes.attributes_follow && !e.name_handle.handle_follows), 'but no attributes or handles');
  chmodSync(dir, 0o700);
  t.equal(st(await nfs.readdirplus(args, stranger)), 'NFS3ERR_ACCES', 'no read permission: refused');
});

t.test('each reply fits maxcount and dircount, is sized exactly, and has the generated codec\'s bytes', async (t) => {
  const s = await setup(t);
  const dir = join(s.root, 'd');
  mkdirSync(dir);
  for (let i = 0; i < 300; i++) writeFileSync(join(dir, `name-${i}-${'z'.repeat(i % 7)}`), 'q'.repeat(i % 5));
  const proc = s.prog.versions[3]!.procedures[17]!;
  const fh = await s.fh('d');
  for (const [dircount, maxcount] of [[512, 1024], [0, 3000], [100_000, 8192], [4096, 1 << 20]] as const) {
    let cookie = 0n;
    let cookieverf = ZERO;
    let seen = 0;
    for (;;) {
      const r = (await proc.handler({ dir: fh, cookie, cookieverf, dircount, maxcount }, ctxFor(me, 17))) as READDIRPLUS3res;
      const resok = ok(r);
      const bytes = encode(proc.res, r);
      t.equal(proc.res.size(r), bytes.length, `dircount ${dircount} maxcount ${maxcount}: size() is the encoded length`);
      t.ok(bytes.length <= maxcount, `the reply (${bytes.length} bytes) fits maxcount ${maxcount}`);
      // dircount bounds the entry3 part (value_follows, fileid, name, cookie) of all but the first entry
      const dirPart = resok.reply.entries.reduce((n, e) => n + 24 + ((Buffer.byteLength(e.name) + 3) & ~3), 0);
      if (dircount !== 0 && resok.reply.entries.length > 1) t.ok(dirPart <= dircount, `the entry3 part (${dirPart}) fits dircount ${dircount}`);
      // the generated codec, given the same entries as plain objects, writes the same bytes
      const plain = { status: 0, resok: { ...resok, reply: { eof: resok.reply.eof, entries: resok.reply.entries.map((e) => ({ fileid: e.fileid, name: e.name, cookie: e.cookie, name_attributes: e.name_attributes, name_handle: e.name_handle })) } } } as READDIRPLUS3res;
      t.same(bytes, encode(xdr_READDIRPLUS3res, plain), 'the generated codec\'s bytes');
      t.same(encode(proc.res, plain), bytes, 'plain entries through the procedure\'s codec: the same bytes');
      const back = ok(xdr_READDIRPLUS3res.decode(new XdrReader(bytes)));
      t.equal(back.reply.entries.length, resok.reply.entries.length, 'decodes to as many entries');
      seen += resok.reply.entries.length;
      if (resok.reply.eof) break;
      cookie = resok.reply.entries[resok.reply.entries.length - 1]!.cookie;
      cookieverf = resok.cookieverf;
    }
    t.equal(seen, 302, `dircount ${dircount} maxcount ${maxcount}: every entry once`);
  }
});

t.test('a page shared by concurrent requests is encoded once, with the same bytes for each; the next page is fresh', async (t) => {
  const s = await setup(t);
  const dir = join(s.root, 'd');
  mkdirSync(dir);
  for (let i = 0; i < 120; i++) writeFileSync(join(dir, `f${i}`), 'w'.repeat(i));
  const proc = s.prog.versions[3]!.procedures[17]!;
  const args: READDIRPLUS3args = { dir: await s.fh('d'), cookie: 0n, cookieverf: ZERO, dircount: 0, maxcount: 1 << 20 };
  const plainBytes = (r: READDIRPLUS3res): Buffer => {
    const resok = ok(r);
    return encode(xdr_READDIRPLUS3res, { status: 0, resok: { ...resok, reply: { eof: resok.reply.eof, entries: resok.reply.entries.map((e) => ({ fileid: e.fileid, name: e.name, cookie: e.cookie, name_attributes: e.name_attributes, name_handle: e.name_handle })) } } } as READDIRPLUS3res);
  };
  const sizeOf = (r: READDIRPLUS3res, name: string): bigint | undefined => {
    const a = ok(r).reply.entries.find((e) => e.name === name)?.name_attributes;
    return a?.attributes_follow ? a.attributes.size : undefined;
  };
  const six = await Promise.all(Array.from({ length: 6 }, () => proc.handler(args, ctxFor(me, 17)) as Promise<READDIRPLUS3res>));
  t.equal(new Set(six.map((r) => ok(r).reply.entries)).size, 1, 'the six requests share one page');
  const want = plainBytes(six[0]!);
  for (const [i, r] of six.entries()) {
    const bytes = encode(proc.res, r);
    t.equal(proc.res.size(r), bytes.length, `reply ${i}: size() is the encoded length`);
    t.same(bytes, want, `reply ${i}: the generated codec's bytes`);
  }
  t.equal(sizeOf(six[5]!, 'f7'), 7n, 'f7 as it was');
  // not in flight with the six: a new page, with the change
  appendFileSync(join(dir, 'f7'), 'xyz');
  const later = (await proc.handler(args, ctxFor(me, 17))) as READDIRPLUS3res;
  t.not(ok(later).reply.entries, ok(six[0]!).reply.entries, 'a later request gets a page of its own');
  const again = ok(xdr_READDIRPLUS3res.decode(new XdrReader(encode(proc.res, later))));
  const f7 = again.reply.entries.find((e) => e.name === 'f7')!;
  t.equal(f7.name_attributes.attributes_follow && f7.name_attributes.attributes.size, 10n, 'its bytes carry the new size');
  t.same(encode(proc.res, later), plainBytes(later), 'and are the generated codec\'s');
});
