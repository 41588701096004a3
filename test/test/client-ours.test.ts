// The client's path-layer suite against this project's own server (startServer from
// @nfsts/server over a temp dir, port 0). Skipped with the reason while it is unavailable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { connect } from '@nfsts/client';
import { clientSuite, startForFile, type TestServer } from '../src/client-suite.js';

interface Started { port: number; url: string; close(): Promise<void> }
type StartServer = (o: { exports: Array<{ path: string; root: string; options?: string }>; port: number; host?: string }) => Promise<Started>;

const server = await startForFile(async () => {
  const spec = '@nfsts/server';
  const mod = (await import(spec)) as { startServer?: StartServer };
  if (typeof mod.startServer !== 'function') return { skip: 'startServer() is not exported by @nfsts/server yet' };
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-client-ours-'));
  const s = await mod.startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
  return { url: s.url, dir, close: async () => { await s.close(); rmSync(dir, { recursive: true, force: true }); } };
});
clientSuite('our server', server);

t.test('our server: connect with only nfsport finds MOUNT on the NFS port', 'skip' in server ? { skip: server.skip } : {}, async (tt) => {
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
