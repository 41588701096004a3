// Child process of fuse-reader.test.ts: serves EXP, mounts it on MNT, waits for INIT, unmounts
// and prints what it saw. It does not call process.exit: the test checks that it ends by
// itself, which a poll handle or a reader thread left behind would prevent.
import { readdirSync, readlinkSync } from 'node:fs';
import { startServer } from '@nfsts/server';
import { mount, FUSE_READER } from '@nfsts/fuse';

function fuseFds(): number {
  return readdirSync('/proc/self/fd').filter((n) => {
    try {
      return readlinkSync(`/proc/self/fd/${n}`) === '/dev/fuse';
    } catch {
      return false;
    }
  }).length;
}

const [exp, mnt, stateDir] = process.argv.slice(2) as [string, string, string];
const server = await startServer({ exports: [{ path: '/export', root: exp, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1', portmap: false, stateDir });
const m = await mount(server.exports[0]!.url, mnt, {});
await m.session.initialized;
const during = fuseFds();
await m.unmount();
const reason = await m.ended;
await server.close();
console.log(JSON.stringify({ reader: FUSE_READER, reason, during, after: fuseFds() }));
