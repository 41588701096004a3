import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  ServerCore, type Resolved, FH_SIZE,
  NFS3ERR_BADHANDLE, NFS3ERR_STALE, NFS3ERR_ACCES, NFS3ERR_NOENT, NFS3ERR_NOTDIR, NFS3ERR_NAMETOOLONG, NFS3ERR_EXIST,
} from '../src/core/index.js';

function tmp(t: Test): { root: string; state: string } {
  const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-core-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'export');
  const state = join(base, 'state');
  fs.mkdirSync(root);
  return { root, state };
}

async function open(t: Test, root: string, state: string): Promise<ServerCore> {
  const core = await ServerCore.open({ exports: [{ path: '/export', root }], stateDir: state });
  t.teardown(() => core.close());
  return core;
}

/** Absolute path of a resolved object (for comparing with the tree on disk). */
function abs(r: Resolved): string {
  return r.rel === '' ? r.root.path : `${r.root.path}/${r.rel}`;
}

function ok(t: Test, r: Resolved | number, what: string): Resolved {
  if (typeof r === 'number') {
    t.fail(`${what}: got nfsstat3 ${r}`);
    throw new Error(what);
  }
  return r;
}

async function handleOf(core: ServerCore, rel: string): Promise<Buffer> {
  const exp = core.exports[0]!;
  let cur = ok(t, await core.handles.resolve(exp.rootHandle), 'root');
  for (const name of rel.split('/')) cur = ok(t, await core.children.lookupChild(cur, name), `lookup ${name}`);
  return core.handles.handleFor(exp, cur, cur.stats);
}

t.test('handle round trip: root, file, directory; size ≤ 64; same handle for same object', async (t) => {
  const { root, state } = tmp(t);
  fs.mkdirSync(join(root, 'd'));
  fs.writeFileSync(join(root, 'd', 'f'), 'hello');
  const core = await open(t, root, state);
  const exp = core.exports[0]!;
  t.ok(exp.rootHandle.length <= 64);
  t.equal(exp.rootHandle.length, FH_SIZE);
  const r = ok(t, await core.handles.resolve(exp.rootHandle), 'root');
  t.equal(abs(r), fs.realpathSync(root));
  const d = ok(t, await core.children.lookupChild(r, 'd'), 'd');
  const f = ok(t, await core.children.lookupChild(d, 'f'), 'f');
  const fh = core.handles.handleFor(exp, f, f.stats);
  t.ok(fh.length <= 64);
  t.same(core.handles.handleFor(exp, f, f.stats), fh, 'deterministic');
  const back = ok(t, await core.handles.resolve(fh), 'resolve f');
  t.equal(abs(back), join(fs.realpathSync(root), 'd', 'f'));
  t.equal(back.stats.ino, f.stats.ino);
  t.equal(back.stats.size, 5n);
  const dh = core.handles.handleFor(exp, d, d.stats);
  t.equal(abs(ok(t, await core.handles.resolve(dh), 'resolve d')), abs(d));
  t.equal(await core.children.lookupChild(f, 'x'), NFS3ERR_NOTDIR, 'lookup in a file');
  t.equal(await core.children.lookupChild(d, 'nope'), NFS3ERR_NOENT);
  t.equal(await core.children.lookupChild(d, ''), NFS3ERR_NOENT);
  t.equal(await core.children.lookupChild(d, 'a/b'), NFS3ERR_ACCES, "'/' in a name");
  t.equal(await core.children.lookupChild(d, 'a\0b'), NFS3ERR_ACCES, 'NUL in a name');
  t.equal(await core.children.lookupChild(d, 'x'.repeat(256)), NFS3ERR_NAMETOOLONG);
  t.equal(abs(ok(t, await core.children.lookupChild(d, '.'), '.')), abs(d));
  t.equal(abs(ok(t, await core.children.lookupChild(d, '..'), '..')), abs(r));
  t.equal(core.children.childPath(d, '..'), NFS3ERR_EXIST);
  t.equal((core.children.childPath(d, 'new') as { rel: string }).rel, join(d.rel, 'new'));
});

