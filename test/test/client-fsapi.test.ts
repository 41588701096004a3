// The client's node:fs/promises extras that the conformance table cannot compare with
// node:fs (NFS-only behaviour): opendir paging, watch by polling, aborting in flight,
// asyncDispose, stream states, and giving up on a server that went away.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startServer } from '@nfsts/server';
import { connect, AbortError, type NfsClient } from '@nfsts/client';

function exportDir(tt: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-fsapi-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(tt: Test, dir: string): ReturnType<typeof startServer> {
  const s = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
  tt.teardown(() => s.close());
  return s;
}

t.test('opendir reads one READDIRPLUS reply at a time', async (tt) => {
  const dir = exportDir(tt);
  for (let i = 0; i < 300; i++) writeFileSync(join(dir, `entry-with-a-longish-name-${String(i).padStart(4, '0')}`), '');
  const s = await serve(tt, dir);
  const c = await connect(s.url, { readdirSize: 4096 });
  tt.teardown(() => c.close());
  let calls = 0;
  const raw = c.raw as unknown as { readdirplus: (...a: unknown[]) => Promise<unknown> };
  const orig = raw.readdirplus.bind(raw);
  raw.readdirplus = (...a) => { calls++; return orig(...a); };
  const d = await c.opendir('/');
  const first = await d.read();
  tt.ok(first !== null, 'a first entry');
  tt.equal(calls, 1, 'the first entry needed one READDIRPLUS');
  const names = [first!.name];
  for await (const e of d) names.push(e.name);
  tt.equal(new Set(names).size, 300, 'every entry once');
  tt.ok(calls > 3, `the listing took several replies (${calls})`);
  await tt.rejects(d.read(), { code: 'EBADF' }, 'read after the iterator closed it');
});

t.test('watch polls: change and rename events, ends on abort', async (tt) => {
  const dir = exportDir(tt);
  writeFileSync(join(dir, 'a'), '1');
  const s = await serve(tt, dir);
  await using c = await connect(s.url, { actimeoMs: 0 });
  const ac = new AbortController();
  const events: string[] = [];
  const it = c.watch('/', { interval: 20, signal: ac.signal });
  const collect = (async () => {
    try {
      for await (const e of it) {
        events.push(`${e.eventType}:${e.filename}`);
        if (events.includes('rename:b') && events.includes('change:a')) ac.abort();
      }
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  // keep changing a (and then add b) until the watcher has reported both: no guess at its timing
  let done = false;
  void collect.then(() => { done = true; });
  for (let n = 0; !done; n++) {
    await c.writeFile('/a', String(n));
    if (events.includes('change:a') && !(await c.exists('/b'))) await c.writeFile('/b', '');
    await new Promise((r) => setTimeout(r, 30));
  }
  const err = await collect;
  tt.match(err, { name: 'AbortError', code: 'ABORT_ERR' }, 'the watch ends with an AbortError');
  tt.ok(events.includes('change:a'), 'a change of a');
  tt.ok(events.includes('rename:b'), 'b appeared');
});

t.test('an abort in flight rejects with AbortError (code ABORT_ERR), and later calls work', async (tt) => {
  const dir = exportDir(tt);
  writeFileSync(join(dir, 'big'), Buffer.alloc(8 * 1024 * 1024, 7));
  const s = await serve(tt, dir);
  const c = await connect(s.url, { localio: false, maxRsize: 4096 });
  tt.teardown(() => c.close());
  const ac = new AbortController();
  const p = c.readFile('/big', { signal: ac.signal });
  queueMicrotask(() => ac.abort(new Error('enough')));
  const err = await p.then(() => undefined, (e: unknown) => e);
  tt.ok(err instanceof AbortError, 'AbortError');
  tt.match(err, { name: 'AbortError', code: 'ABORT_ERR', cause: { message: 'enough' } }, 'code and cause as node:fs');
  tt.equal((await c.readFile('/big')).length, 8 * 1024 * 1024, 'the client still works');
  await tt.rejects(c.stat('/big', { signal: AbortSignal.abort() }), { code: 'ABORT_ERR' }, 'an already aborted signal on a path method');
  const rs = c.createReadStream('/big', { signal: AbortSignal.abort() });
  await tt.rejects(new Promise((_, rej) => rs.on('error', rej)), { code: 'ABORT_ERR' }, 'streams take a signal');
});

t.test('streams: pending until open, close(), readableWebStream', async (tt) => {
  const dir = exportDir(tt);
  writeFileSync(join(dir, 'f'), 'web stream');
  const s = await serve(tt, dir);
  await using c = await connect(s.url);
  const rs = c.createReadStream('/f');
  tt.equal(rs.pending, true, 'read stream pending before open');
  await new Promise((r) => rs.once('ready', r));
  tt.equal(rs.pending, false, 'not pending once open');
  await new Promise<void>((r) => rs.close(() => r()));
  tt.ok(rs.destroyed, 'close() ends it');
  const ws = c.createWriteStream('/g');
  tt.equal(ws.pending, true, 'write stream pending before open');
  ws.write('abc');
  await new Promise<void>((r) => ws.close(() => r()));
  tt.equal(await c.readFile('/g', 'utf8'), 'abc', 'close() flushed and committed');
  const h = await c.open('/f');
  const chunks: Uint8Array[] = [];
  for await (const ch of h.readableWebStream()) chunks.push(ch as Uint8Array);
  tt.equal(Buffer.concat(chunks).toString(), 'web stream', 'readableWebStream');
  await h.close();
});

t.test('await using: client and server dispose', async (tt) => {
  const dir = exportDir(tt);
  let c: NfsClient;
  let closedServer: { close(): Promise<void> };
  {
    await using s = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
    closedServer = s;
    {
      await using cc = await connect(s.url);
      c = cc;
      await cc.writeFile('/x', 'y');
    }
    tt.ok(c.isClosed(), 'client closed at the end of its scope');
  }
  await closedServer.close(); // idempotent: already closed by dispose
  tt.pass('server closed at the end of its scope');
});

t.test('a server closed in this process: calls fail at once (failFast), or after giveUpMs', async (tt) => {
  const dir = exportDir(tt);
  const s = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
  const c = await connect(s.url, { actimeoMs: 0, giveUpMs: 3_600_000 });
  tt.teardown(() => c.close());
  tt.ok(c.isLocal, 'local to the server');
  await s.close();
  const err = await c.stat('/').then(() => undefined, (e: unknown) => e);
  tt.match(err, { code: 'ERR_RPC_CONNECT', message: /gave up: the server is gone/ }, 'failed without waiting out the hour');

  const s2 = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
  const c2 = await connect(s2.url, { actimeoMs: 0, localio: false, giveUpMs: 0 });
  tt.teardown(() => c2.close());
  await s2.close();
  tt.ok(!c2.isLocal, 'not local: failFast cannot know');
  await tt.rejects(c2.stat('/'), { code: 'ERR_RPC_CONNECT', message: /after 0 retries/ }, 'giveUpMs 0: no reconnect attempt');
});
