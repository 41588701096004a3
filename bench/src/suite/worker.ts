/**
 * The piscina worker: runs one job of one cell. A job sets up what it measures (a file
 * descriptor; or its own client, and for `localio` / `rpc-same` its own server in this very
 * thread), meets the other jobs of the cell at a barrier, runs `qd` lanes for the ramp and
 * the measured window, and tears everything down again before it returns.
 *
 * Why the in-thread servers: `localio` measures a client sharing its thread with the server
 * (the registry on `globalThis`, no cross-thread hop even for opens); `rpc-same` is the same
 * setup with LOCALIO off on both sides, so the pair differs in the transport only.
 * `localio-worker` is the cross-thread case: the server in the suite's main thread, the
 * client here (see localio-worker.ts).
 */
import { closeSync, openSync, read, readSync, write, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { connect, makeSattr, type NfsClient, type NfsClientOptions, type NfsFileHandle } from '@nfsts/client';
import { startServer, type NfsServer } from '@nfsts/server';
import { LatencyHistogram } from './histogram.js';
import { ProcTimer } from './proc-latency.js';
import { IO, isIoWorkload, type IoWorkload, type JobResult, type JobTask, type MetaWorkloadId } from './types.js';

const BARRIER_TIMEOUT_MS = 60_000;
/** ops of the sync loop timed together (one clock read per batch keeps the clock out of the figure) */
const SYNC_BATCH = 64;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until every job of the cell is ready; throws if one failed or the wait is too long. */
async function meet(task: JobTask): Promise<void> {
  const b = new Int32Array(task.barrier);
  Atomics.add(b, 0, 1);
  const give = performance.now() + BARRIER_TIMEOUT_MS;
  while (Atomics.load(b, 0) < task.jobs) {
    if (Atomics.load(b, 1) !== 0) throw new Error('another job of this cell failed to start');
    if (performance.now() > give) throw new Error(`jobs did not all start within ${BARRIER_TIMEOUT_MS} ms`);
    await sleep(1);
  }
}

function failBarrier(task: JobTask): void {
  Atomics.store(new Int32Array(task.barrier), 1, 1);
}

/** Offsets: uniform block-aligned random, or a per-job sequential cursor that wraps. */
function positions(w: IoWorkload, task: JobTask): () => number {
  const blocks = Math.max(1, Math.floor(task.fileSize / w.bs));
  if (w.random) return () => Math.floor(Math.random() * blocks) * w.bs;
  let next = Math.floor((task.job * blocks) / task.jobs);
  return () => {
    const p = next * w.bs;
    next = next + 1 >= blocks ? 0 : next + 1;
    return p;
  };
}

interface Window { start: number; end: number }

function window(task: JobTask): Window {
  const start = performance.now() + task.rampMs;
  return { start, end: start + task.measureMs };
}

function result(ops: number, units: number, w: Window, hist: LatencyHistogram): JobResult {
  return { ops, units, elapsedMs: w.end - w.start, hist: hist.toArray(), maxNs: hist.maxNs };
}

function buffers(qd: number, bs: number, write: boolean): Buffer[] {
  return Array.from({ length: qd }, () => {
    const b = Buffer.allocUnsafe(bs);
    if (write) randomFillSync(b);
    return b;
  });
}

/** `direct`: `qd` lanes of node:fs callback reads or writes (no promises in the loop). */
async function runDirect(task: JobTask, w: IoWorkload): Promise<JobResult> {
  const fd = openSync(task.localFile, w.write ? 'r+' : 'r');
  try {
    await meet(task);
    const pos = positions(w, task);
    const hist = new LatencyHistogram();
    const win = window(task);
    let ops = 0;
    let units = 0;
    let last = win.end;
    await new Promise<void>((resolve, reject) => {
      let live = task.qd;
      let failed = false;
      for (const buf of buffers(task.qd, w.bs, w.write)) {
        let t0 = 0;
        const done = (err: NodeJS.ErrnoException | null, n: number): void => {
          const t1 = performance.now();
          if (failed) return;
          if (err) { failed = true; reject(err); return; }
          // as in lanes(): a loaded machine may let the window pass before any operation
          // ends in it, so it stays open until `qd` operations have completed in it
          if (t1 >= win.end && ops >= task.qd) { if (--live === 0) resolve(); return; }
          if (t1 >= win.start) { ops++; units += n; hist.record((t1 - t0) * 1e6); if (t1 > last) last = t1; }
          go();
        };
        const go = (): void => {
          t0 = performance.now();
          if (w.write) write(fd, buf, 0, w.bs, pos(), done);
          else read(fd, buf, 0, w.bs, pos(), done);
        };
        go();
      }
    });
    win.end = last;
    return result(ops, units, win, hist);
  } finally {
    closeSync(fd);
  }
}

/** `direct-sync`: a blocking readSync/writeSync loop, timed in batches of SYNC_BATCH. */
async function runDirectSync(task: JobTask, w: IoWorkload): Promise<JobResult> {
  const fd = openSync(task.localFile, w.write ? 'r+' : 'r');
  try {
    await meet(task);
    const pos = positions(w, task);
    const [buf] = buffers(1, w.bs, w.write) as [Buffer];
    const hist = new LatencyHistogram();
    const win = window(task);
    let ops = 0;
    let units = 0;
    for (;;) {
      const t0 = performance.now();
      let n = 0;
      for (let i = 0; i < SYNC_BATCH; i++) n += w.write ? writeSync(fd, buf, 0, w.bs, pos()) : readSync(fd, buf, 0, w.bs, pos());
      const t1 = performance.now();
      // one batch at least inside the window, however late (see runDirect)
      if (t1 >= win.end && ops > 0) break;
      if (t0 >= win.start) {
        ops += SYNC_BATCH; units += n; hist.record(((t1 - t0) * 1e6) / SYNC_BATCH, SYNC_BATCH);
        if (t1 > win.end) win.end = t1;
      }
    }
    return result(ops, units, win, hist);
  } finally {
    closeSync(fd);
  }
}

interface Setup { client: NfsClient; server: NfsServer | undefined }

/** Our client for the task's target: in-thread server for localio/rpc-same, else the URL. */
async function setupClient(task: JobTask): Promise<Setup> {
  let server: NfsServer | undefined;
  let url = task.url;
  const local = task.target === 'localio' || task.target === 'localio-worker';
  if (task.target === 'localio' || task.target === 'rpc-same') {
    // `localio` is an option of the server and client once LOCALIO is wired in; set it
    // explicitly both ways so rpc-same never goes local and localio never silently stays RPC
    const serverOptions = {
      exports: [{ path: '/export', root: task.root, options: 'rw,no_root_squash' }],
      port: 0, host: '127.0.0.1', portmap: false, localio: local,
    };
    server = await startServer(serverOptions as Parameters<typeof startServer>[0]);
    url = server.url;
  }
  try {
    const extra: Record<string, unknown> = { localio: local };
    const client = await connect(url, extra as Partial<NfsClientOptions>);
    return { client, server };
  } catch (err) {
    await server?.close();
    throw err;
  }
}

function isLocal(c: NfsClient): boolean | undefined {
  const v = (c as unknown as { isLocal?: unknown }).isLocal;
  return typeof v === 'boolean' ? v : undefined;
}

function checkLocality(task: JobTask, c: NfsClient, when: string): void {
  const l = isLocal(c);
  const local = task.target === 'localio' || task.target === 'localio-worker';
  if (local && l !== true) {
    throw new Error(`client.isLocal is ${String(l)} ${when}: the LOCALIO cell would measure RPC`);
  }
  if (!local && l === true) throw new Error(`client.isLocal is true ${when} on an RPC target`);
}

/**
 * The lanes of a client cell: each awaits its op, times it, and stops at the window's end.
 * Operations longer than the window (a whole READDIRPLUS of a big directory at QD 16) would
 * leave it empty: then the window stays open until `qd` operations have completed in it, and
 * `win.end` moves to the last of them.
 */
async function lanes(qd: number, win: Window, hist: LatencyHistogram, op: (lane: number) => Promise<number>): Promise<{ ops: number; units: number }> {
  let ops = 0;
  let units = 0;
  let last = win.end;
  await Promise.all(Array.from({ length: qd }, async (_, lane) => {
    for (;;) {
      const t0 = performance.now();
      const n = await op(lane);
      const t1 = performance.now();
      if (t1 >= win.end && ops >= qd) return;
      if (t1 >= win.start) {
        ops++; units += n; hist.record((t1 - t0) * 1e6);
        if (t1 > last) last = t1;
      }
    }
  }));
  win.end = last;
  return { ops, units };
}

async function runClientIo(task: JobTask, w: IoWorkload): Promise<JobResult> {
  const { client, server } = await setupClient(task);
  let h: NfsFileHandle | undefined;
  try {
    h = await client.open(task.exportFile, w.write ? 'r+' : 'r');
    checkLocality(task, client, 'after open');
    await meet(task);
    const handle = h;
    const pos = positions(w, task);
    const bufs = buffers(task.qd, w.bs, w.write);
    const hist = new LatencyHistogram();
    const win = window(task);
    const r = await lanes(task.qd, win, hist, w.write
      ? async (lane) => (await handle.write(bufs[lane]!, 0, w.bs, pos())).bytesWritten
      : async (lane) => (await handle.read(bufs[lane]!, 0, w.bs, pos())).bytesRead);
    checkLocality(task, client, 'after the run');
    // UNSTABLE writes are committed after the window (as fio's writes stay in the page cache)
    if (w.write) await h.sync();
    return { ...result(r.ops, r.units, win, hist), ...(isLocal(client) !== undefined ? { isLocal: isLocal(client)! } : {}) };
  } finally {
    await h?.close().catch(() => {});
    await client.close().catch(() => {});
    await server?.close();
  }
}

async function runClientMeta(task: JobTask, wl: MetaWorkloadId): Promise<JobResult> {
  const { client, server } = await setupClient(task);
  const scratch = `/scratch-${process.pid}-${task.job}-${Date.now()}`;
  let made = false;
  // CREATE+REMOVE and READDIRPLUS make several calls per operation: each call is timed too
  const calls = new ProcTimer();
  try {
    const file = (await client.resolve(task.exportFile)).fh;
    const dir = (await client.resolve(task.exportDir)).fh;
    let op: (lane: number) => Promise<number>;
    if (wl === 'getattr') {
      op = async () => { await client.raw.getattr({ object: { data: file } }); return 0; };
    } else if (wl === 'lookup') {
      op = async () => {
        await client.raw.lookup({ what: { dir: { data: dir }, name: `f${Math.floor(Math.random() * task.dirEntries)}` } });
        return 0;
      };
    } else if (wl === 'create-remove') {
      await client.mkdir(scratch);
      made = true;
      const sdir = (await client.resolve(scratch)).fh;
      let seq = 0;
      op = async (lane) => {
        const name = `c${lane}-${seq++}`;
        let t0 = performance.now();
        await client.raw.create({ where: { dir: { data: sdir }, name }, how: { mode: 0, obj_attributes: makeSattr({ mode: 0o644 }) } } as Parameters<NfsClient['raw']['create']>[0]);
        calls.record('CREATE', t0);
        t0 = performance.now();
        await client.raw.remove({ object: { dir: { data: sdir }, name } });
        calls.record('REMOVE', t0);
        return 0;
      };
    } else {
      const size = client.options.readdirSize;
      op = async () => {
        let cookie = 0n;
        let verf: Buffer = Buffer.alloc(8);
        let entries = 0;
        for (;;) {
          const t0 = performance.now();
          const r = await client.raw.readdirplus({ dir: { data: dir }, cookie, cookieverf: verf, dircount: Math.max(1024, size >> 2), maxcount: size });
          calls.record('READDIRPLUS', t0);
          verf = r.cookieverf;
          for (const e of r.reply.entries) { cookie = e.cookie; entries++; }
          if (r.reply.eof) return entries;
          if (r.reply.entries.length === 0) throw new Error('READDIRPLUS returned no entries and no EOF');
        }
      };
    }
    await meet(task);
    const hist = new LatencyHistogram();
    const win = window(task);
    calls.from = win.start;
    const r = await lanes(task.qd, win, hist, op);
    return { ...result(r.ops, r.units, win, hist), procs: calls.toRecord() };
  } finally {
    if (made) await client.rm(scratch, { recursive: true, force: true }).catch(() => {});
    await client.close().catch(() => {});
    await server?.close();
  }
}

/** piscina entry: one job of one cell; failures come back as `error`, never as a rejection. */
export default async function runJob(task: JobTask): Promise<JobResult> {
  try {
    if (isIoWorkload(task.workload)) {
      const w = IO[task.workload];
      if (task.target === 'direct') return await runDirect(task, w);
      if (task.target === 'direct-sync') return await runDirectSync(task, w);
      return await runClientIo(task, w);
    }
    if (task.target === 'direct' || task.target === 'direct-sync') throw new Error('metadata workloads need an NFS target');
    return await runClientMeta(task, task.workload);
  } catch (err) {
    failBarrier(task);
    return { ops: 0, units: 0, elapsedMs: 0, hist: [], error: err instanceof Error ? `${err.message}${(err as { code?: string }).code ? ` (${(err as { code?: string }).code})` : ''}` : String(err) };
  }
}
