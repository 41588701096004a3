/**
 * libnfs (Debian libnfs-utils) against a real `nfsts serve` process: nfs-ls -R, nfs-cp of a
 * 64 MiB random file in and out with equal sha256, nfs-cat, nfs-ls -D discovery, nfs-stat,
 * plus rpcinfo -p and showmount -e; all captured with tshark, which must find no malformed
 * packet and a reply for every call.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, createReadStream, mkdirSync, mkdtempSync, openSync, closeSync, writeSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { analyzeCapture, foreignNfsRegistrations, missingTools, run, startCapture, startCliServer, which } from '../src/index.js';
import type { Capture, CliServer } from '../src/index.js';

const BIG = 64 * 1024 * 1024;
const libnfsMissing = missingTools('nfs-ls', 'nfs-cp', 'nfs-cat');
const foreign = await foreignNfsRegistrations();
/** Discovery and rpcinfo/showmount go through port 111, where another NFS server may be registered. */
const portmapSkip = foreign.length > 0 ? `the running portmapper already has ${foreign.join(', ')} from another NFS server` : false;

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const work = mkdtempSync(join(tmpdir(), 'nfsts-interop-libnfs-'));
const exportDir = join(work, 'export');
const local = join(work, 'local');
mkdirSync(join(exportDir, 'dir', 'sub'), { recursive: true });
mkdirSync(local);
writeFileSync(join(exportDir, 'hello.txt'), 'hello from nfsts\n');
writeFileSync(join(exportDir, 'dir', 'a.txt'), 'a\n');
writeFileSync(join(exportDir, 'dir', 'sub', 'b.txt'), 'b'.repeat(10_000));
symlinkSync('/etc', join(exportDir, 'etc-link'));

let server: CliServer | null = null;
let capture: Capture | null = null;
let url = (path: string): string => path;

