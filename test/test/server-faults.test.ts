// server.faults: each kind of fault, and with it the kind of application retry logic it is
// there to test (these double as the README's examples). LOCALIO is off in these clients:
// faults act on RPC calls.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startServer, type NfsServer } from '@nfsts/server';
import { connect, type NfsClient } from '@nfsts/client';

async function setup(tt: Test): Promise<{ server: NfsServer; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-faults-'));
  const server = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
  tt.teardown(async () => { await server.close(); rmSync(dir, { recursive: true, force: true }); });
  return { server, dir };
}

/** The application code under test: retries an operation on errors that are worth retrying. */
async function withAppRetry<T>(fn: () => Promise<T>, onRetry: (err: unknown) => Promise<void> = async () => {}, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (i >= attempts || !['EAGAIN', 'ESTALE', 'ERR_RPC_TIMEOUT', 'ERR_RPC_CONNECT'].includes(code ?? '')) throw err;
      await onRetry(err);
    }
  }
}

t.test('fail WRITE with NFS3ERR_JUKEBOX twice: the client retries by itself', async (tt) => {
  const { server, dir } = await setup(tt);
  const c = await connect(server.url, { localio: false });
  tt.teardown(() => c.close());
  const jukebox = server.faults.fail('WRITE', 'NFS3ERR_JUKEBOX', { times: 2 });
  await c.writeFile('/f', 'data');
  tt.equal(jukebox.hits, 2, 'two WRITEs were refused');
  tt.equal(readFileSync(join(dir, 'f'), 'utf8'), 'data', 'and the data arrived');
});

t.test('fail LOOKUP on one path with NFS3ERR_STALE once: the app retries after dropping caches', async (tt) => {
  const { server, dir } = await setup(tt);
  writeFileSync(join(dir, 'a'), 'A');
  writeFileSync(join(dir, 'b'), 'B');
  const c = await connect(server.url, { localio: false, actimeoMs: 0 });
  tt.teardown(() => c.close());
  const stale = server.faults.fail('LOOKUP', 'NFS3ERR_STALE', { times: 1, path: '/a' });
  tt.equal(await c.readFile('/b', 'utf8'), 'B', 'another path is not affected');
  let retries = 0;
  const a = await withAppRetry(() => c.readFile('/a', 'utf8'), async () => { retries++; c.dropCaches(); });
  tt.equal(a, 'A', 'read after one retry');
  tt.equal(retries, 1, 'the app saw ESTALE once');
  tt.equal(stale.hits, 1);
});

t.test('fail WRITE with NFS3ERR_NOSPC under a directory: the app sees ENOSPC there only', async (tt) => {
  const { server } = await setup(tt);
  const c = await connect(server.url, { localio: false });
  tt.teardown(() => c.close());
  await c.mkdir('/full');
  await c.writeFile('/full/x', ''); // created before the fault; the WRITE fails
  const nospc = server.faults.fail('WRITE', 'NFS3ERR_NOSPC', { path: '/full' });
  await tt.rejects(c.writeFile('/full/x', 'data'), { code: 'ENOSPC', syscall: 'open', path: '/full/x' }, 'ENOSPC, node:fs-shaped');
  await c.writeFile('/elsewhere', 'data');
  tt.ok(nospc.hits >= 1, 'the rule acted');
  nospc.remove();
  await c.writeFile('/full/x', 'data');
  tt.equal(await c.readFile('/full/x', 'utf8'), 'data', 'after remove() the disk has room again');
});

t.test('drop GETATTR once: the call times out and the app retries', async (tt) => {
  const { server } = await setup(tt);
  const c = await connect(server.url, { localio: false, actimeoMs: 0, timeoutMs: 300 });
  tt.teardown(() => c.close());
  const drop = server.faults.drop('GETATTR', { times: 1 });
  let seen: string | undefined;
  const st = await withAppRetry(() => c.stat('/'), async (err) => { seen = (err as { code?: string }).code; });
  tt.ok(st.isDirectory(), 'stat after the retry');
  tt.equal(seen, 'ERR_RPC_TIMEOUT', 'the dropped call timed out');
  tt.equal(drop.hits, 1);
});

t.test('delay READ: every READ waits, the data is right', async (tt) => {
  const { server, dir } = await setup(tt);
  writeFileSync(join(dir, 'f'), Buffer.alloc(100_000, 3));
  const c = await connect(server.url, { localio: false, maxRsize: 32 * 1024 });
  tt.teardown(() => c.close());
  const slow = server.faults.delay('READ', 20);
  const data = await c.readFile('/f');
  tt.equal(data.length, 100_000);
  tt.ok(data.every((b) => b === 3), 'contents');
  tt.equal(slow.hits, 4, 'each of the four 32 KiB READs was delayed');
});

t.test('changeWriteVerifier: a client resends what it had not committed', async (tt) => {
  const { server, dir } = await setup(tt);
  const c = await connect(server.url, { localio: false });
  tt.teardown(() => c.close());
  const h = await c.open('/f', 'w');
  await h.write(Buffer.alloc(64 * 1024, 9));
  server.faults.changeWriteVerifier();
  await h.close(); // COMMIT answers the new verifier: the client resends, commits again
  tt.equal(c.counters.resentBytes, 64 * 1024, 'every uncommitted byte was resent');
  tt.equal(readFileSync(join(dir, 'f')).length, 64 * 1024);
});

t.test('restart keeping handles: connections drop, the client reconnects on its own', async (tt) => {
  const { server } = await setup(tt);
  const c = await connect(server.url, { localio: false, actimeoMs: 0 });
  tt.teardown(() => c.close());
  await c.writeFile('/f', 'before');
  server.faults.restart({ keepHandles: true });
  tt.equal(await c.readFile('/f', 'utf8'), 'before', 'same handles after the restart');
});

t.test('restart losing handles: ESTALE until the app mounts again', async (tt) => {
  const { server } = await setup(tt);
  let c: NfsClient = await connect(server.url, { localio: false, actimeoMs: 0 });
  tt.teardown(() => c.close());
  await c.writeFile('/f', 'kept on disk');
  server.faults.restart({ keepHandles: false });
  let remounts = 0;
  const text = await withAppRetry(() => c.readFile('/f', 'utf8'), async () => {
    remounts++;
    await c.close();
    c = await connect(server.url, { localio: false, actimeoMs: 0 });
  });
  tt.equal(text, 'kept on disk', 'read after mounting again');
  tt.equal(remounts, 1, 'one ESTALE, one remount');
  server.faults.clear();
});

t.test('fail MNT: connect rejects with the MOUNT status', async (tt) => {
  const { server } = await setup(tt);
  server.faults.fail('MNT', 13, { times: 1 });
  await tt.rejects(connect(server.url, { localio: false }), { code: 'MNT3ERR_ACCES' });
  const c = await connect(server.url, { localio: false });
  await c.close();
  tt.pass('the next MNT works');
});

t.test('bad rules are refused with a TypeError', async (tt) => {
  const { server } = await setup(tt);
  tt.throws(() => server.faults.fail('WRITE', 'NFS3ERR_NOPE'), TypeError);
  tt.throws(() => server.faults.delay('READ', -1), TypeError);
  tt.throws(() => server.faults.add({ proc: '', action: 'drop' }), TypeError);
});
