// The client subcommands of `nfsts` (ls, cat, cp, stat, rm, mkdir, mv, df, showmount) as a
// real child process against our server; exit codes 0 / 1 (one `nfsts:` line) / 2; the
// progress line on a terminal; and the same listing and bytes as libnfs's nfs-ls, nfs-cat
// and nfs-cp on the same URLs (skipped without libnfs-utils).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import t from 'tap';
import { startServer } from '@nfsts/server';
import { runCli, CLI_MAIN } from '../src/cli-server.js';
import { missingTools } from '../src/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'nfsts-cli-client-'));
const local = mkdtempSync(join(tmpdir(), 'nfsts-cli-local-'));
mkdirSync(join(dir, 'd/e'), { recursive: true });
writeFileSync(join(dir, 'hello.txt'), 'hello\n');
writeFileSync(join(dir, 'd/e/bin'), randomBytes(3 * 1024 * 1024 + 17));
symlinkSync('hello.txt', join(dir, 'link'));
const server = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1', portmap: false });
t.teardown(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(local, { recursive: true, force: true });
});
const q = new URL(server.url).search;
const url = (p: string): string => `nfs://127.0.0.1/export${p}${q}`;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Runs a command and returns stdout as bytes. */
function runBytes(cmd: string, args: string[]): Promise<{ code: number | null; out: Buffer; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out: Buffer.concat(out), err }); });
  });
}

t.test('ls, ls -l -R, stat, df, showmount', async (tt) => {
  const ls = await runCli(['ls', url('/')]);
  tt.equal(ls.code, 0, ls.stderr);
  tt.same(ls.stdout.trim().split('\n'), ['d', 'hello.txt', 'link'], 'names, sorted');
  const lr = await runCli(['ls', '-l', '-R', url('/')]);
  tt.equal(lr.code, 0, lr.stderr);
  tt.match(lr.stdout, /^-rw-r--r--  1 +0 +0 +6 hello\.txt$/m, 'a long line');
  tt.match(lr.stdout, /^lrwxrwxrwx .* link -> hello\.txt$/m, 'a symlink and its target');
  tt.match(lr.stdout, / d\/e\/bin$/m, 'recursive paths');
  const st = await runCli(['stat', url('/hello.txt')]);
  tt.equal(st.code, 0, st.stderr);
  tt.match(st.stdout, /File: \/hello\.txt\n\s+Size: 6\b.*regular file/, 'stat');
  const df = await runCli(['df', url('/')]);
  tt.equal(df.code, 0, df.stderr);
  tt.match(df.stdout, /^Filesystem .*\n127\.0\.0\.1:\/export \d+ \d+ \d+ \d+%/, 'df');
  const sm = await runCli(['showmount', server.url]);
  tt.equal(sm.code, 0, sm.stderr);
  tt.match(sm.stdout, /^Export list for 127\.0\.0\.1:\n\/export /, 'showmount');
});

t.test('cat and cp both ways keep every byte; cp -r, mkdir -p, mv, rm -r', async (tt) => {
  const original = readFileSync(join(dir, 'd/e/bin'));
  const cat = await runBytes(process.execPath, [CLI_MAIN, 'cat', url('/d/e/bin')]);
  tt.equal(cat.code, 0, cat.err);
  tt.equal(sha(cat.out), sha(original), 'cat: same bytes');
  const out = await runCli(['cp', url('/d/e/bin'), join(local, 'bin')]);
  tt.equal(out.code, 0, out.stderr);
  tt.equal(out.stderr, '', 'quiet when not on a terminal');
  tt.equal(sha(readFileSync(join(local, 'bin'))), sha(original), 'cp NFS -> local');
  const back = await runCli(['cp', join(local, 'bin'), url('/d/')]);
  tt.equal(back.code, 0, back.stderr);
  tt.equal(sha(readFileSync(join(dir, 'd/bin'))), sha(original), 'cp local -> NFS directory: into it');
  const tree = await runCli(['cp', '-r', url('/d'), url('/copy')]);
  tt.equal(tree.code, 0, tree.stderr);
  tt.equal(sha(readFileSync(join(dir, 'copy/e/bin'))), sha(original), 'cp -r within the export (copyFile)');
  const ltree = await runCli(['cp', '-r', url('/d'), join(local, 'tree')]);
  tt.equal(ltree.code, 0, ltree.stderr);
  tt.ok(existsSync(join(local, 'tree/e/bin')), 'cp -r NFS -> local');
  tt.equal((await runCli(['mkdir', '-p', url('/m/n/o')])).code, 0, 'mkdir -p');
  tt.ok(existsSync(join(dir, 'm/n/o')), 'made');
  tt.equal((await runCli(['mv', url('/copy/e/bin'), url('/m/n')])).code, 0, 'mv into a directory');
  tt.ok(existsSync(join(dir, 'm/n/bin')) && !existsSync(join(dir, 'copy/e/bin')), 'moved');
  tt.equal((await runCli(['rm', '-r', url('/copy')])).code, 0, 'rm -r');
  tt.notOk(existsSync(join(dir, 'copy')), 'removed');
});

