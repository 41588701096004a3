// startServer with a Backend other than the disk: `backend: 'memory'` and a user-supplied
// Backend object (here a MemoryBackend behind a Proxy that counts the calls reaching it), the
// byte budget seen by a client as ENOSPC, LOCALIO declined (clients in this process use RPC),
// NLM locks kept by the server's table, root_squash as root, and the option errors.
import t, { type Test } from 'tap';
import { connect, NfsFsError } from '@nfsts/client';
import { ConfigError, MemoryBackend, startServer, type Backend } from '@nfsts/server';

const isRoot = process.getuid?.() === 0;

/** Awaits p, which must reject with an error `check` accepts. */
async function rejectsWith(t: Test, p: Promise<unknown>, check: (err: unknown) => boolean, what: string): Promise<void> {
  try {
    await p;
    t.fail(`${what}: expected a rejection`);
  } catch (err) {
    t.ok(check(err), `${what} (${(err as Error).message})`);
  }
}

/** A Backend that forwards to `inner` and counts each method called. */
function counting(inner: Backend): { backend: Backend; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { backend, calls };
}

t.test('startServer serves any Backend object: every call goes through it', async (t) => {
  const { backend, calls } = counting(new MemoryBackend());
  await using server = await startServer({ exports: [{ path: '/export', backend, options: 'rw,no_root_squash' }], port: 0 });
  t.equal(server.exports[0]!.root, 'memory:/export', 'the tree is named, not a directory');
  await using nfs = await connect(server.url);
  await nfs.mkdir('/d');
  await nfs.writeFile('/d/f', 'hello');
  t.equal(await nfs.readFile('/d/f', 'utf8'), 'hello');
  await nfs.rename('/d/f', '/d/g');
  t.same(await nfs.readdir('/d'), ['g']);
  for (const m of ['openRoot', 'mkdir', 'create', 'write', 'rename', 'readdir']) {
    t.ok((calls.get(m) ?? 0) >= 1, `${m}() was called on the supplied backend (${calls.get(m) ?? 0})`);
  }
  // a READ inside one chunk is a view of it; others read (synchronously under the server's gate, or not)
  t.ok((calls.get('readView') ?? 0) >= 1, 'readView() was called');
  t.ok(['read', 'readSync', 'readView'].reduce((n, m) => n + (calls.get(m) ?? 0), 0) >= 1, 'READ reached the backend');
  t.equal(calls.get('openSync') ?? 0, 0, 'no synchronous open: the lock mirror is not used');
});

t.test("backend: 'memory': LOCALIO declined, the client in this process does its I/O by RPC", async (t) => {
  await using server = await startServer({ exports: [{ path: '/export', backend: 'memory', options: 'rw,no_root_squash' }], port: 0 });
  t.equal(server.localio.enabled, false, 'LOCALIO is not offered');
  await using nfs = await connect(server.url);
  const data = Buffer.alloc(200_000, 7);
  await nfs.writeFile('/f', data);
  t.ok((await nfs.readFile('/f')).equals(data), 'the data round-trips');
  t.equal(nfs.isLocal, false, 'the client is not local');
  t.equal(server.localio.stats().opens, 0, 'no local open granted');
});

t.test('the byte budget: a client sees ENOSPC, and the space comes back', async (t) => {
  const mem = new MemoryBackend({ maxBytes: 1024 * 1024 });
  await using server = await startServer({ exports: [{ path: '/export', backend: mem, options: 'rw,no_root_squash' }], port: 0 });
  await using nfs = await connect(server.url);
  const before = mem.space.used;
  await rejectsWith(t, nfs.writeFile('/big', Buffer.alloc(2 * 1024 * 1024, 1)), (err: unknown) => err instanceof NfsFsError && err.code === 'ENOSPC', 'ENOSPC');
  await nfs.unlink('/big');
  await nfs.writeFile('/small', Buffer.alloc(512 * 1024, 2));
  t.equal((await nfs.stat('/small')).size, 512 * 1024, 'after the removal, what fits is written');
  await nfs.unlink('/small');
  await nfs.close();
  await server.close();
  t.equal(mem.space.used, before, 'every byte given back once the server closed its descriptors');
  t.equal(mem.openCount, 0, 'no descriptor left open');
});

t.test('NLM locks on a memory export: the server\'s table decides', async (t) => {
  await using server = await startServer({ exports: [{ path: '/export', backend: 'memory', options: 'rw,no_root_squash' }], port: 0 });
  await using a = await connect(server.url);
  await using b = await connect(server.url);
  await a.writeFile('/db', 'x');
  const fa = await a.open('/db', 'r+');
  const fb = await b.open('/db', 'r+');
  await fa.lock(0, 100, { exclusive: true });
  await t.rejects(fb.lock(0, 10, { exclusive: true }), { code: 'EAGAIN' }, 'another owner is refused');
  await fa.unlock(0, 100);
  await fb.lock(0, 10, { exclusive: true });
  t.pass('granted once released');
  await fb.close();
  await fa.close();
});

t.test('root_squash (the default) works as root on a memory export: its root is 1777 as a fresh tmpfs', async (t) => {
  await using server = await startServer({ exports: [{ path: '/export', backend: 'memory' }], port: 0 });
  await using nfs = await connect(server.url);
  await nfs.writeFile('/hello.txt', 'hi');
  t.equal(await nfs.readFile('/hello.txt', 'utf8'), 'hi');
  const st = await nfs.stat('/hello.txt');
  if (isRoot) t.equal(st.uid, 65534, 'root squashed to anonuid owns it');
  t.equal((await nfs.stat('/')).mode & 0o7777, 0o1777);
});

t.test('backend option errors name the property', async (t) => {
  await rejectsWith(t,
    startServer({ exports: [{ path: '/a', backend: 'memory' }, { path: '/b', root: '/tmp' }], port: 0 }),
    (err: unknown) => err instanceof ConfigError && err.property === 'exports[1].backend',
    'exports with different backends',
  );
  await rejectsWith(t,
    startServer({ exports: [{ path: '/a', backend: { name: 'x', raceSafe: true } as unknown as Backend }], port: 0 }),
    (err: unknown) => err instanceof ConfigError && err.property === 'exports[0].backend' && /openRoot/.test(err.message),
    'an object that is not a Backend',
  );
  await rejectsWith(t,
    startServer({ exports: [{ path: '/a', backend: 'disk' as unknown as 'memory' }], port: 0 }),
    (err: unknown) => err instanceof ConfigError && err.property === 'exports[0].backend',
    'an unknown backend name',
  );
  await rejectsWith(t,
    startServer({ exports: [{ path: '/a' }], port: 0 }),
    (err: unknown) => err instanceof ConfigError && err.property === 'exports[0].root',
    'a disk export still needs its root',
  );
});
