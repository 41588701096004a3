// bench/notes/bulk-io.md: does a cold 1 MiB READ stall the server's other calls? A built tree's
// child server exports a directory with a 256 MiB file whose pages are dropped first
// (posix_fadvise DONTNEED after fdatasync); one connection reads it 1 MiB at a time (QD 1) while
// another sends GETATTRs (QD 1) and times each. Prints the GETATTR latency percentiles (µs) and
// the READs done. Compare trees by alternating runs:
//   node bench/notes/bulk-io-cold-read.mjs TREE [SECONDS] [seq|rand]
// (rand: 1 MiB READs at random aligned offsets, so the kernel's readahead does not run ahead of them)
import fs from 'node:fs'; import os from 'node:os'; import { join } from 'node:path'; import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
const tree = process.argv[2]; const seconds = Number(process.argv[3] ?? '3'); const rand = process.argv[4] === 'rand';
const rpc = await import(`${tree}/packages/rpc/dist/src/index.js`);
const xdr = await import(`${tree}/packages/xdr/dist/src/index.js`);
const sys = await import(new URL('../../packages/sys/dist/src/index.js', import.meta.url).href);
const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-cold-'));
const SIZE = 256 << 20;
const path = join(base, 'data');
{ const fd = fs.openSync(path, 'w'); const chunk = Buffer.alloc(1 << 20, 7); for (let i = 0; i < SIZE >> 20; i++) fs.writeSync(fd, chunk); fs.fdatasyncSync(fd); fs.closeSync(fd); }
const fadvise = sys.libc().libc.func('int posix_fadvise(int fd, int64_t offset, int64_t len, int advice)');
const drop = () => { const fd = fs.openSync(path, 'r+'); fs.fdatasyncSync(fd); fadvise(fd, 0, 0, 4); fs.closeSync(fd); };
const child = spawn(process.execPath, [`${tree}/bench/dist/src/suite/child-server.js`, base], { stdio: ['pipe', 'pipe', 'inherit'] });
const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
const port = Number(new URL(JSON.parse(line).url).searchParams.get('nfsport'));
const mk = async () => { const c = new rpc.RpcClient({ host: '127.0.0.1', port, timeoutMs: 60_000, cred: rpc.authSys({ uid: 0, gid: 0, gids: [] }) }); await c.connect(); return c; };
const a = await mk(); const b = await mk();
const mnt = await a.call(100005, 3, 1, xdr.xdr_dirpath, '/export', xdr.xdr_mountres3);
const root = { data: mnt.mountinfo.fhandle };
const file = (await a.call(100003, 3, 3, xdr.xdr_LOOKUP3args, { what: { dir: root, name: 'data' } }, xdr.xdr_LOOKUP3res)).resok.object;
await a.call(100003, 3, 6, xdr.xdr_READ3args, { file, offset: 0n, count: 4096 }, xdr.xdr_READ3res); // caches the descriptor
drop();
const end = Date.now() + seconds * 1000;
let reads = 0; const lat = [];
const reader = (async () => {
  for (let i = 0; Date.now() < end && i < SIZE >> 20; i++) {
    const off = rand ? ((i * 97) % (SIZE >> 20)) << 20 : i << 20;
    await a.call(100003, 3, 6, xdr.xdr_READ3args, { file, offset: BigInt(off), count: 1 << 20 }, xdr.xdr_READ3res);
    reads++;
  }
})();
const getattrs = (async () => { while (Date.now() < end) { const s = process.hrtime.bigint(); await b.call(100003, 3, 1, xdr.xdr_GETATTR3args, { object: file }, xdr.xdr_GETATTR3res); lat.push(Number(process.hrtime.bigint() - s) / 1e3); } })();
await Promise.all([reader, getattrs]);
lat.sort((x, y) => x - y); const q = (p) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]);
console.log(JSON.stringify({ tree, coldReads: reads, getattrs: lat.length, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: Math.round(lat[lat.length - 1]), over1ms: lat.filter((v) => v > 1000).length }));
a.close?.(); b.close?.(); child.kill('SIGTERM'); fs.rmSync(base, { recursive: true, force: true });
process.exit(0);
