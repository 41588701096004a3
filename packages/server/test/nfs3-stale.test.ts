/**
 * Issue 9 item 4: the cost of a handle missing from the inode index is bounded, and an
 * object that exists is always reachable by its handle. Counted, not timed: the core's
 * `counters.searches` says how many walks of the export ran.
 */
import { linkSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { NO_SATTR, nfsstat3, ok, setup, st, type Setup } from './nfs3-helpers.js';
import { ServerCore, NFS3ERR_JUKEBOX, NFS3ERR_STALE } from '../src/core/index.js';

async function createFile(s: Setup, name: string): Promise<Buffer> {
  const r = ok(await s.nfs.create({ where: { dir: s.rootFh, name }, how: { mode: 0, obj_attributes: NO_SATTR } } as never));
  const fh = (r as { obj: { handle_follows: boolean; handle?: { data: Buffer } } }).obj;
  if (!fh.handle_follows || !fh.handle) throw new Error('CREATE gave no handle');
  return Buffer.from(fh.handle.data);
}

t.test('hard links: removing or replacing one name keeps the file reachable by handle, without a search', async (t) => {
  const s = await setup(t);
  const f = await createFile(s, 'f');
  // echo d > f; ln f g; rm g; stat f  (all through NFS)
  ok(await s.nfs.link({ file: { data: f }, link: { dir: s.rootFh, name: 'g' } }));
  ok(await s.nfs.remove({ object: { dir: s.rootFh, name: 'g' } }));
  t.equal(st(await s.nfs.getattr({ object: { data: f } })), 'NFS3_OK', 'stat f after rm g');
  // ln f g; rm f; stat g (the name the index followed is the one removed)
  ok(await s.nfs.link({ file: { data: f }, link: { dir: s.rootFh, name: 'g' } }));
  ok(await s.nfs.remove({ object: { dir: s.rootFh, name: 'f' } }));
  t.equal(st(await s.nfs.getattr({ object: { data: f } })), 'NFS3_OK', 'stat through the handle after rm f');
  // mv over a linked name: ln g h; create o; mv o h
  ok(await s.nfs.link({ file: { data: f }, link: { dir: s.rootFh, name: 'h' } }));
  await createFile(s, 'o');
  ok(await s.nfs.rename({ from: { dir: s.rootFh, name: 'o' }, to: { dir: s.rootFh, name: 'h' } }));
  t.equal(st(await s.nfs.getattr({ object: { data: f } })), 'NFS3_OK', 'stat after the linked name h was renamed over');
  // cp -al + rm -rf of the copy, done by a local process after our client saw the copy
  mkdirSync(join(s.root, 'copy'));
  linkSync(join(s.root, 'g'), join(s.root, 'copy', 'g'));
  const copy = ok(await s.nfs.lookup({ what: { dir: s.rootFh, name: 'copy' } })).object;
  ok(await s.nfs.lookup({ what: { dir: copy, name: 'g' } }));
  rmSync(join(s.root, 'copy'), { recursive: true });
  t.equal(st(await s.nfs.getattr({ object: { data: f } })), 'NFS3_OK', 'stat after a local rm -rf of a linked copy');
  t.equal(s.core.counters.searches, 0, 'no walk of the export for any of these');
});

t.test('handles of removed files replayed while a well-behaved client works: STALE each; no walk for tombstones, shared walks otherwise', async (t) => {
  const s = await setup(t);
  mkdirSync(join(s.root, 'keep'));
  for (let i = 0; i < 300; i++) writeFileSync(join(s.root, 'keep', `k${i}`), '');
  const viaNfs: Buffer[] = [];
  const local: Buffer[] = [];
  for (let i = 0; i < 100; i++) viaNfs.push(await createFile(s, `n${i}`));
  for (let i = 0; i < 100; i++) local.push(await createFile(s, `l${i}`));
  for (let i = 0; i < 100; i++) ok(await s.nfs.remove({ object: { dir: s.rootFh, name: `n${i}` } }));
  for (let i = 0; i < 100; i++) unlinkSync(join(s.root, `l${i}`)); // the server is not told
  const good = ok(await s.nfs.lookup({ what: { dir: s.rootFh, name: 'keep' } })).object;
  const LANES = 8;
  const replay = async (stale: Buffer[]): Promise<{ staleAnswers: number; other: number; goodCalls: number; goodOk: number; walksAfterRound1: number }> => {
    const out = { staleAnswers: 0, other: 0, goodCalls: 0, goodOk: 0, walksAfterRound1: 0 };
    let lanesDone = 0;
    const attacker = async (lane: number): Promise<void> => {
      for (let round = 0; round < 5; round++) {
        for (let i = lane; i < stale.length; i += LANES) {
          const r = await s.nfs.getattr({ object: { data: stale[i]! } });
          if (r.status === nfsstat3.NFS3ERR_STALE) out.staleAnswers++;
          else out.other++;
        }
        if (round === 0 && ++lanesDone === LANES) out.walksAfterRound1 = s.core.counters.searches;
      }
    };
    const wellBehaved = async (): Promise<void> => {
      for (let i = 0; i < 300; i++) {
        out.goodCalls++;
        const r = await s.nfs.lookup({ what: { dir: good, name: `k${i}` } });
        if (r.status === nfsstat3.NFS3_OK) out.goodOk++;
      }
    };
    await Promise.all([...Array.from({ length: LANES }, (_, lane) => attacker(lane)), wellBehaved()]);
    return out;
  };
  const a = await replay(viaNfs);
  t.equal(a.staleAnswers, viaNfs.length * 5, 'every replay of a file removed through NFS is STALE');
  t.equal(a.other, 0, 'and nothing else');
  t.equal(a.goodOk, a.goodCalls, 'the well-behaved client got every answer');
  t.equal(s.core.counters.searches, 0, 'files removed through NFS left tombstones: no walk at all');
  const b = await replay(local);
  t.equal(b.staleAnswers, local.length * 5, 'every replay of a file removed behind the server\'s back is STALE');
  t.equal(b.other, 0, 'and nothing else');
  t.equal(b.goodOk, b.goodCalls, 'the well-behaved client got every answer');
  // a pass serves every handle waiting when it starts: fewer walks than distinct handles
  // (about two per lane-full here), and none at all when they are replayed
  t.ok(b.walksAfterRound1 < local.length, `walks shared by the waiting handles: ${b.walksAfterRound1} walks for ${local.length} distinct handles on ${LANES} lanes`);
  t.equal(s.core.counters.searches, b.walksAfterRound1, 'replaying them again costs no walk (remembered as gone)');
});

t.test('a search that stops at its budget answers JUKEBOX, never STALE; the object stays reachable', async (t) => {
  const s = await setup(t);
  for (let i = 0; i < 40; i++) writeFileSync(join(s.root, `a${i}`), '');
  mkdirSync(join(s.root, 'z'));
  writeFileSync(join(s.root, 'z', 'deep'), 'here');
  const fh = (await s.fh('z/deep')).data;
  const stateDir = join(s.dir, 'state2');
  // a server that knows the secret but not the object: copy the state without the index
  await s.core.close();
  mkdirSync(stateDir);
  const { copyFileSync } = await import('node:fs');
  copyFileSync(join(s.dir, 'state', 'exports.json'), join(stateDir, 'exports.json'));
  const exports = [{ path: '/export', root: s.root }, { path: '/ro', root: s.roRoot }];
  const tight = await ServerCore.open({ stateDir, exports, maxSearchEntries: 10 });
  t.teardown(() => tight.close());
  t.equal(await tight.handles.resolve(fh), NFS3ERR_JUKEBOX, 'the search gave up: try later, not STALE');
  t.equal(await tight.handles.resolve(fh), NFS3ERR_JUKEBOX, 'remembered for a while: no new walk');
  t.equal(tight.counters.searches, 1);
  await tight.close();
  rmSync(join(stateDir, 'index-1.json'), { force: true });
  const roomy = await ServerCore.open({ stateDir, exports });
  t.teardown(() => roomy.close());
  const r = await roomy.handles.resolve(fh);
  t.not(typeof r, 'number', 'found with a budget that covers the export');
  const gone = (await roomy.handles.resolve(fh)) as { stats: { ino: bigint } };
  unlinkSync(join(s.root, 'z', 'deep'));
  roomy.fileCache.forget(gone.stats.ino);
  t.equal(await roomy.handles.resolve(fh), NFS3ERR_STALE, 'a complete search that misses is STALE');
});