t.test('a handle survives a restart (new ServerCore on the same state dir)', async (t) => {
  const { root, state } = tmp(t);
  fs.mkdirSync(join(root, 'a'));
  fs.writeFileSync(join(root, 'a', 'f'), 'x');
  const core1 = await ServerCore.open({ exports: [{ path: '/export', root }], stateDir: state });
  const fh = await handleOf(core1, 'a/f');
  const rootFh = core1.exports[0]!.rootHandle;
  await core1.close();
  const core2 = await open(t, root, state);
  t.same(core2.exports[0]!.rootHandle, rootFh, 'root handle is the same after restart');
  t.equal(abs(ok(t, await core2.handles.resolve(fh), 'after restart')), join(fs.realpathSync(root), 'a', 'f'));
  t.equal(core2.counters.searches, 0, 'the persisted index made the restart warm: no search');
  t.not(core2.writeVerifier.toString('hex'), '', 'has a write verifier');
  t.equal(core2.writeVerifier.length, 8);
});

t.test('write verifier differs between ServerCores', async (t) => {
  const { root, state } = tmp(t);
  const a = await open(t, root, state);
  const b = await open(t, root, state);
  t.notSame(a.writeVerifier, b.writeVerifier);
});

t.test('a handle survives renames done directly on disk', async (t) => {
  const { root, state } = tmp(t);
  fs.mkdirSync(join(root, 'a'));
  fs.mkdirSync(join(root, 'b'));
  fs.mkdirSync(join(root, 'a', 'sub'));
  fs.writeFileSync(join(root, 'a', 'f'), 'x');
  fs.writeFileSync(join(root, 'a', 'sub', 'g'), 'y');
  const core = await open(t, root, state);
  const fh = await handleOf(core, 'a/f');
  const gh = await handleOf(core, 'a/sub/g');
  const real = fs.realpathSync(root);

  fs.renameSync(join(root, 'a', 'f'), join(root, 'a', 'f2'));
  t.equal(abs(ok(t, await core.handles.resolve(fh), 'same dir')), join(real, 'a', 'f2'), 'rename in the same directory');

  fs.renameSync(join(root, 'a', 'f2'), join(root, 'b', 'f3'));
  t.equal(abs(ok(t, await core.handles.resolve(fh), 'other dir')), join(real, 'b', 'f3'), 'rename into another directory');

  fs.renameSync(join(root, 'a', 'sub'), join(root, 'b', 'sub2'));
  t.equal(abs(ok(t, await core.handles.resolve(gh), 'parent moved')), join(real, 'b', 'sub2', 'g'), 'its directory renamed');

  await core.close();
  fs.renameSync(join(root, 'b', 'f3'), join(root, 'f4'));
  const core2 = await open(t, root, state);
  t.equal(abs(ok(t, await core2.handles.resolve(fh), 'after restart')), join(real, 'f4'), 'renamed while the server was down');
  t.equal(abs(ok(t, await core2.handles.resolve(gh), 'after restart g')), join(real, 'b', 'sub2', 'g'));
});

t.test('a cold restart (index file lost) still resolves by searching the export', async (t) => {
  const { root, state } = tmp(t);
  fs.mkdirSync(join(root, 'x', 'y', 'z'), { recursive: true });
  fs.writeFileSync(join(root, 'x', 'y', 'z', 'deep'), 'd');
  const core1 = await ServerCore.open({ exports: [{ path: '/export', root }], stateDir: state });
  const fh = await handleOf(core1, 'x/y/z/deep');
  await core1.close();
  for (const f of fs.readdirSync(state)) if (f.startsWith('index-')) fs.unlinkSync(join(state, f));
  const core2 = await open(t, root, state);
  t.equal(core2.table.indexSize(core2.exports[0]!), 1, 'only the root is indexed');
  t.equal(abs(ok(t, await core2.handles.resolve(fh), 'searched')), join(fs.realpathSync(root), 'x', 'y', 'z', 'deep'));
  t.ok(core2.table.indexSize(core2.exports[0]!) >= 5, 'search indexed what it saw');
});

