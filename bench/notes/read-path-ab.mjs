// The read-path A/B of bench/notes/read-path.md: libnfs-load (bench/c/libnfs-load.c, compiled
// with `gcc -O2 -o LOAD bench/c/libnfs-load.c -lnfs -lm`) against each built tree's server in a
// child process and against nfs-ganesha, cell by cell, the order reversed every round; prints
// ops/s, p50/p99 (µs), server CPU per call (utime+stime of the server process over the calls)
// and ours/ganesha per round. Needs root and a private network namespace (ganesha):
//   unshare -n -m -- sh -c 'mount -t tmpfs tmpfs /run; ip link set lo up; ip addr add 127.0.0.2/8 dev lo; \
//     DATA=/tmp/x/data LOAD=/tmp/x/libnfs-load node bench/notes/read-path-ab.mjs 5 1.5 131072:1:rand,1048576:1:seq TREE_A TREE_B'
// (DATA: a 64 MiB file in a directory of its own, which the child servers export; the private
// /run keeps rpcbind's lock file apart from other rpcbinds on the machine.)
import fs from 'node:fs'; import { join } from 'node:path'; import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
const [rounds, seconds, cellsArg, ...trees] = process.argv.slice(2);
const cells = cellsArg.split(',').map((c) => { const [b, q, m] = c.split(':'); return { b, q, m }; });
const SIZE = 64 << 20;
const DATA = process.env.DATA; const LOAD = process.env.LOAD;
if (!DATA || !LOAD) { console.error('set DATA and LOAD'); process.exit(2); }
const data = fs.readFileSync(DATA);
const ticks = (pid) => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
const targets = [];
for (const tree of trees) {
  const child = spawn(process.execPath, [join(tree, 'bench/dist/src/suite/child-server.js'), join(DATA, '..')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  targets.push({ name: tree.split('/').pop(), url: JSON.parse(line).url, pid: child.pid, stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); } });
}
const { startGanesha } = await import(new URL('../../test/dist/src/ganesha.js', import.meta.url).href);
const g = await startGanesha();
if ('skip' in g) { console.error('ganesha skipped', g.skip); process.exit(1); }
fs.writeFileSync(join(g.dir, 'data'), data);
const gpid = Number(execFileSync('pgrep', ['-f', '-n', 'ganesha.nfsd'], { encoding: 'utf8' }).trim());
const base = g.dir.replace(/\/export$/, '');
const cmd = fs.readFileSync(`/proc/${gpid}/cmdline`, 'utf8');
if (!cmd.includes(base)) console.error('warning: ganesha pid may not be ours', cmd);
targets.push({ name: 'ganesha', url: g.url, pid: gpid, stop: () => g.stop() });
const results = {};
for (let r = 0; r < Number(rounds); r++) {
  for (const c of cells) {
    for (const t of (r % 2 === 0 ? targets : [...targets].reverse())) {
      const args = [t.url, '/data', 'read', c.q, String(seconds), String(SIZE), c.b, c.m, '0.3'];
      const t0 = ticks(t.pid);
      const m = JSON.parse(execFileSync(LOAD, args, { encoding: 'utf8' }));
      const cpu = (ticks(t.pid) - t0) * 10000 / (m.ops * (1 + 0.3 / Number(seconds)));
      ((results[`${c.b}:${c.q}:${c.m}`] ??= {})[t.name] ??= []).push({ ops: m.opsPerSec, p50: m.p50Us, p99: m.p99Us, cpu: Math.round(cpu) });
    }
  }
  process.stderr.write(`round ${r} done\n`);
}
for (const t of targets) await t.stop();
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const [cell, by] of Object.entries(results)) {
  console.log(cell);
  for (const [name, ms] of Object.entries(by)) {
    const ratios = name === 'ganesha' ? '' : ' ratio/round ' + ms.map((m, i) => (m.ops / by.ganesha[i].ops).toFixed(2)).join(' ');
    console.log(`  ${name.padEnd(10)} ops ${med(ms.map((m) => m.ops))} p50 ${med(ms.map((m) => m.p50))} p99 ${med(ms.map((m) => m.p99))} cpu/op ${med(ms.map((m) => m.cpu))}µs${ratios}`);
  }
}
console.log(JSON.stringify(results));
