/**
 * READDIR and READDIRPLUS: '.' and '..', cookies that resume correctly across replies (with
 * the verifier we gave, a zero one or a stale one), count/dircount/maxcount honoured, TOOSMALL,
 * entries changing between replies, handles and attributes in READDIRPLUS, and a 100k-entry
 * directory listed across many replies with every name seen exactly once.
 */
import { chmodSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ftype3, xdr_READDIR3res, xdr_READDIRPLUS3res, type nfs_fh3 } from '@nfsts/xdr';
import { me, ok, setup, st, stranger, type Setup } from './nfs3-helpers.js';

const ZERO: Buffer = Buffer.alloc(8);

interface Seen { name: string; cookie: bigint; fileid: bigint }

/** Lists a directory with READDIR, `count` bytes per reply. */
async function listAll(s: Setup, dir: nfs_fh3, count: number, verfMode: 'echo' | 'zero' = 'echo'): Promise<{ seen: Seen[]; replies: number }> {
  const seen: Seen[] = [];
  let cookie = 0n;
  let verf: Buffer = ZERO;
  let replies = 0;
  for (;;) {
    const res = await s.nfs.readdir({ dir, cookie, cookieverf: verfMode === 'echo' ? verf : ZERO, count });
    const r = ok(res);
    if (xdr_READDIR3res.size(res) > count) throw new Error(`reply of ${xdr_READDIR3res.size(res)} bytes exceeds count ${count}`);
    replies++;
    for (const e of r.reply.entries) seen.push({ name: e.name, cookie: e.cookie, fileid: e.fileid });
    verf = r.cookieverf;
    if (r.reply.eof) break;
    if (r.reply.entries.length === 0) throw new Error('no entries and no eof: a client would loop');
    cookie = r.reply.entries[r.reply.entries.length - 1]!.cookie;
    if (replies > 100_000) throw new Error('runaway listing');
  }
  return { seen, replies };
}

function makeFiles(dir: string, n: number, prefix = 'file-'): string[] {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `${prefix}${i}`;
    writeFileSync(join(dir, name), '');
    names.push(name);
  }
  return names;
}

t.test('READDIR: ".", "..", fileids, distinct cookies, eof; resumes with our, a zero and a stale verifier', async (t) => {
  const s = await setup(t);
  mkdirSync(join(s.root, 'sub'));
  s.own(join(s.root, 'sub'));
  const names = makeFiles(join(s.root, 'sub'), 50);
  const sub = await s.fh('sub');
  const one = ok(await s.nfs.readdir({ dir: sub, cookie: 0n, cookieverf: ZERO, count: 64 * 1024 }));
  t.equal(one.reply.eof, true);
  t.notOk(one.cookieverf.equals(ZERO), 'a non-zero cookie verifier');
  const got = one.reply.entries;
  t.equal(got[0]?.name, '.');
  t.equal(got[0]?.fileid, (await s.stat('sub')).ino);
  t.equal(got[1]?.name, '..');
  t.equal(got[1]?.fileid, (await s.stat('')).ino, "'..' is the parent");
  t.same(got.slice(2).map((e) => e.name).sort(), [...names].sort(), 'every name once');
  t.equal(new Set(got.map((e) => e.cookie)).size, got.length, 'cookies are distinct');
  t.ok(got.every((e) => e.cookie !== 0n), 'no zero cookie');
  for (const e of got.slice(2, 6)) t.equal(e.fileid, (await s.stat(`sub/${e.name}`)).ino, `fileid of ${e.name}`);
  t.ok(one.dir_attributes.attributes_follow);

  const root = ok(await s.nfs.readdir({ dir: s.rootFh, cookie: 0n, cookieverf: ZERO, count: 4096 }));
  t.equal(root.reply.entries[1]?.name, '..');
  t.equal(root.reply.entries[1]?.fileid, (await s.stat('')).ino, "'..' of the export root is the root");

  for (const mode of ['echo', 'zero'] as const) {
    const { seen, replies } = await listAll(s, sub, 400, mode);
    t.ok(replies > 5, `many replies (${replies}) with ${mode} verifier`);
    t.same(seen.map((e) => e.name).sort(), ['.', '..', ...names].sort(), `every name exactly once (${mode} verifier)`);
  }
  // a verifier the server never gave (e.g. from before a restart) is not BAD_COOKIE
  const mid = got[20]!;
  const stale = ok(await s.nfs.readdir({ dir: sub, cookie: mid.cookie, cookieverf: Buffer.from('stale!!!'), count: 64 * 1024 }));
  t.same(stale.reply.entries.map((e) => e.name), got.slice(21).map((e) => e.name), 'a stale verifier resumes at the same place');
  const after = ok(await s.nfs.readdir({ dir: sub, cookie: got[got.length - 1]!.cookie, cookieverf: one.cookieverf, count: 4096 }));
  t.same(after.reply.entries, [], 'after the last cookie: nothing');
  t.equal(after.reply.eof, true);
});