t.test('forged, truncated and bit-flipped handles get BADHANDLE', async (t) => {
  const { root, state } = tmp(t);
  fs.writeFileSync(join(root, 'f'), 'x');
  const core = await open(t, root, state);
  const fh = await handleOf(core, 'f');
  t.equal(await core.handles.resolve(Buffer.alloc(0)), NFS3ERR_BADHANDLE, 'empty');
  t.equal(await core.handles.resolve(fh.subarray(0, fh.length - 1)), NFS3ERR_BADHANDLE, 'truncated');
  t.equal(await core.handles.resolve(Buffer.concat([fh, Buffer.alloc(1)])), NFS3ERR_BADHANDLE, 'extended');
  t.equal(await core.handles.resolve(Buffer.alloc(64, 0xab)), NFS3ERR_BADHANDLE, 'garbage');
  for (let bit = 0; bit < fh.length * 8; bit += 7) {
    const b = Buffer.from(fh);
    b[bit >> 3]! ^= 1 << (bit & 7);
    const r = await core.handles.resolve(b);
    if (r !== NFS3ERR_BADHANDLE) {
      t.fail(`bit ${bit} flipped: got ${typeof r === 'number' ? r : abs(r)}`);
      return;
    }
  }
  t.pass('every tested bit flip is BADHANDLE');
  // a handle from another state directory (another secret) for the same inode
  const other = await ServerCore.open({ exports: [{ path: '/export', root }], stateDir: `${state}-other` });
  t.teardown(() => { fs.rmSync(`${state}-other`, { recursive: true, force: true }); });
  const foreign = await handleOf(other, 'f');
  await other.close();
  t.equal(await core.handles.resolve(foreign), NFS3ERR_BADHANDLE, 'MAC under another secret');
});

t.test('a deleted object\'s handle is STALE', async (t) => {
  const { root, state } = tmp(t);
  fs.writeFileSync(join(root, 'f'), 'x');
  const core = await open(t, root, state);
  const fh = await handleOf(core, 'f');
  fs.unlinkSync(join(root, 'f'));
  t.equal(await core.handles.resolve(fh), NFS3ERR_STALE);
  t.equal(await core.handles.resolve(fh), NFS3ERR_STALE, 'again (negative cache)');
  // create files until one reuses the inode: the birth time must tell them apart
  fs.mkdirSync(join(root, 'g'));
  const r = await handleOf(core, 'g');
  fs.rmdirSync(join(root, 'g'));
  t.equal(await core.handles.resolve(r), NFS3ERR_STALE, 'removed directory');
});

