/**
 * A worker thread's NFS client for the cross-thread LOCALIO tests (test/test/localio-worker*).
 * Started with `new Worker(url, { workerData: { url, options } })`, it connects and answers
 * commands on its parent port, one reply per command ({ id, ok, ... } or { id, error, code }):
 *
 *  - `{ cmd: 'state' }` → `{ isLocal, stats, lean }` (`lean`: the transport's readNow/writeNow
 *    calls and those that did the I/O, counted by wrapping the real ones: the lean path was
 *    taken; `fstats`: this thread's `fs.fstatSync` calls, i.e. the grant re-checks)
 *  - `{ cmd: 'read', path, offset, length }` → `{ data }` (bytes read)
 *  - `{ cmd: 'write', path, offset, data }` → `{ written }`
 *  - `{ cmd: 'storm', paths, size, opSize, qd, ops }`: random reads (checked against the
 *    contents `pattern(size, 1000 + i)` of path i) and rewrites of the same bytes at depth qd,
 *    `ops` in all, continuing through server.close() → `{ done, badData, errors, unexpected }`
 *  - `{ cmd: 'open', path, flags }` → `{ h }`, then `{ cmd: 'hread', h, offset, length }` →
 *    `{ data }` and `{ cmd: 'hwrite', h, offset, data }` → `{ written }` on that open handle;
 *    `{ cmd: 'hclose', h }` closes it
 *  - `{ cmd: 'parity', dir, root, verifier }`: the parity scenario (localio-parity-scenario.ts),
 *    then closes the client → `{ transcript, failures, stats, isLocal, cachedHandles }`
 *  - `{ cmd: 'close' }` closes the client.
 * A `storm` also posts `{ progress: n }` every 256 operations (the parent closes the server midway).
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { connect, type NfsClient, type NfsFileHandle } from '@nfsts/client';
import { isRpcGoneError, pattern } from './localio-helpers.js';
import { scenario } from './localio-parity-scenario.js';

interface Cmd { id: number; cmd: string; [k: string]: unknown }

const { url, options } = workerData as { url: string; options?: Record<string, unknown> };
const port = parentPort!;
let client: NfsClient | null = null;
const open = new Map<number, NfsFileHandle>();
let nextHandle = 1;
const lean = { reads: 0, readsDone: 0, writes: 0, writesDone: 0, fstats: 0 };
// every fstat of this thread (the grant re-check of a worker client is one per use, unless its grant is unconditional)
const realFstatSync = fs.fstatSync;
fs.fstatSync = ((...a: Parameters<typeof fs.fstatSync>) => { lean.fstats++; return realFstatSync(...a); }) as typeof fs.fstatSync;

/** Counts the client's readNow/writeNow calls (the real ones run). */
function countLean(c: NfsClient): void {
  const lt = c.localio;
  const r = lt.readNow.bind(lt);
  const w = lt.writeNow.bind(lt);
  lt.readNow = (...a) => { lean.reads++; const n = r(...a); if (n >= 0) lean.readsDone++; return n; };
  lt.writeNow = (...a) => { lean.writes++; const n = w(...a); if (n >= 0) lean.writesDone++; return n; };
}