t.test('READDIR errors: TOOSMALL, NOTDIR, ACCES, BADHANDLE, STALE', async (t) => {
  const s = await setup(t);
  writeFileSync(join(s.root, 'f'), '');
  mkdirSync(join(s.root, 'private'), { mode: 0o700 });
  s.own(join(s.root, 'private'));
  chmodSync(join(s.root, 'private'), 0o700);
  t.equal(st(await s.nfs.readdir({ dir: s.rootFh, cookie: 0n, cookieverf: ZERO, count: 100 })), 'NFS3ERR_TOOSMALL');
  t.equal(st(await s.nfs.readdirplus({ dir: s.rootFh, cookie: 0n, cookieverf: ZERO, dircount: 100, maxcount: 150 })), 'NFS3ERR_TOOSMALL');
  t.equal(st(await s.nfs.readdir({ dir: await s.fh('f'), cookie: 0n, cookieverf: ZERO, count: 4096 })), 'NFS3ERR_NOTDIR');
  t.equal(st(await s.nfs.readdirplus({ dir: await s.fh('f'), cookie: 0n, cookieverf: ZERO, dircount: 4096, maxcount: 4096 })), 'NFS3ERR_NOTDIR');
  const priv = await s.fh('private');
  t.equal(st(await s.nfs.readdir({ dir: priv, cookie: 0n, cookieverf: ZERO, count: 4096 }, stranger)), 'NFS3ERR_ACCES');
  t.equal(st(await s.nfs.readdirplus({ dir: priv, cookie: 0n, cookieverf: ZERO, dircount: 4096, maxcount: 4096 }, stranger)), 'NFS3ERR_ACCES');
  t.equal(st(await s.nfs.readdir({ dir: priv, cookie: 0n, cookieverf: ZERO, count: 4096 }, me)), 'NFS3_OK');
  t.equal(st(await s.nfs.readdir({ dir: { data: Buffer.alloc(20) }, cookie: 0n, cookieverf: ZERO, count: 4096 })), 'NFS3ERR_BADHANDLE');
  rmSync(join(s.root, 'private'), { recursive: true });
  t.equal(st(await s.nfs.readdirplus({ dir: priv, cookie: 0n, cookieverf: ZERO, dircount: 4096, maxcount: 4096 })), 'NFS3ERR_STALE');
});

t.test('entries created and removed between replies: no duplicates, nothing that stayed is missed', async (t) => {
  const s = await setup(t);
  mkdirSync(join(s.root, 'd'));
  s.own(join(s.root, 'd'));
  const names = makeFiles(join(s.root, 'd'), 300);
  const dir = await s.fh('d');
  const seen = new Map<string, number>();
  let cookie = 0n;
  let verf: Buffer = ZERO;
  let round = 0;
  for (;;) {
    const r = ok(await s.nfs.readdirplus({ dir, cookie, cookieverf: verf, dircount: 1024, maxcount: 8192 }));
    for (const e of r.reply.entries) seen.set(e.name, (seen.get(e.name) ?? 0) + 1);
    if (r.reply.eof) break;
    cookie = r.reply.entries[r.reply.entries.length - 1]!.cookie;
    verf = round % 2 === 0 ? r.cookieverf : ZERO; // alternate: the snapshot and a fresh listing
    // churn: remove some not-yet-seen files, add new ones
    for (let i = 0; i < 5; i++) {
      const victim = names.find((n) => !seen.has(n) && !n.endsWith('-gone'));
      if (victim) {
        unlinkSync(join(s.root, 'd', victim));
        names.splice(names.indexOf(victim), 1);
      }
      writeFileSync(join(s.root, 'd', `new-${round}-${i}`), '');
    }
    round++;
  }
  t.ok(round > 3, `several replies (${round + 1})`);
  t.ok([...seen.values()].every((n) => n === 1), 'no name seen twice');
  const missing = names.filter((n) => !seen.has(n));
  t.same(missing, [], 'every file that stayed was seen');
});

