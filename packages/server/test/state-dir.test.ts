/**
 * Safe state: one server per state directory (flock, the holder's pid in the error), state
 * directory errors in words, an inode index that survives SIGKILL during a save, and a
 * damaged index moved aside with a warn line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import t from 'tap';
import { pino } from 'pino';
import { InodeIndex } from '../src/core/inode-index.js';
import { startServer } from '../src/server.js';

const serverModule = fileURLToPath(new URL('../src/server.js', import.meta.url));
const indexModule = fileURLToPath(new URL('../src/core/inode-index.js', import.meta.url));

function tempDir(t: { teardown(fn: () => unknown): void }, prefix = 'nfsts-state-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A child node process running `code`; resolves once it printed `ready`. */
async function child(code: string): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  c.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    c.stdout!.on('data', (d: string) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    c.once('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)));
  });
  return c;
}

t.test('a second server on the same state directory is refused, naming the first one\'s pid', async (t) => {
  const root = tempDir(t);
  const state = tempDir(t);
  const a = await startServer({ exports: [{ path: '/export', root }], port: 0, stateDir: state });
  await t.rejects(startServer({ exports: [{ path: '/export', root }], port: 0, stateDir: state }), {
    code: 'ERR_NFS_STATE_LOCKED',
    message: `state directory ${state} is in use by another nfsts server (pid ${process.pid}, this process); give each server its own --state-dir`,
  });
  await a.close();
  const b = await startServer({ exports: [{ path: '/export', root }], port: 0, stateDir: state });
  await b.close();
});

t.test('a lock held by another process names that pid; SIGKILL releases it', async (t) => {
  const root = tempDir(t);
  const state = tempDir(t);
  const c = await child(`
    import { startServer } from ${JSON.stringify(serverModule)};
    await startServer({ exports: [{ path: '/export', root: ${JSON.stringify(root)} }], port: 0, stateDir: ${JSON.stringify(state)} });
    console.log('ready');
    setInterval(() => {}, 1000);
  `);
  await t.rejects(startServer({ exports: [{ path: '/export', root }], port: 0, stateDir: state }), {
    code: 'ERR_NFS_STATE_LOCKED', message: new RegExp(`in use by another nfsts server \\(pid ${c.pid}\\)`),
  });
  c.kill('SIGKILL');
  await once(c, 'exit');
  const s = await startServer({ exports: [{ path: '/export', root }], port: 0, stateDir: state });
  await s.close();
});

t.test('--state-dir problems are said in words', async (t) => {
  const root = tempDir(t);
  const file = join(root, 'not-a-dir');
  writeFileSync(file, 'x');
  await t.rejects(startServer({ exports: [{ path: '/export', root }], port: 0, stateDir: file }), {
    code: 'ERR_NFS_STATE', message: `state directory ${file}: it is a file, not a directory`,
  });
  await t.rejects(startServer({ exports: [{ path: '/export', root }], port: 0, stateDir: join(file, 'below') }), {
    code: 'ERR_NFS_STATE', message: `state directory ${join(file, 'below')}: ${file} is a file, not a directory`,
  });
});

t.test('the inode index survives SIGKILL in the middle of a save', async (t) => {
  const state = tempDir(t);
  const file = join(state, 'index-1.json');
  // The child saves a whole index, then starts saving a changed one and SIGKILLs itself
  // after writing `frac` of its bytes: a real kill, at a known point inside the write.
  for (const frac of [0.1, 0.5, 0.9]) {
    const c = spawn(process.execPath, ['--input-type=module', '-e', `
      import fs from 'node:fs';
      import { InodeIndex } from ${JSON.stringify(indexModule)};
      const ix = new InodeIndex();
      for (let i = 0; i < 50000; i++) ix.set('1:' + i, 'dir/file-' + i + '-old', false, null);
      ix.save(${JSON.stringify(file)});
      for (let i = 0; i < 50000; i++) ix.set('1:' + i, 'dir/file-' + i + '-new', false, null);
      const write = fs.writeSync;
      fs.writeSync = (fd, buf, off, len, ...rest) => {
        write(fd, buf, off, Math.floor(len * ${frac}), ...rest);
        process.kill(process.pid, 'SIGKILL');
      };
      ix.save(${JSON.stringify(file)});
    `], { stdio: 'inherit' });
    const [, signal] = (await once(c, 'exit')) as [number | null, string | null];
    t.equal(signal, 'SIGKILL', `killed after ${frac * 100}% of the write`);
    const ix = new InodeIndex();
    t.equal(ix.load(file), 'loaded', 'the index loads');
    t.equal(ix.size, 50000, 'whole');
    t.equal(ix.get('1:49999')?.rel, 'dir/file-49999-old', 'the last complete version');
    rmSync(file);
  }
});

t.test('a damaged index is moved aside with a warn line and rebuilt', async (t) => {
  const root = tempDir(t);
  const state = tempDir(t);
  writeFileSync(join(root, 'f'), 'x');
  // a first run creates the state (export id 1) and an index
  const first = await startServer({ exports: [{ path: '/export', root }], port: 0, stateDir: state });
  await first.close();
  const indexFile = join(state, 'index-1.json');
  t.ok(existsSync(indexFile), 'index saved on close');
  writeFileSync(indexFile, '{"version":1,"rows":[["1:2","a"'); // cut short, as a torn write would leave it
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const s = await startServer({ exports: [{ path: '/export', root }], port: 0, stateDir: state, logger });
  const warn = lines.find((l) => l.msg === 'inode index is damaged; moved aside, rebuilding it as handles are resolved');
  t.ok(warn, 'warn line');
  t.equal(warn?.level, 40, 'at warn');
  t.equal(warn?.file, indexFile);
  t.ok(typeof warn?.movedTo === 'string' && existsSync(warn.movedTo as string), 'the damaged file is kept');
  const r = await s.core.handles.resolve(s.core.exports[0]!.rootHandle);
  t.equal(typeof r, 'object', 'the export still resolves');
  await s.close();
  const again = new InodeIndex();
  t.equal(again.load(indexFile), 'loaded', 'a valid index was written again');
});
