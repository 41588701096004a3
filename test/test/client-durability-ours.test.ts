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

const names = ['our server: 64 MiB UNSTABLE, server process killed and restarted before COMMIT, resend', 'our server: server process restarted while reads are in flight'];
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

t.test('our server: small UNSTABLE writes at depth 16 from reused buffers, server restarted before COMMIT, resend exact', async (tt) => {
  // the copies kept for a resend share slabs: each must hold its own write's bytes, although
  // the caller scribbles over its buffer as soon as a write resolves and 16 are in flight
  const c = await connect(server.url, { reconnect, localio: false });
  try {
    const want = Buffer.alloc(16 * 64 * 4096);
    const h = await c.open('/small-unstable.bin', 'w');
    let next = 0;
    let end = 0;
    const count = want.length / 4096;
    await Promise.all(Array.from({ length: 16 }, async (_, lane) => {
      const buf = Buffer.alloc(4096);
      while (next < count) {
        const k = next++;
        // sizes from 3 KiB + 1 to 4 KiB, so copies straddle slab ends
        const len = 4096 - ((k * 37 + lane * 131) % 1024);
        const bytes = randomBytes(len);
        bytes.copy(buf);
        bytes.copy(want, k * 4096);
        end = Math.max(end, k * 4096 + len);
        await h.write(buf, 0, len, k * 4096);
        buf.fill(0xa5);
      }
    }));
    tt.ok(h.pendingBytes > 0, `the server took the writes UNSTABLE (${h.pendingBytes} bytes awaiting COMMIT)`);
    const pending = h.pendingBytes;
    await server.kill();
    await server.start();
    await h.close();
    tt.equal(c.counters.resentBytes, pending, 'every uncommitted byte was resent');
    tt.equal(sha(readFileSync(join(root, 'small-unstable.bin'))), sha(want.subarray(0, end)), 'on-disk checksum exact');
  } finally {
    await c.close();
  }
});
