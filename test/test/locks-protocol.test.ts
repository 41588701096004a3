// NLM and NSM at the wire level against our server, with raw RPC: version 1's 32-bit forms,
// the asynchronous _MSG/_RES pair, blocking grants the client refuses or never answers,
// DOS shares, FREE_ALL, SM_NOTIFY from a rebooted client, stale handles and locking: false.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { RpcClient, RpcServer } from '@nfsts/rpc';
import { connect } from '@nfsts/client';
import { startPortmap, startServer, type NfsServer } from '@nfsts/server';

const toUaddr = (host: string, port: number): string => `${host}.${port >> 8}.${port & 0xff}`;
import {
  fsh_access, fsh_mode, nlm4_stats, nlm_stats, xdr_nlm4_lockargs, xdr_nlm4_notify, xdr_nlm4_res, xdr_nlm4_shareargs, xdr_nlm4_shareres,
  xdr_nlm4_testargs, xdr_nlm4_testres, xdr_nlm4_unlockargs, xdr_nlm_lockargs, xdr_nlm_res, xdr_nlm_testargs, xdr_nlm_testres,
  xdr_nlm_unlockargs, xdr_stat_chge, xdr_void, type nlm4_lock, type nlm4_res, type nlm4_testargs,
} from '@nfsts/xdr';