t.test('READDIRPLUS: handles and attributes, "." and "..", dircount and maxcount honoured', async (t) => {
  const s = await setup(t);
  mkdirSync(join(s.root, 'd'));
  mkdirSync(join(s.root, 'd', 'child'));
  s.own(join(s.root, 'd'));
  writeFileSync(join(s.root, 'd', 'file'), 'hello');
  const dir = await s.fh('d');
  const res = await s.nfs.readdirplus({ dir, cookie: 0n, cookieverf: ZERO, dircount: 8192, maxcount: 32768 });
  const r = ok(res);
  t.equal(r.reply.eof, true);
  const by = new Map(r.reply.entries.map((e) => [e.name, e]));
  t.same([...by.keys()].sort(), ['.', '..', 'child', 'file']);
  const file = by.get('file')!;
  t.ok(file.name_attributes.attributes_follow && file.name_attributes.attributes.size === 5n && file.name_attributes.attributes.type === ftype3.NF3REG);
  t.ok(file.name_handle.handle_follows);
  if (file.name_handle.handle_follows) {
    t.same(file.name_handle.handle.data, ok(await s.nfs.lookup({ what: { dir, name: 'file' } })).object.data, 'same handle as LOOKUP');
    t.equal(ok(await s.nfs.read({ file: file.name_handle.handle, offset: 0n, count: 5 })).data.toString(), 'hello', 'the handle works');
  }
  const dot = by.get('.')!;
  t.ok(dot.name_handle.handle_follows && dot.name_handle.handle.data.equals(dir.data), "'.' carries the directory's handle");
  const dotdot = by.get('..')!;
  t.ok(dotdot.name_handle.handle_follows && dotdot.name_handle.handle.data.equals(s.rootFh.data), "'..' carries the parent's handle");
  const rootList = ok(await s.nfs.readdirplus({ dir: s.rootFh, cookie: 0n, cookieverf: ZERO, dircount: 8192, maxcount: 32768 }));
  const rootDotdot = rootList.reply.entries.find((e) => e.name === '..')!;
  t.ok(rootDotdot.name_handle.handle_follows && rootDotdot.name_handle.handle.data.equals(s.rootFh.data), "'..' at the export root is the root itself");

  // limits: a reply never exceeds maxcount, nor dircount for the entry3 part
  mkdirSync(join(s.root, 'many'));
  s.own(join(s.root, 'many'));
  makeFiles(join(s.root, 'many'), 200, 'a-rather-long-file-name-');
  const many = await s.fh('many');
  for (const [dircount, maxcount] of [[512, 65536], [65536, 2048], [0, 4096]] as const) {
    const x = await s.nfs.readdirplus({ dir: many, cookie: 0n, cookieverf: ZERO, dircount, maxcount });
    const v = ok(x);
    t.ok(xdr_READDIRPLUS3res.size(x) <= maxcount, `reply of ${xdr_READDIRPLUS3res.size(x)} bytes within maxcount ${maxcount}`);
    const dirBytes = v.reply.entries.reduce((n, e) => n + 24 + 4 * Math.ceil(Buffer.byteLength(e.name) / 4), 0);
    if (dircount > 0) t.ok(dirBytes <= dircount, `entry3 part of ${dirBytes} bytes within dircount ${dircount}`);
    t.ok(v.reply.entries.length > 0 && !v.reply.eof, `a partial reply (${v.reply.entries.length} entries)`);
  }
  // without search permission on the directory, entries come without attributes and handles
  chmodSync(join(s.root, 'many'), 0o744);
  const noX = ok(await s.nfs.readdirplus({ dir: many, cookie: 0n, cookieverf: ZERO, dircount: 8192, maxcount: 32768 }, stranger));
  t.ok(noX.reply.entries.length > 0 && noX.reply.entries.every((e) => !e.name_attributes.attributes_follow && !e.name_handle.handle_follows), 'r without x: names only');
});

t.test('100k entries listed with READDIRPLUS across many replies: every name exactly once', async (t) => {
  const s = await setup(t);
  const N = 100_000;
  const big = join(s.root, 'big');
  mkdirSync(big);
  s.own(big);
  makeFiles(big, N, 'f');
  const dir = await s.fh('big');
  const seen = new Uint8Array(N);
  let dups = 0;
  let others = 0;
  let cookie = 0n;
  let verf: Buffer = ZERO;
  let replies = 0;
  let withHandles = 0;
  const lastCookies = new Set<bigint>();
  for (;;) {
    const r = ok(await s.nfs.readdirplus({ dir, cookie, cookieverf: verf, dircount: 8192, maxcount: 65536 }));
    replies++;
    for (const e of r.reply.entries) {
      if (e.name === '.' || e.name === '..') continue;
      const i = Number(e.name.slice(1));
      if (!e.name.startsWith('f') || !(i >= 0 && i < N)) others++;
      else if (seen[i]) dups++;
      else seen[i] = 1;
      if (e.name_handle.handle_follows && e.name_attributes.attributes_follow) withHandles++;
    }
    if (r.reply.eof) break;
    cookie = r.reply.entries[r.reply.entries.length - 1]!.cookie;
    if (lastCookies.has(cookie)) throw new Error('a cookie came back twice: the client would loop');
    lastCookies.add(cookie);
    verf = r.cookieverf;
  }
  const missing = N - seen.reduce((n, b) => n + b, 0);
  t.ok(replies > 100, `many replies (${replies})`);
  t.equal(dups, 0, 'no name twice');
  t.equal(others, 0, 'no unknown names');
  t.equal(missing, 0, 'every name seen');
  t.equal(withHandles, N, 'every entry with handle and attributes');
  t.equal(s.prog.env.dirs.reads, 1, 'the directory was read once and the snapshot reused by verifier');
});
