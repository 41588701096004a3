// LOCALIO across a server restart: the client falls back to RPC when its server closes, and
// after a new server starts on the same port, export and state directory (so its handles are
// the same), the client reconnects, re-probes on its own and is local again.
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nfsts/client';
import { pattern, startLocalServer, until } from '../src/localio-helpers.js';

t.test('restart: a new server on the same port and export; the client re-probes and is local again', async (tt) => {
  const base = mkdtempSync(join(tmpdir(), 'nfsts-localio-restart-'));
  const stateDir = join(base, 'state');
  mkdirSync(stateDir);
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const first = await startLocalServer({ base, stateDir });
  const port = first.server.port;
  const c = await connect(first.url(), { retries: 5, reconnect: { retries: 50, minDelayMs: 10, maxDelayMs: 50 }, timeoutMs: 5000 });
  let second: Awaited<ReturnType<typeof startLocalServer>> | null = null;
  try {
    tt.ok(c.isLocal, 'local with the first server');
    const data = pattern(256 * 1024, 3);
    await c.writeFile('/r', data);
    const h = await c.open('/r', 'r');
    const buf = Buffer.alloc(4096);
    await h.read(buf, 0, 4096, 4096);
    const s1 = c.stats();
    tt.ok(s1.readsLocal > 0 && s1.readsRpc === 0, 'reads were local');

    await first.server.close();
    tt.notOk(c.isLocal, 'not local once its server closed');
    tt.equal(c.localio.cachedHandles, 0, 'its LocalFiles were put at once');

    second = await startLocalServer({ base, stateDir, port });
    tt.equal(second.server.port, port, 'the new server listens on the same port');
    tt.not(second.server.localio.serverId, first.server.localio.serverId, 'a different server');
    // the next read goes by RPC (reconnecting); the reconnect triggers the probe
    await h.read(buf, 0, 4096, 8192);
    tt.ok(buf.equals(data.subarray(8192, 8192 + 4096)), 'the read after the restart returns the data (same handle, same state dir)');
    tt.ok(c.stats().readsRpc > 0, 'that read went by RPC');
    tt.ok(await until(() => c.isLocal, 5000), 'the client re-probed after reconnecting and is local again');
    tt.ok(c.stats().probes >= 2 && c.stats().probesLocal >= 2, 'probed again, local again');
    tt.equal(second.server.localio.localClients, 1, 'bound to the new server');
    const before = c.stats().readsLocal;
    await h.read(buf, 0, 4096, 12288);
    tt.ok(buf.equals(data.subarray(12288, 12288 + 4096)), 'local read after the restart is right');
    tt.equal(c.stats().readsLocal, before + 1, 'and it was local');
    await h.close();
    await c.writeFile('/r2', Buffer.from('after restart'));
    tt.equal((await c.readFile('/r2')).toString(), 'after restart', 'write and read through the new server');
    tt.ok(second.server.localio.stats().opens > 0, 'the new server granted local opens');
  } finally {
    await c.close();
    await second?.close();
    await first.close();
  }
});
