/**
 * The NFSv3 procedures over the MemoryBackend, checked against the disk: one script of calls
 * (every procedure, with the error cases of RFC 1813 and the POSIX rules a real filesystem
 * enforces) runs on a ServerCore over a temp directory and on one over a MemoryBackend, and
 * every reply must be the same once what legitimately differs is set aside (handles, inode
 * numbers, times, fsid, blocks used, directory sizes, FSSTAT's numbers). Then what only the
 * memory backend has: nanosecond times and their update rules, the byte budget (NOSPC and
 * FSSTAT), space given back when the last name and descriptor go, and STALE handles.
 */
import t from 'tap';
import { ftype3, createmode3, stable_how, ACCESS3_READ, ACCESS3_LOOKUP, ACCESS3_MODIFY, ACCESS3_EXTEND, ACCESS3_DELETE, ACCESS3_EXECUTE, type nfs_fh3 } from '@nfsts/xdr';
import type { Credential } from '@nfsts/rpc';
import { MemoryBackend } from '../src/core/index.js';
import { G, NO_SATTR, U, groupMate, isRoot, me, ok, sattr, setup, st, stranger, type Setup } from './nfs3-helpers.js';

const ALL = ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE | ACCESS3_EXECUTE;

/** Replaces what legitimately differs between two filesystems; keeps statuses, types, modes, links, owners, sizes, data, names, cookies. */
function normalise(v: unknown, key = ''): unknown {
  if (Buffer.isBuffer(v)) return key === 'data' && v.length === 44 ? '<fh>' : `hex:${v.toString('hex')}`;
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return v.map((x) => normalise(x));
  if (v !== null && typeof v === 'object') {
    let o = v as Record<string, unknown>;
    // a READDIRPLUS entry encoded from its stats (readdirplus-wire.ts) reads as an entryplus3
    // through getters: compare what a client decodes, not the server's own fields
    if ('name_attributes' in o && !Object.hasOwn(o, 'name_attributes')) {
      o = { fileid: o.fileid, name: o.name, cookie: o.cookie, name_attributes: o.name_attributes, name_handle: o.name_handle };
    }
    const out: Record<string, unknown> = {};
    const isDirAttr = o.type === ftype3.NF3DIR && 'nlink' in o;
    for (const [k, x] of Object.entries(o)) {
      if (['fsid', 'fileid', 'atime', 'mtime', 'ctime', 'used', 'cookieverf', 'verf', 'tbytes', 'fbytes', 'abytes', 'tfiles', 'ffiles', 'afiles'].includes(k)) continue;
      // wcc "before" attributes: size, mtime, ctime; a directory's size is the filesystem's own
      if (k === 'size' && (isDirAttr || ('mtime' in o && !('nlink' in o)))) continue;
      out[k] = normalise(x, k);
    }
    return out;
  }
  return v;
}

type Step = [string, (s: Setup, h: Map<string, nfs_fh3>) => Promise<unknown>];

const fhOf = (r: unknown): nfs_fh3 => {
  const ok0 = (r as { resok?: { obj?: { handle_follows: boolean; handle?: nfs_fh3 }; object?: nfs_fh3 } }).resok;
  if (ok0?.object) return ok0.object;
  if (ok0?.obj?.handle_follows && ok0.obj.handle) return ok0.obj.handle;
  throw new Error('no handle in reply');
};

/** Runs a call and keeps the handle it returns under `name`. */
function keep(name: string, call: (s: Setup, h: Map<string, nfs_fh3>) => Promise<unknown>): Step[1] {
  return async (s, h) => {
    const r = await call(s, h);
    if ((r as { status: number }).status === 0) h.set(name, fhOf(r));
    return r;
  };
}

