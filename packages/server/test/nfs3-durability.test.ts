/**
 * The durability promise of WRITE and COMMIT, seen from the backend: a FILE_SYNC WRITE is
 * fsync'ed and a DATA_SYNC one fdatasync'ed (or fsync'ed) after its data is written, and the
 * reply leaves only once that sync has finished; an UNSTABLE WRITE syncs nothing; COMMIT
 * fsyncs before it answers. The backend is the real one, wrapped to record its calls and to
 * hold each sync until the test lets it go (see sync-watch.ts); calls go over real RPC.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { stable_how } from '@nfsts/xdr';
import { ok, rpcPair, setup } from './nfs3-helpers.js';
import { watchSyncs, type SyncWatch } from './sync-watch.js';

/**
 * Runs `call` with syncs held. When the server syncs, the test first makes a full round trip
 * on the same connection (so a reply sent without waiting for the sync would have arrived),
 * then releases the sync. Resolves with the events in order, 'reply' marking the answer.
 */
async function heldCall(tt: Test, w: SyncWatch, roundTrip: () => Promise<unknown>, call: () => Promise<unknown>): Promise<string[]> {
  w.events.length = 0;
  w.held = true;
  const answered = call().then((r) => { w.events.push('reply'); return r; });
  const first = await Promise.race([w.nextSync().then((k) => k as string), answered.then(() => 'reply')]);
  if (first !== 'reply') {
    await roundTrip();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    tt.notOk(w.events.includes('reply'), `no reply while the ${first} is held`);
  }
  w.held = false;
  w.release();
  await answered;
  // several backend writes for one WRITE are one step here
  return w.events.filter((e, i) => !(e === 'write' && w.events[i - 1] === 'write'));
}

async function fileSetup(tt: Test): Promise<{ w: SyncWatch; nfs: Awaited<ReturnType<typeof rpcPair>>['nfs']; file: { data: Buffer } }> {
  const w = watchSyncs();
  const s = await setup(tt, { backend: w.backend });
  writeFileSync(join(s.root, 'f'), '');
  s.own(join(s.root, 'f'));
  const { nfs } = await rpcPair(tt, s.prog);
  return { w, nfs, file: await s.fh('f') as { data: Buffer } };
}

// plans: the "no reply while held" assertion runs only once a sync was seen, and must run
t.test('FILE_SYNC WRITE: fsync after the data, the reply only after the fsync finished', async (tt) => {
  tt.plan(3);
  const { w, nfs, file } = await fileSetup(tt);
  const data = Buffer.alloc(100_000, 0x5a);
  let res: Awaited<ReturnType<typeof nfs.write>> | undefined;
  const events = await heldCall(tt, w, () => nfs.null(), async () => { res = await nfs.write({ file, offset: 0n, count: data.length, stable: stable_how.FILE_SYNC, data }); });
  tt.same(events, ['write', 'fsync', 'fsync done', 'reply'], `order: ${events.join(', ')}`);
  tt.equal(ok(res!).committed, stable_how.FILE_SYNC, 'committed FILE_SYNC');
});

t.test('DATA_SYNC WRITE: fdatasync (or fsync) after the data, the reply only after it finished', async (tt) => {
  tt.plan(3);
  const { w, nfs, file } = await fileSetup(tt);
  const data = Buffer.alloc(5000, 0x41);
  let res: Awaited<ReturnType<typeof nfs.write>> | undefined;
  const events = await heldCall(tt, w, () => nfs.null(), async () => { res = await nfs.write({ file, offset: 0n, count: data.length, stable: stable_how.DATA_SYNC, data }); });
  const kind = events[1] === 'fsync' ? 'fsync' : 'fdatasync';
  tt.same(events, ['write', kind, `${kind} done`, 'reply'], `order: ${events.join(', ')}`);
  tt.ok(ok(res!).committed >= stable_how.DATA_SYNC, 'committed at least DATA_SYNC');
});

t.test('UNSTABLE WRITE syncs nothing; COMMIT then fsyncs before it answers', async (tt) => {
  tt.plan(5);
  const { w, nfs, file } = await fileSetup(tt);
  const data = Buffer.alloc(5000, 0x42);
  let wr: Awaited<ReturnType<typeof nfs.write>> | undefined;
  const events = await heldCall(tt, w, () => nfs.null(), async () => { wr = await nfs.write({ file, offset: 0n, count: data.length, stable: stable_how.UNSTABLE, data }); });
  tt.same(events, ['write', 'reply'], 'UNSTABLE: written, answered, no sync');
  tt.equal(ok(wr!).committed, stable_how.UNSTABLE, 'committed UNSTABLE');
  let cr: Awaited<ReturnType<typeof nfs.commit>> | undefined;
  const after = await heldCall(tt, w, () => nfs.null(), async () => { cr = await nfs.commit({ file, offset: 0n, count: 0 }); });
  tt.same(after, ['fsync', 'fsync done', 'reply'], `COMMIT order: ${after.join(', ')}`);
  tt.ok(Buffer.from(ok(cr!).verf).equals(Buffer.from(ok(wr!).verf)), 'COMMIT answers the WRITE\'s verifier');
});
