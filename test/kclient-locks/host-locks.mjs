// Host side of the kernel-client lock test: our server on 2049 with its own portmapper on 111
// (run inside unshare -n), a lock held by our client library until the guest asks for release.
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
// the worktree root, two levels above this file
const W = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const KC = process.env.KCLIENT_DIR ?? '/tmp/nfsts-kclient';
const { startServer } = await import(`${W}/packages/server/dist/src/index.js`);
const { connect } = await import(`${W}/packages/client/dist/src/index.js`);
const dir = mkdtempSync(join(tmpdir(), 'h8-kc-export-'));
const state = mkdtempSync(join(tmpdir(), 'h8-kc-state-'));
writeFileSync(join(dir, 'hostlocked'), 'held by the host\n');
const server = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 2049, host: '127.0.0.1', stateDir: state });
console.log(`host: server on ${server.port}, portmap ${server.portmap.mode} ${server.portmap.port}, locking ${server.locking ? 'on' : 'off'}, OFD ${server.locking?.backingLocks}`);
const c = await connect(server.url);
const fh = await c.open('/hostlocked', 'r+');
await fh.lock(0, 0, { exclusive: true });
console.log('host: /hostlocked locked by the nfsts client library');
let released = false;
const poll = setInterval(async () => {
  if (!released && existsSync(join(dir, 'release-me'))) {
    released = true;
    await fh.unlock(0, 0);
    console.log('host: guest asked; /hostlocked unlocked');
  }
}, 100);
const kc = spawn(`${KC}/run.sh`, ['2049', '2049', '/export', `${KC}/tests/locks.sh`], { stdio: 'inherit', env: { ...process.env, KCLIENT_LOCK: '1' } });
const code = await new Promise((r) => kc.on('exit', r));
clearInterval(poll);
await fh.close(); await c.close(); await server.close();
rmSync(dir, { recursive: true, force: true }); rmSync(state, { recursive: true, force: true });
console.log(`host: run.sh exit ${code}`);
process.exit(code ?? 2);