const H = (h: Map<string, nfs_fh3>, name: string): nfs_fh3 => {
  const f = h.get(name);
  if (!f) throw new Error(`no handle ${name}`);
  return f;
};
const dirop = (h: Map<string, nfs_fh3>, dir: string, name: string) => ({ dir: H(h, dir), name });
const unchecked = (mode: number) => ({ mode: createmode3.UNCHECKED as const, obj_attributes: sattr({ mode }) });
const bytes = (s: string) => Buffer.from(s);
const write = (s: Setup, h: Map<string, nfs_fh3>, f: string, offset: bigint, data: Buffer, cred: Credential = me) =>
  s.nfs.write({ file: H(h, f), offset, count: data.length, stable: stable_how.FILE_SYNC, data }, cred);

const SCRIPT: Step[] = [
  ['getattr root', (s, h) => s.nfs.getattr({ object: H(h, '/') })],
  ['mkdir a 0750', keep('a', (s, h) => s.nfs.mkdir({ where: dirop(h, '/', 'a'), attributes: sattr({ mode: 0o750 }) }))],
  ['mkdir a/b', keep('b', (s, h) => s.nfs.mkdir({ where: dirop(h, 'a', 'b'), attributes: NO_SATTR }))],
  ['mkdir a/b again: EXIST', (s, h) => s.nfs.mkdir({ where: dirop(h, 'a', 'b'), attributes: NO_SATTR })],
  ['create a/f 0640', keep('f', (s, h) => s.nfs.create({ where: dirop(h, 'a', 'f'), how: unchecked(0o640) }))],
  ['create a/f GUARDED: EXIST', (s, h) => s.nfs.create({ where: dirop(h, 'a', 'f'), how: { mode: createmode3.GUARDED, obj_attributes: NO_SATTR } })],
  ['write hello', (s, h) => write(s, h, 'f', 0n, bytes('hello'))],
  ['write past a hole', (s, h) => write(s, h, 'f', 100_000n, bytes('x'))],
  ['getattr f (sparse size)', (s, h) => s.nfs.getattr({ object: H(h, 'f') })],
  ['read head', (s, h) => s.nfs.read({ file: H(h, 'f'), offset: 0n, count: 10 })],
  ['read across the hole', (s, h) => s.nfs.read({ file: H(h, 'f'), offset: 99_990n, count: 20 })],
  ['read past EOF', (s, h) => s.nfs.read({ file: H(h, 'f'), offset: 200_000n, count: 10 })],
  ['read 0 bytes', (s, h) => s.nfs.read({ file: H(h, 'f'), offset: 0n, count: 0 })],
  ['big write across chunks', (s, h) => write(s, h, 'f', 60_000n, Buffer.alloc(140_000, 0x5a))],
  ['read it back', (s, h) => s.nfs.read({ file: H(h, 'f'), offset: 59_990n, count: 140_100 })],
  ['truncate to 3', (s, h) => s.nfs.setattr({ object: H(h, 'f'), new_attributes: sattr({ size: 3n }), guard: { check: false } })],
  ['read after truncate', (s, h) => s.nfs.read({ file: H(h, 'f'), offset: 0n, count: 100 })],
  ['extend to 70000', (s, h) => s.nfs.setattr({ object: H(h, 'f'), new_attributes: sattr({ size: 70_000n }), guard: { check: false } })],
  ['read the extended hole', (s, h) => s.nfs.read({ file: H(h, 'f'), offset: 0n, count: 70_000 })],
  ['commit', (s, h) => s.nfs.commit({ file: H(h, 'f'), offset: 0n, count: 0 })],
  ['link a/f → a/g', (s, h) => s.nfs.link({ file: H(h, 'f'), link: dirop(h, 'a', 'g') })],
  ['link onto an existing name: EXIST', (s, h) => s.nfs.link({ file: H(h, 'f'), link: dirop(h, 'a', 'g') })],
  ['link a directory', (s, h) => s.nfs.link({ file: H(h, 'b'), link: dirop(h, 'a', 'bl') })],
  ['lookup g (nlink 2)', keep('g', (s, h) => s.nfs.lookup({ what: dirop(h, 'a', 'g') }))],
  ['remove a/f', (s, h) => s.nfs.remove({ object: dirop(h, 'a', 'f') })],
  ['getattr through the other name (nlink 1)', (s, h) => s.nfs.getattr({ object: H(h, 'g') })],
  ['old handle still names the object', (s, h) => s.nfs.getattr({ object: H(h, 'f') })],
  ['symlink a/s', keep('s', (s, h) => s.nfs.symlink({ where: dirop(h, 'a', 's'), symlink: { symlink_attributes: NO_SATTR, symlink_data: 'target/x' } }))],
  ['readlink', (s, h) => s.nfs.readlink({ symlink: H(h, 's') })],
  ['readlink of a file: INVAL', (s, h) => s.nfs.readlink({ symlink: H(h, 'g') })],
  ['lookup through a symlink: NOTDIR', (s, h) => s.nfs.lookup({ what: dirop(h, 's', 'x') })],
  ['read a symlink: INVAL', (s, h) => s.nfs.read({ file: H(h, 's'), offset: 0n, count: 1 })],
  ['mknod fifo', keep('p', (s, h) => s.nfs.mknod({ where: dirop(h, 'a', 'p'), what: { type: ftype3.NF3FIFO, pipe_attributes: sattr({ mode: 0o600 }) } }))],
  ...(isRoot ? [['mknod chr 1:3', (s, h) => s.nfs.mknod({ where: dirop(h, 'a', 'c'), what: { type: ftype3.NF3CHR, device: { dev_attributes: sattr({ mode: 0o600 }), spec: { specdata1: 1, specdata2: 3 } } } })] as Step] : []),
  ['mknod of a regular file: BADTYPE', (s, h) => s.nfs.mknod({ where: dirop(h, 'a', 'r'), what: { type: ftype3.NF3REG } })],
  ['write a fifo: INVAL', (s, h) => write(s, h, 'p', 0n, bytes('x'))],
  ['mkdir a/e', keep('e', (s, h) => s.nfs.mkdir({ where: dirop(h, 'a', 'e'), attributes: NO_SATTR }))],
  ['create a/b/inner', (s, h) => s.nfs.create({ where: dirop(h, 'b', 'inner'), how: unchecked(0o644) })],
  ['rename a/b into itself: INVAL', (s, h) => s.nfs.rename({ from: dirop(h, 'a', 'b'), to: dirop(h, 'b', 'b2') })],
  ['rename a dir over a non-empty dir: NOTEMPTY (or EXIST)', (s, h) => s.nfs.rename({ from: dirop(h, 'a', 'e'), to: dirop(h, 'a', 'b') })],
  ['rename a file over a dir: ISDIR', (s, h) => s.nfs.rename({ from: dirop(h, 'a', 'g'), to: dirop(h, 'a', 'e') })],
  ['rename a dir over a file: NOTDIR', (s, h) => s.nfs.rename({ from: dirop(h, 'a', 'e'), to: dirop(h, 'a', 'g') })],
  ['rename a dir over an empty dir', (s, h) => s.nfs.rename({ from: dirop(h, 'a', 'b'), to: dirop(h, 'a', 'e') })],
  ['the replaced dir is STALE', (s, h) => s.nfs.getattr({ object: H(h, 'e') })],
  ['the moved dir keeps its handle', (s, h) => s.nfs.getattr({ object: H(h, 'b') })],
  ['getattr a (nlink after the replace)', (s, h) => s.nfs.getattr({ object: H(h, 'a') })],
  ['rename a file over a file', (s, h) => s.nfs.rename({ from: dirop(h, 'a', 'g'), to: dirop(h, 'b', 'inner') })],
  ['rename missing: NOENT', (s, h) => s.nfs.rename({ from: dirop(h, 'a', 'nope'), to: dirop(h, 'a', 'x') })],
  ['rename to the same name', (s, h) => s.nfs.rename({ from: dirop(h, 'b', 'inner'), to: dirop(h, 'b', 'inner') })],
  ['mkdir a/x, move it under b', keep('x', (s, h) => s.nfs.mkdir({ where: dirop(h, 'a', 'x'), attributes: NO_SATTR }))],
  ['rename a/x → b/x (parent link counts)', (s, h) => s.nfs.rename({ from: dirop(h, 'a', 'x'), to: dirop(h, 'b', 'x') })],
  ['getattr a', (s, h) => s.nfs.getattr({ object: H(h, 'a') })],
  ['getattr b', (s, h) => s.nfs.getattr({ object: H(h, 'b') })],
  ['readdir a', (s, h) => s.nfs.readdir({ dir: H(h, 'a'), cookie: 0n, cookieverf: Buffer.alloc(8), count: 4096 })],
  ['readdirplus b', (s, h) => s.nfs.readdirplus({ dir: H(h, 'b'), cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 4096, maxcount: 32768 })],
  ['rmdir non-empty: NOTEMPTY', (s, h) => s.nfs.rmdir({ object: dirop(h, 'a', 'e') })],
  ['rmdir a file: NOTDIR', (s, h) => s.nfs.rmdir({ object: dirop(h, 'a', 's') })],
  ['remove a dir', (s, h) => s.nfs.remove({ object: dirop(h, 'b', 'x') })],
  ['remove missing: NOENT', (s, h) => s.nfs.remove({ object: dirop(h, 'a', 'nope') })],
  ['rmdir b/x', (s, h) => s.nfs.rmdir({ object: dirop(h, 'b', 'x') })],
  ['removed dir: STALE', (s, h) => s.nfs.getattr({ object: H(h, 'x') })],
  // permissions: enforced above the backend, the same on both
  ['stranger creates in a (0750): ACCES', (s, h) => s.nfs.create({ where: dirop(h, 'a', 'z'), how: unchecked(0o644) }, stranger)],
  ['stranger lists a: ACCES', (s, h) => s.nfs.readdir({ dir: H(h, 'a'), cookie: 0n, cookieverf: Buffer.alloc(8), count: 4096 }, stranger)],
  ['stranger reads b/inner (0640): ACCES', async (s, h) => s.nfs.read({ file: fhOf(await s.nfs.lookup({ what: dirop(h, 'b', 'inner') })), offset: 0n, count: 1 }, stranger)],
  ['stranger chmods a: PERM', (s, h) => s.nfs.setattr({ object: H(h, 'a'), new_attributes: sattr({ mode: 0o777 }), guard: { check: false } }, stranger)],
  ['access for me', (s, h) => s.nfs.access({ object: H(h, 'a'), access: ALL })],
  ['access for a group mate', (s, h) => s.nfs.access({ object: H(h, 'a'), access: ALL }, groupMate)],
  ['access for a stranger', (s, h) => s.nfs.access({ object: H(h, 'a'), access: ALL }, stranger)],
  ['create a/su 04770', keep('su', (s, h) => s.nfs.create({ where: dirop(h, 'a', 'su'), how: unchecked(0o4770) }))],
  ['a group mate writes it: set-user-ID cleared', (s, h) => write(s, h, 'su', 0n, bytes('data'), groupMate)],
  ['getattr su', (s, h) => s.nfs.getattr({ object: H(h, 'su') })],
  ['chown by root to the group mate', async (s, h) => s.nfs.setattr({ object: H(h, 'su'), new_attributes: sattr({ uid: 5555, gid: 7777 }), guard: { check: false } }, isRoot ? (await import('@nfsts/rpc')).authSys({ uid: 0, gid: 0, gids: [] }) : me)],
  ['exclusive create', keep('ex', (s, h) => s.nfs.create({ where: dirop(h, 'a', 'ex'), how: { mode: createmode3.EXCLUSIVE, verf: Buffer.from('12345678') } }))],
  ['the same verifier again: same file', (s, h) => s.nfs.create({ where: dirop(h, 'a', 'ex'), how: { mode: createmode3.EXCLUSIVE, verf: Buffer.from('12345678') } })],
  ['another verifier: EXIST', (s, h) => s.nfs.create({ where: dirop(h, 'a', 'ex'), how: { mode: createmode3.EXCLUSIVE, verf: Buffer.from('87654321') } })],
  ['remove ex; its handle is STALE', async (s, h) => { await s.nfs.remove({ object: dirop(h, 'a', 'ex') }); return s.nfs.getattr({ object: H(h, 'ex') }); }],
  ['read a removed file: STALE', (s, h) => s.nfs.read({ file: H(h, 'ex'), offset: 0n, count: 1 })],
  ['write to a read-only export: ROFS', (s, h) => s.nfs.create({ where: dirop(h, 'ro', 'n'), how: unchecked(0o644) })],
  ['name too long', (s, h) => s.nfs.create({ where: dirop(h, 'a', 'n'.repeat(256)), how: unchecked(0o644) })],
  ['fsinfo', (s, h) => s.nfs.fsinfo({ fsroot: H(h, '/') })],
  ['pathconf', (s, h) => s.nfs.pathconf({ object: H(h, '/') })],
  ['fsstat', (s, h) => s.nfs.fsstat({ fsroot: H(h, '/') })],
];

