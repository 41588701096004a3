// Byte-range locking end to end: our client library's NLM locks against our server (NLM v4 +
// NSM on the NFS port), two clients as two owners, blocking grants by callback, cancel, the
// grace period after a restart, and OFD locks on the backing file against a local process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { connect, currentLockd, setLockDefaults, type NfsClient } from '@nfsts/client';
import { startPortmap, startServer, type NfsServer } from '@nfsts/server';
import { analyzeCapture, startCapture, which, type Capture } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nfsts-locks-'));
const stateDir = mkdtempSync(join(tmpdir(), 'nfsts-locks-state-'));
t.teardown(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});
writeFileSync(join(dir, 'f'), 'x'.repeat(4096));

// the client host's portmapper, where the process's lockd registers (port 111 is not ours to take)
const pm = await startPortmap({ host: '127.0.0.1', nfsPort: 1, portmapPort: 0, logger: pino({ level: 'silent' }) });
t.teardown(() => pm.close());
// a long poll: a blocked request can only be granted early by the NLM_GRANTED callback
setLockDefaults({ lockdPortmapPort: pm.port, pollMs: 600_000, graceRetryMs: 50 });

const GRACE_MS = 1500;
const start = (port = 0): Promise<NfsServer> => startServer({
  exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port, host: '127.0.0.1', stateDir,
  locking: { clientPortmapPort: pm.port, graceMs: GRACE_MS, grantTimeoutMs: 2000 },
});
let server = await start();
const clients: NfsClient[] = [];
const client = async (localio = true): Promise<NfsClient> => {
  const c = await connect(server.url, { localio });
  clients.push(c);
  return c;
};
t.teardown(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await server.close();
});

const errCode = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
};

// A shares this process with the server: LOCALIO binds it and its NLM calls run in-process.
// B is a remote client as far as the server knows (LOCALIO off): its calls go over the wire.
const a = await client();
const b = await client(false);
for (let i = 0; i < 200 && !a.localio.isLocal; i++) await new Promise((r) => setTimeout(r, 10));
const fa = await a.open('/f', 'r+');
const fb = await b.open('/f', 'r+');

// a capture of every lock call, callback and notification, checked by tshark at the end
await a.locks.test(fa.fh, 0n, 1n); // starts the process's lockd, whose port the capture needs
const lockdPort = currentLockd()?.port ?? 0;
const rpcPorts = [server.port, pm.port, lockdPort];
let capture: Capture | null = null;
if (which('tshark') !== null) {
  try {
    // readiness proven by probe connections to the server: on a loaded machine tshark's
    // "Capturing on" came before its filter was attached and the first tests' packets were lost
    capture = await startCapture(join(stateDir, 'locks.pcapng'), rpcPorts.map((p) => `tcp port ${p}`).join(' or '), 20_000, server.port);
  } catch (err) {
    console.log(`# tshark capture not started: ${(err as Error).message.split('\n')[0]}`);
  }
}

t.test('two owners on overlapping ranges: conflicts, split by unlock, merge, upgrade and downgrade', async (t) => {
  t.ok(a.localio.isLocal, 'A is bound by LOCALIO');
  await fa.lock(0, 100, { exclusive: true });
  t.equal(await errCode(fb.lock(50, 10)), 'EAGAIN', 'overlap refused');
  t.equal(await errCode(fb.lock(100, 10)), 'ok', 'touching range granted');
  await fa.unlock(40, 20); // A now holds [0,40) and [60,100)
  t.equal(await errCode(fb.lock(45, 10)), 'ok', 'the hole of a split is free');
  t.equal(await errCode(fb.lock(35, 10)), 'EAGAIN', 'the left piece still held');
  t.equal(await errCode(fb.lock(55, 10)), 'EAGAIN', 'the right piece still held');
  t.same(await b.locks.test(fb.fh, 0n, 1n), { exclusive: true, start: 0n, length: 40n, svid: 0 }, 'TEST names the left piece');
  t.equal(await errCode(fa.lock(0, 100, { exclusive: false })), 'EAGAIN', 'A cannot take B\'s pieces back, not even shared');
  t.ok(a.locks.localCalls > 0, `A's NLM calls ran in-process (${a.locks.localCalls})`);
  t.equal(b.locks.localCalls, 0, 'B\'s went by RPC: the local and the remote client share one lock table');
});

t.test('locks: a fresh start for each case', async (t) => {
  await fa.unlock(0, 0);
  await fb.unlock(0, 0);
  await fa.lock(0, 50, { exclusive: true });
  await fa.lock(50, 50, { exclusive: true }); // merges into [0,100)
  await fa.lock(0, 100, { exclusive: false }); // downgrade the whole
  t.equal(await errCode(fb.lock(10, 10, { exclusive: false })), 'ok', 'shared with a shared lock');
  t.equal(await errCode(fb.lock(10, 10, { exclusive: true })), 'EAGAIN', 'B cannot upgrade over A\'s shared lock');
  t.equal(await errCode(fa.lock(0, 100, { exclusive: true })), 'EAGAIN', 'A cannot upgrade over B\'s shared lock');
  await fb.unlock(0, 0);
  t.equal(await errCode(fa.lock(0, 100, { exclusive: true })), 'ok', 'upgrade once B is gone');
  t.equal(await errCode(fb.lock(0, 0, { exclusive: false })), 'EAGAIN', 'length 0 reaches A\'s range');
  t.equal(await errCode(fb.lock(100, 0, { exclusive: true })), 'ok', 'to-EOF lock past A\'s range');
  t.equal(await errCode(fa.lock(2n ** 62n, 1)), 'EAGAIN', '64-bit offsets inside B\'s to-EOF lock');
  await fa.unlock(0, 0);
  await fb.unlock(0, 0);
});