const dir = mkdtempSync(join(tmpdir(), 'nfsts-nlmproto-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'f'), 'x'.repeat(100));
const silent = pino({ level: 'silent' });
const pm = await startPortmap({ host: '127.0.0.1', nfsPort: 1, portmapPort: 0, logger: silent });
t.teardown(() => pm.close());

// a stand-in for a client host's lockd: records LOCK_RES, answers GRANTED as the test says
let grantAnswer: (a: nlm4_testargs) => Promise<nlm4_res> = async (a) => ({ cookie: a.cookie, stat: { stat: nlm4_stats.NLM4_GRANTED } });
let grantCalls = 0;
const lockRes: Array<(r: nlm4_res) => void> = [];
const lockd = new RpcServer({ logger: silent });
lockd.register({
  prog: 100021, name: 'NLM', versions: {
    4: {
      procedures: {
        5: { name: 'GRANTED', args: xdr_nlm4_testargs, res: xdr_nlm4_res, handler: (a: nlm4_testargs) => { grantCalls++; return grantAnswer({ ...a, cookie: Buffer.from(a.cookie) }); } },
        12: { name: 'LOCK_RES', args: xdr_nlm4_res, res: xdr_void, handler: (r: nlm4_res) => { lockRes.shift()?.({ ...r, cookie: Buffer.from(r.cookie) }); } },
      },
    },
  },
});
const lockdPort = (await lockd.listen(0, '127.0.0.1')).port;
pm.registry!.set({ prog: 100021, vers: 4, netid: 'tcp', uaddr: toUaddr('127.0.0.1', lockdPort), owner: 'test' });
t.teardown(() => lockd.close());

const server: NfsServer = await startServer({
  exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1',
  locking: { clientPortmapPort: pm.port, grantTimeoutMs: 300 },
});
t.teardown(() => server.close());
const c = await connect(server.url);
t.teardown(() => c.close());
const fh = Buffer.from((await c.open('/f', 'r')).fh);
const rpc = new RpcClient({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
t.teardown(() => rpc.close());

const lk = (host: string, svid: number, off: bigint, len: bigint): nlm4_lock => ({ caller_name: host, fh, oh: Buffer.from(`${host}-${svid}`), svid, l_offset: off, l_len: len });
const cookie = Buffer.from([1, 2, 3, 4]);
const lock4 = (l: nlm4_lock, block = false, exclusive = true) => rpc.call(100021, 4, 2, xdr_nlm4_lockargs, { cookie, block, exclusive, alock: l, reclaim: false, state: 1 }, xdr_nlm4_res);
const unlock4 = (l: nlm4_lock) => rpc.call(100021, 4, 4, xdr_nlm4_unlockargs, { cookie, alock: l }, xdr_nlm4_res);
const test4 = (l: nlm4_lock) => rpc.call(100021, 4, 1, xdr_nlm4_testargs, { cookie, exclusive: true, alock: l }, xdr_nlm4_testres);

t.test('version 1: 32-bit locks, TEST names the holder, the cookie comes back', async (t) => {
  const a = { caller_name: 'v1host', fh, oh: Buffer.from('o1'), svid: 1, l_offset: 10, l_len: 10 };
  const r = await rpc.call(100021, 1, 2, xdr_nlm_lockargs, { cookie, block: false, exclusive: true, alock: a, reclaim: false, state: 1 }, xdr_nlm_res);
  t.same(r, { cookie, stat: { stat: nlm_stats.nlm_granted } });
  const tr = await rpc.call(100021, 1, 1, xdr_nlm_testargs, { cookie, exclusive: false, alock: { ...a, svid: 2, l_offset: 0, l_len: 0 } }, xdr_nlm_testres);
  t.same(tr, { cookie, stat: { stat: nlm_stats.nlm_denied, holder: { exclusive: true, svid: 1, oh: Buffer.from('o1'), l_offset: 10, l_len: 10 } } });
  t.same(await rpc.call(100021, 3, 4, xdr_nlm_unlockargs, { cookie, alock: a }, xdr_nlm_res), { cookie, stat: { stat: nlm_stats.nlm_granted } }, 'UNLOCK under version 3');
  t.same((await test4(lk('other', 9, 0n, 0n))).stat, { stat: nlm4_stats.NLM4_GRANTED }, 'free again, seen through version 4');
});

t.test('LOCK_MSG answers void and sends LOCK_RES to the caller\'s lockd', async (t) => {
  const got = new Promise<nlm4_res>((resolve) => lockRes.push(resolve));
  const l = lk('msghost', 1, 0n, 5n);
  await rpc.call(100021, 4, 7, xdr_nlm4_lockargs, { cookie: Buffer.from('msg1'), block: false, exclusive: true, alock: l, reclaim: false, state: 1 }, xdr_void);
  t.same(await got, { cookie: Buffer.from('msg1'), stat: { stat: nlm4_stats.NLM4_GRANTED } });
  await unlock4(l);
});

t.test('a blocked lock whose client refuses NLM_GRANTED is released', async (t) => {
  const holder = lk('h1', 1, 0n, 10n);
  const waiter = lk('h2', 1, 0n, 10n);
  t.equal((await lock4(holder)).stat.stat, nlm4_stats.NLM4_GRANTED);
  t.equal((await lock4(waiter, true)).stat.stat, nlm4_stats.NLM4_BLOCKED);
  const answered = new Promise<void>((resolve) => {
    grantAnswer = async (a) => {
      resolve();
      return { cookie: a.cookie, stat: { stat: nlm4_stats.NLM4_DENIED } };
    };
  });
  await unlock4(holder);
  await answered;
  // the server drops the lock right after the refusal arrives: poll the table, bounded
  for (let i = 0; i < 50 && (await test4(lk('h3', 1, 0n, 1n))).stat.stat !== nlm4_stats.NLM4_GRANTED; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal((await test4(lk('h3', 1, 0n, 1n))).stat.stat, nlm4_stats.NLM4_GRANTED, 'nobody holds it');
});

t.test('a blocked lock whose client never answers NLM_GRANTED is released after the timeout', async (t) => {
  const holder = lk('h1', 1, 0n, 10n);
  const waiter = lk('h2', 1, 0n, 10n);
  await lock4(holder);
  t.equal((await lock4(waiter, true)).stat.stat, nlm4_stats.NLM4_BLOCKED);
  const before = grantCalls;
  grantAnswer = (a) => new Promise((resolve) => setTimeout(() => resolve({ cookie: a.cookie, stat: { stat: nlm4_stats.NLM4_GRANTED } }), 1500));
  await unlock4(holder);
  for (let i = 0; i < 100 && (await test4(lk('h3', 1, 0n, 1n))).stat.stat !== nlm4_stats.NLM4_GRANTED; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(grantCalls - before, 1, 'the server called back once');
  t.equal((await test4(lk('h3', 1, 0n, 1n))).stat.stat, nlm4_stats.NLM4_GRANTED, 'the grant was taken back (timeout 300 ms)');
  grantAnswer = async (a) => ({ cookie: a.cookie, stat: { stat: nlm4_stats.NLM4_GRANTED } });
});

t.test('SHARE: access against deny modes; UNSHARE', async (t) => {
  const share = (host: string, access: fsh_access, mode: fsh_mode, proc = 20) => rpc.call(100021, 4, proc, xdr_nlm4_shareargs,
    { cookie, share: { caller_name: host, fh, oh: Buffer.from(host), mode, access }, reclaim: false }, xdr_nlm4_shareres);
  t.equal((await share('s1', fsh_access.fsa_RW, fsh_mode.fsm_DW)).stat, nlm4_stats.NLM4_GRANTED);
  t.equal((await share('s2', fsh_access.fsa_W, fsh_mode.fsm_DN)).stat, nlm4_stats.NLM4_DENIED, 'writing denied by s1');
  t.equal((await share('s2', fsh_access.fsa_R, fsh_mode.fsm_DN)).stat, nlm4_stats.NLM4_GRANTED, 'reading allowed');
  t.equal((await share('s3', fsh_access.fsa_R, fsh_mode.fsm_DR)).stat, nlm4_stats.NLM4_DENIED, 'cannot deny reading to readers');
  await share('s1', fsh_access.fsa_RW, fsh_mode.fsm_DW, 21);
  await share('s2', fsh_access.fsa_R, fsh_mode.fsm_DN, 21);
  t.equal((await share('s3', fsh_access.fsa_R, fsh_mode.fsm_DR)).stat, nlm4_stats.NLM4_GRANTED, 'after UNSHARE');
  await share('s3', fsh_access.fsa_R, fsh_mode.fsm_DR, 21);
});

t.test('FREE_ALL and SM_NOTIFY release a host\'s locks', async (t) => {
  await lock4(lk('gone1', 1, 0n, 10n));
  await lock4(lk('gone2', 1, 20n, 10n));
  await rpc.call(100021, 4, 23, xdr_nlm4_notify, { name: 'gone1', state: 3 }, xdr_void);
  t.equal((await test4(lk('x', 1, 0n, 10n))).stat.stat, nlm4_stats.NLM4_GRANTED, 'FREE_ALL released gone1');
  t.equal((await test4(lk('x', 1, 20n, 10n))).stat.stat, nlm4_stats.NLM4_DENIED, 'gone2 still holds');
  await rpc.call(100024, 1, 6, xdr_stat_chge, { mon_name: 'gone2', state: 5 }, xdr_void);
  t.equal((await test4(lk('x', 1, 20n, 10n))).stat.stat, nlm4_stats.NLM4_GRANTED, 'SM_NOTIFY released gone2');
});

t.test('a handle that is not ours: NLM4_STALE_FH', async (t) => {
  const bad = { ...lk('x', 1, 0n, 1n), fh: Buffer.alloc(44, 7) };
  t.equal((await lock4(bad)).stat.stat, nlm4_stats.NLM4_STALE_FH);
});

t.test('locking: false serves neither NLM nor NSM', async (t) => {
  const off = await startServer({ exports: [{ path: '/export', root: dir }], port: 0, host: '127.0.0.1', locking: false });
  t.teardown(() => off.close());
  t.equal(off.locking, null);
  const r = new RpcClient({ host: '127.0.0.1', port: off.port, timeoutMs: 5000 });
  t.teardown(() => r.close());
  await t.rejects(r.call(100021, 4, 0, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_UNAVAIL' }, 'NLM');
  await t.rejects(r.call(100024, 1, 0, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_UNAVAIL' }, 'NSM');
});