async function runScript(s: Setup): Promise<Array<[string, unknown]>> {
  const h = new Map<string, nfs_fh3>([['/', s.rootFh], ['ro', s.roFh]]);
  const out: Array<[string, unknown]> = [];
  for (const [name, step] of SCRIPT) out.push([name, normalise(await step(s, h))]);
  return out;
}

t.test('every procedure answers on the memory backend as on the disk', async (t) => {
  const disk = await runScript(await setup(t));
  const mem = await runScript(await setup(t, { memory: {} }));
  t.equal(mem.length, disk.length);
  if (process.env.NFSTS_SHOW_SCRIPT) for (const [name, r] of mem) console.log(name, JSON.stringify(r));
  for (let i = 0; i < disk.length; i++) {
    const [name, want] = disk[i]!;
    t.same(mem[i]![1], want, name);
  }
});

t.test('memory: nanosecond times and the POSIX rules for updating them', async (t) => {
  const s = await setup(t, { memory: {} });
  const times = async (fh: nfs_fh3) => {
    const a = ok(await s.nfs.getattr({ object: fh })).obj_attributes;
    const ns = (x: { seconds: number; nseconds: number }) => BigInt(x.seconds) * 1_000_000_000n + BigInt(x.nseconds);
    return { a: ns(a.atime), m: ns(a.mtime), c: ns(a.ctime) };
  };
  const d0 = await times(s.rootFh);
  const f = fhOf(await s.nfs.create({ where: { dir: s.rootFh, name: 'f' }, how: unchecked(0o644) }));
  const f0 = await times(f);
  t.ok(f0.m === f0.c && f0.a === f0.m, 'a new file: atime = mtime = ctime');

  ok(await s.nfs.write({ file: f, offset: 0n, count: 3, stable: stable_how.UNSTABLE, data: bytes('abc') }));
  const f1 = await times(f);
  t.ok(f1.m > f0.m && f1.c > f0.c, 'a write moves mtime and ctime');
  t.equal(f1.a, f0.a, 'a write leaves atime');

  ok(await s.nfs.setattr({ object: f, new_attributes: sattr({ mode: 0o600 }), guard: { check: false } }));
  const f2 = await times(f);
  t.ok(f2.c > f1.c && f2.m === f1.m, 'chmod moves ctime only');

  ok(await s.nfs.read({ file: f, offset: 0n, count: 3 }));
  const f3 = await times(f);
  t.ok(f3.a > f2.a, 'a read moves atime (relatime: atime was not newer than mtime)');
  ok(await s.nfs.read({ file: f, offset: 0n, count: 3 }));
  t.equal((await times(f)).a, f3.a, 'relatime: a second read within a day leaves atime');

  ok(await s.nfs.setattr({ object: f, new_attributes: sattr({ atime: [1_000_000_000, 123_456_789], mtime: [1_000_000_001, 987_654_321] }), guard: { check: false } }));
  const f4 = await times(f);
  t.equal(f4.a, 1_000_000_000_123_456_789n, 'atime set with nanoseconds');
  t.equal(f4.m, 1_000_000_001_987_654_321n, 'mtime set with nanoseconds');
  t.ok(f4.c > f3.c, 'setting times moves ctime');

  const d1 = await times(s.rootFh);
  t.ok(d1.m > d0.m && d1.c > d0.c, 'creating a name moved the directory\'s mtime and ctime');
  ok(await s.nfs.rename({ from: { dir: s.rootFh, name: 'f' }, to: { dir: s.rootFh, name: 'g' } }));
  const d2 = await times(s.rootFh);
  t.ok(d2.m > d1.m, 'rename moves the directory\'s mtime');
  t.ok((await times(f)).c > f4.c, 'rename moves the renamed object\'s ctime (as Linux)');
  ok(await s.nfs.link({ file: f, link: { dir: s.rootFh, name: 'h' } }));
  const f5 = await times(f);
  t.ok(f5.c > f4.c, 'link moves the object\'s ctime');
  ok(await s.nfs.remove({ object: { dir: s.rootFh, name: 'h' } }));
  t.ok((await times(f)).c > f5.c, 'unlinking one of two names moves ctime');
});

