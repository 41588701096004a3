// Durability and reconnect through the client against this project's server running in a
// child process that is killed and restarted (new process, new write verifier).
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nfsts/client';
import { restartAfterReads } from '../src/restart-during-reads.js';
import { startChildServer, type ChildServer } from '../src/client-child-server.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let available: string | undefined;
try {
  const spec = '@nfsts/server';
  const mod = (await import(spec)) as { startServer?: unknown };
  if (typeof mod.startServer !== 'function') available = 'startServer() is not exported by @nfsts/server yet';
} catch (err) {
  available = `@nfsts/server cannot load: ${(err as Error).message}`;
}

const names = ['our server: 64 MiB UNSTABLE, server process killed and restarted before COMMIT, resend', 'our server: server process restarted while reads are in flight'];
if (available !== undefined) {
  for (const n of names) t.test(n, { skip: available }, () => {});
} else {
  const base = mkdtempSync(join(tmpdir(), 'nfsts-client-child-'));
  const root = join(base, 'root');
  const state = join(base, 'state');
  mkdirSync(root);
  mkdirSync(state);
  const server: ChildServer = await startChildServer(root, state);
  t.teardown(async () => { await server.stop(); rmSync(base, { recursive: true, force: true }); });
  const reconnect = { retries: 40, minDelayMs: 50, maxDelayMs: 500 };

  t.test(names[0]!, async (tt) => {
    const c = await connect(server.url, { reconnect });
    try {
      const data = randomBytes(64 * 1024 * 1024);
      const h = await c.open('/durable.bin', 'w');
      await h.write(data);
      tt.ok(h.pendingBytes > 0, `the server took the writes UNSTABLE (${h.pendingBytes} bytes awaiting COMMIT)`);
      const before = await c.raw.commit({ file: { data: h.fh }, offset: 0n, count: 1 });
      await server.kill();
      await server.start();
      await h.close();
      const after = await c.raw.commit({ file: { data: h.fh }, offset: 0n, count: 1 });
      tt.notOk(Buffer.from(before.verf).equals(Buffer.from(after.verf)), 'the restart changed the write verifier');
      tt.equal(c.counters.resentBytes, data.length, 'every uncommitted byte was resent');
      tt.equal(sha(readFileSync(join(root, 'durable.bin'))), sha(data), 'on-disk checksum exact');
    } finally {
      await c.close();
    }
    tt.equal(c.rpcClient.pendingCount, 0, 'no pending calls');
  });

  t.test(names[1]!, async (tt) => {
    const data = randomBytes(48 * 1024 * 1024);
    writeFileSync(join(root, 'reads.bin'), data);
    const c = await connect(server.url, { maxRsize: 256 * 1024, window: 8, reconnect });
    try {
      const watch = restartAfterReads(c, 4, () => server.kill().then(() => server.start()));
      const got = await c.readFile('/reads.bin');
      await watch.restarting;
      tt.ok(watch.restarting !== undefined, 'the server was restarted during the read');
      tt.ok(watch.inFlightAtStop > 0, `${watch.inFlightAtStop} subrequests were in flight when the server stopped`);
      tt.equal(sha(got), sha(data), 'the read completed, checksum exact');
      const m = c.metrics().rpc;
      tt.ok(m.reconnects >= 1, `client.metrics() counted the reconnect (${m.reconnects})`);
      tt.ok(m.retransmits >= 1, `and the calls sent again (${m.retransmits})`);
    } finally {
      await c.close();
    }
    tt.equal(c.rpcClient.pendingCount, 0, 'no pending calls');
  });
}
