import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { BigIntStats } from 'node:fs';
import {
  mayAccess, mayWrite, mayDelete, mayChmod, mayChown, maySetTimes, accessBits, newObjectGid, chmodMask,
  MAY_READ, MAY_WRITE, MAY_EXEC,
  ACCESS3_READ, ACCESS3_LOOKUP, ACCESS3_MODIFY, ACCESS3_EXTEND, ACCESS3_DELETE, ACCESS3_EXECUTE, ACCESS3_ALL,
  type Cred,
} from '../src/core/index.js';

// Real stats of real files are used where the server could run them; the matrix needs owners
// and modes that only root can create, so it builds stats with the same fields instead.
function st(type: 'file' | 'dir', mode: number, uid: number, gid: number): BigIntStats {
  const real = fs.lstatSync(type === 'dir' ? os.tmpdir() : process.execPath, { bigint: true });
  return Object.assign(Object.create(Object.getPrototypeOf(real) as object) as BigIntStats, real, {
    mode: BigInt((type === 'dir' ? 0o040000 : 0o100000) | mode),
    uid: BigInt(uid),
    gid: BigInt(gid),
  });
}

const owner: Cred = { uid: 1000, gid: 1000, gids: [] };
const groupie: Cred = { uid: 2000, gid: 50, gids: [] };
const suppl: Cred = { uid: 2001, gid: 9, gids: [8, 50] };
const other: Cred = { uid: 3000, gid: 3000, gids: [1, 2] };
const root: Cred = { uid: 0, gid: 0, gids: [] };

t.test('permission matrix: owner, group, supplementary group, other, root', async (t) => {
  const f = st('file', 0o640, 1000, 50);
  const cases: Array<[string, Cred, number, boolean]> = [
    ['owner reads', owner, MAY_READ, true],
    ['owner writes', owner, MAY_WRITE, true],
    ['owner cannot exec', owner, MAY_EXEC, false],
    ['group reads', groupie, MAY_READ, true],
    ['group cannot write', groupie, MAY_WRITE, false],
    ['supplementary group reads', suppl, MAY_READ, true],
    ['supplementary group cannot write', suppl, MAY_WRITE, false],
    ['other cannot read', other, MAY_READ, false],
    ['root reads anything', root, MAY_READ, true],
    ['root writes anything', root, MAY_WRITE, true],
    ['root cannot exec without any x bit', root, MAY_EXEC, false],
  ];
  for (const [name, cred, want, exp] of cases) t.equal(mayAccess(f, cred, want), exp, name);
  // owner bits apply to the owner even when group/other would allow more (like the kernel)
  const g = st('file', 0o077, 1000, 50);
  t.notOk(mayAccess(g, owner, MAY_READ), 'owner with ---: denied even though group/other have rwx');
  t.ok(mayAccess(g, groupie, MAY_READ | MAY_WRITE | MAY_EXEC));
  t.ok(mayAccess(g, other, MAY_READ | MAY_WRITE | MAY_EXEC));
  t.ok(mayAccess(st('file', 0o001, 5, 5), root, MAY_EXEC), 'root executes when any x bit is set');
  t.ok(mayAccess(st('dir', 0o000, 5, 5), root, MAY_EXEC), 'root searches any directory');
});

t.test('directory write, delete and sticky-bit rules', async (t) => {
  const d = st('dir', 0o775, 1000, 50);
  t.ok(mayWrite(d, owner));
  t.ok(mayWrite(d, suppl), 'group write through a supplementary gid');
  t.notOk(mayWrite(d, other));
  t.notOk(mayWrite(st('dir', 0o757, 1000, 50), groupie), 'no w for the group');
  t.notOk(mayWrite(st('dir', 0o666, 1000, 50), owner), 'w without x is not enough');
  const child = st('file', 0o644, 3000, 3000);
  t.ok(mayDelete(d, child, owner));
  t.notOk(mayDelete(d, child, other), 'no write on the directory');
  const sticky = st('dir', 0o1777, 1000, 50);
  const mine = st('file', 0o600, 3000, 3000);
  const theirs = st('file', 0o666, 2000, 50);
  t.ok(mayDelete(sticky, mine, other), 'sticky: the child owner may delete');
  t.notOk(mayDelete(sticky, theirs, other), 'sticky: others may not');
  t.ok(mayDelete(sticky, theirs, owner), 'sticky: the directory owner may');
  t.ok(mayDelete(sticky, theirs, root), 'sticky: root may');
});

