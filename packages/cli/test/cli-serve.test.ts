/**
 * The `nfsts` command as a real child process: the banner (URL, mount line, parseable
 * port), clean shutdown on SIGTERM/SIGINT, the default directory, and one-line errors with
 * a non-zero exit for a taken port, a missing directory, a file, bad options and flags.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Test } from 'tap';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onBanner` (if given) runs once the Listening line appears, then SIGTERM unless it signals itself. */
function cli(args: string[], opts: { cwd?: string; signal?: NodeJS.Signals; env?: NodeJS.ProcessEnv } = {}): Promise<Result & { port: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: opts.cwd ?? tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let port: number | null = null;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const m = /^Listening on \S+ port (\d+) /m.exec(stdout);
      if (m !== null && port === null) {
        port = Number(m[1]);
        child.kill(opts.signal ?? 'SIGTERM');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, port });
    });
  });
}

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One line, starting "nfsts: ", no stack trace; exit 2 for a bad command line, 1 for a server that could not start. */
function oneLineError(t: Test, r: Result, text: RegExp, code: 1 | 2): void {
  t.equal(r.code, code, `exit ${code}`);
  const lines = r.stderr.trim().split('\n');
  t.equal(lines.length, 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  t.match(lines[0] ?? '', /^nfsts: /);
  t.match(lines[0] ?? '', text);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

t.test('serve DIR --port 0: banner with URL, mount line and port; SIGTERM and SIGINT shut down cleanly', async (t) => {
  const dir = tempDir(t);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const r = await cli(['serve', dir, '--port', '0', '--no-portmap', '--state-dir', join(dir, '.state'), '--log-level', 'info'], { signal });
    t.equal(r.code, 0, `exit 0 after ${signal}`);
    t.ok(r.port !== null && r.port > 0, 'bound port printed');
    const p = r.port ?? 0;
    t.match(r.stdout, `Serving ${dir} as 127.0.0.1:/export`);
    t.match(r.stdout, `Listening on 127.0.0.1 port ${p} (NFSv3 + MOUNT + NLM + NSM; no portmapper)`);
    t.match(r.stdout, `URL:   nfs://127.0.0.1/export?version=3&nfsport=${p}&mountport=${p}`);
    t.match(r.stdout, `Mount: mount -t nfs -o vers=3,proto=tcp,port=${p},mountport=${p},nolock 127.0.0.1:/export /mnt`);
    const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
    t.ok(logs.some((l) => l.msg === 'nfsts server closed'), 'closed log line (pino JSON on stderr)');
  }
});

t.test('serve with no DIR creates ./nfs-export and serves it as /export', async (t) => {
  const cwd = tempDir(t);
  const r = await cli(['serve', '--port', '0', '--no-portmap', '--state-dir', join(cwd, '.state'), '--log-level', 'silent'], { cwd });
  t.equal(r.code, 0);
  t.ok(statSync(join(cwd, 'nfs-export')).isDirectory(), 'created');
  t.match(r.stdout, `Serving ${join(cwd, 'nfs-export')} as 127.0.0.1:/export`);
  t.equal(r.stderr, '', 'silent');
});

t.test('--export, --options, --config and --help/--version', async (t) => {
  const dir = tempDir(t);
  const r = await cli(['serve', dir, '--port', '0', '--no-portmap', '--export', 'data', '--options', 'ro,all_squash', '--state-dir', join(dir, 's'), '--log-level', 'silent']);
  t.equal(r.code, 0);
  t.match(r.stdout, `as 127.0.0.1:/data (ro,all_squash)`);
  t.match(r.stdout, "clients' root works as uid 65534; --options rw,no_root_squash lets it write as root");
  // what `pnpm serve -- --options ...` hands the command: a leading `--`
  const viaPnpm = await cli(['serve', '--', dir, '--port', '0', '--no-portmap', '--options', 'rw,no_root_squash', '--state-dir', join(dir, 's3'), '--log-level', 'silent']);
  t.equal(viaPnpm.code, 0, viaPnpm.stderr);
  t.match(viaPnpm.stdout, `Serving ${dir} as 127.0.0.1:/export (rw,no_root_squash)`);
  t.notMatch(viaPnpm.stdout, "clients' root works as", 'no squash note without root_squash');
  writeFileSync(join(dir, 'nfsts.json'), JSON.stringify({ portmap: false, logLevel: 'silent', stateDir: 's2', exports: [{ path: '/one', root: '.' }, { path: '/two', root: '.', options: 'ro' }] }));
  const c = await cli(['serve', '--config', join(dir, 'nfsts.json'), '--port', '0']);
  t.equal(c.code, 0);
  t.match(c.stdout, `Serving ${dir} as 127.0.0.1:/one`);
  t.match(c.stdout, `Serving ${dir} as 127.0.0.1:/two`);
  t.match(c.stdout, /URL: {3}nfs:\/\/127\.0\.0\.1\/two\?version=3&nfsport=\d+&mountport=\d+$/m);
  t.ok(existsSync(join(dir, 's2')), 'stateDir relative to the config file');
  const h = await cli(['serve', '--help']);
  t.equal(h.code, 0);
  t.match(h.stdout, /Usage: nfsts serve \[DIR\]/);
  t.match(h.stdout, /--no-portmap/);
  const v = await cli(['--version']);
  t.equal(v.code, 0);
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
  t.equal(v.stdout.trim(), `nfsts ${pkg.version}`);
});

t.test('errors are one line with a non-zero exit', async (t) => {
  const dir = tempDir(t);
  const st = join(dir, '.state');
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => blocker.close(r)));
  const taken = (blocker.address() as AddressInfo).port;
  oneLineError(t, await cli(['serve', dir, '--port', String(taken), '--no-portmap', '--state-dir', st]), new RegExp(`port ${taken} on 127\\.0\\.0\\.1 is already in use`), 1);
  oneLineError(t, await cli(['serve', join(dir, 'missing'), '--port', '0', '--state-dir', st]), /directory .*missing does not exist/, 2);
  writeFileSync(join(dir, 'file'), 'x');
  oneLineError(t, await cli(['serve', join(dir, 'file'), '--port', '0', '--state-dir', st]), /file is not a directory/, 2);
  oneLineError(t, await cli(['serve', dir, '--options', 'rw,bogus', '--state-dir', st]), /bad --options: .*"bogus"/, 2);
  oneLineError(t, await cli(['serve', dir, '--options', 'anonuid=x', '--state-dir', st]), /anonuid/, 2);
  oneLineError(t, await cli(['serve', dir, '--port', '70000']), /bad --port "70000"/, 2);
  oneLineError(t, await cli(['serve', dir, '--log-level', 'loud']), /bad --log-level "loud"/, 2);
  oneLineError(t, await cli(['serve', dir, '--frob']), /--frob/, 2);
  oneLineError(t, await cli(['serve', dir, '--export', '../x']), /bad --export/, 2);
  oneLineError(t, await cli(['serve', dir, 'other']), /one directory/, 2);
  oneLineError(t, await cli(['serve', dir, '--bind', '192.0.2.1', '--port', '0', '--no-portmap', '--state-dir', st]), /cannot bind 192\.0\.2\.1/, 1);
  oneLineError(t, await cli(['serve', '--config', join(dir, 'none.json')]), new RegExp(`^nfsts: cannot read config file ${join(dir, 'none.json')}: ENOENT$`), 2);
  writeFileSync(join(dir, 'plain-file'), 'x');
  oneLineError(t, await cli(['serve', dir, '--port', '0', '--no-portmap', '--state-dir', join(dir, 'plain-file')]),
    new RegExp(`^nfsts: state directory ${join(dir, 'plain-file')}: it is a file, not a directory$`), 1);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ exports: [{ path: '/x', root: '.', options: 'rw,frobnicate' }] }));
  oneLineError(t, await cli(['serve', '--config', join(dir, 'bad.json')]), /bad exports\[0\]\.options: .*frobnicate/, 2);
  oneLineError(t, await cli(['frobnicate']), /unknown command "frobnicate"/, 2);
});

