// The client's path-layer suite against this project's own server (startServer from
// @nfsts/server over a temp dir, port 0). Nothing here is optional: if the server does not
// start, the file fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { connect } from '@nfsts/client';
import { startServer } from '@nfsts/server';
import { clientSuite, startForFile, type TestServer } from '../src/client-suite.js';

const server = await startForFile(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-client-ours-'));
  try {
    const s = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
    return { url: s.url, dir, close: async () => { await s.close(); rmSync(dir, { recursive: true, force: true }); } };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
});
clientSuite('our server', server);

t.test('our server: connect with only nfsport finds MOUNT on the NFS port', async (tt) => {
  const s = server as TestServer;
  const url = new URL(s.url);
  url.searchParams.delete('mountport');
  url.port = '';
  const c = await connect(url.href, { portmapPort: 1 }); // nothing answers on port 1: no portmapper
  try {
    tt.equal(c.nfsPort, Number(new URL(s.url).searchParams.get('nfsport')), 'NFS port as given');
    tt.ok((await c.stat('/')).isDirectory(), 'mounted through the NFS port');
  } finally {
    await c.close();
  }
});