t.test('memory: a byte budget (NOSPC), FSSTAT from it, space back when the last name and descriptor go', async (t) => {
  const max = 1024 * 1024;
  const s = await setup(t, { memory: { maxBytes: max } });
  const b = s.core.backend as MemoryBackend;
  t.ok(b instanceof MemoryBackend);
  const fs0 = ok(await s.nfs.fsstat({ fsroot: s.rootFh }));
  t.equal(fs0.tbytes, BigInt(max), 'tbytes = maxBytes');
  t.ok(fs0.fbytes < fs0.tbytes && fs0.fbytes >= fs0.tbytes - 4096n, 'nearly all free');
  t.equal(fs0.tfiles - fs0.ffiles, 2n, 'two objects: the roots of the two exports');
  const used0 = b.space.used;

  const f = fhOf(await s.nfs.create({ where: { dir: s.rootFh, name: 'big' }, how: unchecked(0o644) }));
  const chunk = Buffer.alloc(256 * 1024, 1);
  for (let i = 0; i < 3; i++) ok(await s.nfs.write({ file: f, offset: BigInt(i * chunk.length), count: chunk.length, stable: stable_how.UNSTABLE, data: chunk }));
  const full = await s.nfs.write({ file: f, offset: 3n * BigInt(chunk.length), count: chunk.length, stable: stable_how.UNSTABLE, data: chunk });
  t.equal(st(full), 'NFS3ERR_NOSPC', 'the write past the budget');
  const a = ok(await s.nfs.getattr({ object: f })).obj_attributes;
  t.equal(a.size, 3n * BigInt(chunk.length), 'a write that does not fit changes nothing');
  t.equal(a.used, 3n * BigInt(chunk.length), 'used = bytes stored');
  const fs1 = ok(await s.nfs.fsstat({ fsroot: s.rootFh }));
  t.ok(fs1.fbytes < 256n * 1024n, 'FSSTAT shows the space taken');

  // a sparse file costs nothing for its hole
  const sp = fhOf(await s.nfs.create({ where: { dir: s.rootFh, name: 'sparse' }, how: unchecked(0o644) }));
  ok(await s.nfs.setattr({ object: sp, new_attributes: sattr({ size: 1n << 40n }), guard: { check: false } }));
  t.equal(ok(await s.nfs.getattr({ object: sp })).obj_attributes.used, 0n, 'a 1 TiB hole uses nothing');
  t.equal(st(await s.nfs.write({ file: sp, offset: 1n << 39n, count: chunk.length, stable: stable_how.UNSTABLE, data: chunk })), 'NFS3ERR_NOSPC', 'but its data counts');

  // names count too: many empty files run out as well
  let made = 0;
  let last = '';
  for (; made < 10_000; made++) {
    const r = await s.nfs.create({ where: { dir: s.rootFh, name: `e${made}` }, how: unchecked(0o644) });
    if (r.status !== 0) {
      last = st(r);
      break;
    }
  }
  t.equal(last, 'NFS3ERR_NOSPC', `empty files run out too (after ${made})`);

  ok(await s.nfs.remove({ object: { dir: s.rootFh, name: 'big' } }));
  ok(await s.nfs.remove({ object: { dir: s.rootFh, name: 'sparse' } }));
  for (let i = 0; i < made; i++) ok(await s.nfs.remove({ object: { dir: s.rootFh, name: `e${i}` } }));
  // the READ/WRITE descriptors the open-file cache held close once the files are gone
  await s.core.fileCache.close();
  t.equal(b.openCount, 0, 'no descriptor left open');
  t.equal(b.space.used, used0, 'every byte given back');
});

