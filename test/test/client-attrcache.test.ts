// The attribute cache under the per-call READ/WRITE path (its newest entry is updated and
// deleted in place): with a long actimeo, after writes that grow two files at depth 16,
// interleaved with reads of both, stat() of each shows its own size (no attribute of one
// file under the other's key, none older than the last write), and every byte read back is
// the one written; an open file's attributes are one entry with a listing's. LOCALIO off:
// the RPC path, as in the suite's rpc cells.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { connect } from '@nfsts/client';
import { startServer } from '@nfsts/server';

const BLOCK = 4096;
const DEPTH = 16;

/** The content of block `k` of file `f` (0 or 1): its own bytes, so a mix-up shows. */
function block(f: number, k: number, len = BLOCK): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i += 4) b.writeUInt32BE(((f << 24) ^ (k << 12) ^ i) >>> 0, i);
  return b;
}

t.test('attribute cache and data at depth 16 on two files, LOCALIO off', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-attrcache-'));
  const s = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
  const c = await connect(s.url, { localio: false, actimeoMs: 60_000 });
  t.teardown(async () => {
    await c.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const files = [await c.open('/a', 'w+'), await c.open('/b', 'w+')];
  const blocks = [0, 0];
  for (let round = 0; round < 8; round++) {
    // DEPTH writes in flight, lanes alternating between the files, each a new block at the end
    const writes: Promise<unknown>[] = [];
    for (let lane = 0; lane < DEPTH; lane++) {
      const f = lane & 1;
      const k = blocks[f]!;
      blocks[f] = k + 1;
      writes.push(files[f]!.write(block(f, k), 0, BLOCK, k * BLOCK));
    }
    await Promise.all(writes);
    t.equal((await c.stat('/a')).size, blocks[0]! * BLOCK, `round ${round}: a's size`);
    t.equal((await c.stat('/b')).size, blocks[1]! * BLOCK, `round ${round}: b's size`);
    // DEPTH reads in flight of different sizes, both files, checked byte by byte
    const reads: Promise<void>[] = [];
    for (let lane = 0; lane < DEPTH; lane++) {
      const f = lane & 1;
      const k = (lane * 7 + round) % blocks[f]!;
      const len = BLOCK - lane * 128;
      reads.push(files[f]!.read(Buffer.alloc(len, 0xee), 0, len, k * BLOCK).then(({ bytesRead, buffer }) => {
        if (bytesRead !== len || !buffer.equals(block(f, k, len))) t.fail(`round ${round} lane ${lane}: file ${f} block ${k} read back wrong`);
      }));
    }
    await Promise.all(reads);
    // a listing caches a's attributes under a handle Buffer of its own (READDIRPLUS), and the
    // open file's pinned key must name the same entry: the write below replaces them
    await c.readdir('/', { withFileTypes: true });
    // a read's reply sets a's attributes; the write after it must replace them
    const k = blocks[0]!;
    blocks[0] = k + 1;
    await files[0]!.read(Buffer.alloc(BLOCK), 0, BLOCK, 0);
    await files[0]!.write(block(0, k), 0, BLOCK, k * BLOCK);
    t.equal((await c.stat('/a')).size, blocks[0]! * BLOCK, `round ${round}: a's size after read then write`);
  }
  for (const h of files) await h.close();
  for (let f = 0; f < 2; f++) {
    const want = Buffer.concat(Array.from({ length: blocks[f]! }, (_, k) => block(f, k)));
    t.ok(readFileSync(join(dir, f === 0 ? 'a' : 'b')).equals(want), `file ${f} on disk exact`);
  }
});
