// A/B for bench/notes/fuse-reader.md: one server, RPC mounts with each FUSE reader (worker, loop) and
// fuse-native up at once; fio 4 KiB random reads (4,000 per turn) on each in turn, order reversed every
// other round; IOPS and the shim's CPU per READ. Usage: node bench/notes/fuse-reader-ab.mjs [rounds]
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer } from '../dist/src/suite/child-server.js';
import { mountRpc, mountFuseNative } from '../dist/src/fuse/mounts.js';
const base = mkdtempSync(join(tmpdir(), 'h19-ab-'));
const exp = join(base, 'exp'); mkdirSync(exp);
spawnSync('sh', ['-c', `head -c ${256 << 20} /dev/urandom > ${exp}/f`]);
const server = await startChildServer(exp);
const mounts = {};
for (const mode of ['worker', 'loop']) {
  const mnt = join(base, mode); mkdirSync(mnt);
  process.env.NFSTS_FUSE_READER = mode;
  mounts[mode] = { mnt, m: await mountRpc(server.url, mnt) };
}
{ const mnt = join(base, 'native'); mkdirSync(mnt); const m = await mountFuseNative(server.url, mnt); if (!('skip' in m)) mounts.native = { mnt, m }; }
import { readFileSync } from 'node:fs';
const pidOf = (mnt) => spawnSync('pgrep', ['-f', `${mnt}$`], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
const cpu = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
for (const k of Object.keys(mounts)) mounts[k].pid = pidOf(mounts[k].mnt);
console.log(Object.fromEntries(Object.entries(mounts).map(([k, v]) => [k, v.pid])));
const cpuRes = Object.fromEntries(Object.keys(mounts).map((k) => [k, []]));
const rounds = Number(process.argv[2] ?? 6), secs = process.argv[3] ?? '2';
const res = Object.fromEntries(Object.keys(mounts).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? Object.keys(mounts).reverse() : Object.keys(mounts);
  for (const k of order) {
    const c0 = cpu(mounts[k].pid);
    const o = spawnSync('fio', ['--name=ab', '--ioengine=psync', '--output-format=json', `--filename=${mounts[k].mnt}/f`, '--rw=randread', '--bs=4k', '--fadvise_hint=random', '--invalidate=1', `--size=${256 << 20}`, '--number_ios=4000'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const j = JSON.parse(o.stdout).jobs[0].read;
    res[k].push(Math.round(j.iops));
    cpuRes[k].push((cpu(mounts[k].pid) - c0) * 1e4 / 4000); // µs of shim CPU (ticks of 10 ms) per READ
  }
  console.log(`round ${r}`, JSON.stringify(Object.fromEntries(Object.entries(res).map(([k, v]) => [k, v.at(-1)]))), 'ratio loop/worker', (res.loop.at(-1) / res.worker.at(-1)).toFixed(2), res.native ? `loop/native ${(res.loop.at(-1) / res.native.at(-1)).toFixed(2)} worker/native ${(res.worker.at(-1) / res.native.at(-1)).toFixed(2)}` : '');
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log('shim CPU µs per 4 KiB READ, median', JSON.stringify(Object.fromEntries(Object.entries(cpuRes).map(([k, v]) => [k, med(v)]))), JSON.stringify(cpuRes));
console.log('median', JSON.stringify(Object.fromEntries(Object.entries(res).map(([k, v]) => [k, med(v)]))));
for (const { m } of Object.values(mounts)) await m.stop();
await server.stop();
spawnSync('rm', ['-rf', base]);
