/**
 * GETATTR and LOOKUP answered without a promise (core.handles.resolveSync, core.children.lookupChildSync): the
 * handlers return their result itself once a handle is known, and that path keeps the rules
 * of the awaited one: a replaced object is STALE (never the new object's attributes), search
 * permission is checked for the caller, a missing name is NOENT.
 */
import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { GETATTR3res, LOOKUP3res } from '@nfsts/xdr';
import { GATE_WIDE_OPEN, ctxFor, me, ok, setup, st, stranger } from './nfs3-helpers.js';

const isThenable = (v: unknown): boolean => typeof (v as { then?: unknown }).then === 'function';

t.test('GETATTR: synchronous for a known handle, STALE once the object is replaced', async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  writeFileSync(join(s.root, 'f'), 'abc');
  s.own(join(s.root, 'f'));
  const file = await s.fh('f');
  const proc = s.prog.versions[3]!.procedures[1]!;
  const r0 = s.core.counters.resolves;
  const r = proc.handler({ object: file }, ctxFor(me, 1)) as GETATTR3res;
  t.notOk(isThenable(r), 'not a promise');
  t.equal(s.core.counters.resolves, r0 + 1);
  t.equal(ok(r).obj_attributes.size, 3n);
  t.equal(ok(r).obj_attributes.fileid, (await s.stat('f')).ino);
  // another file takes the name: the handle's object is gone
  writeFileSync(join(s.root, 'g'), 'other');
  renameSync(join(s.root, 'g'), join(s.root, 'f'));
  const after = await proc.handler({ object: file }, ctxFor(me, 1));
  t.equal(st(after), 'NFS3ERR_STALE', 'the old handle is STALE, not the new file');
});

t.test('LOOKUP: synchronous answers keep the search permission check and NOENT', async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  mkdirSync(join(s.root, 'd'));
  writeFileSync(join(s.root, 'd', 'x'), 'x');
  s.own(join(s.root, 'd'));
  s.own(join(s.root, 'd', 'x'));
  chmodSync(join(s.root, 'd'), 0o700);
  const dir = await s.fh('d');
  const proc = s.prog.versions[3]!.procedures[3]!;
  await proc.handler({ what: { dir, name: 'x' } }, ctxFor(me, 3)); // the directory handle is now known
  const mine = proc.handler({ what: { dir, name: 'x' } }, ctxFor(me, 3)) as LOOKUP3res;
  t.notOk(isThenable(mine), 'not a promise');
  t.equal(ok(mine).obj_attributes.attributes_follow, true);
  const theirs = proc.handler({ what: { dir, name: 'x' } }, ctxFor(stranger, 3)) as LOOKUP3res;
  t.notOk(isThenable(theirs), 'not a promise');
  t.equal(st(theirs), 'NFS3ERR_ACCES', 'no search permission on a 0700 directory of someone else');
  const missing = proc.handler({ what: { dir, name: 'nope' } }, ctxFor(me, 3)) as LOOKUP3res;
  t.notOk(isThenable(missing), 'not a promise');
  t.equal(st(missing), 'NFS3ERR_NOENT');
  rmSync(join(s.root, 'd', 'x'));
  t.equal(st(await proc.handler({ what: { dir, name: 'x' } }, ctxFor(me, 3))), 'NFS3ERR_NOENT', 'a removed entry is gone at once');
});

t.test('LOOKUP of a missing name: NOENT as data from the backend (no Error), every check kept', async (t) => {
  const s = await setup(t, { syncReads: GATE_WIDE_OPEN });
  const backend = s.core.backend;
  if (backend.lstatOrErrnoSync === undefined) {
    t.pass('this backend has no lstatOrErrnoSync: the throwing lstatSync answers');
    return;
  }
  mkdirSync(join(s.root, 'd'));
  mkdirSync(join(s.root, 'd', 'sub'));
  s.own(join(s.root, 'd'));
  chmodSync(join(s.root, 'd'), 0o700);
  // count what the backend's status-as-data stat answers (the real call runs)
  const answers: Array<string> = [];
  const real = backend.lstatOrErrnoSync.bind(backend);
  backend.lstatOrErrnoSync = (at) => {
    const r = real(at);
    answers.push(typeof r === 'number' ? `errno ${r}` : 'stats');
    return r;
  };
  t.teardown(() => { delete (backend as { lstatOrErrnoSync?: unknown }).lstatOrErrnoSync; });
  const dir = await s.fh('d');
  const proc = s.prog.versions[3]!.procedures[3]!;
  await proc.handler({ what: { dir, name: 'sub' } }, ctxFor(me, 3)); // the directory handle is now known
  answers.length = 0;
  const missing = proc.handler({ what: { dir, name: 'nope' } }, ctxFor(me, 3)) as LOOKUP3res;
  t.notOk(isThenable(missing), 'not a promise');
  t.equal(st(missing), 'NFS3ERR_NOENT');
  t.same(answers, ['errno 2'], 'ENOENT came back as a number');
  const fail = (missing as { resfail?: { dir_attributes: { attributes_follow: boolean } } }).resfail;
  t.equal(fail?.dir_attributes.attributes_follow, true, 'the directory attributes follow');
  // the checks before the stat are unchanged: no search permission, a '/' in the name
  answers.length = 0;
  t.equal(st(proc.handler({ what: { dir, name: 'nope' } }, ctxFor(stranger, 3)) as LOOKUP3res), 'NFS3ERR_ACCES', 'no search permission: ACCES, not NOENT');
  t.equal(st(proc.handler({ what: { dir, name: 'sub/nope' } }, ctxFor(me, 3)) as LOOKUP3res), 'NFS3ERR_ACCES', "a '/' in the name");
  t.same(answers, [], 'nothing stat\'ed for a refused call');
  // confinement: a directory swapped for a symlink to a place holding the name is not followed
  const outside = join(s.root, '..', `${join(s.root).split('/').pop()}-outside`);
  mkdirSync(outside, { recursive: true });
  t.teardown(() => rmSync(outside, { recursive: true, force: true }));
  writeFileSync(join(outside, 'nope'), 'secret');
  const exp = s.core.table.findExport('/export')!;
  renameSync(join(s.root, 'd'), join(s.root, 'd-moved'));
  symlinkSync(outside, join(s.root, 'd'));
  const through = real(s.core.table.loc(exp, 'd/nope'));
  t.equal(typeof through, 'number', 'lstatOrErrnoSync through a symlinked parent: an errno, not the file outside');
  t.not(st(await proc.handler({ what: { dir, name: 'nope' } }, ctxFor(me, 3))), 'NFS3_OK', 'LOOKUP never finds the name outside');
});
