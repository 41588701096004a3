// Durability and reconnect through the client, against nfs-ganesha restarted mid-way:
// - 64 MiB written UNSTABLE, the server restarted before COMMIT (new write verifier), then
//   close(): the client notices the verifier change, resends, and the file on disk is exact;
// - the server stopped and started again while reads are in flight: the reads complete.
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nfsts/client';
import { restartAfterReads } from '../src/restart-during-reads.js';
import { startGanesha, type Ganesha } from '../src/ganesha.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const g = await startGanesha();
if ('skip' in g) {
  t.test('durability: 64 MiB UNSTABLE, server restart before COMMIT, resend', { skip: g.skip }, () => {});
  t.test('reconnect: server restarted while reads are in flight', { skip: g.skip }, () => {});
} else {
  const server: Ganesha = g;
  t.teardown(() => server.stop());

  t.test('durability: 64 MiB UNSTABLE, server restart before COMMIT, resend', async (tt) => {
    const c = await connect(server.url, { reconnect: { retries: 40, minDelayMs: 50, maxDelayMs: 500 } });
    try {
      const data = randomBytes(64 * 1024 * 1024);
      const h = await c.open('/durable.bin', 'w');
      await h.write(data);
      tt.ok(h.pendingBytes > 0, `the server took the writes UNSTABLE (${h.pendingBytes} bytes awaiting COMMIT)`);
      const before = await c.raw.commit({ file: { data: h.fh }, offset: 0n, count: 1 });
      await server.restart();
      await h.close();
      const after = await c.raw.commit({ file: { data: h.fh }, offset: 0n, count: 1 });
      tt.notOk(Buffer.from(before.verf).equals(Buffer.from(after.verf)), 'the restart changed the write verifier');
      tt.equal(c.counters.resentBytes, data.length, 'every uncommitted byte was resent');
      tt.equal(sha(readFileSync(join(server.dir, 'durable.bin'))), sha(data), 'on-disk checksum exact');
    } finally {
      await c.close();
    }
    tt.equal(c.rpcClient.pendingCount, 0, 'no pending calls');
  });

  t.test('reconnect: server restarted while reads are in flight', async (tt) => {
    const data = randomBytes(48 * 1024 * 1024);
    writeFileSync(join(server.dir, 'reads.bin'), data);
    const c = await connect(server.url, { maxRsize: 256 * 1024, window: 8, reconnect: { retries: 40, minDelayMs: 50, maxDelayMs: 500 } });
    try {
      const watch = restartAfterReads(c, 4, () => server.stopProcess().then(() => new Promise<void>((r) => setTimeout(r, 300))).then(() => server.start()));
      const got = await c.readFile('/reads.bin');
      await watch.restarting;
      tt.ok(watch.restarting !== undefined, 'the server was restarted during the read');
      tt.ok(watch.inFlightAtStop > 0, `${watch.inFlightAtStop} subrequests were in flight when the server stopped`);
      tt.equal(got.length, data.length, 'the read completed with every byte');
      tt.equal(sha(got), sha(data), 'checksum exact');
    } finally {
      await c.close();
    }
    tt.equal(c.rpcClient.pendingCount, 0, 'no pending calls');
  });
}
