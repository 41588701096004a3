/**
 * The LOCALIO parity scenario (test/test/localio-parity.test.ts): everything a client observes
 * in a read/write/commit/stream/truncate/eof sequence, as a transcript that must be the same
 * over RPC, over LOCALIO in the server's thread, and over LOCALIO from a worker thread
 * (run there by test/src/localio-worker-client.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { NfsClient } from '@nfsts/client';
import { pattern } from './localio-helpers.js';

/** The assertions the scenario makes (a tap Test, or a collector in a worker). */
export interface Check {
  ok(v: unknown, msg: string): unknown;
  equal(a: unknown, b: unknown, msg: string): unknown;
}

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex').slice(0, 16);
export const errCode = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return String((err as { code?: unknown }).code ?? (err as Error).message);
  }
};

/** Everything the scenario observes, in order; identical for both modes. */
export async function scenario(tt: Check, c: NfsClient, dir: string, root: string, verifier: Buffer): Promise<Array<[string, unknown]>> {
  const out: Array<[string, unknown]> = [];
  const note = (k: string, v: unknown): void => { out.push([k, v]); };
  await c.mkdir(dir);

  // whole-file write and read, several rsize/wsize pieces, UNSTABLE + COMMIT
  const a = pattern(300 * 1024 + 123, 1);
  await c.writeFile(`${dir}/a`, a);
  const aBack = await c.readFile(`${dir}/a`);
  note('a: readFile', [aBack.length, sha(aBack)]);
  note('a: on disk', sha(readFileSync(join(root, dir, 'a'))));
  tt.ok(aBack.equals(a), 'readFile returns what writeFile wrote');

  // positioned reads: inside, across the end, at the end, past the end
  const h = await c.open(`${dir}/a`, 'r');
  for (const [off, len] of [[0, 4096], [70_000, 10_000], [a.length - 100, 4096], [a.length, 4096], [a.length + 5000, 10], [1, 200_000]] as const) {
    const b = Buffer.alloc(len);
    const r = await h.read(b, 0, len, off);
    note(`a: read ${off}+${len}`, [r.bytesRead, sha(b.subarray(0, r.bytesRead))]);
    tt.ok(b.subarray(0, r.bytesRead).equals(a.subarray(off, off + len)), `read ${off}+${len} matches`);
  }
  await h.close();

  // the transport's eof flag and counts exactly as READ answers them
  const fh = (await c.resolve(`${dir}/a`)).fh;
  for (const [off, len] of [[0, 4096], [a.length - 4096, 4096], [a.length - 10, 4096], [a.length, 10], [a.length + 1, 10], [BigInt(a.length) + (1n << 40n), 10]] as const) {
    const b = Buffer.alloc(len);
    const r = await c.transport.read(fh, BigInt(off), b);
    note(`a: transport read ${off}+${len}`, [r.count, r.eof, sha(b.subarray(0, r.count))]);
  }

  // random UNSTABLE writes through a handle, COMMIT by sync(), read back; then FILE_SYNC handle
  const bData = Buffer.alloc(200_000);
  const hb = await c.open(`${dir}/b`, 'w+');
  for (let i = 0; i < 40; i++) {
    const off = (i * 7919 * 13) % 190_000;
    const piece = pattern(4096 + (i % 3) * 1000, 100 + i);
    await hb.write(piece, 0, piece.length, off);
    piece.copy(bData, off);
  }
  // RPC keeps a copy of what it wrote UNSTABLE (to resend after a verifier change); LOCALIO
  // keeps none: its writes are in the page cache of the server's file in this very process
  tt.equal(hb.pendingBytes > 0, !c.isLocal, c.isLocal ? 'LOCALIO keeps no copy of UNSTABLE data' : 'RPC keeps its UNSTABLE data until COMMIT');
  await hb.sync();
  note('b: pending after sync', hb.pendingBytes);
  const bSize = Number((await hb.stat()).size);
  note('b: size', bSize);
  const bBack = Buffer.alloc(bSize);
  await hb.read(bBack, 0, bSize, 0);
  note('b: content', sha(bBack));
  tt.ok(bBack.equals(bData.subarray(0, bSize)), 'random writes read back exactly');
  await hb.close();

  const hs = await c.open(`${dir}/s`, 'w+', 0o644, { stable: true });
  const sData = pattern(150_000, 7);
  await hs.write(sData, 0, sData.length, 0);
  note('s: pending with FILE_SYNC', hs.pendingBytes);
  await hs.close();
  note('s: content', sha(await c.readFile(`${dir}/s`)));

  // stable_how and verifiers at the transport: committed as asked, verifier = COMMIT's = the server's
  const sfh = (await c.resolve(`${dir}/s`)).fh;
  for (const stable of [0, 1, 2]) {
    const w = await c.transport.write(sfh, BigInt(stable * 4096), pattern(4096, 50 + stable), stable);
    note(`s: write stable=${stable}`, [w.count, w.committed, w.verf.equals(verifier)]);
  }
  const verf = await c.transport.commit(sfh, 0n, 0);
  note('s: commit verifier is the server\'s', verf.equals(verifier));

  // truncate down and up: reads see the new size and the zeros
  await c.truncate(`${dir}/a`, 1000);
  const t1 = await c.readFile(`${dir}/a`);
  note('a: after truncate 1000', [t1.length, sha(t1)]);
  await c.truncate(`${dir}/a`, 5000);
  const t2 = await c.readFile(`${dir}/a`);
  note('a: after extend 5000', [t2.length, sha(t2), t2.subarray(1000).every((x) => x === 0)]);
  const ha = await c.open(`${dir}/a`, 'r');
  const t3 = Buffer.alloc(8192);
  note('a: read across the new end', (await ha.read(t3, 0, 8192, 0)).bytesRead);
  await ha.close();
  const stA = await c.stat(`${dir}/a`);
  note('a: stat size after writes', Number(stA.size));

  // append and exclusive create
  await c.writeFile(`${dir}/a`, Buffer.from('tail'), { flag: 'a' });
  note('a: after append', (await c.readFile(`${dir}/a`)).subarray(-4).toString());

  // streams: 3 MiB out and back
  const big = pattern(3 * 1024 * 1024 + 17, 9);
  await pipeline(Readable.from([big.subarray(0, 1_000_000), big.subarray(1_000_000)]), c.createWriteStream(`${dir}/big`));
  const parts: Buffer[] = [];
  await pipeline(c.createReadStream(`${dir}/big`), new Writable({ write(chunk: Buffer, _e, cb) { parts.push(chunk); cb(); } }));
  const bigBack = Buffer.concat(parts);
  note('big: stream round trip', [bigBack.length, sha(bigBack)]);
  tt.ok(bigBack.equals(big), 'stream round trip exact');

  // what each path answers for a directory handle
  const dfh = (await c.resolve(dir)).fh;
  note('dir: read', await errCode(c.transport.read(dfh, 0n, Buffer.alloc(10))));
  note('dir: write', await errCode(c.transport.write(dfh, 0n, Buffer.alloc(10), 0)));
  return out;
}

