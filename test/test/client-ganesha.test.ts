// The client's path-layer suite against nfs-ganesha (FSAL_VFS, NFSv3/TCP on loopback).
import { startGanesha } from '../src/ganesha.js';
import { clientSuite, startForFile } from '../src/client-suite.js';

const server = await startForFile(async () => {
  const g = await startGanesha();
  if ('skip' in g) return g;
  return { url: g.url, dir: g.dir, close: () => g.stop() };
});
clientSuite('ganesha', server);
