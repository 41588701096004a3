// Issue 9 item 1, at the Backend: while a local process keeps swapping a directory of the
// export for a symlink to a canary directory outside it, every Backend call on Nodes taken
// before the swaps began (the directory, a file in it) either acts inside the export or
// fails; the canary tree stays byte-for-byte and owner/mode-for-owner/mode as it was.
// Bounded by operation rounds, not time.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { AtBackend, type Node } from '../src/core/index.js';

const ROUNDS = 3000;

/** The canary's observable state: every entry's type, mode, owner, size and content. */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = join(d, name);
      const st = fs.lstatSync(p);
      out.push(`${p} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${st.mtimeMs} ${st.isFile() ? fs.readFileSync(p, 'hex') : ''}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.join('\n');
}

// swaps <root>/d with a symlink to <outside> by rename(2) until killed (in its own process,
// so the Backend's synchronous calls race it for real)
const SWAPPER = `
const fs = require('node:fs');
const [root] = process.argv.slice(1);
const d = root + '/d', real = root + '/d.real', lnk = root + '/lnk';
for (;;) {
  try { fs.renameSync(d, real); fs.renameSync(lnk, d); fs.renameSync(d, lnk); fs.renameSync(real, d); } catch {}
}`;

t.test('Backend calls on Nodes of a directory swapped for a symlink never reach outside', AtBackend.available() ? {} : { skip: 'openat2 is not available (Linux 5.8+ and koffi needed)' }, async (t) => {
  const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-confine-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'export');
  const outside = join(base, 'outside');
  fs.mkdirSync(join(root, 'd'), { recursive: true });
  fs.mkdirSync(join(outside, 'sub'), { recursive: true });
  fs.writeFileSync(join(root, 'd', 'f'), 'inside');
  for (const name of ['f', 'victim', 'x']) fs.writeFileSync(join(outside, name), `CANARY ${name}`);
  fs.chmodSync(join(outside, 'f'), 0o600);
  fs.symlinkSync(outside, join(root, 'lnk'));
  const before = snapshot(outside);

  const b = new AtBackend();
  const { root: broot } = await b.openRoot(root);
  t.teardown(() => b.closeRoot(broot));
  const node = (rel: string): Node => ({ root: broot, rel, stats: fs.lstatSync(join(root, rel), { bigint: true }) });
  const d = node('d');
  const f = node('d/f');
  const outsideIno = new Set(fs.readdirSync(outside).map((n) => fs.lstatSync(join(outside, n), { bigint: true }).ino));
  outsideIno.add(fs.lstatSync(outside, { bigint: true }).ino);

  const swapper = spawn(process.execPath, ['-e', SWAPPER, root], { stdio: 'ignore' });
  t.teardown(() => { swapper.kill('SIGKILL'); });
  let ok = 0;
  let failed = 0;
  let leaked = 0;
  const buf = Buffer.alloc(64);
  const attempt = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
      ok++;
    } catch {
      failed++;
    }
  };
  for (let i = 0; i < ROUNDS; i++) {
    await attempt(() => b.chmod(f, 0o666));
    await attempt(() => b.chown(f, 1000, 1000));
    await attempt(() => b.utimes(f, 0n, null));
    await attempt(() => b.truncate(f, 1));
    await attempt(() => b.create(d, 'victim', 0o666));
    await attempt(() => b.unlink(d, 'victim'));
    await attempt(() => b.mkdir(d, 'sub2', 0o777));
    await attempt(() => b.rmdir(d, 'sub'));
    await attempt(() => b.symlink(d, 'x', '/etc'));
    await attempt(() => b.mknod(d, 'fifo', 'fifo', 0o666));
    await attempt(() => b.rename(d, 'x', d, 'x2'));
    await attempt(() => b.link(f, d, 'hard'));
    await attempt(async () => {
      const st = await b.lstat({ root: broot, rel: 'd/f' });
      if (outsideIno.has(st.ino)) leaked++;
    });
    await attempt(async () => {
      const list = await b.readdir({ root: broot, rel: 'd' });
      if (list.some((e) => e.name === 'sub')) leaked++;
    });
    await attempt(async () => {
      const fd = await b.open(f, 0);
      try {
        const n = await b.read(fd, buf, 0, 64, 0);
        if (buf.subarray(0, n).toString().includes('CANARY')) leaked++;
      } finally {
        await b.close(fd);
      }
    });
  }
  swapper.kill('SIGKILL');
  t.comment(`${ok} calls succeeded, ${failed} failed, over ${ROUNDS} rounds`);
  t.ok(ok > 0 && failed > 0, 'the swaps really raced the calls (some failed, some succeeded)');
  t.equal(leaked, 0, 'no stat, listing or read saw the canary');
  t.equal(snapshot(outside), before, 'the canary tree is unchanged');
});
