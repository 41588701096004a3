/**
 * Our server in a worker thread (for test/test/localio-worker.test.ts: a server thread that
 * dies under its clients). Posts `{ url, base }` once listening; `{ cmd: 'close' }` closes it.
 */
import { parentPort } from 'node:worker_threads';
import { startLocalServer } from './localio-helpers.js';

const ls = await startLocalServer();
parentPort!.on('message', (m: { cmd?: string }) => {
  if (m.cmd === 'close') void ls.close().then(() => parentPort!.postMessage({ closed: true }));
});
parentPort!.postMessage({ url: ls.url(), base: ls.base });