t.test('exit codes: 1 with one nfsts: line, 2 on usage', async (tt) => {
  const missing = await runCli(['cat', url('/nope')]);
  tt.equal(missing.code, 1);
  tt.equal(missing.stderr, "nfsts: ENOENT: no such file or directory, open '/nope'\n", 'one line, node:fs-shaped');
  const isdir = await runCli(['rm', url('/d')]);
  tt.equal(isdir.code, 1);
  tt.match(isdir.stderr, /^nfsts: EISDIR: .*\n$/, 'rm of a directory without -r');
  const noCmdArgs = await runCli(['ls']);
  tt.equal(noCmdArgs.code, 2);
  tt.match(noCmdArgs.stderr, /^nfsts: usage: nfsts ls/, 'usage line');
  const badFlag = await runCli(['cp', '-z', 'a', 'b']);
  tt.equal(badFlag.code, 2, 'unknown flag');
  const badUrl = await runCli(['ls', 'nfs://']);
  tt.equal(badUrl.code, 2, 'a URL without an export');
});

t.test('cp on a terminal: a progress line, then bytes and MB/s', async (tt) => {
  const { runCli: runInProcess } = (await import(new URL('../../../packages/cli/dist/src/cli.js', import.meta.url).href)) as { runCli: (a: string[], io: object) => Promise<number> };
  let err = '';
  const code = await runInProcess(['cp', url('/d/e/bin'), join(local, 'tty-bin')], {
    stdout: () => {}, stderr: (s: string) => { err += s; }, stderrIsTTY: true, waitForSignal: () => new Promise(() => {}),
  });
  tt.equal(code, 0, err);
  tt.match(err, /\d+ bytes in [\d.]+ s \([\d.]+ MB\/s\)\n$/, 'final line with bytes and MB/s');
  tt.match(err, new RegExp(`^.*${3 * 1024 * 1024 + 17} bytes`, 'm'), 'every byte counted');
});

const libnfs = missingTools('nfs-ls', 'nfs-cat', 'nfs-cp');
t.test('the same listing and bytes as libnfs nfs-ls / nfs-cat / nfs-cp', { skip: libnfs }, async (tt) => {
  const theirs = await runBytes('nfs-ls', ['-R', url('/d')]);
  tt.equal(theirs.code, 0, theirs.err);
  const ours = await runCli(['ls', '-l', '-R', url('/d')]);
  const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '').sort();
  tt.same(lines(ours.stdout), lines(theirs.out.toString()), 'nfsts ls -l -R == nfs-ls -R');
  const a = await runBytes('nfs-cat', [url('/hello.txt')]);
  const b = await runBytes(process.execPath, [CLI_MAIN, 'cat', url('/hello.txt')]);
  tt.equal(b.out.toString(), a.out.toString(), 'nfsts cat == nfs-cat');
  const viaLibnfs = join(local, 'via-libnfs');
  const c = await runBytes('nfs-cp', [url('/d/e/bin'), viaLibnfs]);
  tt.equal(c.code, 0, c.err);
  await runCli(['cp', url('/d/e/bin'), join(local, 'via-nfsts')]);
  tt.equal(sha(readFileSync(join(local, 'via-nfsts'))), sha(readFileSync(viaLibnfs)), 'nfsts cp == nfs-cp');
});
