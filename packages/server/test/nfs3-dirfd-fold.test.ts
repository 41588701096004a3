/**
 * CREATE, REMOVE and RMDIR walk their directory's path once: the handle is resolved by opening
 * the directory (core.handles.resolveDirSync, counted in counters.dirResolves) and the backend
 * creates or unlinks in that very descriptor. The tests watch the real backend's calls (one
 * openDirSync, no lstatSync, per call), check that every refusal still happens on this path,
 * that the descriptor is closed whatever the outcome, and that a directory renamed, replaced,
 * swapped for a symlink or moved out of the export between two calls is never acted in.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { authSys } from '@nfsts/rpc';
import { createmode3, type CREATE3res, type REMOVE3res, type nfs_fh3 } from '@nfsts/xdr';
import { AtBackend, type Loc } from '../src/core/index.js';
import { GATE_WIDE_OPEN, ctxFor, me, ok, sattr, setup, st, stranger, type Setup } from './nfs3-helpers.js';

const isThenable = (v: unknown): boolean => typeof (v as { then?: unknown }).then === 'function';
const skip = AtBackend.available() ? false : 'needs the Linux at-backend (openat2 through koffi)';
const CREATE = 8;
const REMOVE = 12;
const RMDIR = 13;
const rootCred = authSys({ uid: 0, gid: 0, gids: [] });

/** Counts the backend's directory opens and path lstats (the real calls still run). */
function watch(s: Setup): { opens: number; lstats: number } {
  const n = { opens: 0, lstats: 0 };
  const b = s.core.backend as AtBackend;
  const openDirSync = b.openDirSync.bind(b);
  const lstatSync = b.lstatSync.bind(b);
  b.openDirSync = (d: Loc) => { n.opens++; return openDirSync(d); };
  b.lstatSync = (a: Loc) => { n.lstats++; return lstatSync(a); };
  return n;
}

/** Descriptors this process holds (a leaked directory descriptor shows here). */
function fds(): number {
  return readdirSync('/proc/self/fd').length;
}

function procs(s: Setup) {
  const v = s.prog.versions[3]!.procedures;
  return {
    create: (dir: nfs_fh3, name: string, cred = me, mode = createmode3.GUARDED) =>
      v[CREATE]!.handler({ where: { dir, name }, how: mode === createmode3.EXCLUSIVE ? { mode, verf: Buffer.from('verifier') } : { mode, obj_attributes: sattr({ mode: 0o644 }) } }, ctxFor(cred, CREATE)) as CREATE3res | Promise<CREATE3res>,
    remove: (dir: nfs_fh3, name: string, cred = me) => v[REMOVE]!.handler({ object: { dir, name } }, ctxFor(cred, REMOVE)) as REMOVE3res | Promise<REMOVE3res>,
    rmdir: (dir: nfs_fh3, name: string, cred = me) => v[RMDIR]!.handler({ object: { dir, name } }, ctxFor(cred, RMDIR)) as REMOVE3res | Promise<REMOVE3res>,
  };
}

t.test('CREATE / REMOVE / RMDIR: one open of the directory, no path lstat, the wcc_data of that directory', { skip }, async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  mkdirSync(join(s.root, 'a', 'b'), { recursive: true, mode: 0o755 });
  s.own(join(s.root, 'a'));
  s.own(join(s.root, 'a', 'b'));
  const p = procs(s);
  for (const rel of ['', 'a/b']) {
    const dir = rel === '' ? s.rootFh : await s.fh(rel);
    await s.nfs.getattr({ object: dir }); // the handle is known
    const before = await s.stat(rel);
    const n = watch(s);
    const c0 = { ...s.core.counters };
    const fd0 = fds();
    const made = p.create(dir, 'f');
    t.notOk(isThenable(made), `${rel || 'root'}: CREATE answered synchronously`);
    t.same(n, { opens: 1, lstats: 0 }, `${rel || 'root'}: CREATE opened the directory once and walked no path`);
    t.equal(s.core.counters.dirResolves, c0.dirResolves + 1);
    t.equal(s.core.counters.syncCreates, c0.syncCreates + 1);
    const wccData = ok(made as CREATE3res).dir_wcc;
    t.same(wccData.before.attributes_follow && wccData.before.attributes.mtime, { seconds: Number(before.mtimeNs / 1_000_000_000n), nseconds: Number(before.mtimeNs % 1_000_000_000n) }, 'pre-op: the directory before');
    const afterCreate = await s.stat(rel);
    t.same(wccData.after.attributes_follow && wccData.after.attributes.fileid, afterCreate.ino, 'post-op: the same directory');
    t.ok(existsSync(join(s.root, rel, 'f')));
    mkdirSync(join(s.root, rel, 'sub'));
    n.opens = 0;
    n.lstats = 0; // the test's own stat above counted
    const gone = p.remove(dir, 'f');
    t.notOk(isThenable(gone));
    t.equal(st(gone as REMOVE3res), 'NFS3_OK');
    const rd = p.rmdir(dir, 'sub');
    t.notOk(isThenable(rd));
    t.equal(st(rd as REMOVE3res), 'NFS3_OK');
    t.same(n, { opens: 2, lstats: 0 }, 'REMOVE and RMDIR: one open each, no path lstat');
    t.equal(s.core.counters.dirResolves, c0.dirResolves + 3);
    t.equal(s.core.counters.syncRemoves, c0.syncRemoves + 2);
    t.notOk(existsSync(join(s.root, rel, 'f')) || existsSync(join(s.root, rel, 'sub')));
    t.equal(fds(), fd0, 'every directory descriptor closed');
  }
});