t.test('memory: an unlinked file stays readable through an open descriptor, then its space is freed', async (t) => {
  const s = await setup(t, { memory: {} });
  const b = s.core.backend as MemoryBackend;
  const used0 = b.space.used;
  const f = fhOf(await s.nfs.create({ where: { dir: s.rootFh, name: 'f' }, how: unchecked(0o644) }));
  ok(await s.nfs.write({ file: f, offset: 0n, count: 5, stable: stable_how.FILE_SYNC, data: bytes('hello') }));
  const node = { ...s.core.table.loc(s.core.table.findExport('/export')!, 'f'), stats: await s.stat('f') };
  const fd = await b.open(node, 0);
  ok(await s.nfs.remove({ object: { dir: s.rootFh, name: 'f' } }));
  const buf = Buffer.alloc(5);
  t.equal(await b.read(fd, buf, 0, 5, 0), 5);
  t.equal(buf.toString(), 'hello', 'the data is still there');
  t.equal((await b.fstat(fd)).nlink, 0n, 'nlink 0');
  t.ok(b.space.used > used0, 'still charged while open');
  await b.close(fd);
  await s.core.fileCache.close();
  t.equal(b.space.used, used0, 'freed at the last close');
  await t.rejects(b.read(fd, buf, 0, 1, 0), { code: 'EBADF' }, 'a closed descriptor is EBADF');
  t.ok(fd >= 2 ** 30, 'descriptors lie above every real one');
});