t.test('chmod, chown and utimes ownership rules', async (t) => {
  const f = st('file', 0o644, 1000, 50);
  t.ok(mayChmod(f, owner));
  t.notOk(mayChmod(f, groupie));
  t.ok(mayChmod(f, root));
  t.ok(mayChown(f, root, 5, 5), 'root chowns');
  t.notOk(mayChown(f, owner, 2000, undefined), 'owner cannot give the file away');
  t.ok(mayChown(f, owner, 1000, undefined), 'setting the same uid is allowed');
  t.ok(mayChown(f, { uid: 1000, gid: 1000, gids: [77] }, undefined, 77), 'owner chgrps to a group it is in');
  t.notOk(mayChown(f, owner, undefined, 77), 'but not to another group');
  t.notOk(mayChown(f, groupie, undefined, 50), 'non-owner cannot chgrp');
  t.ok(maySetTimes(f, owner, false));
  t.notOk(maySetTimes(st('file', 0o666, 1000, 50), other, false), 'explicit times need ownership');
  t.ok(maySetTimes(st('file', 0o666, 1000, 50), other, true), 'server time needs only write permission');
  t.notOk(maySetTimes(f, other, true));
  t.equal(chmodMask(f, groupie, 0o2755), 0o2755, 'in the group: setgid kept');
  t.equal(chmodMask(f, owner, 0o2755), 0o755, 'not in the group: setgid dropped');
  t.equal(newObjectGid(st('dir', 0o2775, 0, 50), owner), 50, 'setgid directory passes its group on');
  t.equal(newObjectGid(st('dir', 0o775, 0, 50), owner), 1000);
});

t.test('ACCESS3 bits for files and directories, and on read-only exports', async (t) => {
  const f = st('file', 0o754, 1000, 50);
  t.equal(accessBits(f, owner, ACCESS3_ALL), ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_EXECUTE, 'owner rwx file: no DELETE on a non-directory');
  t.equal(accessBits(f, groupie, ACCESS3_ALL), ACCESS3_READ | ACCESS3_EXECUTE);
  t.equal(accessBits(f, other, ACCESS3_ALL), ACCESS3_READ);
  t.equal(accessBits(f, owner, ACCESS3_READ), ACCESS3_READ, 'only asked bits are granted');
  t.equal(accessBits(f, owner, ACCESS3_ALL, true), ACCESS3_READ | ACCESS3_EXECUTE, 'read-only export');
  const d = st('dir', 0o750, 1000, 50);
  t.equal(accessBits(d, owner, ACCESS3_ALL), ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE);
  t.equal(accessBits(d, suppl, ACCESS3_ALL), ACCESS3_READ | ACCESS3_LOOKUP);
  t.equal(accessBits(d, other, ACCESS3_ALL), 0);
  t.equal(accessBits(d, root, ACCESS3_ALL), ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE);
  t.equal(accessBits(d, root, ACCESS3_ALL, true), ACCESS3_READ | ACCESS3_LOOKUP);
  t.equal(accessBits(st('file', 0o644, 1, 1), root, ACCESS3_ALL), ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND, 'root: no EXECUTE without x bits');
});

t.test('real files: the server answers from real stats', async (t) => {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-perm-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const p = join(dir, 'f');
  fs.writeFileSync(p, '');
  fs.chmodSync(p, 0o604);
  const s = fs.lstatSync(p, { bigint: true });
  const me: Cred = { uid: Number(s.uid), gid: Number(s.gid), gids: [] };
  const stranger: Cred = { uid: Number(s.uid) + 12345, gid: Number(s.gid) + 12345, gids: [] };
  t.equal(accessBits(s, me.uid === 0 ? { ...me, uid: 1 } : me, ACCESS3_ALL) & ACCESS3_EXECUTE, 0);
  t.equal(accessBits(s, stranger, ACCESS3_ALL), ACCESS3_READ, 'other r only');
});
