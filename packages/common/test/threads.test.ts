// Thread identity for LOCALIO across threads: a worker's key names it while it runs and no
// longer once it is terminated; a recycled task id with another start time is not it.
import t from 'tap';
import { Worker } from 'node:worker_threads';
import { currentThreadKey, threadAlive } from '../src/index.js';

const linux = process.platform === 'linux';

t.test('this thread is alive; made-up keys are not', { skip: linux ? false : 'reads /proc (Linux)' }, async (t) => {
  const key = currentThreadKey();
  t.type(key, 'string');
  t.match(key!, /^\d+:\d+$/);
  t.equal(threadAlive(key!), true, 'this thread');
  const [tid, start] = key!.split(':');
  t.equal(threadAlive(`${tid}:${Number(start) + 1}`), false, 'same task id, another start time (a recycled id)');
  t.equal(threadAlive('0:0'), false);
  t.equal(threadAlive('garbage'), false);
  t.equal(threadAlive('../1:2'), false, 'no path games');
});

t.test('a worker\'s key: alive while it runs, gone after terminate()', { skip: linux ? false : 'reads /proc (Linux)' }, async (t) => {
  const url = new URL('../src/index.js', import.meta.url).href;
  const w = new Worker(`
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(url)}).then((m) => { parentPort.postMessage(m.currentThreadKey()); setInterval(() => {}, 1000); });`, { eval: true });
  const key = await new Promise<string>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  t.not(key, currentThreadKey(), 'another thread, another key');
  t.equal(threadAlive(key), true, 'alive while it runs');
  await w.terminate();
  // the OS thread ends right after the 'exit' event; bounded wait
  let alive = true;
  for (let i = 0; i < 200 && alive; i++) {
    alive = threadAlive(key);
    if (alive) await new Promise((r) => setTimeout(r, 10));
  }
  t.equal(alive, false, 'gone after terminate()');
});
