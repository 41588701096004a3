// Issue 11: the lean LOCALIO path (a file handle's read()/write() that the transport's
// readNow/writeNow finish on this thread, resolving one promise) must keep every rule of the
// full path. Each test here fails if that path skipped one:
//  - the grant re-check: a chmod after the open (000, and a write-only mode) refuses as RPC does;
//  - a credential without read permission never reads locally (nor through a write grant);
//  - the liveness interlock: server.close() during lean reads, with the freed descriptor numbers
//    taken by other files at once, never yields another file's bytes;
//  - READ's EOF rule: short count at the end, 0 at and past it, eof as the server says.
// Each also shows that the lean path really served the operations it checks (counters).
import t, { type Test } from 'tap';
import { chmodSync, chownSync, closeSync, mkdtempSync, openSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NfsClient } from '@nfsts/client';
import { errCode, isRpcGoneError, pattern, startLocalServer, stormSeed, type LocalServer } from '../src/localio-helpers.js';

const root = process.getuid?.() === 0;
// the file's owner: when we run as root, uid 1000 (root itself would be squashed)
const OWNER = root ? 1000 : (process.getuid?.() ?? 1000);
const OTHER = OWNER + 1;

/** Counts the calls of the client's readNow/writeNow (the real ones run): proof the lean path was asked. */
function countLean(c: NfsClient): { reads: number; writes: number } {
  const n = { reads: 0, writes: 0 };
  const lt = c.localio;
  const r = lt.readNow.bind(lt);
  const w = lt.writeNow.bind(lt);
  lt.readNow = (...a) => { n.reads++; return r(...a); };
  lt.writeNow = (...a) => { n.writes++; return w(...a); };
  return n;
}

t.test('grants: the lean path re-checks them as RPC checks every call', async (t) => {
  const ls: LocalServer = await startLocalServer({ exports: { '/export': 'rw' } });
  t.teardown(() => ls.close());
  const makeFile = (name: string, mode: number): string => {
    const p = join(ls.roots['/export']!, name);
    writeFileSync(p, Buffer.alloc(4096, 'o'));
    chmodSync(p, mode);
    if (root) chownSync(p, OWNER, OWNER);
    return p;
  };
  const other = await connect(ls.url(), { uid: OTHER, gid: OTHER, gids: [], localio: true });
  const rpc = await connect(ls.url(), { uid: OTHER, gid: OTHER, gids: [], localio: false });
  t.teardown(async () => { await other.close(); await rpc.close(); });
  t.ok(other.isLocal, 'the second uid\'s client is local');
  const lean = countLean(other);
  const buf = Buffer.alloc(16);

  await t.test('chmod 000 after the open', async (tt: Test) => {
    const path = makeFile('chmod.bin', 0o666);
    const h = await other.open('chmod.bin', 'r+');
    const hr = await rpc.open('chmod.bin', 'r+');
    const s0 = other.stats();
    const l0 = { ...lean };
    tt.equal(await errCode(h.read(buf, 0, 16, 0)), 'ok', '0666: read');
    tt.equal(await errCode(h.read(buf, 0, 16, 0)), 'ok', '0666: read again (the slot is open now)');
    tt.equal(await errCode(h.write(Buffer.alloc(16, 'a'), 0, 16, 0)), 'ok', '0666: write');
    tt.equal(await errCode(h.write(Buffer.alloc(16, 'a'), 0, 16, 0)), 'ok', '0666: write again');
    const s1 = other.stats();
    tt.ok(s1.readsSync - s0.readsSync >= 1 && s1.writesSync - s0.writesSync >= 1, 'the second of each ran synchronously');
    tt.ok(lean.reads > l0.reads && lean.writes > l0.writes, 'through readNow/writeNow');

    chmodSync(path, 0o000);
    tt.equal(await errCode(hr.read(buf, 0, 16, 0)), 'EACCES', '000: RPC refuses the read');
    tt.equal(await errCode(h.read(buf, 0, 16, 0)), 'EACCES', '000: the lean path refuses it too');
    tt.equal(await errCode(h.write(Buffer.alloc(16, 'b'), 0, 16, 0)), 'EACCES', '000: and the write');
    const s2 = other.stats();
    tt.equal(s2.readsLocal, s1.readsLocal, 'no read went local after the chmod');
    tt.equal(s2.writesLocal, s1.writesLocal, 'no write went local after the chmod');

    chmodSync(path, 0o666);
    tt.equal(await errCode(h.read(buf, 0, 16, 0)), 'ok', '0666 again: read');
    tt.equal(await errCode(h.read(buf, 0, 16, 0)), 'ok', '0666 again: and the lean one');
    tt.ok(other.stats().readsLocal > s2.readsLocal, 'local again');
    await h.close();
    await hr.close();
  });

  await t.test('a credential without read permission', async (tt: Test) => {
    makeFile('noread.bin', 0o600);
    const h = await other.open('noread.bin', 'r');
    const s0 = other.stats();
    tt.equal(await errCode(h.read(buf, 0, 16, 0)), 'EACCES', '0600 of another uid: refused');
    tt.equal(await errCode(h.read(buf, 0, 16, 0)), 'EACCES', 'and again');
    tt.equal(other.stats().readsLocal, s0.readsLocal, 'nothing read locally');
    await h.close();

    // write permission only: the write grant must never serve a read
    makeFile('writeonly.bin', 0o622);
    const w = await other.open('writeonly.bin', 'r+');
    tt.equal(await errCode(w.write(Buffer.alloc(16, 'w'), 0, 16, 0)), 'ok', '0622: write');
    tt.equal(await errCode(w.write(Buffer.alloc(16, 'w'), 0, 16, 0)), 'ok', '0622: write again');
    const s1 = other.stats();
    tt.ok(s1.writesSync > s0.writesSync, 'the writes went local and synchronous');
    tt.equal(await errCode(w.read(buf, 0, 16, 0)), 'EACCES', '0622: a read is refused (RPC refuses it)');
    tt.equal(await errCode(rpc.readFile('writeonly.bin')), 'EACCES', 'as RPC refuses it');
    tt.equal(other.stats().readsLocal, s1.readsLocal, 'no read went local through the write grant');
    await w.close();
  });
});