t.test('memory: options are checked and name the bad one', async (t) => {
  t.throws(() => new MemoryBackend({ maxBytes: -1 }), { code: 'ERR_NFS_BAD_OPTION', message: /maxBytes/ });
  t.throws(() => new MemoryBackend({ rootMode: 0o10000 }), { code: 'ERR_NFS_BAD_OPTION', message: /rootMode/ });
  t.throws(() => new MemoryBackend({ size: 1 } as never), { code: 'ERR_NFS_BAD_OPTION', message: /"size": unknown/ });
  const b = new MemoryBackend({ uid: U, gid: G, rootMode: 0o700 });
  const { stats } = await b.openRoot('/x');
  t.equal(Number(stats.mode) & 0o7777, 0o700);
  t.equal(Number(stats.uid), U);
  const again = await b.openRoot('/x');
  t.equal(again.stats.ino, stats.ino, 'the same name opens the same tree');
  t.not((await b.openRoot('/y')).stats.dev, stats.dev, 'another name is another filesystem');
});

t.test('memory: READ inside one chunk is a view of the stored bytes (no copy); across chunks or holes a copy', async (t) => {
  const s = await setup(t, { memory: {} });
  const f = fhOf(await s.nfs.create({ where: { dir: s.rootFh, name: 'f' }, how: unchecked(0o644) }));
  const data = Buffer.alloc(200_000, 0x61);
  ok(await s.nfs.write({ file: f, offset: 0n, count: data.length, stable: stable_how.FILE_SYNC, data }));
  for (const [offset, count] of [[0n, 4096], [4096n, 60_000], [65_536n, 65_536]] as const) {
    const r = ok(await s.nfs.read({ file: f, offset, count }));
    t.equal(r.count, count);
    t.ok(r.data.equals(data.subarray(Number(offset), Number(offset) + count)), `${offset}+${count}: the bytes`);
    // the reply's data is the stored memory itself: a later write shows through it
    ok(await s.nfs.write({ file: f, offset, count: 1, stable: stable_how.UNSTABLE, data: Buffer.from('Z') }));
    t.equal(r.data[0], 0x5a, `${offset}+${count}: a view, not a copy`);
    ok(await s.nfs.write({ file: f, offset, count: 1, stable: stable_how.UNSTABLE, data: Buffer.from('a') }));
  }
  const across = ok(await s.nfs.read({ file: f, offset: 60_000n, count: 10_000 }));
  t.ok(across.data.equals(data.subarray(60_000, 70_000)), 'across two chunks: the bytes');
  ok(await s.nfs.write({ file: f, offset: 60_000n, count: 1, stable: stable_how.UNSTABLE, data: Buffer.from('Z') }));
  t.equal(across.data[0], 0x61, 'across two chunks: a copy');
  const tail = ok(await s.nfs.read({ file: f, offset: 199_990n, count: 100 }));
  t.equal(tail.count, 10, 'clamped at EOF');
  t.ok(tail.eof, 'eof');
});

