// LOCALIO across a server restart: the client falls back to RPC when its server closes, and
// after a new server starts on the same port, export and state directory (so its handles are
// the same), the client reconnects, re-probes on its own and is local again.
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nfsts/client';
import { pattern, startLocalServer, until } from '../src/localio-helpers.js';

/** A temp export and state directory, a LOCALIO server on them, and a client that reconnects patiently. */
async function firstServerAndClient(prefix: string) {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const stateDir = join(base, 'state');
  mkdirSync(stateDir);
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const first = await startLocalServer({ base, stateDir });
  const c = await connect(first.url(), { retries: 5, reconnect: { retries: 50, minDelayMs: 10, maxDelayMs: 50 }, timeoutMs: 5000 });
  return { base, stateDir, first, port: first.server.port, c };
}

t.test('restart: a new server on the same port and export; the client re-probes and is local again', async (tt) => {
  const { base, stateDir, first, port, c } = await firstServerAndClient('nfsts-localio-restart-');
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

// LOCALIO keeps no copy of UNSTABLE data (packages/localio/README.md, "Writes"): what it wrote
// is in the page cache of the server's file, in this very process, and a server.close() plus a
// new server (a new write verifier) in the same process loses none of it.
t.test('restart: UNSTABLE LOCALIO writes survive server.close() and a new server, byte for byte, with nothing kept or resent', async (tt) => {
  const { base, stateDir, first, port, c } = await firstServerAndClient('nfsts-localio-restart-w-');
  let second: Awaited<ReturnType<typeof startLocalServer>> | null = null;
  try {
    tt.ok(c.isLocal, 'local with the first server');
    const size = 3 * 1024 * 1024;
    const expect = Buffer.alloc(size);
    const h = await c.open('/w', 'w+');
    // random 4 KiB writes, then a 1 MiB sequential one, all UNSTABLE
    for (let i = 0; i < 300; i++) {
      const off = ((i * 7919) % 700) * 4096;
      const piece = pattern(4096, i + 1);
      await h.write(piece, 0, 4096, off);
      piece.copy(expect, off);
      piece.fill(0); // the caller reuses its buffer: nothing of ours may still point at it
    }
    const big = pattern(1024 * 1024, 99);
    await h.write(big, 0, big.length, 2 * 1024 * 1024);
    big.copy(expect, 2 * 1024 * 1024);
    const s0 = c.stats();
    tt.equal(s0.writesLocal, 300 + Math.ceil(big.length / c.wsize), 'every write was local');
    tt.equal(s0.commitsLocal + s0.commitsRpc, 0, 'nothing committed yet');
    tt.equal(h.pendingBytes, 0, 'the handle keeps no copy of LOCALIO UNSTABLE data');
    // the verifier those writes were taken under (one more write of the same bytes, through the transport)
    const verf1 = Buffer.from((await c.transport.write(h.fh, 0n, expect.subarray(0, 4096), 0)).verf);

    await first.server.close();
    second = await startLocalServer({ base, stateDir, port });
    await h.sync(); // COMMIT, by RPC or locally once re-probed: either way under the new verifier
    const s1 = c.stats();
    const verf2 = (await c.transport.write(h.fh, 0n, expect.subarray(0, 4096), 2)).verf;
    tt.notOk(verf2.equals(verf1), 'the new server has a new write verifier');
    tt.equal(s1.commitsLocal + s1.commitsRpc, 1, 'one COMMIT');
    tt.equal(s1.resentBytes, 0, 'nothing resent');
    tt.ok(readFileSync(join(first.roots['/export']!, 'w')).subarray(0, size).equals(expect), 'the file holds every byte written before the restart');
    const back = Buffer.alloc(size);
    const r = await h.read(back, 0, size, 0);
    tt.equal(r.bytesRead, size, 'read back in full');
    tt.ok(back.equals(expect), 'and it matches byte for byte through the client');
    await h.close();
  } finally {
    await c.close();
    await second?.close();
    await first.close();
  }
});
