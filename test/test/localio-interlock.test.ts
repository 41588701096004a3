// The LOCALIO shutdown interlock through the real client and server: server.close() during a
// storm of local reads and writes at queue depth 32. No EBADF, no read of another file's data
// (a recycled descriptor), no unhandled rejection; every operation either completed (locally
// or by RPC, with the right data) or failed as RPC fails against a server that is gone; and
// afterwards no descriptor is left open.
import t from 'tap';
import { connect, type NfsFileHandle } from '@nfsts/client';
import { fdCount, fdsUnder, isRpcGoneError, pattern, startLocalServer, stormSeed, until } from '../src/localio-helpers.js';

const QD = 32;
const NFILES = 8;
const FILE_SIZE = 512 * 1024;
const CLOSE_AFTER_OPS = 2000;

for (const opSize of [4096, 64 * 1024]) {
  const how = opSize <= 16 * 1024 ? 'synchronous local reads' : 'threadpool local reads';
  t.test(`interlock: server.close() during a storm of ${opSize / 1024} KiB local reads and writes at depth ${QD} (${how})`, async (tt) => {
    const fdBase = fdCount();
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown): void => { unhandled.push(err); };
    process.on('unhandledRejection', onUnhandled);
    const ls = await startLocalServer();
    const c = await connect(ls.url(), { retries: 0, reconnect: { retries: 0 }, timeoutMs: 5000, maxRsize: 64 * 1024, maxWsize: 64 * 1024 });
    // the synchronous path takes up to 1 MiB by default: 16 KiB here, so 64 KiB goes through the threadpool
    (c.localio.options as { syncReadMaxBytes: number }).syncReadMaxBytes = 16 * 1024;
    const contents: Buffer[] = [];
    const handles: NfsFileHandle[] = [];
    try {
      tt.ok(c.isLocal, 'the client is local');
      for (let i = 0; i < NFILES; i++) {
        contents.push(pattern(FILE_SIZE, 1000 + i));
        await c.writeFile(`/f${i}`, contents[i]!);
        handles.push(await c.open(`/f${i}`, 'r+'));
      }

      const before = c.stats();
      let ops = 0;
      let reads = 0;
      let writes = 0;
      let okOps = 0;
      let badData = 0;
      let okAfterClose = 0;
      const errors = new Map<string, number>();
      const unexpected: unknown[] = [];
      let closing: Promise<void> | null = null;
      let closed = false;
      let rng = stormSeed(tt) || 1;
      const rand = (n: number): number => { rng = (Math.imul(rng, 1103515245) + 12345) >>> 0; return rng % n; };

      const lane = async (): Promise<void> => {
        let afterClose = 0;
        const buf = Buffer.alloc(opSize);
        while (afterClose < 4) {
          const startedAfterClose = closed;
          if (startedAfterClose) afterClose++;
          const i = rand(NFILES);
          const off = rand((FILE_SIZE - opSize) / 4096) * 4096;
          const isRead = rand(3) !== 0;
          ops++;
          if (ops === CLOSE_AFTER_OPS) closing = ls.server.close().then(() => { closed = true; });
          try {
            if (isRead) {
              reads++;
              const r = await handles[i]!.read(buf, 0, opSize, off);
              if (r.bytesRead !== opSize || !buf.equals(contents[i]!.subarray(off, off + opSize))) badData++;
            } else {
              writes++;
              // the same bytes the file holds: any read anywhere stays checkable
              await handles[i]!.write(contents[i]!.subarray(off, off + opSize), 0, opSize, off);
            }
            okOps++;
            if (startedAfterClose) okAfterClose++;
          } catch (err) {
            const code = String((err as { code?: unknown }).code);
            errors.set(code, (errors.get(code) ?? 0) + 1);
            if (!isRpcGoneError(err)) unexpected.push(err);
          }
          // let the close make progress even while every operation is a synchronous local read
          if (ops % 64 === 0) await new Promise((r) => setImmediate(r));
        }
      };
      await Promise.all(Array.from({ length: QD }, lane));
      await closing;

      const s = c.stats();
      tt.ok(closing !== null, `the server was closed after ${CLOSE_AFTER_OPS} operations (${ops} in all)`);
      tt.ok(s.readsLocal > 0 && s.writesLocal > 0, `local I/O before the close: ${s.readsLocal} reads, ${s.writesLocal} writes`);
      tt.equal(s.readsLocal + s.readsRpc - before.readsLocal - before.readsRpc, reads, `every read went exactly one way: local or RPC (${s.fallbacks} fell back)`);
      tt.equal(s.writesLocal + s.writesRpc - before.writesLocal - before.writesRpc, writes, 'every write went exactly one way: local or RPC');
      tt.equal(badData, 0, 'every read that succeeded returned the file\'s own bytes (no recycled descriptor)');
      tt.equal(errors.get('EBADF') ?? 0, 0, 'no EBADF');
      tt.same(unexpected.map((e) => String(e)), [], `every failure is RPC's to a server that is gone: ${JSON.stringify([...errors])}`);
      tt.equal(okAfterClose, 0, 'no operation started after the close succeeded (nothing local, nothing by RPC)');
      tt.ok(okOps >= CLOSE_AFTER_OPS - QD, `${okOps} operations succeeded`);
      tt.notOk(c.isLocal, 'the client is not local any more');
      tt.equal(c.localio.cachedHandles, 0, 'the client dropped its LocalFiles when unbound');
      tt.equal(ls.server.localio.localClients, 0, 'the server has no local client left');
    } finally {
      // the handles' COMMITs and the client's close fail against the gone server: that is expected
      for (const h of handles) await h.close().catch(() => {});
      await c.close().catch(() => {});
      await ls.server.close();
    }
    tt.same(fdsUnder(ls.base), [], 'no descriptor left open on the export');
    await ls.close();
    const settled = await until(() => fdCount() <= fdBase, 3000);
    tt.ok(settled, `descriptors back to ${fdBase} (now ${fdCount()})`);
    await new Promise((r) => setImmediate(r));
    process.off('unhandledRejection', onUnhandled);
    tt.same(unhandled.map((e) => String(e)), [], 'no unhandled rejection');
  });
}