for (const kind of ['disk', 'memory'] as const) {
  t.test(`${kind}: READDIR cookies stay valid while entries come and go between pages`, async (t) => {
    const s = await setup(t, kind === 'memory' ? { memory: {} } : {});
    const names = Array.from({ length: 300 }, (_, i) => `n${i}`);
    for (const name of names) ok(await s.nfs.create({ where: { dir: s.rootFh, name }, how: unchecked(0o644) }));
    const seen = new Map<string, number>();
    let cookie = 0n;
    let verf: Buffer = Buffer.alloc(8);
    let pages = 0;
    for (;;) {
      const r = ok(await s.nfs.readdir({ dir: s.rootFh, cookie, cookieverf: verf, count: 1024 }));
      for (const e of r.reply.entries) seen.set(e.name, (seen.get(e.name) ?? 0) + 1);
      pages++;
      if (r.reply.eof) break;
      cookie = r.reply.entries.at(-1)!.cookie;
      verf = r.cookieverf;
      // between pages: one name goes, another comes
      ok(await s.nfs.remove({ object: { dir: s.rootFh, name: `n${pages * 7}` } }));
      ok(await s.nfs.create({ where: { dir: s.rootFh, name: `new${pages}` }, how: unchecked(0o644) }));
    }
    t.ok(pages > 5, `listed in ${pages} pages`);
    const removed = new Set(Array.from({ length: pages }, (_, i) => `n${(i + 1) * 7}`));
    for (const name of names) {
      if (removed.has(name)) t.ok((seen.get(name) ?? 0) <= 1, `${name} (removed meanwhile) at most once`);
      else if (seen.get(name) !== 1) t.fail(`${name} listed ${seen.get(name) ?? 0} times`);
    }
    t.ok([...seen.values()].every((n) => n === 1), 'no name listed twice');
  });
}