t.test('a root credential (no_root_squash): the grant needs no re-check, and answers as RPC does', async (t) => {
  const ls = await startLocalServer({ exports: { '/export': 'rw,no_root_squash' } });
  t.teardown(() => ls.close());
  const p = join(ls.roots['/export']!, 'root.bin');
  writeFileSync(p, Buffer.alloc(4096, 'r'));
  const local = await connect(ls.url(), { uid: 0, gid: 0, gids: [], localio: true });
  const rpc = await connect(ls.url(), { uid: 0, gid: 0, gids: [], localio: false });
  t.teardown(async () => { await local.close(); await rpc.close(); });
  const h = await local.open('root.bin', 'r+');
  const hr = await rpc.open('root.bin', 'r+');
  const buf = Buffer.alloc(16);
  t.equal(await errCode(h.read(buf, 0, 16, 0)), 'ok', 'read (opens the read slot)');
  t.equal(await errCode(h.write(Buffer.alloc(16, 's'), 0, 16, 0)), 'ok', 'write (opens the write slot)');
  chmodSync(p, 0o000);
  const rpcRead = await errCode(hr.read(buf, 0, 16, 0));
  const rpcWrite = await errCode(hr.write(Buffer.alloc(16, 's'), 0, 16, 0));
  const s0 = local.stats();
  t.equal(await errCode(h.read(buf, 0, 16, 0)), rpcRead, `000: the local read answers as RPC (${rpcRead})`);
  t.equal(await errCode(h.write(Buffer.alloc(16, 't'), 0, 16, 0)), rpcWrite, `000: the local write answers as RPC (${rpcWrite})`);
  if (root) t.ok(local.stats().readsSync > s0.readsSync && local.stats().writesSync > s0.writesSync, 'both local and synchronous (root may)');
  await h.close();
  await hr.close();
});

t.test('EOF: the lean path counts as READ does, and the transport says eof as the server does', async (t) => {
  const ls = await startLocalServer();
  t.teardown(() => ls.close());
  const p = join(ls.roots['/export']!, 'eof.bin');
  const data = pattern(10_000, 11);
  writeFileSync(p, data);
  const local = await connect(ls.url());
  const rpc = await connect(ls.url(), { localio: false });
  t.teardown(async () => { await local.close(); await rpc.close(); });
  t.ok(local.isLocal);
  const lean = countLean(local);
  const h = await local.open('eof.bin', 'r');
  const hr = await rpc.open('eof.bin', 'r');
  await h.read(Buffer.alloc(1), 0, 1, 0); // opens the slot
  const s0 = local.stats();
  const l0 = lean.reads;
  for (const [pos, len] of [[0, 4096], [5904, 4096], [8192, 4096], [9999, 16], [10_000, 4096], [12_000, 100]] as const) {
    const a = Buffer.alloc(len, 0xee);
    const b = Buffer.alloc(len, 0xee);
    const ra = await h.read(a, 0, len, pos);
    const rb = await hr.read(b, 0, len, pos);
    t.equal(ra.bytesRead, Math.max(0, Math.min(len, 10_000 - pos)), `${pos}+${len}: ${ra.bytesRead} bytes`);
    t.equal(ra.bytesRead, rb.bytesRead, `${pos}+${len}: as RPC`);
    t.ok(a.equals(b), `${pos}+${len}: the same bytes, and nothing past them touched`);
  }
  t.equal(local.stats().readsSync - s0.readsSync, 6, 'all six ran synchronously');
  t.equal(lean.reads - l0, 6, 'through readNow');
  // the transport's own answer for the same reads: eof exactly as READ says it
  for (const [pos, len, count, eof] of [[0, 4096, 4096, false], [5904, 4096, 4096, true], [8192, 4096, 1808, true], [10_000, 4096, 0, true]] as const) {
    const r = await local.transport.read(h.fh, BigInt(pos), Buffer.alloc(len));
    t.same(r, { count, eof }, `transport ${pos}+${len}: ${count}, eof ${eof}`);
  }
  // another writer grows the file: the next lean read sees it, and the file position advances
  appendFileSync(p, Buffer.alloc(100, 'z'));
  const z = Buffer.alloc(200);
  t.equal((await h.read(z, 0, 200, 10_000)).bytesRead, 100, 'grown by another writer: 100 more bytes');
  t.ok(z.subarray(0, 100).equals(Buffer.alloc(100, 'z')), 'the appended bytes');
  const seq = await local.open('eof.bin', 'r');
  const parts: number[] = [];
  for (;;) {
    const r = await seq.read(Buffer.alloc(4096), 0, 4096, null);
    parts.push(r.bytesRead);
    if (r.bytesRead === 0) break;
  }
  t.same(parts, [4096, 4096, 1908, 0], 'reads at the file position advance it and stop at EOF');
  await seq.close();
  await h.close();
  await hr.close();
});

