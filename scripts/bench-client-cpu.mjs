#!/usr/bin/env node
/**
 * Our client's cost per small call at a queue depth, against our server in another process
 * (the suite's `rpc-child` path: NfsFileHandle.read/write, client.raw.getattr):
 *
 *   node scripts/bench-client-cpu.mjs [TREE] [--n N] [--qd QD] [--ops read,write,getattr]
 *
 * For each op, three phases of N calls each after a warm-up: client CPU (utime+stime of this
 * process) per call; promises created per call (an async_hooks PROMISE init count, hooks on
 * only in that phase); bytes allocated per call (heapUsed after minus before, with a young
 * generation large enough that no GC runs in the phase: run it with
 * `node --min-semi-space-size=256 --max-semi-space-size=256`; a phase that saw a GC says so).
 * TREE (default: this checkout) is where the built packages are, for A/B against a copy.
 * `--alloc`: also a sampling heap profile of one more phase, bytes per call by function (top 15).
 */
import { createHook } from 'node:async_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
let tree = resolve(new URL('..', import.meta.url).pathname);
let n = 20000;
let qd = 16;
let ops = ['read', 'write', 'getattr'];
let alloc = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--n') n = Number(args[++i]);
  else if (a === '--qd') qd = Number(args[++i]);
  else if (a === '--ops') ops = args[++i].split(',');
  else if (a === '--alloc') alloc = true;
  else tree = resolve(a);
}
const { connect } = await import(pathToFileURL(join(tree, 'packages/client/dist/src/index.js')).href);
const { startChildServer } = await import(pathToFileURL(join(tree, 'bench/dist/src/suite/child-server.js')).href);

const root = mkdtempSync(join(tmpdir(), 'client-cpu-'));
const FILE_SIZE = 64 << 20;
writeFileSync(join(root, 'f'), Buffer.alloc(FILE_SIZE, 7));
const server = await startChildServer(root, 20_000, { metrics: false });
const client = await connect(server.url, { localio: false });
const fh = (await client.resolve('/f')).fh;
const h = await client.open('/f', 'r+');
const bufs = Array.from({ length: qd }, () => Buffer.alloc(4096, 1));
const blocks = FILE_SIZE / 4096;

const OPS = {
  read: (lane) => h.read(bufs[lane], 0, 4096, Math.floor(Math.random() * blocks) * 4096),
  write: (lane) => h.write(bufs[lane], 0, 4096, Math.floor(Math.random() * blocks) * 4096),
  getattr: () => client.raw.getattr({ object: { data: fh } }),
};

/** `count` calls of `op`, `qd` at a time. */
async function run(op, count) {
  let next = 0;
  await Promise.all(Array.from({ length: qd }, async (_, lane) => {
    while (next < count) {
      next++;
      await op(lane);
    }
  }));
}

let gcs = 0;
new PerformanceObserver((l) => { gcs += l.getEntries().length; }).observe({ entryTypes: ['gc'] });
let promises = 0;
const hook = createHook({ init(_id, type) { if (type === 'PROMISE') promises++; } });

const out = { tree, n, qd };
for (const name of ops) {
  const op = OPS[name];
  await run(op, Math.min(n, 5000)); // warm-up
  if (name === 'write') await h.sync();
  const c0 = process.cpuUsage();
  await run(op, n);
  const c = process.cpuUsage(c0);
  if (name === 'write') await h.sync();
  const cpuUs = (c.user + c.system) / n;
  // promises: the lane loop's own await adds one per call (the async function's await on a
  // promise); counted the same on both trees
  hook.enable();
  promises = 0;
  await run(op, 2000);
  hook.disable();
  const promisesPerCall = promises / 2000;
  if (name === 'write') await h.sync();
  await new Promise((r) => setImmediate(r));
  const g0 = gcs;
  const m0 = process.memoryUsage().heapUsed;
  const m = 2000;
  await run(op, m);
  const bytes = (process.memoryUsage().heapUsed - m0) / m;
  await new Promise((r) => setImmediate(r));
  const gcNote = gcs !== g0 ? ` (GC ran: ${gcs - g0})` : '';
  if (name === 'write') await h.sync();
  if (alloc) {
    const { Session } = await import('node:inspector/promises');
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
    await run(op, m);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    const by = new Map();
    const walk = (node) => {
      const f = node.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/.*\/(packages|node_modules)\//, '')}:${f.lineNumber + 1}`;
      const self = node.selfSize ?? 0;
      if (self > 0) by.set(key, (by.get(key) ?? 0) + self);
      for (const c of node.children) walk(c);
    };
    walk(profile.head);
    const total = [...by.values()].reduce((a, b) => a + b, 0);
    console.error(`  sampled ${Math.round(total / m)} bytes per call; top:`);
    for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.error(`  ${String(Math.round(v / m)).padStart(6)}  ${k}`);
    if (name === 'write') await h.sync();
  }
  out[name] = { cpuUs: +cpuUs.toFixed(1), promises: +promisesPerCall.toFixed(2), bytes: Math.round(bytes), gc: gcs !== g0 };
  console.error(`${name}: ${cpuUs.toFixed(1)} µs client CPU per call, ${promisesPerCall.toFixed(2)} promises, ${Math.round(bytes)} bytes${gcNote}`);
}
console.log(JSON.stringify(out));
await h.close();
await client.close();
await server.stop();
rmSync(root, { recursive: true, force: true });
