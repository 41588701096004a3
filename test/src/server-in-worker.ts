/**
 * Our server and a client in one worker thread (for test/test/server-in-worker.test.ts): writes,
 * reads, locks and unlocks a file over RPC and LOCALIO, closes everything, then reports what is
 * still open under the export.
 */
import { parentPort } from 'node:worker_threads';
import { connect } from '@nfsts/client';
import { fdsUnder, pattern, startLocalServer } from './localio-helpers.js';

const ls = await startLocalServer();
const root = ls.roots['/export']!;
const data = pattern(64 * 1024, 3);
for (const localio of [false, true]) {
  const c = await connect(ls.url(), { localio, retries: 0 });
  await c.writeFile(`/f-${String(localio)}`, data);
  const back = await c.readFile(`/f-${String(localio)}`);
  if (!back.equals(data)) throw new Error('read back differs');
  const fh = await c.open(`/f-${String(localio)}`, 'r+');
  await fh.lock(0, 4096);
  await fh.unlock(0, 4096);
  await fh.close();
  await c.close();
}
await ls.server.close();
parentPort!.postMessage({ left: fdsUnder(root) });
await ls.close();