t.test('liveness: server.close() during lean reads, freed descriptor numbers reused at once', async (t) => {
  const QD = 8;
  const SIZE = 256 * 1024;
  const ls = await startLocalServer();
  const decoyDir = mkdtempSync(join(tmpdir(), 'nfsts-lean-decoy-'));
  const decoys: number[] = [];
  t.teardown(async () => {
    for (const fd of decoys) closeSync(fd);
    rmSync(decoyDir, { recursive: true, force: true });
    await ls.close();
  });
  const data = pattern(SIZE, 7);
  const NFILES = 4;
  for (let i = 0; i < NFILES; i++) writeFileSync(join(ls.roots['/export']!, `f${i}`), data);
  const decoy = join(decoyDir, 'decoy');
  writeFileSync(decoy, Buffer.alloc(SIZE, 'X'));
  const c = await connect(ls.url(), { retries: 0, reconnect: { retries: 0 }, timeoutMs: 5000 });
  t.teardown(() => c.close());
  t.ok(c.isLocal, 'local');
  const lean = countLean(c);
  const handles = await Promise.all(Array.from({ length: NFILES }, (_, i) => c.open(`/f${i}`, 'r')));
  let rng = stormSeed(t) || 1;
  const rand = (n: number): number => { rng = (Math.imul(rng, 1103515245) + 12345) >>> 0; return rng % n; };
  let ops = 0;
  let ok = 0;
  let okAfterClose = 0;
  let badData = 0;
  let closed = false;
  let closing: Promise<void> | null = null;
  const unexpected: unknown[] = [];
  const s0 = c.stats();
  await Promise.all(Array.from({ length: QD }, async () => {
    const buf = Buffer.alloc(4096);
    let after = 0;
    while (after < 4) {
      const wasClosed = closed;
      if (wasClosed) after++;
      if (++ops === 3000) {
        closing = ls.server.close().then(() => {
          closed = true;
          // every descriptor number the server freed is taken by a file of other bytes now
          for (let i = 0; i < 32; i++) decoys.push(openSync(decoy, 'r'));
        });
      }
      const off = rand(SIZE / 4096) * 4096;
      try {
        const r = await handles[rand(NFILES)]!.read(buf, 0, 4096, off);
        if (r.bytesRead !== 4096 || !buf.equals(data.subarray(off, off + 4096))) badData++;
        ok++;
        if (wasClosed) okAfterClose++;
      } catch (err) {
        if (!isRpcGoneError(err)) unexpected.push(err);
        if (!wasClosed) await new Promise((r) => setImmediate(r)); // let close() finish
      }
    }
  }));
  await closing;
  const s1 = c.stats();
  t.ok(s1.readsSync - s0.readsSync >= 1000, `lean reads ran before the close (${s1.readsSync - s0.readsSync} synchronous, ${lean.reads} asked)`);
  t.equal(badData, 0, 'no read returned other bytes (a closed or reused descriptor)');
  t.same(unexpected, [], 'every failure is the RPC failure of a server that is gone');
  t.equal(okAfterClose, 0, 'nothing succeeded once the server had closed');
  t.equal(c.isLocal, false, 'not local any more');
  t.ok(ok >= 3000 - QD, `reads before the close succeeded (${ok})`);
  for (const h of handles) await h.close().catch(() => {});
});