async function storm(c: NfsClient, m: Cmd): Promise<Record<string, unknown>> {
  const paths = m.paths as string[];
  const size = m.size as number;
  const opSize = m.opSize as number;
  const total = m.ops as number;
  const contents = paths.map((_, i) => pattern(size, 1000 + i));
  const handles: NfsFileHandle[] = [];
  for (const p of paths) handles.push(await c.open(p, 'r+'));
  let started = 0;
  let done = 0;
  let badData = 0;
  const errors: Record<string, number> = {};
  const unexpected: string[] = [];
  let rng = 12345 + (m.id as number);
  const rand = (n: number): number => { rng = (Math.imul(rng, 1103515245) + 12345) >>> 0; return rng % n; };
  const lane = async (): Promise<void> => {
    const buf = Buffer.alloc(opSize);
    while (started < total) {
      started++;
      const i = rand(paths.length);
      const off = rand((size - opSize) / 4096) * 4096;
      try {
        if (rand(3) !== 0) {
          const r = await handles[i]!.read(buf, 0, opSize, off);
          if (r.bytesRead !== opSize || !buf.equals(contents[i]!.subarray(off, off + opSize))) badData++;
        } else {
          await handles[i]!.write(contents[i]!.subarray(off, off + opSize), 0, opSize, off);
        }
      } catch (err) {
        const code = String((err as { code?: unknown }).code);
        errors[code] = (errors[code] ?? 0) + 1;
        if (!isRpcGoneError(err)) unexpected.push(`${code}: ${String(err)}`);
      }
      if (++done % 256 === 0) {
        port.postMessage({ progress: done });
        await new Promise((r) => setImmediate(r));
      }
    }
  };
  await Promise.all(Array.from({ length: m.qd as number }, lane));
  for (const h of handles) await h.close().catch(() => {});
  return { done, badData, errors, unexpected };
}

async function run(m: Cmd): Promise<Record<string, unknown>> {
  if (m.cmd === 'close') {
    await client?.close();
    client = null;
    return {};
  }
  if (client === null) {
    client = await connect(url, { retries: 0, reconnect: { retries: 0 }, timeoutMs: 5000, ...(options ?? {}) });
    countLean(client);
  }
  const c = client;
  switch (m.cmd) {
    case 'state':
      return { isLocal: c.isLocal, stats: c.stats(), lean: { ...lean } };
    case 'read': {
      const h = await c.open(m.path as string, 'r');
      try {
        const buf = Buffer.alloc(m.length as number);
        const r = await h.read(buf, 0, buf.length, m.offset as number);
        return { data: buf.subarray(0, r.bytesRead) };
      } finally {
        await h.close();
      }
    }
    case 'write': {
      const h = await c.open(m.path as string, 'r+');
      try {
        const data = Buffer.from(m.data as Uint8Array);
        const r = await h.write(data, 0, data.length, m.offset as number);
        return { written: r.bytesWritten };
      } finally {
        await h.close();
      }
    }
    case 'storm':
      return storm(c, m);
    case 'parity': {
      const failures: string[] = [];
      const check = {
        ok(v: unknown, msg: string) { if (!v) failures.push(msg); },
        equal(a: unknown, b: unknown, msg: string) { if (a !== b) failures.push(`${msg}: ${String(a)} !== ${String(b)}`); },
      };
      const isLocal = c.isLocal;
      const transcript = await scenario(check, c, m.dir as string, m.root as string, Buffer.from(m.verifier as Uint8Array));
      const stats = c.stats();
      await c.close();
      client = null;
      return { transcript, failures, stats, isLocal, cachedHandles: c.localio.cachedHandles };
    }
    case 'open': {
      const h = nextHandle++;
      open.set(h, await c.open(m.path as string, (m.flags as string | undefined) ?? 'r+'));
      return { h };
    }
    case 'hread': {
      const buf = Buffer.alloc(m.length as number);
      const r = await open.get(m.h as number)!.read(buf, 0, buf.length, m.offset as number);
      return { data: buf.subarray(0, r.bytesRead) };
    }
    case 'hwrite': {
      const data = Buffer.from(m.data as Uint8Array);
      const r = await open.get(m.h as number)!.write(data, 0, data.length, m.offset as number);
      return { written: r.bytesWritten };
    }
    case 'hclose':
      await open.get(m.h as number)!.close();
      open.delete(m.h as number);
      return {};
    default:
      throw new Error(`unknown command ${m.cmd}`);
  }
}

port.on('message', (m: Cmd) => {
  run(m).then(
    (r) => port.postMessage({ id: m.id, ok: true, ...r }),
    (err: unknown) => port.postMessage({ id: m.id, ok: false, error: String(err), code: (err as { code?: unknown }).code }),
  );
});
port.postMessage({ ready: true });