/** Whether this filesystem reports birth times and reuses a freed inode number soon (skip reason or undefined). */
function reuseSkipReason(): string | undefined {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-reuse-'));
  try {
    fs.writeFileSync(join(dir, 'f'), '');
    const st = fs.lstatSync(join(dir, 'f'), { bigint: true });
    if (st.birthtimeNs === 0n) return 'this filesystem reports no birth time';
    fs.unlinkSync(join(dir, 'f'));
    for (let i = 0; i < 200; i++) {
      fs.writeFileSync(join(dir, `n${i}`), '');
      if (fs.lstatSync(join(dir, `n${i}`), { bigint: true }).ino === st.ino) return undefined;
    }
    return 'the filesystem did not reuse a freed inode number within 200 creations';
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const reuseSkip = reuseSkipReason();

t.test('a reused inode number does not revive an old handle (birth time as generation)', reuseSkip ? { skip: reuseSkip } : {}, async (t) => {
  const { root, state } = tmp(t);
  const core = await open(t, root, state);
  t.ok(core.useBirthtime, 'birth time is used as the generation');
  fs.writeFileSync(join(root, 'f'), 'x');
  const fh = await handleOf(core, 'f');
  const ino = fs.lstatSync(join(root, 'f')).ino;
  fs.unlinkSync(join(root, 'f'));
  let reused = '';
  for (let i = 0; i < 200 && reused === ''; i++) {
    fs.writeFileSync(join(root, `n${i}`), '');
    if (fs.lstatSync(join(root, `n${i}`)).ino === ino) reused = `n${i}`;
  }
  t.not(reused, '', 'the inode number was reused');
  t.equal(await core.handles.resolve(fh), NFS3ERR_STALE, 'same dev/ino, younger object: STALE');
});

t.test('a removed export root makes its handles STALE', async (t) => {
  const { root, state } = tmp(t);
  const core = await open(t, root, state);
  const rootFh = core.exports[0]!.rootHandle;
  fs.rmdirSync(root);
  t.equal(await core.handles.resolve(rootFh), NFS3ERR_STALE);
});

t.test('a symlink to /etc is never traversed', async (t) => {
  const { root, state } = tmp(t);
  fs.symlinkSync('/etc', join(root, 'etc'));
  fs.symlinkSync('/etc/passwd', join(root, 'pw'));
  const core = await open(t, root, state);
  const exp = core.exports[0]!;
  const r = ok(t, await core.handles.resolve(exp.rootHandle), 'root');
  const link = ok(t, await core.children.lookupChild(r, 'etc'), 'etc');
  t.ok(link.stats.isSymbolicLink(), 'LOOKUP returns the link itself');
  t.equal(await core.children.lookupChild(link, 'passwd'), NFS3ERR_NOTDIR, 'no lookup through the link');
  const pw = ok(t, await core.children.lookupChild(r, 'pw'), 'pw');
  t.ok(pw.stats.isSymbolicLink());
  t.equal(await core.backend.readlink(pw), '/etc/passwd');
  await t.rejects(core.fileCache.get(exp.id, pw, pw.stats, 'r'), 'the cache does not open a symlink');
  // a handle for /etc/passwd (made with this export's secret) does not resolve: it is outside
  const st = fs.lstatSync('/etc/passwd', { bigint: true });
  let fh: Buffer | undefined;
  fh = core.handles.handleFor(exp, { rel: 'not-here' }, st);
  t.equal(await core.handles.resolve(fh), NFS3ERR_STALE, 'a handle of an object outside the export is STALE');
  // a directory swapped for a symlink after its child was indexed is not followed
  fs.mkdirSync(join(root, 'd'));
  fs.writeFileSync(join(root, 'd', 'passwd'), 'mine');
  const fh2 = await handleOf(core, 'd/passwd');
  const outside = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-outside-'));
  t.teardown(() => fs.rmSync(outside, { recursive: true, force: true }));
  fs.renameSync(join(root, 'd', 'passwd'), join(outside, 'passwd'));
  fs.rmdirSync(join(root, 'd'));
  fs.symlinkSync(outside, join(root, 'd'));
  t.equal(await core.handles.resolve(fh2), NFS3ERR_STALE, 'moved outside behind a symlink: STALE, not followed');
});

t.test("'..' from the export root is refused", async (t) => {
  const { root, state } = tmp(t);
  const core = await open(t, root, state);
  const r = ok(t, await core.handles.resolve(core.exports[0]!.rootHandle), 'root');
  t.equal(await core.children.lookupChild(r, '..'), NFS3ERR_ACCES);
  t.equal(await core.children.lookupChild(r, '../..'), NFS3ERR_ACCES);
});

t.test('export configuration errors name the bad property', async (t) => {
  const { root, state } = tmp(t);
  await t.rejects(ServerCore.open({ exports: [{ path: 'export', root }], stateDir: state }), { code: 'ERR_NFS_EXPORT', message: /exports\[0\]\.path/ });
  await t.rejects(ServerCore.open({ exports: [{ path: '/e', root: join(root, 'missing') }], stateDir: state }), { code: 'ERR_NFS_EXPORT', message: /no such directory/ });
  fs.writeFileSync(join(root, 'file'), '');
  await t.rejects(ServerCore.open({ exports: [{ path: '/e', root: join(root, 'file') }], stateDir: state }), { message: /not a directory/ });
  await t.rejects(ServerCore.open({ exports: [{ path: '/e', root }, { path: '/e/', root }], stateDir: state }), { message: /exported twice/ });
  await t.rejects(ServerCore.open({ exports: [{ path: '/e', root, options: { anonuid: -1 } }], stateDir: state }), { code: 'ERR_NFS_BAD_OPTION', message: /anonuid/ });
});

t.test('two exports have distinct ids and secrets; findExport', async (t) => {
  const { root, state } = tmp(t);
  fs.mkdirSync(join(root, 'a'));
  fs.mkdirSync(join(root, 'b'));
  const core = await ServerCore.open({ exports: [{ path: '/a', root: join(root, 'a') }, { path: '/b/', root: join(root, 'b') }], stateDir: state });
  t.teardown(() => core.close());
  const [a, b] = core.exports;
  t.not(a!.id, b!.id);
  t.equal(core.table.findExport('/b')?.id, b!.id);
  t.equal(core.table.findExport('//a/'), a);
  t.equal(core.table.findExport('/c'), undefined);
  const ra = ok(t, await core.handles.resolve(a!.rootHandle), 'a');
  t.equal(ra.exp, a);
  // a's root handle with b's export id: MAC fails
  const forged = Buffer.from(a!.rootHandle);
  forged.writeUInt16BE(b!.id, 2);
  t.equal(await core.handles.resolve(forged), NFS3ERR_BADHANDLE);
});

t.test('renames reported through renamed()/removed() keep resolution O(1): no tree search', async (t) => {
  const { root, state } = tmp(t);
  fs.mkdirSync(join(root, 'a', 'b'), { recursive: true });
  fs.writeFileSync(join(root, 'a', 'b', 'f'), 'x');
  fs.writeFileSync(join(root, 'victim'), 'v');
  const core = await open(t, root, state);
  const exp = core.exports[0]!;
  const fh = await handleOf(core, 'a/b/f');
  const bh = await handleOf(core, 'a/b');
  const vh = await handleOf(core, 'victim');
  const real = fs.realpathSync(root);
  // a procedure renames a/b → b2 (over nothing) and reports it
  fs.renameSync(join(root, 'a', 'b'), join(root, 'b2'));
  core.renamed(exp, { rel: 'b2' }, fs.lstatSync(join(root, 'b2'), { bigint: true }));
  t.equal(abs(ok(t, await core.handles.resolve(bh), 'dir')), join(real, 'b2'));
  t.equal(abs(ok(t, await core.handles.resolve(fh), 'child')), join(real, 'b2', 'f'), 'child found through its parent');
  t.equal(core.counters.searches, 0, 'no search of the tree');
  t.ok(core.counters.repairs >= 1, 'the child entry was repaired through the parent');
  // rename over an existing file: the replaced one is forgotten and its handle is STALE
  const vstats = fs.lstatSync(join(root, 'victim'), { bigint: true });
  fs.renameSync(join(root, 'b2', 'f'), join(root, 'victim'));
  core.renamed(exp, { rel: 'victim' }, fs.lstatSync(join(root, 'victim'), { bigint: true }), vstats);
  t.equal(abs(ok(t, await core.handles.resolve(fh), 'moved over')), join(real, 'victim'));
  t.equal(await core.handles.resolve(vh), NFS3ERR_STALE, 'the replaced object is gone');
  t.equal(core.counters.searches, 0, 'no search: the replaced object left a tombstone');
  const st = fs.lstatSync(join(root, 'victim'), { bigint: true });
  fs.unlinkSync(join(root, 'victim'));
  core.removed(exp, st, 'victim');
  t.equal(await core.handles.resolve(fh), NFS3ERR_STALE);
});

t.test('lookupChild with a credential needs search permission on the directory', async (t) => {
  const { root, state } = tmp(t);
  fs.mkdirSync(join(root, 'closed'));
  fs.writeFileSync(join(root, 'closed', 'f'), '');
  fs.chmodSync(join(root, 'closed'), 0o700);
  const core = await open(t, root, state);
  const r = ok(t, await core.handles.resolve(core.exports[0]!.rootHandle), 'root');
  const closed = ok(t, await core.children.lookupChild(r, 'closed'), 'closed');
  const ownerUid = Number(closed.stats.uid);
  const stranger = { uid: ownerUid + 4242, gid: 4242, gids: [] };
  t.equal(await core.children.lookupChild(closed, 'f', stranger), NFS3ERR_ACCES);
  t.equal(ok(t, await core.children.lookupChild(closed, 'f', { uid: ownerUid, gid: 1, gids: [] }), 'owner').stats.isFile(), true);
});

const notRoot = typeof process.getuid === 'function' && process.getuid() === 0 ? undefined : 'needs root to chown';
t.test('when the server runs as root, new objects belong to the caller (setgid dirs pass their group)', notRoot ? { skip: notRoot } : {}, async (t) => {
  const { root, state } = tmp(t);
  const core = await open(t, root, state);
  t.ok(core.runningAsRoot);
  fs.writeFileSync(join(root, 'new'), '');
  const dirStats = fs.lstatSync(root, { bigint: true });
  await core.chownNew({ root: ok(t, await core.handles.resolve(core.exports[0]!.rootHandle), 'root').root, rel: 'new' }, { uid: 1234, gid: 5678, gids: [] }, dirStats);
  const st = fs.lstatSync(join(root, 'new'));
  t.equal(st.uid, 1234);
  t.equal(st.gid, 5678);
  fs.mkdirSync(join(root, 'sg'));
  fs.chownSync(join(root, 'sg'), 0, 999);
  fs.chmodSync(join(root, 'sg'), 0o2775);
  fs.symlinkSync('/etc/passwd', join(root, 'sg', 'ln'));
  const before = fs.statSync('/etc/passwd');
  await core.chownNew({ root: (ok(t, await core.handles.resolve(core.exports[0]!.rootHandle), 'root')).root, rel: 'sg/ln' }, { uid: 1234, gid: 5678, gids: [] }, fs.lstatSync(join(root, 'sg'), { bigint: true }));
  const ln = fs.lstatSync(join(root, 'sg', 'ln'));
  t.equal(ln.uid, 1234, 'the symlink itself is chowned');
  t.equal(ln.gid, 999, 'group of the setgid directory');
  t.equal(fs.statSync('/etc/passwd').uid, before.uid, 'the target is untouched');
});
