// The client's shared suite and the node:fs/promises conformance table against our server
// with `backend: 'memory'`: the same checks as client-ours and client-conformance, with no
// disk behind the export. Nothing is optional: if the server does not start, the file fails.
import t from 'tap';
import { startServer } from '@nfsts/server';
import { clientSuite, startForFile } from '../src/client-suite.js';
import { runConformance } from '../src/fs-conformance-run.js';

const server = await startForFile(async () => {
  // no_root_squash: the conformance table compares against node:fs run by this process
  const s = await startServer({ exports: [{ path: '/export', backend: 'memory', options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
  return { url: s.url, close: () => s.close() };
});
clientSuite('memory backend', server);
if ('skip' in server) t.fail('the memory-backed server cannot be skipped');
else await runConformance('memory backend', server.url);
