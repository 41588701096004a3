// The client's path-layer suite against nfs-ganesha (FSAL_VFS, NFSv3/TCP on loopback), and
// connecting through the portmapper ganesha registered with.
import t from 'tap';
import { connect } from '@nfsts/client';
import { portmapperAnswers, startGanesha, type Ganesha } from '../src/ganesha.js';
import { clientSuite, startForFile } from '../src/client-suite.js';

let g: Ganesha | undefined;
const server = await startForFile(async () => {
  const r = await startGanesha();
  if ('skip' in r) return r;
  g = r;
  return { url: r.url, dir: r.dir, close: () => r.stop() };
});
clientSuite('ganesha', server);

const pmSkip = 'skip' in server ? server.skip : (await portmapperAnswers()) ? undefined : 'no portmapper answers on 127.0.0.1:111 any more';
t.test('ganesha: connect finds NFS and MOUNT ports with portmapper GETPORT', pmSkip !== undefined ? { skip: pmSkip } : {}, async (tt) => {
  const c = await connect(`nfs://127.0.0.1${g!.dir}?version=3`);
  try {
    tt.equal(c.nfsPort, g!.nfsPort, 'NFS port from GETPORT');
    tt.ok((await c.stat('/')).isDirectory(), 'mounted and usable');
  } finally {
    await c.close();
  }
  await tt.rejects(connect({ host: '127.0.0.1', export: '/x', portmapPort: g!.nfsPort, timeoutMs: 2000 }),
    { name: 'NfsClientError', code: 'ERR_NFS_PORTMAP' }, 'a server that is no portmapper: ERR_NFS_PORTMAP');
});
