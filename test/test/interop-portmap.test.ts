/**
 * `rpcinfo` and `showmount` against a real `nfsts serve` process: through our own
 * portmapper on port 111 when nothing listens there, and through a system rpcbind (one
 * already running, or one started here) that we register with and unregister from.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { RpcClient } from '@nfsts/rpc';
import { mountstat3, xdr_dirpath, xdr_mountres3 } from '@nfsts/xdr';
import { foreignNfsRegistrations, missingTools, parseRpcinfoP, port111, run, startCliServer, which } from '../src/index.js';

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-interop-pm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const tools = missingTools('rpcinfo', 'showmount');
const initial = await port111();

t.test('rpcinfo -p and showmount -e through our own portmapper', { skip: tools || (initial !== 'free' ? `port 111 is taken (${initial}); the registration test covers a system rpcbind` : false) }, async (t) => {
  const dir = tempDir(t);
  const server = await startCliServer([dir, '--port', '0', '--state-dir', join(dir, '.state'), '--options', 'rw,clients=127.0.0.1+10.0.0.0/8']);
  t.teardown(() => server.stop());
  t.equal(server.portmap, 'own', 'we answer on port 111');
  const p = await run('rpcinfo', ['-p', '127.0.0.1'], { timeoutMs: 20_000 });
  t.equal(p.code, 0, `rpcinfo -p: ${p.stderr}`);
  const rows = parseRpcinfoP(p.stdout);
  for (const [prog, vers, port] of [
    [100000, 2, 111],
    [100000, 3, 111],
    [100000, 4, 111],
    [100003, 3, server.port],
    [100005, 1, server.port],
    [100005, 3, server.port],
    [100021, 1, server.port], // nlockmgr, as knfsd lists it
    [100021, 3, server.port],
    [100021, 4, server.port],
    [100024, 1, server.port], // status
  ] as const) {
    t.ok(rows.some((r) => r.prog === prog && r.vers === vers && r.proto === 'tcp' && r.port === port), `${prog} v${vers} tcp ${port}`);
  }
  t.notOk(rows.some((r) => r.prog === 400122), 'LOCALIO is not registered');
  // rpcinfo without -p speaks rpcbind v4 (DUMP with netids and universal addresses).
  const v4 = await run('rpcinfo', ['127.0.0.1'], { timeoutMs: 20_000 });
  t.equal(v4.code, 0, `rpcinfo: ${v4.stderr}`);
  t.match(v4.stdout, new RegExp(`100003\\s+3\\s+tcp\\s+127\\.0\\.0\\.1\\.${server.port >> 8}\\.${server.port & 255}\\s`));
  // rpcinfo -T tcp looks the program up (GETADDR) and calls its NULL procedure.
  for (const [prog, vers] of [
    ['100003', '3'],
    ['100005', '3'],
    ['100005', '1'],
    ['100021', '4'],
    ['100024', '1'],
  ] as const) {
    const ping = await run('rpcinfo', ['-T', 'tcp', '127.0.0.1', prog, vers], { timeoutMs: 20_000 });
    t.match(ping.stdout, `program ${prog} version ${vers} ready and waiting`, `rpcinfo -T tcp ${prog} ${vers}`);
  }
  const sm = await run('showmount', ['-e', '127.0.0.1'], { timeoutMs: 20_000 });
  t.equal(sm.code, 0, `showmount: ${sm.stderr}`);
  t.match(sm.stdout, 'Export list for 127.0.0.1:');
  t.match(sm.stdout, /^\/export\s+127\.0\.0\.1,10\.0\.0\.0\/8$/m);
  // A MOUNT MNT from this host, then showmount -a (DUMP) lists it and -d its directory.
  const client = new RpcClient({ host: '127.0.0.1', port: server.port, timeoutMs: 10_000 });
  await client.connect();
  const mnt = await client.call(100005, 3, 1, xdr_dirpath, '/export', xdr_mountres3);
  await client.close();
  t.equal(mnt.fhs_status, mountstat3.MNT3_OK, 'MNT');
  const all = await run('showmount', ['-a', '127.0.0.1'], { timeoutMs: 20_000 });
  t.match(all.stdout, /^127\.0\.0\.1:\/export$/m, `showmount -a: ${all.stdout}${all.stderr}`);
  const dirs = await run('showmount', ['-d', '127.0.0.1'], { timeoutMs: 20_000 });
  t.match(dirs.stdout, /^\/export$/m, 'showmount -d');
  t.equal(await server.stop(), 0, 'clean exit');
  t.equal(await port111(), 'free', 'port 111 released on shutdown');
});

t.test('--no-portmap leaves port 111 alone', { skip: initial !== 'free' ? `port 111 is taken (${initial})` : false }, async (t) => {
  const dir = tempDir(t);
  const server = await startCliServer([dir, '--port', '0', '--no-portmap', '--state-dir', join(dir, '.state')]);
  t.teardown(() => server.stop());
  t.equal(server.portmap, 'off');
  t.equal(await port111(), 'free');
});

const foreign = tools ? [] : await foreignNfsRegistrations();

function rpcbindSkip(): string | false {
  if (tools) return tools;
  if (foreign.length > 0) return `the running portmapper already has ${foreign.join(', ')} from another NFS server; nfsts does not replace registrations`;
  if (initial === 'portmapper') return false;
  if (initial === 'other') return 'port 111 is taken by something that is not a portmapper';
  if (which('rpcbind') === null) return 'no system rpcbind running and the rpcbind binary is not installed';
  if (process.getuid?.() !== 0) return 'no system rpcbind running, and starting one needs root';
  return false;
}

t.test('registers NFS and MOUNT with a system rpcbind and unregisters on shutdown', { skip: rpcbindSkip() }, async (t) => {
  let rpcbind: ChildProcess | null = null;
  if (initial === 'free') {
    // Start one for this test (and stop it after).
    const child = spawn(which('rpcbind') as string, ['-f'], { stdio: 'ignore' });
    rpcbind = child;
    const exited = new Promise((r) => child.on('exit', r));
    t.teardown(async () => {
      child.kill('SIGTERM');
      await exited;
    });
    for (let i = 0; i < 100 && (await port111()) !== 'portmapper'; i++) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(await port111(), 'portmapper', rpcbind === null ? 'a system rpcbind is running' : 'started rpcbind -f');
  const dir = tempDir(t);
  const server = await startCliServer([dir, '--port', '0', '--state-dir', join(dir, '.state')]);
  t.teardown(() => server.stop());
  t.equal(server.portmap, 'system', 'registered with it rather than competing for port 111');
  const rows = parseRpcinfoP((await run('rpcinfo', ['-p', '127.0.0.1'], { timeoutMs: 20_000 })).stdout);
  for (const [prog, vers] of [
    [100003, 3],
    [100005, 1],
    [100005, 3],
    [100021, 4],
    [100024, 1],
  ] as const) {
    t.ok(rows.some((r) => r.prog === prog && r.vers === vers && r.proto === 'tcp' && r.port === server.port), `${prog} v${vers} tcp ${server.port} registered`);
  }
  t.notOk(rows.some((r) => r.prog === 400122), 'LOCALIO is not registered');
  const sm = await run('showmount', ['-e', '127.0.0.1'], { timeoutMs: 20_000 });
  t.match(sm.stdout, /^\/export\s+\(everyone\)$/m, 'showmount -e via the system rpcbind');
  t.equal(await server.stop(), 0, 'clean exit');
  const after = parseRpcinfoP((await run('rpcinfo', ['-p', '127.0.0.1'], { timeoutMs: 20_000 })).stdout);
  t.notOk(after.some((r) => r.port === server.port), 'our mappings are gone after shutdown');
  t.ok(after.some((r) => r.prog === 100000), 'the portmapper itself is still there');
});