t.test('serve --memory: an empty tree in memory, capped by --memory-max, no state left on disk', async (t) => {
  const home = tempDir(t);
  const env = { ...process.env, XDG_STATE_HOME: join(home, 'state'), HOME: home };
  const child = spawn(process.execPath, [MAIN, 'serve', '--memory', '--memory-max', '1M', '--port', '0', '--no-portmap', '--options', 'rw,no_root_squash', '--log-level', 'silent'],
    { cwd: home, stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (s: string) => {
      stdout += s;
      const m = /^URL: {3}(\S+)$/m.exec(stdout);
      if (m !== null && /^Listening on /m.test(stdout)) resolve(m[1]!);
    });
    child.on('close', (code) => reject(new Error(`serve --memory exited with ${String(code)}: ${stdout}`)));
  });
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  t.match(stdout, 'Serving memory:/export as 127.0.0.1:/export (rw,no_root_squash)');
  const { connect } = await import('@nfsts/client');
  const c = await connect(url, { retries: 0 });
  try {
    await c.writeFile('/a.txt', 'in memory');
    t.equal((await c.readFile('/a.txt')).toString(), 'in memory', 'a file written reads back');
    t.same(await c.readdir('/'), ['a.txt'], 'the tree started empty');
    await t.rejects(c.writeFile('/big', Buffer.alloc(2 * 1024 * 1024, 1)), { code: 'ENOSPC' }, 'beyond --memory-max: ENOSPC');
  } finally {
    await c.close();
  }
  child.kill('SIGTERM');
  t.equal(await closed, 0, 'exit 0 after SIGTERM');
  t.notOk(existsSync(join(home, 'nfs-export')), 'no export directory made');
  t.notOk(existsSync(join(home, 'state', 'nfsts')), 'no state directory under XDG_STATE_HOME');
  const st = join(home, '.st');
  oneLineError(t, await cli(['serve', home, '--memory', '--state-dir', st]), /--memory serves no directory/, 2);
  oneLineError(t, await cli(['serve', '--memory-max', '8M', '--state-dir', st]), /--memory-max needs --memory/, 2);
  oneLineError(t, await cli(['serve', '--memory', '--memory-max', '8Q', '--state-dir', st]), /bad --memory-max "8Q"/, 2);
  oneLineError(t, await cli(['serve', '--memory', '--memory-max', '1', '--state-dir', st]), /bad --memory-max "1": .*maxBytes/, 2);
});

function unprivilegedSkip(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to run the CLI as another user';
  const r = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(MAIN)})`], { uid: 65534, gid: 65534, stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  return r.status === 0 ? false : 'user 65534 cannot read the built CLI';
}
const notRoot = unprivilegedSkip();
t.test('no permission: a port below 1024 as an unprivileged user', { skip: notRoot }, async (t) => {
  const dir = tempDir(t);
  const { chmodSync } = await import('node:fs');
  chmodSync(dir, 0o777);
  // A clean environment (env -i): tap's process-info hook (NODE_OPTIONS) cannot write as that user.
  const r = await new Promise<Result>((resolve, reject) => {
    const args = ['-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, `HOME=${dir}`, process.execPath, MAIN, 'serve', dir, '--port', '999', '--no-portmap', '--state-dir', join(dir, 'st')];
    const child = spawn('/usr/bin/env', args, { uid: 65534, gid: 65534, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  oneLineError(t, r, /no permission to listen on 127\.0\.0\.1 port 999 \(ports below 1024 need root\)/, 1);
});