t.test('the folded path refuses what it must (write and search permission, root squash, ROFS, names, sticky) and closes its descriptor', { skip }, async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN, options: { squash: 'root' } });
  mkdirSync(join(s.root, 'd'), { mode: 0o755 });
  s.own(join(s.root, 'd'));
  chmodSync(join(s.root, 'd'), 0o755);
  writeFileSync(join(s.root, 'd', 'f'), 'x');
  s.own(join(s.root, 'd', 'f'));
  mkdirSync(join(s.root, 'sticky'));
  s.own(join(s.root, 'sticky'));
  chmodSync(join(s.root, 'sticky'), 0o1777);
  writeFileSync(join(s.root, 'sticky', 'mine'), 'x');
  s.own(join(s.root, 'sticky', 'mine'));
  const dir = await s.fh('d');
  const sticky = await s.fh('sticky');
  await s.nfs.getattr({ object: dir });
  await s.nfs.getattr({ object: sticky });
  const p = procs(s);
  const fd0 = fds();
  const c0 = { ...s.core.counters };
  const sync = <R extends { status: number }>(what: string, r: R | Promise<R>): string => {
    t.notOk(isThenable(r), `${what}: answered on the folded path`);
    return st(r as R);
  };
  t.equal(sync('stranger CREATE', p.create(dir, 'x', stranger)), 'NFS3ERR_ACCES', 'no write permission');
  t.equal(sync('root CREATE', p.create(dir, 'x', rootCred)), 'NFS3ERR_ACCES', 'root squashed to nobody: no write permission');
  t.equal(sync('EXCLUSIVE CREATE by a stranger', p.create(dir, 'x', stranger, createmode3.EXCLUSIVE)), 'NFS3ERR_ACCES');
  t.equal(sync('stranger REMOVE', p.remove(dir, 'f', stranger)), 'NFS3ERR_ACCES');
  t.equal(sync('root REMOVE', p.remove(dir, 'f', rootCred)), 'NFS3ERR_ACCES', 'root squashed');
  t.equal(sync('stranger REMOVE in a sticky directory', p.remove(sticky, 'mine', stranger)), 'NFS3ERR_ACCES', 'sticky rule');
  t.equal(sync("CREATE of 'a/b'", p.create(dir, 'a/b')), 'NFS3ERR_ACCES', "a '/' in the name");
  t.equal(sync("REMOVE of '..'", p.remove(dir, '..')), 'NFS3ERR_ACCES');
  chmodSync(join(s.root, 'd'), 0o776);
  await s.nfs.getattr({ object: dir });
  t.equal(sync('CREATE without search permission', p.create(dir, 'x', stranger)), 'NFS3ERR_ACCES', 'write but no search');
  t.equal(sync('REMOVE without search permission', p.remove(dir, 'missing', stranger)), 'NFS3ERR_ACCES', 'ACCES, not NOENT');
  t.equal(s.core.counters.dirResolves, c0.dirResolves + 10, 'each call resolved its directory on the folded path');
  t.equal(s.core.counters.syncCreates + s.core.counters.syncRemoves, c0.syncCreates + c0.syncRemoves, 'nothing created or removed');
  t.same(readdirSync(join(s.root, 'd')), ['f']);
  t.ok(existsSync(join(s.root, 'sticky', 'mine')));
  // the awaited fallbacks (EXIST, NOENT) and ROFS close the descriptor too
  chmodSync(join(s.root, 'd'), 0o755);
  await s.nfs.getattr({ object: dir });
  t.equal(st(await p.create(dir, 'f')), 'NFS3ERR_EXIST');
  t.equal(st(await p.remove(dir, 'missing')), 'NFS3ERR_NOENT');
  writeFileSync(join(s.roRoot, 'keep'), 'x');
  t.equal(st(await p.create(s.roFh, 'x')), 'NFS3ERR_ROFS');
  t.equal(st(await p.remove(s.roFh, 'keep')), 'NFS3ERR_ROFS');
  t.ok(existsSync(join(s.roRoot, 'keep')) && !existsSync(join(s.roRoot, 'x')));
  t.equal(fds(), fd0, 'no descriptor left open by any of these');
});

