// Used for bench/notes/connection-split.md: node connection-split-pair.mjs BASE_TREE NEW_TREE [ROUNDS=20] [BATCH=3000] (both trees built).
// Paired A/B of the RPC server layer: two trees' RpcServers in one process, one client code,
// alternating batches (ABBA) so load drift hits both alike. Prints CPU µs per call per tree.
const [A, B] = [process.argv[2], process.argv[3]];
const ROUNDS = Number(process.argv[4] ?? 20), BATCH = Number(process.argv[5] ?? 3000);
const xdr = await import(`${A}/packages/xdr/dist/src/index.js`);
const clientRpc = await import(`${A}/packages/rpc/dist/src/index.js`);
const fh = { data: Buffer.alloc(28, 1) };
const attrs = { type: 1, mode: 0o644, nlink: 1, uid: 0, gid: 0, size: 4096n, used: 4096n, rdev: { specdata1: 0, specdata2: 0 }, fsid: 1n, fileid: 2n,
  atime: { seconds: 1, nseconds: 2 }, mtime: { seconds: 1, nseconds: 2 }, ctime: { seconds: 1, nseconds: 2 } };
const res = { status: 0, resok: { obj_attributes: attrs } };
async function start(tree) {
  const rpc = await import(`${tree}/packages/rpc/dist/src/index.js`);
  const s = new rpc.RpcServer();
  s.register({ prog: 200001, name: 'bench', versions: { 3: { procedures: {
    1: { name: 'GETATTR', args: xdr.xdr_GETATTR3args, res: xdr.xdr_GETATTR3res, handler: () => res },
    2: { name: 'GETATTR_ASYNC', args: xdr.xdr_GETATTR3args, res: xdr.xdr_GETATTR3res, handler: () => Promise.resolve(res) },
  } } } });
  const { port } = await s.listen(0, '127.0.0.1');
  const c = new clientRpc.RpcClient({ host: '127.0.0.1', port, timeoutMs: 30000, cred: clientRpc.authSys({ uid: 0, gid: 0, gids: [] }) });
  await c.connect();
  return { s, c };
}
const ends = { A: await start(A), B: await start(B) };
async function batch(e, proc) {
  const u0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < BATCH; i++) await e.c.call(200001, 3, proc, xdr.xdr_GETATTR3args, { object: fh }, xdr.xdr_GETATTR3res);
  const u = process.cpuUsage(u0); return [(u.user + u.system) / BATCH, BATCH / ((performance.now() - t0) / 1000)];
}
for (const proc of [1, 2]) { await batch(ends.A, proc); await batch(ends.B, proc); } // warm up
const out = { 1: { A: [], B: [] }, 2: { A: [], B: [] } };
for (let r = 0; r < ROUNDS; r++) for (const proc of [1, 2]) {
  const order = r % 2 === 0 ? ['A', 'B', 'B', 'A'] : ['B', 'A', 'A', 'B'];
  for (const k of order) out[proc][k].push(await batch(ends[k], proc));
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
for (const proc of [1, 2]) {
  const line = { proc: proc === 1 ? 'sync' : 'async' };
  for (const k of ['A', 'B']) {
    const cpu = out[proc][k].map((x) => x[0]); const ops = out[proc][k].map((x) => x[1]);
    line[k] = { cpuUsMin: +Math.min(...cpu).toFixed(2), cpuUsMed: +med(cpu).toFixed(2), opsMax: Math.round(Math.max(...ops)), opsMed: Math.round(med(ops)) };
  }
  // paired: per round, B's mean of its two batches over A's
  const ratios = []; for (let i = 0; i < out[proc].A.length; i += 2) ratios.push((out[proc].B[i][0] + out[proc].B[i + 1][0]) / (out[proc].A[i][0] + out[proc].A[i + 1][0]));
  line.cpuRatioBoverA_med = +med(ratios).toFixed(3);
  console.log(JSON.stringify(line));
}
for (const e of Object.values(ends)) { e.c.close?.(); await e.s.close({ timeoutMs: 100 }); }
process.exit(0);