t.before(async () => {
  if (libnfsMissing) return;
  const port = await freePort();
  if (which('tshark') !== null) {
    try {
      capture = await startCapture(join(work, 'capture.pcapng'), `tcp port ${port} or tcp port 111`, 20_000, port);
    } catch (err) {
      capture = null;
      console.log(`# tshark capture not started: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  // no_root_squash: libnfs calls as uid 0, and the export directory belongs to root.
  server = await startCliServer([exportDir, '--port', String(port), '--options', 'rw,no_root_squash', '--state-dir', join(work, 'state'), '--log-level', 'warn']);
  url = (path: string): string => `nfs://127.0.0.1${path}?version=3&nfsport=${port}&mountport=${port}`;
});

t.teardown(async () => {
  await server?.stop();
  await capture?.stop();
  rmSync(work, { recursive: true, force: true });
});

t.test('nfs-ls -R lists the tree', { skip: libnfsMissing }, async (t) => {
  const r = await run('nfs-ls', ['-R', url('/export')], { timeoutMs: 60_000 });
  t.equal(r.code, 0, `nfs-ls: ${r.stderr}`);
  for (const name of ['hello.txt', 'dir', 'dir/a.txt', 'dir/sub', 'dir/sub/b.txt', 'etc-link']) {
    t.match(r.stdout, new RegExp(`\\s${name.replace('.', '\\.')}(\\s|$)`, 'm'), name);
  }
  t.notMatch(r.stdout, /passwd/, 'the symlink to /etc is not traversed');
  t.match(r.stdout, /^-.*\s17\s+hello\.txt$/m, 'size of hello.txt');
  t.match(r.stdout, /^l.*etc-link/m, 'a symlink is listed as one');
});

t.test('nfs-cat prints a file', { skip: libnfsMissing }, async (t) => {
  const r = await run('nfs-cat', [url('/export/hello.txt')], { timeoutMs: 60_000 });
  t.equal(r.code, 0, `nfs-cat: ${r.stderr}`);
  t.equal(r.stdout, 'hello from nfsts\n');
  const b = await run('nfs-cat', [url('/export/dir/sub/b.txt')], { timeoutMs: 60_000 });
  t.equal(b.stdout, 'b'.repeat(10_000));
});

t.test('nfs-cp of a 64 MiB random file in and out, same sha256', { skip: libnfsMissing }, async (t) => {
  const src = join(local, 'big.bin');
  const fd = openSync(src, 'w');
  for (let off = 0; off < BIG; off += 4 * 1024 * 1024) writeSync(fd, randomBytes(4 * 1024 * 1024));
  closeSync(fd);
  const want = await sha256(src);
  const up = await run('nfs-cp', [src, url('/export/big.bin')], { timeoutMs: 300_000 });
  t.equal(up.code, 0, `nfs-cp in: ${up.stderr}`);
  t.equal(statSync(join(exportDir, 'big.bin')).size, BIG, 'size on the server disk');
  t.equal(await sha256(join(exportDir, 'big.bin')), want, 'sha256 on the server disk');
  const back = join(local, 'big.back');
  const down = await run('nfs-cp', [url('/export/big.bin'), back], { timeoutMs: 300_000 });
  t.equal(down.code, 0, `nfs-cp out: ${down.stderr}`);
  t.equal(await sha256(back), want, 'sha256 after the round trip');
  rmSync(back);
  rmSync(src);
});

t.test('nfs-ls -D discovers the export', { skip: libnfsMissing || portmapSkip }, async (t) => {
  const r = await run('nfs-ls', ['-D', 'nfs://127.0.0.1'], { timeoutMs: 60_000 });
  if (r.code !== 0 && server?.portmap === 'off') {
    t.fail(`discovery needs a portmapper and none is reachable: ${r.stderr}`);
    return;
  }
  t.equal(r.code, 0, `nfs-ls -D: ${r.stderr}`);
  t.match(r.stdout, /nfs:\/\/127\.0\.0\.1\/export\b/);
});

t.test('nfs-stat', { skip: libnfsMissing || (missingTools('nfs-stat') && 'nfs-stat is not installed (Debian 12\'s libnfs-utils 4.0 does not ship it)') }, async (t) => {
  const r = await run('nfs-stat', [url('/export/hello.txt')], { timeoutMs: 60_000 });
  t.equal(r.code, 0, `nfs-stat: ${r.stderr}`);
  t.match(r.stdout, /17/);
});

t.test('rpcinfo -p and showmount -e see NFS and MOUNT', { skip: libnfsMissing || missingTools('rpcinfo', 'showmount') || portmapSkip }, async (t) => {
  if (server?.portmap === 'off') {
    t.fail('no portmapper reachable on port 111');
    return;
  }
  const p = await run('rpcinfo', ['-p', '127.0.0.1'], { timeoutMs: 20_000 });
  t.match(p.stdout, new RegExp(`100003\\s+3\\s+tcp\\s+${server?.port}\\s`));
  t.match(p.stdout, new RegExp(`100005\\s+3\\s+tcp\\s+${server?.port}\\s`));
  const sm = await run('showmount', ['-e', '127.0.0.1'], { timeoutMs: 20_000 });
  t.match(sm.stdout, /^\/export\s+\(everyone\)$/m);
});

t.test('tshark: no malformed packet and every RPC call answered', { skip: libnfsMissing || missingTools('tshark') }, async (t) => {
  if (capture === null) {
    t.fail('tshark is installed but the capture did not start');
    return;
  }
  // Traffic of its own, so this test means the same run alone or after the others.
  const ls = await run('nfs-ls', ['-R', url('/export')], { timeoutMs: 60_000 });
  t.equal(ls.code, 0, `nfs-ls -R: ${ls.stderr}`);
  const cat = await run('nfs-cat', [url('/export/dir/sub/b.txt')], { timeoutMs: 60_000 });
  t.equal(cat.stdout.length, 10_000, 'nfs-cat read the file');
  const viaPortmap = !portmapSkip && server?.portmap !== 'off' && which('rpcinfo') !== null;
  if (viaPortmap) t.equal((await run('rpcinfo', ['-p', '127.0.0.1'], { timeoutMs: 20_000 })).code, 0, 'rpcinfo -p');
  // Stop the server first so its unregistration and last replies are in the capture.
  t.equal(await server?.stop(), 0, 'server exits cleanly');
  const dropped = await capture.stop();
  t.equal(dropped, 0, 'tshark dropped no packet (else calls and replies cannot be matched)');
  const report = await analyzeCapture(capture.file, [server?.port ?? 0, 111]);
  t.same(report.malformed, [], 'no malformed packets');
  t.ok(report.calls >= 20, `RPC calls decoded (${report.calls})`);
  t.equal(report.replies, report.calls, 'as many replies as calls');
  t.same(report.unanswered, [], 'every call has a reply with its xid');
  if (report.malformed.length > 0 || report.unanswered.length > 0) {
    // Keep the evidence: the work directory is removed at the end.
    const kept = join(tmpdir(), `nfsts-interop-libnfs-${process.pid}.pcapng`);
    copyFileSync(capture.file, kept);
    t.comment(`capture kept in ${kept} (decode with -d tcp.port==${server?.port},rpc)`);
  }
  for (const prog of viaPortmap ? [100000, 100003, 100005] : [100003, 100005]) t.ok(report.programs.has(prog), `program ${prog} seen`);
});

