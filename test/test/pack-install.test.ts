// Ready for npm: the packages as `pnpm pack` makes them (workspace:* turned into versions),
// installed from the tarballs alone into an empty project with npm; then `npx nfsts serve`
// serves a directory, `npx nfsts ls` lists it, `npx nfsts mount` mounts it through FUSE (where
// /dev/fuse and root are available), and the server README's snippets run.
// Needs the npm registry for the third-party dependencies (pino, koffi).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { REPO_ROOT } from '../src/cli-server.js';
import { missingTools } from '../src/tools.js';
import { forceUnmount, fuseSkipReason, isMounted } from '../src/fuse-helpers.js';

const PNPM = ['-y', 'pnpm@10.34.8'];

// A user's shell, not the package manager's script environment: `pnpm test` exports npm_config_*
// settings that npm does not know and warns about on every npx call.
const userEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_)/i.test(k)));

/** `out` is stdout alone (what a user's pipe gets); `err` is stderr, shown in failure messages. */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000): { code: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...userEnv, npm_config_update_notifier: 'false' } });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

t.test('pnpm pack, npm install the tarballs, npx nfsts serve / ls, the README snippet', { skip: missingTools('npm', 'npx') }, async (tt) => {
  const work = mkdtempSync(join(tmpdir(), 'nfsts-pack-'));
  tt.teardown(() => rmSync(work, { recursive: true, force: true }));
  const packs = join(work, 'packs');
  const app = join(work, 'app');
  const exportDir = join(work, 'export');
  for (const d of [packs, app, exportDir]) spawnSync('mkdir', ['-p', d]);
  writeFileSync(join(exportDir, 'hello.txt'), 'hello\n');

  const pack = run('npx', [...PNPM, '-r', '--filter', './packages/*', 'pack', '--pack-destination', packs], REPO_ROOT);
  tt.equal(pack.code, 0, `pnpm pack: ${pack.out.slice(-2000)}`);
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
  tt.same(tarballs.map((f) => f.replace(/-\d+\.\d+\.\d+\.tgz$/, '')).sort(),
    ['nfsts-cli', 'nfsts-client', 'nfsts-common', 'nfsts-fuse', 'nfsts-localio', 'nfsts-rpc', 'nfsts-server', 'nfsts-sys', 'nfsts-xdr'], 'one tarball per package');
  for (const f of tarballs) {
    // the license travels with each package (prepack copies the root LICENSE)
    const list = run('tar', ['tzf', join(packs, f)], packs).out.split('\n');
    tt.ok(list.includes('package/LICENSE'), `${f} carries LICENSE`);
    const manifest = JSON.parse(run('tar', ['xzf', join(packs, f), '-O', 'package/package.json'], packs).out) as { license?: string; repository?: { url?: string; directory?: string } };
    tt.equal(manifest.license, 'MIT', `${f}: license MIT`);
    tt.match(manifest.repository, { url: 'git+https://github.com/nfsts/nfsts.git', directory: /^packages\// }, `${f}: repository`);
  }

  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
  const install = run('npm', ['install', '--no-audit', '--no-fund', ...tarballs.map((f) => join(packs, f))], app);
  tt.equal(install.code, 0, `npm install: ${(install.out + install.err).slice(-2000)}`);

  const state = join(work, 'state');
  const version = run('npx', ['nfsts', '--version'], app, 60_000);
  tt.match(version.out, /^nfsts \d+\.\d+\.\d+\n$/, `npx nfsts runs the installed bin ${version.err}`);
  // the bin npx ran, started directly so that SIGTERM reaches the server itself (npx does not forward it)
  const child = spawn(join(app, 'node_modules', '.bin', 'nfsts'), ['serve', exportDir, '--port', '0', '--no-portmap', '--state-dir', state, '--options', 'rw,no_root_squash', '--log-level', 'silent'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  tt.teardown(() => { clearTimeout(killer); child.kill('SIGKILL'); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /^Listening on \S+ port (\d+) /m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.on('close', (code) => reject(new Error(`nfsts serve exited with ${code}: ${out}`)));
  });
  const ls = run('npx', ['nfsts', 'ls', `nfs://127.0.0.1/export?nfsport=${port}&mountport=${port}`], app, 60_000);
  tt.equal(ls.code, 0, ls.out + ls.err);
  tt.equal(ls.out, 'hello.txt\n', 'npx nfsts ls lists the served directory');

  // npx nfsts mount from the tarballs: the FUSE shim (needs /dev/fuse and root)
  const noFuse = fuseSkipReason();
  if (noFuse !== null) {
    tt.comment(`nfsts mount not tried: ${noFuse}`);
  } else {
    const mnt = join(work, 'mnt');
    spawnSync('mkdir', ['-p', mnt]);
    tt.teardown(() => forceUnmount(mnt));
    const mount = run('npx', ['nfsts', 'mount', `nfs://127.0.0.1/export?nfsport=${port}&mountport=${port}`, mnt, '--daemon'], app, 60_000);
    tt.equal(mount.code, 0, `npx nfsts mount --daemon: ${mount.out}${mount.err}`);
    tt.equal(run('cat', [join(mnt, 'hello.txt')], app).out, 'hello\n', 'the file read through the FUSE mount');
    const umount = run('npx', ['nfsts', 'umount', mnt], app, 60_000);
    tt.equal(umount.code, 0, `npx nfsts umount: ${umount.out}${umount.err}`);
    tt.notOk(isMounted(mnt), 'unmounted');
  }
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.kill('SIGTERM');
  tt.equal(await exited, 0, 'nfsts serve exits cleanly on SIGTERM');

  // the server README's snippet (Node 20: explicit close instead of `await using`)
  writeFileSync(join(app, 'snippet.mjs'), `
import { startServer } from '@nfsts/server';
import { connect } from '@nfsts/client';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dir = await mkdtemp(join(tmpdir(), 'nfs-'));
const server = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0 });
const nfs = await connect(server.url);
await nfs.writeFile('/hello.txt', 'hi');
console.log(await nfs.readFile('/hello.txt', 'utf8'));
await nfs.close();
await server.close();
// the README's one line for tests that want no disk
const mem = await startServer({ exports: [{ path: '/export', backend: 'memory' }], port: 0 });
const m = await connect(mem.url);
await m.writeFile('/x', 'in memory');
console.log(await m.readFile('/x', 'utf8'));
await m.close();
await mem.close();
`);
  const snippet = run(process.execPath, ['snippet.mjs'], app, 60_000);
  tt.equal(snippet.code, 0, snippet.out + snippet.err);
  tt.equal(snippet.out, 'hi\nin memory\n', 'the installed packages work as the README shows');
});