t.test(`interlock: server.close() during a storm of whole-file reads and writes at depth ${QD} (every operation opens through the server's table)`, async (tt) => {
  const fdBase = fdCount();
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown): void => { unhandled.push(err); };
  process.on('unhandledRejection', onUnhandled);
  const ls = await startLocalServer();
  const c = await connect(ls.url(), { retries: 0, reconnect: { retries: 0 }, timeoutMs: 5000, actimeoMs: 60_000 });
  const N = 64;
  const contents: Buffer[] = [];
  try {
    tt.ok(c.isLocal, 'the client is local');
    for (let i = 0; i < N; i++) {
      contents.push(pattern(8192, 5000 + i));
      await c.writeFile(`/s${i}`, contents[i]!);
    }
    let ops = 0;
    let badData = 0;
    let okAfterClose = 0;
    const unexpected: unknown[] = [];
    const errors = new Map<string, number>();
    let closing: Promise<void> | null = null;
    let closed = false;
    const lane = async (k: number): Promise<void> => {
      let afterClose = 0;
      let j = k;
      while (afterClose < 4) {
        const startedAfterClose = closed;
        if (startedAfterClose) afterClose++;
        j = (j * 7 + 3) % N;
        if (++ops === 600) closing = ls.server.close().then(() => { closed = true; });
        try {
          // readFile/writeFile release the handle's LocalFiles when done: the next one opens again
          if (j % 3 !== 0) {
            const b = await c.readFile(`/s${j}`);
            if (!b.equals(contents[j]!)) badData++;
          } else {
            await c.writeFile(`/s${j}`, contents[j]!, { flag: 'r+' });
          }
          if (startedAfterClose) okAfterClose++;
        } catch (err) {
          const code = String((err as { code?: unknown }).code);
          errors.set(code, (errors.get(code) ?? 0) + 1);
          if (!isRpcGoneError(err)) unexpected.push(err);
        }
      }
    };
    await Promise.all(Array.from({ length: QD }, (_, k) => lane(k)));
    await closing;
    const s = c.stats();
    tt.ok(ls.server.localio.stats().opens >= 300, `the storm opened files through the server's table (${ls.server.localio.stats().opens} opens, ${s.fallbacks} fallbacks)`);
    tt.equal(badData, 0, 'every read that succeeded returned the file\'s own bytes');
    tt.equal(errors.get('EBADF') ?? 0, 0, 'no EBADF');
    tt.same(unexpected.map((e) => String(e)), [], `every failure is RPC's to a server that is gone: ${JSON.stringify([...errors])}`);
    tt.equal(okAfterClose, 0, 'no operation started after the close succeeded');
    tt.equal(c.localio.cachedHandles, 0, 'no LocalFile kept');
  } finally {
    await c.close().catch(() => {});
    await ls.server.close();
  }
  tt.same(fdsUnder(ls.base), [], 'no descriptor left open on the export');
  await ls.close();
  tt.ok(await until(() => fdCount() <= fdBase, 3000), `descriptors back to ${fdBase} (now ${fdCount()})`);
  await new Promise((r) => setImmediate(r));
  process.off('unhandledRejection', onUnhandled);
  tt.same(unhandled.map((e) => String(e)), [], 'no unhandled rejection');
});
