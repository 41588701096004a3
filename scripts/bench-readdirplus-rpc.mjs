#!/usr/bin/env node
// READDIRPLUS of a 10,000-entry directory over real RPC in the suite's shape (dircount 16 KiB,
// maxcount 64 KiB): QD lanes on one connection each list the whole directory L times. Prints the
// server's CPU per entry (from /proc), the client's, listings per second, and how many page
// builds the server made and shared (DirListings.shared, counted by count-page-builds.mjs).
// --client-read fresh|reuse sets the RpcClient's socketReadBuffer (bench/notes/readdirplus.md:
// reuse puts the lanes in lock step). Alternate two trees to compare them.
//   node scripts/bench-readdirplus-rpc.mjs TREE [--qd 16] [--listings 3] [--entries 10000] [--maxcount 65536] [--client-read reuse]
import fs from 'node:fs'; import os from 'node:os'; import { join } from 'node:path'; import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const tree = argv[0];
const QD = Number(opt('qd', '16')); const L = Number(opt('listings', '3')); const E = Number(opt('entries', '10000'));
const MAXC = Number(opt('maxcount', '65536'));
const rpc = await import(`${tree}/packages/rpc/dist/src/index.js`);
const xdr = await import(`${tree}/packages/xdr/dist/src/index.js`);
const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-rdp-rpc-'));
fs.mkdirSync(join(base, 'big'));
for (let i = 0; i < E; i++) fs.writeFileSync(join(base, 'big', `f${i}`), '');
const sargs = (process.env.NFSTS_SERVER_ARGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, ['--import', new URL('./count-page-builds.mjs', import.meta.url).pathname, ...sargs, `${tree}/bench/dist/src/suite/child-server.js`, base], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NFSTS_TREE: tree } });
let counts = null;
createInterface({ input: child.stderr }).on('line', (l) => { if (l.startsWith('COUNT ')) counts = JSON.parse(l.slice(6)); else process.stderr.write(l + '\n'); });
const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
const url = new URL(JSON.parse(line).url);
const port = Number(url.searchParams.get('nfsport'));
const ticks = () => { const f = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
const client = new rpc.RpcClient({ host: '127.0.0.1', port, timeoutMs: 60_000, ...(opt('client-read') ? { socketReadBuffer: opt('client-read') } : {}), cred: rpc.authSys({ uid: 0, gid: 0, gids: [] }) });
await client.connect();
const mnt = await client.call(100005, 3, 1, xdr.xdr_dirpath, '/export', xdr.xdr_mountres3);
const rootFh = { data: mnt.mountinfo.fhandle };
const nfs = (proc, a, r, v) => client.call(100003, 3, proc, a, v, r);
const big = (await nfs(3, xdr.xdr_LOOKUP3args, xdr.xdr_LOOKUP3res, { what: { dir: rootFh, name: 'big' } })).resok.object;
let calls = 0;
const listing = async () => {
  let cookie = 0n, cookieverf = Buffer.alloc(8), n = 0;
  for (;;) {
    calls++;
    const r = await nfs(17, xdr.xdr_READDIRPLUS3args, xdr.xdr_READDIRPLUS3res, { dir: big, cookie, cookieverf, dircount: Math.max(1024, MAXC >> 2), maxcount: MAXC });
    if (r.status !== 0) throw new Error(`status ${r.status}`);
    const e = r.resok.reply.entries; n += e.length;
    if (r.resok.reply.eof) return n;
    cookie = e[e.length - 1].cookie; cookieverf = r.resok.cookieverf;
  }
};
for (let i = 0; i < 3; i++) await listing();
await new Promise((r) => setTimeout(r, 200));
child.kill('SIGUSR2'); await new Promise((r) => setTimeout(r, 200));
calls = 0;
const t0 = ticks(); const c0 = process.cpuUsage(); const w0 = performance.now();
let entries = 0;
await Promise.all(Array.from({ length: QD }, async () => { for (let i = 0; i < L; i++) { const k = await listing(); entries += k; } }));
const wall = performance.now() - w0; const c = process.cpuUsage(c0); const cpu = (ticks() - t0) * 1e4;
child.kill('SIGUSR2'); await new Promise((r) => setTimeout(r, 300));
console.log(JSON.stringify({ tree, cr: opt("client-read"), qd: QD, listings: QD * L, entries, calls, ...counts, listingsPerSec: +((QD * L) / (wall / 1000)).toFixed(1), serverCpuUsPerEntry: +(cpu / entries).toFixed(2), clientCpuUsPerEntry: +((c.user + c.system) / entries).toFixed(2) }));
await client.close(); child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r));
fs.rmSync(base, { recursive: true, force: true });
