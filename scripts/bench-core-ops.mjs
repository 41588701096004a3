#!/usr/bin/env node
// CPU and wall time per NFS operation of a built tree's server, calling the procedure handlers
// directly (no network, so the client and the loopback are not measured): 4 KiB READ, GETATTR of a file
// three directories down, LOOKUP in a 2,000-entry directory, CREATE+REMOVE, READDIRPLUS of the
// 2,000 entries. Compare two trees by alternating runs (the machine's noise dwarfs small
// differences; take the minimum and the median of several):
//   git worktree add /tmp/old <commit> && (cd /tmp/old && pnpm install && pnpm build)
//   for r in 1 2 3 4 5 6; do for t in /tmp/old $PWD; do echo "$t $(node scripts/bench-core-ops.mjs $t)"; done; done
// Prints one JSON line: { op: { cpu: µs/op (all threads), wall: µs/op } }. ONLY=create runs CREATE+REMOVE alone, ONLY=read READ alone.
import fs from 'node:fs'; import os from 'node:os'; import { join } from 'node:path';
const tree = process.argv[2] ?? new URL('..', import.meta.url).pathname;
const srv = await import(`${tree}/packages/server/dist/src/index.js`);
const rpc = await import(`${tree}/packages/rpc/dist/src/index.js`);
const pino = (await import(`${tree}/node_modules/.pnpm/node_modules/pino/pino.js`)).default;
const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-bench-ops-'));
const root = join(base, 'root'); fs.mkdirSync(root); fs.mkdirSync(join(root, 'big')); fs.mkdirSync(join(root, 'scratch'));
fs.mkdirSync(join(root, 'a/b/c'), { recursive: true }); fs.writeFileSync(join(root, 'a/b/c/file'), 'x');
for (let i = 0; i < 2000; i++) fs.writeFileSync(join(root, 'big', `entry-${i}`), '');
const core = await srv.ServerCore.open({ exports: [{ path: '/e', root, options: { squash: 'none' } }], stateDir: join(base, 'state') });
const prog = srv.createNfs3Program(core);
const procs = prog.versions[3].procedures;
const cred = rpc.authSys({ uid: 0, gid: 0, gids: [] });
const logger = pino({ level: 'silent' });
const ctx = (proc) => ({ xid: 1, prog: 100003, vers: 3, proc, cred, remoteAddress: '127.0.0.1', remotePort: 700, localPort: 2049, connectionId: 1, logger });
const call = (n, args) => procs[n].handler(args, ctx(n));
const rootFh = { data: core.exports[0].rootHandle };
const lk = async (dir, name) => (await call(3, { what: { dir, name } })).resok.object;
const a = await lk(rootFh, 'a'); const b = await lk(a, 'b'); const c = await lk(b, 'c'); const file = await lk(c, 'file');
const big = await lk(rootFh, 'big'); const scratch = await lk(rootFh, 'scratch');
const NO = { mode: { set_it: false }, uid: { set_it: false }, gid: { set_it: false }, size: { set_it: false }, atime: { set_it: 0 }, mtime: { set_it: 0 } };
async function measure(name, n, fn) {
  for (let i = 0; i < Math.min(200, n); i++) await fn(i); // warm
  const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  const cu = process.cpuUsage(c0); const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  return [name, { cpu: (cu.user + cu.system) / n, wall: wall / n }];
}
const out = [];
// 4 KiB READ at random offsets of a 1 MiB file (page cache); sent() runs as after a written reply
fs.writeFileSync(join(root, 'a/b/c/data'), Buffer.alloc(1 << 20, 7));
const data = await lk(c, 'data');
const readProc = procs[6];
const only = process.env.ONLY;
if (only === undefined || only === 'read') out.push(await measure('READ 4 KiB (a/b/c/data)', 20000, async (i) => {
  const r = await readProc.handler({ file: data, offset: BigInt(((i * 7919) % 255) * 4096), count: 4096 }, ctx(6));
  if (r.status !== 0 || r.resok.count !== 4096) throw new Error('read ' + r.status);
  readProc.sent?.(r);
}));
if (only === 'read') { await core.close(); fs.rmSync(base, { recursive: true, force: true }); console.log(JSON.stringify(Object.fromEntries(out))); process.exit(0); }
if (process.env.ONLY !== 'create') out.push(await measure('GETATTR (a/b/c/file)', 20000, () => call(1, { object: file })));
if (process.env.ONLY !== 'create') out.push(await measure('LOOKUP (big/entry-i)', 20000, (i) => call(3, { what: { dir: big, name: `entry-${i % 2000}` } })));
out.push(await measure('CREATE+REMOVE (scratch)', 4000, async (i) => {
  const r = await call(8, { where: { dir: scratch, name: `n${i}` }, how: { mode: 1, obj_attributes: NO } });
  if (r.status !== 0) throw new Error('create ' + r.status);
  const r2 = await call(12, { object: { dir: scratch, name: `n${i}` } });
  if (r2.status !== 0) throw new Error('remove ' + r2.status);
}));
if (process.env.ONLY !== 'create') out.push(await measure('READDIRPLUS (2000 entries)', 40, async () => {
  let cookie = 0n, verf = Buffer.alloc(8), n = 0;
  for (;;) {
    const r = await call(17, { dir: big, cookie, cookieverf: verf, dircount: 65536, maxcount: 1048576 });
    if (r.status !== 0) throw new Error('rdp ' + r.status);
    const e = r.resok.reply.entries; n += e.length; verf = r.resok.cookieverf;
    if (r.resok.reply.eof) break; cookie = e[e.length - 1].cookie;
  }
}));
await core.close(); fs.rmSync(base, { recursive: true, force: true });
console.log(JSON.stringify(Object.fromEntries(out)));
