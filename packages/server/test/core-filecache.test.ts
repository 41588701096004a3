import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { FileCache, NodeFsBackend, ServerCore, type Node } from '../src/core/index.js';

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Test files as Nodes of the portable backend (root path + rel), with their path and stats. */
function files(t: Test, n: number): Array<{ path: string; stats: fs.BigIntStats; root: { path: string }; rel: string }> {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-fc-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const out = [];
  for (let i = 0; i < n; i++) {
    const path = join(dir, `f${i}`);
    fs.writeFileSync(path, `file ${i}`);
    out.push({ path, stats: fs.lstatSync(path, { bigint: true }), root: { path: dir }, rel: `f${i}` });
  }
  return out;
}

const backend = new NodeFsBackend();

/**
 * The real backend, counting finished close() calls: a test awaits `closed(n)` for the n-th
 * descriptor close instead of sleeping and hoping the asynchronous close is done.
 */
class CountingCloses extends NodeFsBackend {
  closes = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  override async close(fd: number): Promise<void> {
    await super.close(fd);
    this.closes++;
    this.waiters = this.waiters.filter((w) => (w.n <= this.closes ? (w.resolve(), false) : true));
  }
  closed(n: number): Promise<void> {
    return n <= this.closes ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

t.test('get/put reuses one descriptor; rw serves reads; refcount keeps it open', async (t) => {
  const [a] = files(t, 1);
  const before = openFds();
  const cache = new FileCache(backend, { maxOpen: 4, idleMs: 60_000 });
  const f1 = await cache.get(1, a!, a!.stats, 'r');
  const f2 = await cache.get(1, a!, a!.stats, 'r');
  t.equal(f1, f2, 'same OpenFile');
  t.equal(f1.refs, 2);
  t.equal(cache.opens, 1);
  t.equal(openFds(), before + 1);
  const buf = Buffer.alloc(6);
  t.equal(await backend.read(f1.fd, buf, 0, 6, 0), 6);
  t.equal(buf.toString(), 'file 0');
  f1.put();
  f2.put();
  t.equal(cache.openCount, 1, 'idle entry stays cached');
  const w = await cache.get(1, a!, a!.stats, 'rw');
  t.not(w.fd, f1.fd, 'a read-write open is separate');
  const r = await cache.get(1, a!, a!.stats, 'r');
  t.equal(r, w, 'reads use the rw entry when there is one');
  r.put();
  w.put();
  t.throws(() => w.put(), 'put without get throws');
  // concurrent gets of a cold file open once
  const [x, y] = await Promise.all([cache.get(2, a!, a!.stats, 'r'), cache.get(2, a!, a!.stats, 'r')]);
  t.equal(x, y);
  x.put(); y.put();
  await cache.close();
  t.equal(cache.openCount, 0);
  t.equal(openFds(), before, 'no descriptor left after close');
  await t.rejects(cache.get(1, a!, a!.stats, 'r'), { code: 'ERR_NFS_CLOSED' });
});

t.test('bounded: idle entries past maxOpen are closed LRU-first; busy ones never', async (t) => {
  const list = files(t, 6);
  const before = openFds();
  const cache = new FileCache(backend, { maxOpen: 3, idleMs: 60_000 });
  const held = [];
  for (const f of list) held.push(await cache.get(1, f, f.stats, 'r'));
  t.equal(cache.size, 6, 'all busy: over the bound rather than closing a held fd');
  for (const h of held) h.put();
  await new Promise((r) => setImmediate(r));
  t.equal(cache.size, 3, 'back to maxOpen once idle');
  // the survivors are the most recently used
  const again = await cache.get(1, list[5]!, list[5]!.stats, 'r');
  t.equal(cache.opens, 6, 'the most recent file is still cached');
  again.put();
  const old = await cache.get(1, list[0]!, list[0]!.stats, 'r');
  t.equal(cache.opens, 7, 'the least recent was closed and is reopened');
  old.put();
  await cache.close();
  t.equal(openFds(), before);
});

// The LRU touch of a hit is a delete and set on a long-lived Map, whose rehashes V8 allocates in
// old space: a file read over and over must not move its entry each time (counted, not timed).
t.test('hits on the newest entry move nothing; LRU order still holds', async (t) => {
  const [a, b, c] = files(t, 3);
  const cache = new FileCache(backend, { maxOpen: 2, idleMs: 60_000 });
  for (const f of [a!, b!]) (await cache.get(1, f, f.stats, 'r')).put();
  for (let i = 0; i < 1000; i++) {
    cache.peek(1, b!.stats.dev, b!.stats.ino, 'r')!.put();
    (await cache.get(1, b!, b!.stats, 'r')).put();
  }
  t.equal(cache.touches, 0, '2,000 hits on the newest entry: no move');
  for (let i = 0; i < 1000; i++) cache.peek(1, a!.stats.dev, a!.stats.ino, 'r')!.put();
  t.equal(cache.touches, 1, 'the older entry moves once, then is the newest');
  (await cache.get(1, c!, c!.stats, 'r')).put();
  t.equal(cache.opens, 3);
  t.equal(cache.peek(1, b!.stats.dev, b!.stats.ino, 'r'), undefined, 'the least recently used (b) was evicted');
  const stillA = cache.peek(1, a!.stats.dev, a!.stats.ino, 'r');
  t.ok(stillA !== undefined, 'the recently used (a) is still cached');
  stillA!.put();
  await cache.close();
});

// again() serves a caller that remembered an OpenFile (the READ fast path's handle memo)
// without building keys: it must hand out only what peek() would, and touch the LRU as peek() does.
t.test('again() hands back a remembered file only while peek() would', async (t) => {
  const [a, b, c] = files(t, 3);
  const cache = new FileCache(backend, { maxOpen: 2, idleMs: 60_000 });
  (await cache.get(1, a!, a!.stats, 'r')).put();
  const ra = cache.peek(1, a!.stats.dev, a!.stats.ino, 'r')!;
  ra.put();
  (await cache.get(1, b!, b!.stats, 'r')).put();
  const hits = cache.hits;
  const again = cache.again(ra, 'r');
  t.equal(again, ra, 'a cached file comes back');
  t.equal(ra.refs, 1, 'with a reference taken');
  t.equal(cache.hits, hits + 1, 'counted as a hit');
  again!.put();
  t.equal(cache.touches, 1, 'and moved to the newest end like a peek() of an older entry');
  t.equal(cache.again(ra, 'rw'), undefined, "a read-only descriptor does not serve 'rw'");
  (await cache.get(1, c!, c!.stats, 'r')).put();
  t.equal(cache.peek(1, b!.stats.dev, b!.stats.ino, 'r'), undefined, 'b, not the touched a, was evicted');
  const rc = cache.peek(1, c!.stats.dev, c!.stats.ino, 'r')!;
  rc.put();
  cache.forget(c!.stats.ino, 1);
  t.ok(rc.dropped, 'c was forgotten');
  t.equal(cache.again(rc, 'r'), undefined, 'a dropped file is not handed back');
  t.equal(rc.refs, 0, 'and no reference was taken');
  await cache.close();
  t.equal(cache.again(ra, 'r'), undefined, 'nothing is handed back once the cache is closed');
});

t.test('idle descriptors are closed after idleMs', async (t) => {
  const [a, b] = files(t, 2);
  const before = openFds();
  const counting = new CountingCloses();
  const cache = new FileCache(counting, { maxOpen: 10, idleMs: 100 });
  const f = await cache.get(1, a!, a!.stats, 'r');
  const g = await cache.get(1, b!, b!.stats, 'r');
  f.put();
  t.equal(openFds(), before + 2);
  // drive the sweep directly rather than waiting on wall-clock time
  cache.sweep(Date.now() + 1_000);
  await counting.closed(1);
  t.equal(cache.size, 1, 'the idle one is gone, the held one stays');
  t.equal(openFds(), before + 1);
  t.ok(f.closed && !g.closed, 'the idle file closed, the held one not');
  g.put();
  // and the real timer (unref'd) closes it too: awaited as an event, however long it takes
  const timerClosed = counting.closed(2);
  const keepAlive = setInterval(() => {}, 1_000); // the timer is unref'd: keep the loop alive meanwhile
  await timerClosed;
  clearInterval(keepAlive);
  t.equal(cache.size, 0, 'the timer closed the idle entry');
  t.equal(openFds(), before);
  await cache.close();
});

t.test('forget() drops a removed file; a held descriptor closes at its last put', async (t) => {
  const [a] = files(t, 1);
  const before = openFds();
  const counting = new CountingCloses();
  const cache = new FileCache(counting, { maxOpen: 10, idleMs: 60_000 });
  const held = await cache.get(1, a!, a!.stats, 'rw');
  fs.unlinkSync(a!.path);
  cache.forget(a!.stats.ino, 1);
  t.equal(cache.size, 0, 'no longer in the cache');
  t.equal(openFds(), before + 1, 'still open while held (LOCALIO may be using it)');
  t.equal(await backend.write(held.fd, Buffer.from('ok'), 0, 2, 0), 2, 'the held descriptor still works');
  t.equal(counting.closes, 0, 'not closed while held');
  held.put();
  await counting.closed(1);
  t.equal(openFds(), before, 'closed at the last put');
  await cache.close();
});

t.test('onDropped: told once when the file is dropped, at once when it already is; a removed watcher is not', async (t) => {
  const [a] = files(t, 1);
  const cache = new FileCache(backend, { maxOpen: 10, idleMs: 60_000 });
  const held = await cache.get(1, a!, a!.stats, 'r');
  let told = 0;
  let removedTold = 0;
  held.onDropped(() => { told++; });
  const remove = held.onDropped(() => { removedTold++; });
  remove();
  t.equal(told, 0, 'not while cached');
  cache.forget(a!.stats.ino, 1);
  t.equal(told, 1, 'told when forgotten');
  t.equal(removedTold, 0, 'a removed watcher is not told');
  cache.forget(a!.stats.ino, 1);
  t.equal(told, 1, 'only once');
  let late = 0;
  held.onDropped(() => { late++; });
  t.equal(late, 1, 'a watcher added after the drop is told at once');
  held.put();
  await cache.close();
});

t.test('the cache refuses non-regular files and a file replaced under its path', async (t) => {
  const [a, b] = files(t, 2);
  const cache = new FileCache(backend);
  t.teardown(() => cache.close());
  const tmpStats = fs.lstatSync(os.tmpdir(), { bigint: true });
  await t.rejects(cache.get(1, { root: { path: os.tmpdir() }, rel: '', stats: tmpStats }, tmpStats, 'r'), { code: 'EISDIR' });
  fs.renameSync(b!.path, a!.path);
  await t.rejects(cache.get(1, a!, a!.stats, 'r'), { code: 'ESTALE' }, 'opened inode differs from the handle');
  t.equal(cache.openCount, 0, 'the mismatched descriptor was closed');
});

t.test('ServerCore.close() leaves no descriptor open', async (t) => {
  const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-fc-core-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  fs.mkdirSync(join(base, 'root'));
  fs.writeFileSync(join(base, 'root', 'f'), 'data');
  const before = openFds();
  const core = await ServerCore.open({ exports: [{ path: '/export', root: join(base, 'root') }], stateDir: join(base, 'state') });
  const root = await core.handles.resolve(core.exports[0]!.rootHandle);
  if (typeof root === 'number') throw new Error('root');
  const f = await core.children.lookupChild(root, 'f');
  if (typeof f === 'number') throw new Error('f');
  const of = await core.fileCache.get(f.exp.id, f, f.stats, 'rw');
  of.put();
  // the cached file, and the export root a race-safe backend holds open
  t.equal(openFds(), before + 1 + (core.backend.raceSafe ? 1 : 0));
  await core.close();
  t.equal(openFds(), before);
});

t.test('close() waits for a holder\'s put()', async (t) => {
  const [a] = files(t, 1);
  const before = openFds();
  const cache = new FileCache(backend, { maxOpen: 10, idleMs: 60_000 });
  const held = await cache.get(1, a!, a!.stats, 'r');
  let done = false;
  const closing = cache.close(600_000).then(() => { done = true; });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  t.notOk(done || held.closed, 'close() is still waiting while the file is held');
  held.put();
  await closing;
  t.equal(held.closed, true, 'the held file closed once put');
  t.equal(openFds(), before);
});

t.test('close() force-closes a leaked reference once forceAfterMs has passed', async (t) => {
  const [a] = files(t, 1);
  const before = openFds();
  const cache = new FileCache(backend, { maxOpen: 10, idleMs: 60_000 });
  const leaked = await cache.get(1, a!, a!.stats, 'r');
  await cache.close(1);
  t.equal(leaked.closed, true, 'the leaked one was force-closed');
  t.equal(openFds(), before);
});

t.test('files with one inode number on two devices (an export spanning filesystems) get their own descriptors', async (t) => {
  const [a, b] = files(t, 2);
  // b as it would look on another filesystem where it has a's inode number
  const bStats = Object.assign(Object.create(Object.getPrototypeOf(b!.stats) as object) as fs.BigIntStats, b!.stats, { dev: a!.stats.dev + 1n, ino: a!.stats.ino });
  class TwoDevices extends NodeFsBackend {
    readonly paths = new Map<number, string>();
    override async open(obj: Node, flags: number): Promise<number> {
      // the real files share one device: open without the backend's own identity check
      const fd = fs.openSync(join(obj.root.path, obj.rel), flags);
      this.paths.set(fd, obj.rel);
      return fd;
    }
    override async fstat(fd: number): Promise<fs.BigIntStats> {
      return this.paths.get(fd) === b!.rel ? bStats : super.fstat(fd);
    }
  }
  const cache = new FileCache(new TwoDevices(), { maxOpen: 10, idleMs: 60_000 });
  t.teardown(() => cache.close());
  const fa = await cache.get(1, a!, a!.stats, 'r');
  const fb = await cache.get(1, b!, bStats, 'r');
  t.not(fb, fa, 'not the other file\'s descriptor');
  const buf = Buffer.alloc(6);
  await backend.read(fb.fd, buf, 0, 6, 0);
  t.equal(buf.toString(), 'file 1');
  const pb = cache.peek(1, bStats.dev, bStats.ino, 'r');
  t.equal(pb, fb, 'peek tells the devices apart too');
  pb?.put();
  fa.put();
  fb.put();
});