t.test('a directory renamed, replaced, swapped for a symlink or moved out of the export between calls is never acted in', { skip }, async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  const outside = mkdtempSync(join(tmpdir(), 'nfsts-outside-'));
  t.teardown(() => rmSync(outside, { recursive: true, force: true }));
  writeFileSync(join(outside, 'victim'), 'keep');
  mkdirSync(join(s.root, 'd'));
  s.own(join(s.root, 'd'));
  const dir = await s.fh('d');
  const p = procs(s);
  const fd0 = fds();
  t.equal(st(p.create(dir, 'one') as CREATE3res), 'NFS3_OK', 'the handle works, on the folded path');
  // renamed, and a symlink to outside put under its old name: the handle follows the directory
  renameSync(join(s.root, 'd'), join(s.root, 'd-moved'));
  symlinkSync(outside, join(s.root, 'd'));
  t.equal(st(await p.create(dir, 'evil')), 'NFS3_OK', 'CREATE reaches the renamed directory');
  t.equal(st(await p.remove(dir, 'victim')), 'NFS3ERR_NOENT', 'REMOVE looks in the renamed directory, not through the symlink');
  t.same(readdirSync(outside), ['victim'], 'nothing created or removed through the symlink');
  t.ok(existsSync(join(s.root, 'd-moved', 'evil')), 'created in the directory the handle names');
  // moved out of the export (same filesystem): its handle is STALE, nothing happens there
  renameSync(join(s.root, 'd-moved'), join(outside, 'd'));
  const r0 = s.core.counters.syncCreates + s.core.counters.syncRemoves;
  t.equal(st(await p.create(dir, 'escape')), 'NFS3ERR_STALE');
  t.equal(st(await p.remove(dir, 'one')), 'NFS3ERR_STALE');
  t.equal(st(await p.create(dir, 'escape')), 'NFS3ERR_STALE', 'again: no descriptor kept from an earlier call');
  t.notOk(existsSync(join(outside, 'd', 'escape')), 'nothing created outside');
  t.ok(existsSync(join(outside, 'd', 'one')), 'nothing removed outside');
  t.equal(s.core.counters.syncCreates + s.core.counters.syncRemoves, r0);
  // replaced by another directory under the same name: not the handle's, STALE
  rmSync(join(s.root, 'd'));
  mkdirSync(join(s.root, 'e'));
  s.own(join(s.root, 'e'));
  const e = await s.fh('e');
  t.equal(st(p.create(e, 'x') as CREATE3res), 'NFS3_OK');
  rmSync(join(s.root, 'e'), { recursive: true });
  mkdirSync(join(s.root, 'e'));
  s.own(join(s.root, 'e'));
  t.equal(st(await p.create(e, 'y')), 'NFS3ERR_STALE', 'the new directory under the old name is not the handle\'s');
  t.same(readdirSync(join(s.root, 'e')), []);
  t.equal(fds(), fd0, 'every directory descriptor closed');
  // what the kernel client does before a create: still NOENT, then the folded CREATE
  const f = await s.fh('e');
  t.equal(st(await s.nfs.lookup({ what: { dir: f, name: 'z' } })), 'NFS3ERR_NOENT');
  t.equal(st(p.create(f, 'z', me, createmode3.UNCHECKED) as CREATE3res), 'NFS3_OK');
  t.equal(st(p.create(f, 'w', me, createmode3.EXCLUSIVE) as CREATE3res), 'NFS3_OK', 'EXCLUSIVE on the folded path');
  t.equal(st(await p.create(f, 'w', me, createmode3.EXCLUSIVE)), 'NFS3_OK', 'its retransmission finds its own file');
});
