/**
 * The rollup bundle (dist/bundle/nfsts.mjs, built by `pnpm build`) is the same command in one
 * file, standalone (copied alone into an empty directory: no pino, no node_modules beside
 * it): it answers --version, serves a directory that libnfs can list, and lists it itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const BUILT = fileURLToPath(new URL('../bundle/nfsts.mjs', import.meta.url));
const missing = existsSync(BUILT) ? false : `no bundle at ${BUILT}: run \`pnpm build\` (tsc -b, then rollup)`;
// alone in a directory of its own, so nothing it needs can come from node_modules
const alone = mkdtempSync(join(tmpdir(), 'nfsts-bundle-alone-'));
t.teardown(() => rmSync(alone, { recursive: true, force: true }));
const BUNDLE = join(alone, 'nfsts.mjs');
if (!missing) copyFileSync(BUILT, BUNDLE);
const haveNfsLs = spawnSync('sh', ['-c', 'command -v nfs-ls'], { stdio: 'ignore' }).status === 0;

// The bundle is our own build's product (`pnpm build`, which `pnpm test` runs first): its
// absence is a failure, not a skip.
t.before(() => {
  if (!existsSync(BUNDLE)) throw new Error(`no bundle at ${BUNDLE}: \`pnpm build\` (tsc -b, then rollup) did not make it`);
});

t.test('the bundle prints its version', async (t) => {
  const r = spawnSync(process.execPath, [BUNDLE, '--version'], { encoding: 'utf8' });
  t.equal(r.status, 0);
  t.match(r.stdout, /^nfsts \d+\.\d+\.\d+\n$/);
});

t.test('the bundle serves a directory that nfs-ls lists', { skip: haveNfsLs ? false : 'nfs-ls (libnfs-utils) is not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-bundle-'));
  const state = mkdtempSync(join(tmpdir(), 'nfsts-bundle-state-'));
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }); rmSync(state, { recursive: true, force: true }); });
  chmodSync(dir, 0o755); // mkdtemp makes it 0700, and root_squash maps a root client to nobody
  writeFileSync(join(dir, 'hello.txt'), 'hello from the bundle\n');
  const child = spawn(process.execPath, [BUNDLE, 'serve', dir, '--port', '0', '--no-portmap', '--state-dir', state, '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  t.teardown(() => { clearTimeout(killer); child.kill('SIGKILL'); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /^Listening on \S+ port (\d+) /m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('close', (code) => reject(new Error(`exited with ${code} before listening: ${out}`)));
  });
  const ls = spawnSync('nfs-ls', [`nfs://127.0.0.1/export?version=3&nfsport=${port}&mountport=${port}`], { encoding: 'utf8', timeout: 15_000 });
  t.equal(ls.status, 0, ls.stderr);
  t.match(ls.stdout, /hello\.txt/);
  const ours = spawnSync(process.execPath, [BUNDLE, 'ls', `nfs://127.0.0.1/export?version=3&nfsport=${port}&mountport=${port}`], { encoding: 'utf8', timeout: 15_000, cwd: alone });
  t.equal(ours.status, 0, ours.stderr);
  t.equal(ours.stdout, 'hello.txt\n', 'the bundle\'s own ls');
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'clean exit on SIGTERM');
});
