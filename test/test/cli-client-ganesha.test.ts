// The client subcommands of `nfsts` against nfs-ganesha (FSAL_VFS, NFSv3/TCP on loopback),
// compared with libnfs's nfs-ls / nfs-cat / nfs-cp on the same URLs. Skipped with the reason
// when ganesha or libnfs-utils is missing (run inside a private network namespace: ganesha
// takes fixed ports).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { startGanesha } from '../src/ganesha.js';
import { runCli, CLI_MAIN } from '../src/cli-server.js';
import { missingTools } from '../src/tools.js';

const g = await startGanesha();
const skip = 'skip' in g ? g.skip : missingTools('nfs-ls', 'nfs-cat', 'nfs-cp');
if (!('skip' in g)) t.teardown(() => g.stop());

t.test('nfsts ls/cat/cp/stat/mkdir/mv/rm/df against ganesha, as nfs-ls/nfs-cat/nfs-cp see it', skip !== false ? { skip } : {}, async (tt) => {
  if ('skip' in g) return;
  const local = mkdtempSync(join(tmpdir(), 'nfsts-cli-ganesha-'));
  tt.teardown(() => rmSync(local, { recursive: true, force: true }));
  mkdirSync(join(g.dir, 'd/e'), { recursive: true });
  writeFileSync(join(g.dir, 'hello.txt'), 'hello\n');
  writeFileSync(join(g.dir, 'd/e/bin'), randomBytes(2 * 1024 * 1024 + 5));
  const q = new URL(g.url).search;
  const url = (p: string): string => `nfs://127.0.0.1${g.dir}${p}${q}`;
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '').sort();

  const theirs = spawnSync('nfs-ls', ['-R', url('/d')], { encoding: 'utf8', timeout: 60_000 });
  const ours = await runCli(['ls', '-l', '-R', url('/d')]);
  tt.equal(ours.code, 0, ours.stderr);
  tt.same(lines(ours.stdout), lines(theirs.stdout), 'nfsts ls -l -R == nfs-ls -R');
  const cat = spawnSync(process.execPath, [CLI_MAIN, 'cat', url('/d/e/bin')], { timeout: 60_000, maxBuffer: 64 << 20 });
  const ncat = spawnSync('nfs-cat', [url('/d/e/bin')], { timeout: 60_000, maxBuffer: 64 << 20 });
  tt.equal(sha(cat.stdout), sha(readFileSync(join(g.dir, 'd/e/bin'))), 'nfsts cat: the file\'s bytes');
  tt.equal(sha(cat.stdout), sha(ncat.stdout), 'nfsts cat == nfs-cat');
  tt.equal((await runCli(['cp', url('/d/e/bin'), join(local, 'ours')])).code, 0, 'cp out');
  spawnSync('nfs-cp', [url('/d/e/bin'), join(local, 'theirs')], { timeout: 60_000 });
  tt.equal(sha(readFileSync(join(local, 'ours'))), sha(readFileSync(join(local, 'theirs'))), 'nfsts cp == nfs-cp');
  tt.equal((await runCli(['cp', join(local, 'ours'), url('/back')])).code, 0, 'cp in');
  tt.equal(sha(readFileSync(join(g.dir, 'back'))), sha(readFileSync(join(local, 'ours'))), 'same bytes back');
  tt.equal((await runCli(['mkdir', '-p', url('/m/n')])).code, 0, 'mkdir -p');
  tt.equal((await runCli(['mv', url('/back'), url('/m/n')])).code, 0, 'mv');
  tt.ok(existsSync(join(g.dir, 'm/n/back')), 'moved');
  tt.equal((await runCli(['rm', '-r', url('/m')])).code, 0, 'rm -r');
  tt.notOk(existsSync(join(g.dir, 'm')), 'removed');
  const st = await runCli(['stat', url('/hello.txt')]);
  tt.match(st.stdout, /Size: 6\b/, 'stat');
  const df = await runCli(['df', url('/')]);
  tt.equal(df.code, 0, df.stderr);
  const missing = await runCli(['cat', url('/nope')]);
  tt.equal(missing.code, 1);
  tt.match(missing.stderr, /^nfsts: ENOENT: .*\n$/, 'one nfsts: line');
});
