// The client library's NLM locks against nfs-ganesha with Enable_NLM = true (it registers
// nlockmgr with rpcbind on port 111 and asks a local rpc.statd to monitor us). Port 111 must be
// ours, so the file runs itself again inside a private network namespace (as root, with
// unshare and ip) and reports that run as its subtest:
//   unshare -n -- sh -c 'ip link set lo up; ip addr add 127.0.0.2/8 dev lo; NFSTS_PRIVATE_NETNS=1 node …/locks-ganesha.test.js'
// Skipped with the reason when ganesha, rpcbind or the namespace cannot be had.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { connect, setLockDefaults, type NfsClient } from '@nfsts/client';
import { startGanesha, type Ganesha } from '../src/ganesha.js';
import { which } from '../src/tools.js';
import { fileURLToPath } from 'node:url';

const STATD = '/usr/sbin/rpc.statd';
const inPrivateNetns = process.env.NFSTS_PRIVATE_NETNS === '1';
if (!inPrivateNetns) {
  const why = process.getuid?.() !== 0 ? 'needs root for a private network namespace' : which('unshare') === null || which('ip') === null ? 'unshare or ip is not installed' : null;
  if (why !== null) t.test('NLM locks against nfs-ganesha', { skip: why }, () => {});
  else {
    const self = fileURLToPath(import.meta.url);
    await t.spawn('unshare', ['-n', '--', 'sh', '-c', `ip link set lo up && ip addr add 127.0.0.2/8 dev lo && exec "${process.execPath}" "${self}"`],
      { env: { ...process.env, NFSTS_PRIVATE_NETNS: '1' } }, 'in a private network namespace');
  }
}
const g = inPrivateNetns ? await startGanesha({ nlm: true }) : null;
let statd: ChildProcess | undefined;
if (g !== null && !('skip' in g) && existsSync(STATD)) {
  // ganesha asks the local statd to monitor its clients (SM_MON); give it one with a private state dir
  const sd = mkdtempSync(join(tmpdir(), 'nfsts-statd-'));
  mkdirSync(join(sd, 'sm'));
  mkdirSync(join(sd, 'sm.bak'));
  statd = spawn(STATD, ['-F', '-P', sd, '--no-notify'], { stdio: 'ignore' });
  statd.on('error', () => {});
  t.teardown(() => {
    statd?.kill('SIGTERM');
    rmSync(sd, { recursive: true, force: true });
  });
  await new Promise((r) => setTimeout(r, 500));
}

if (g !== null) t.test('NLM locks against nfs-ganesha', 'skip' in g ? { skip: g.skip } : {}, async (t) => {
  const gan = g as Ganesha;
  t.teardown(() => gan.stop());
  writeFileSync(join(gan.dir, 'f'), 'x'.repeat(4096));
  setLockDefaults({ lockdPortmapPort: 111, pollMs: 600_000, graceRetryMs: 500 });
  const clients: NfsClient[] = [];
  t.teardown(async () => {
    for (const c of clients) await c.close().catch(() => {});
  });
  const a = await connect(gan.url);
  const b = await connect(gan.url);
  clients.push(a, b);
  const fa = await a.open('/f', 'r+');
  const fb = await b.open('/f', 'r+');
  const errCode = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'ok';
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  };
  // ganesha starts in its grace period: wait (retrying) for the first lock
  await fa.lock(0, 100, { exclusive: true, wait: true });
  t.equal(await errCode(fb.lock(50, 10)), 'EAGAIN', 'overlap refused');
  t.equal(await errCode(fb.lock(100, 10)), 'ok', 'touching range granted');
  await fa.unlock(40, 20);
  t.equal(await errCode(fb.lock(45, 10)), 'ok', 'the hole of a split is free');
  t.equal(await errCode(fb.lock(35, 10)), 'EAGAIN', 'the left piece still held');
  t.equal(await errCode(fb.lock(55, 10)), 'EAGAIN', 'the right piece still held');
  t.same(await b.locks.test(fb.fh, 0n, 1n), { exclusive: true, start: 0n, length: 40n, svid: 0 }, 'TEST names the left piece');
  await fa.unlock(0, 0);
  await fb.unlock(0, 0);

  await fa.lock(0, 100, { exclusive: false });
  t.equal(await errCode(fb.lock(10, 10, { exclusive: false })), 'ok', 'shared with shared');
  t.equal(await errCode(fa.lock(0, 100, { exclusive: true })), 'EAGAIN', 'no upgrade over another owner\'s shared lock');
  await fb.unlock(0, 0);
  t.equal(await errCode(fa.lock(0, 100, { exclusive: true })), 'ok', 'upgrade once it is gone');
  await fa.unlock(0, 0);

  // blocking. On one host ganesha's GRANTED_MSG cannot reach our lockd: both register
  // nlockmgr v4/tcp with the same rpcbind, which keeps ganesha's, so ganesha calls itself back.
  // The waiter gets the lock by re-sending its request (every 200 ms here, 5 s by default).
  setLockDefaults({ pollMs: 200 });
  await fa.lock(0, 10);
  let done = false;
  const p = fb.lock(5, 10, { wait: true }).then(() => {
    done = true;
  });
  await new Promise((r) => setTimeout(r, 300));
  t.equal(done, false, 'B waits while A holds the range');
  await fa.unlock(0, 10);
  await p;
  t.pass('B is granted once A unlocks');
  t.equal(await errCode(fa.lock(0, 10)), 'EAGAIN', 'B holds it now');
  await fb.unlock(0, 0);

  // cancel
  await fa.lock(0, 10);
  const ac = new AbortController();
  const w = errCode(fb.lock(0, 10, { wait: true, signal: ac.signal }));
  await new Promise((r) => setTimeout(r, 200));
  ac.abort(new Error('cancelled'));
  t.equal(await w, 'Error: cancelled', 'the aborted wait rejects');
  await fa.unlock(0, 10);
  t.equal(await errCode(fa.lock(0, 10)), 'ok', 'the cancelled request was never granted');
  await fa.unlock(0, 0);
});