t.test('a blocked lock is granted by NLM_GRANTED when the holder unlocks', async (t) => {
  await fa.lock(0, 10);
  const before = currentLockd()?.grants ?? 0;
  let done = false;
  const p = fb.lock(5, 10, { wait: true }).then(() => {
    done = true;
  });
  // the server queues B; a TEST from A's side sees no change of A's own lock meanwhile
  await new Promise((r) => setTimeout(r, 200));
  t.equal(done, false, 'B waits');
  await fa.unlock(0, 10);
  await p;
  t.equal((currentLockd()?.grants ?? 0) - before, 1, 'granted through the callback (the poll interval is 10 min)');
  t.equal(await errCode(fa.lock(0, 10)), 'EAGAIN', 'B holds it now');
  await fb.unlock(0, 0);
});

t.test('cancel: an aborted wait withdraws the request and never takes the lock', async (t) => {
  await fa.lock(0, 10);
  const ac = new AbortController();
  const p = errCode(fb.lock(0, 10, { wait: true, signal: ac.signal }));
  await new Promise((r) => setTimeout(r, 100));
  ac.abort(new Error('cancelled'));
  t.equal(await p, 'Error: cancelled', 'the wait rejects with the abort reason');
  await fa.unlock(0, 10);
  t.equal(await errCode(fa.lock(0, 10)), 'ok', 'B was never granted it');
  await fa.unlock(0, 0);
});

t.test('flock: whole-file locks per handle', async (t) => {
  const fa2 = await a.open('/f', 'r');
  await fa.flock('ex');
  t.equal(await errCode(fa2.flock('sh')), 'EAGAIN', 'another handle of the same client is another owner');
  await fa.flock('un');
  t.equal(await errCode(fa2.flock('sh')), 'ok');
  await fa2.close(); // releases its flock
  t.equal(await errCode(fb.lock(0, 0)), 'ok');
  await fb.unlock(0, 0);
});

const py = spawnSync('python3', ['-c', 'import fcntl'], { encoding: 'utf8' });
t.test('OFD locks: a local process and an NFS client exclude each other', { skip: (py.status !== 0 && 'python3 not installed') || (!server.locking?.backingLocks && 'no OFD locks on this platform') }, async (t) => {
  const file = join(dir, 'f');
  // a local process holds bytes 0..9 until we close its stdin
  const child = spawn('python3', ['-c', `
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 10, 0, 0)
print('locked', flush=True)
sys.stdin.read()
`, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  t.equal(await errCode(fa.lock(5, 1)), 'EAGAIN', 'the NFS client is refused the local process\'s range');
  t.equal(await errCode(fa.lock(10, 10)), 'ok', 'and granted next to it');
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  t.equal(await errCode(fa.lock(5, 1)), 'ok', 'free once the process exits');
  const r = spawnSync('python3', ['-c', `
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 12, 0)
    print('locked')
except OSError:
    print('refused')
`, file], { encoding: 'utf8' });
  t.equal(r.stdout.trim(), 'refused', 'the local process is refused the NFS client\'s range');
  await fa.unlock(0, 0);
});

t.test('restart: SM_NOTIFY, reclaim in the grace period, new locks refused until it ends', async (t) => {
  await fa.lock(0, 10);
  const port = server.port;
  await server.close();
  server = await start(port);
  t.ok(server.locking?.grace.active, 'in grace: a client held locks before the restart');
  const n = await server.locking!.notified;
  t.same(n.notified, [hostname()], 'SM_NOTIFY sent to the lock holder');
  t.equal(await errCode(fb.lock(20, 10)), 'ENOLCK', 'a new lock is refused in the grace period');
  // A reclaims on the notification; wait until the server has its lock back
  for (let i = 0; i < 100 && a.locks.reclaims === 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(a.locks.reclaims, 1, 'A reclaimed its lock');
  await new Promise((r) => setTimeout(r, GRACE_MS));
  t.notOk(server.locking!.grace.active, 'the grace period ended');
  t.equal(await errCode(fb.lock(5, 1)), 'EAGAIN', 'the reclaimed lock holds against B');
  t.equal(await errCode(fb.lock(20, 10)), 'ok', 'new locks granted after the grace period');
  await fa.unlock(0, 0);
  await fb.unlock(0, 0);
});

t.test('tshark: the lock traffic decodes without malformed packets, every call answered', { skip: capture === null && 'tshark is not installed or cannot capture' }, async (t) => {
  const c = capture as Capture;
  t.equal(await c.stop(), 0, 'no packet dropped');
  const r = await analyzeCapture(c.file, rpcPorts);
  t.same(r.malformed, [], 'no malformed packets');
  t.ok(r.programs.has(100021) && r.programs.has(100024), 'NLM and NSM calls decoded');
  t.ok(r.calls > 20, `RPC calls decoded (${r.calls})`);
  t.same(r.unanswered, [], 'every call has a reply with its xid');
});
