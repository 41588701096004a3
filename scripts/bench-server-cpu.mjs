#!/usr/bin/env node
// Server CPU per NFS call over real RPC, and the reply-time distribution a client sees: starts a
// built tree's server in a child process (bench/dist/src/suite/child-server.js), drives it with
// the raw RpcClient of the same tree at a queue depth, and reads the child's utime+stime from
// /proc before and after each operation. CPU per call is robust on a loaded machine where wall
// time is not; p50/p99/p99.9 show the tail (one stall in a hundred at QD 1 is what issue 12 is about).
//   node scripts/bench-server-cpu.mjs [TREE] [--n 20000] [--qd 1] [--ops read,write,write1m,getattr,lookup,neglookup,create,kcreate,readdirplus] [--server-args '...'] [--strace PREFIX]
// --strace PREFIX: `strace -f -c` attached to the server for each op's measured calls only, into PREFIX.<op> (system calls per call).
// STRACE_ARGS='--seccomp-bpf -e trace=futex,write' narrows that trace: every traced call is slowed by
// strace, and a slowed pread trips the SyncReadGate's strikes, so trace only what you count.
// `taskset -c 0 node scripts/bench-server-cpu.mjs ...` puts client and server on one CPU (the child
// inherits the mask): no cross-CPU wake-ups, so each call costs the sum of both sides' CPU and
// 1-2 µs differences show between runs (bench/notes/qd1-placement.md).
// Compare two trees by alternating runs (see bench-core-ops.mjs). Prints one JSON line per op.
import fs from 'node:fs'; import os from 'node:os'; import { join } from 'node:path'; import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const tree = argv[0] && !argv[0].startsWith('--') ? argv[0] : new URL('..', import.meta.url).pathname;
const N = Number(opt('n', '20000')); const QD = Number(opt('qd', '1'));
const ops = opt('ops', 'read,getattr,lookup,create').split(',');
// e.g. --server-args '--cpu-prof --cpu-prof-dir=/tmp/prof' (summarise with bench/dist/src/suite/profile-summary.js)
const serverArgs = opt('server-args', '').split(' ').filter(Boolean);
const rpc = await import(`${tree}/packages/rpc/dist/src/index.js`);
const xdr = await import(`${tree}/packages/xdr/dist/src/index.js`);
const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-bench-cpu-'));
fs.mkdirSync(join(base, 'big')); fs.mkdirSync(join(base, 'scratch'));
fs.writeFileSync(join(base, 'data'), Buffer.alloc(1 << 20, 7));
for (let i = 0; i < 2000; i++) fs.writeFileSync(join(base, 'big', `entry-${i}`), '');
const child = spawn(process.execPath, [...serverArgs, `${tree}/bench/dist/src/suite/child-server.js`, base], { stdio: ['pipe', 'pipe', 'inherit'] });
const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
const url = new URL(JSON.parse(line).url);
const port = Number(url.searchParams.get('nfsport'));
const ticks = () => { const f = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
const HZ = 100; // USER_HZ on Linux
const client = new rpc.RpcClient({ host: '127.0.0.1', port, timeoutMs: 30_000, cred: rpc.authSys({ uid: 0, gid: 0, gids: [] }) });
await client.connect();
const mnt = await client.call(100005, 3, 1, xdr.xdr_dirpath, '/export', xdr.xdr_mountres3);
const rootFh = { data: mnt.mountinfo.fhandle };
const nfs = (proc, a, r, v) => client.call(100003, 3, proc, a, v, r);
const lookup = async (dir, name) => (await nfs(3, xdr.xdr_LOOKUP3args, xdr.xdr_LOOKUP3res, { what: { dir, name } })).resok.object;
const data = await lookup(rootFh, 'data'); const big = await lookup(rootFh, 'big'); const scratch = await lookup(rootFh, 'scratch');
const NO = { mode: { set_it: false }, uid: { set_it: false }, gid: { set_it: false }, size: { set_it: false }, atime: { set_it: 0 }, mtime: { set_it: 0 } };
const WBUF = Buffer.alloc(4096, 3);
const MBUF = Buffer.alloc(1 << 20, 5);
const calls = {
  read: (i) => nfs(6, xdr.xdr_READ3args, xdr.xdr_READ3res, { file: data, offset: BigInt(((i * 7919) % 255) * 4096), count: 4096 }),
  // 4 KiB UNSTABLE writes within the first MiB (the small-WRITE path)
  write: (i) => nfs(7, xdr.xdr_WRITE3args, xdr.xdr_WRITE3res, { file: data, offset: BigInt(((i * 7919) % 255) * 4096), count: 4096, stable: 0, data: WBUF }),
  // 1 MiB UNSTABLE sequential writes over the first 64 MiB (the bulk path: the record spans socket chunks)
  write1m: (i) => nfs(7, xdr.xdr_WRITE3args, xdr.xdr_WRITE3res, { file: data, offset: BigInt((i % 64) * (1 << 20)), count: 1 << 20, stable: 0, data: MBUF }),
  getattr: () => nfs(1, xdr.xdr_GETATTR3args, xdr.xdr_GETATTR3res, { object: data }),
  lookup: (i) => nfs(3, xdr.xdr_LOOKUP3args, xdr.xdr_LOOKUP3res, { what: { dir: big, name: `entry-${i % 2000}` } }),
  // one whole listing of the 2,000-entry directory in 32 KiB replies (as the Linux client asks)
  readdirplus: async () => {
    let cookie = 0n, cookieverf = Buffer.alloc(8);
    for (;;) {
      const r = await nfs(17, xdr.xdr_READDIRPLUS3args, xdr.xdr_READDIRPLUS3res, { dir: big, cookie, cookieverf, dircount: 8192, maxcount: 32768 });
      if (r.status !== 0 || r.resok.reply.eof) return r;
      const e = r.resok.reply.entries; cookie = e[e.length - 1].cookie; cookieverf = r.resok.cookieverf;
    }
  },
  // a name that is not there (NOENT): what the Linux client asks before every create
  neglookup: (i) => nfs(3, xdr.xdr_LOOKUP3args, xdr.xdr_LOOKUP3res, { what: { dir: big, name: `missing-${i}` } }),
  // what the Linux client sends for `touch NAME` (negative LOOKUP, then an UNCHECKED CREATE with a mode), then REMOVE
  kcreate: async (i) => {
    const l = await nfs(3, xdr.xdr_LOOKUP3args, xdr.xdr_LOOKUP3res, { what: { dir: scratch, name: `k${i}` } });
    if (l.status !== 2) return { status: -l.status };
    const r = await nfs(8, xdr.xdr_CREATE3args, xdr.xdr_CREATE3res, { where: { dir: scratch, name: `k${i}` }, how: { mode: 0, obj_attributes: { ...NO, mode: { set_it: true, mode: 0o644 } } } });
    if (r.status !== 0) return r;
    return nfs(12, xdr.xdr_REMOVE3args, xdr.xdr_REMOVE3res, { object: { dir: scratch, name: `k${i}` } });
  },
  create: async (i) => {
    const r = await nfs(8, xdr.xdr_CREATE3args, xdr.xdr_CREATE3res, { where: { dir: scratch, name: `n${i}` }, how: { mode: 0, obj_attributes: NO } });
    if (r.status !== 0) return r;
    return nfs(12, xdr.xdr_REMOVE3args, xdr.xdr_REMOVE3res, { object: { dir: scratch, name: `n${i}` } });
  },
};
for (const op of ops) {
  const fn = calls[op]; const okStatus = op === 'neglookup' ? 2 : 0;
  const n = op === 'create' || op === 'kcreate' ? Math.ceil(N / 5) : op === 'readdirplus' ? Math.ceil(N / 200) : N;
  for (let i = 0; i < Math.min(500, n); i++) await fn(i + n); // warm up
  // readdirplus: one op is a whole listing of 2,000 entries (about 20 calls)
  const lat = new Float64Array(n); let next = 0;
  const tracer = opt('strace', null) === null ? null : spawn('strace', [...(process.env.STRACE_ARGS ?? '').split(' ').filter(Boolean), '-f', '-c', '-o', `${opt('strace')}.${op}`, '-p', String(child.pid)], { stdio: 'ignore' });
  if (tracer !== null) await new Promise((r) => setTimeout(r, 1000)); // attached to every thread
  const t0 = ticks(); const w0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: QD }, async () => {
    while (next < n) {
      const i = next++; const s = process.hrtime.bigint();
      const r = await fn(i);
      if (r.status !== okStatus) throw new Error(`${op}: status ${r.status}`);
      lat[i] = Number(process.hrtime.bigint() - s) / 1e3;
    }
  }));
  const wall = Number(process.hrtime.bigint() - w0) / 1e3; const cpu = (ticks() - t0) * (1e6 / HZ);
  if (tracer !== null) { tracer.kill('SIGINT'); await new Promise((r) => tracer.once('exit', r)); }
  lat.sort(); const q = (p) => Math.round(lat[Math.min(n - 1, Math.floor(p * n))]);
  console.log(JSON.stringify({ op, qd: QD, n, serverCpuUsPerOp: +(cpu / n).toFixed(1), opsPerSec: Math.round(n / (wall / 1e6)), p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: Math.round(lat[n - 1]) }));
}
await client.close(); child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r));
fs.rmSync(base, { recursive: true, force: true });
