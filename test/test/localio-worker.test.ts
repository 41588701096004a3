// LOCALIO across worker threads: a client in a worker of the server's process becomes local
// (UUID_IS_LOCAL answered through the other thread's registry), reads and writes the same
// bytes RPC would, and the shutdown interlock holds across threads.
import t from 'tap';
import { connect } from '@nfsts/client';
import { pattern, startLocalServer } from '../src/localio-helpers.js';
import { startWorkerClient } from '../src/localio-workers.js';

t.test('a client in a worker thread is local and reads and writes what RPC does', async (tt) => {
  const ls = await startLocalServer();
  const w = await startWorkerClient(ls.url());
  const rpc = await connect(ls.url(), { localio: false, retries: 0 });
  try {
    const data = pattern(256 * 1024, 7);
    await rpc.writeFile('/a', data);
    const st = await w.call('state');
    tt.equal(st.isLocal, true, 'the worker client is local');
    tt.equal(ls.server.localio.localClients, 1, 'the server counts it');
    for (const [off, len] of [[0, 4096], [4096 * 7, 64 * 1024], [250 * 1024, 16 * 1024]] as const) {
      const r = await w.call('read', { path: '/a', offset: off, length: len });
      tt.same(Buffer.from(r.data as Uint8Array), data.subarray(off, Math.min(off + len, data.length)), `read ${len} at ${off}`);
    }
    const patch = pattern(8192, 9);
    const wr = await w.call('write', { path: '/a', offset: 12288, data: patch });
    tt.equal(wr.written, 8192);
    const back = await rpc.readFile('/a');
    tt.same(back.subarray(12288, 12288 + 8192), patch, 'RPC sees the worker\'s local write');
    const st2 = await w.call('state');
    const s = st2.stats as Record<string, number>;
    tt.ok(s.readsLocal! >= 3 && s.writesLocal! >= 1, `local I/O counted (${s.readsLocal} reads, ${s.writesLocal} writes)`);
    tt.equal(s.readsRpc, 0, 'no read went by RPC');
  } finally {
    await rpc.close();
    await w.call('close');
    await w.terminate();
    await ls.close();
  }
});
