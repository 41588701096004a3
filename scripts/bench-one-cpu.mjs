#!/usr/bin/env node
// The QD 1 cells of the suite with the client and both servers confined to one CPU, next to the
// same cells left to the scheduler, in alternated rounds. On a VM whose idle vCPUs halt at once,
// most of a QD 1 call is the two cross-CPU wake-ups (bench/notes/qd1-placement.md); on one CPU a
// call costs what the client and the server spend on it, so "one CPU" compares the servers' CPU
// cost and "free" what the suite measures. Prints, per workload, ours/ganesha per round and the
// medians, as a Markdown table.
//   node scripts/bench-one-cpu.mjs [TREE] [--rounds 3] [--cpu 0] [--seconds 3] [--workloads a,b] [--out FILE.md]
// TREE: a built tree (default: this one). Needs root (ganesha); runs itself in a private network
// and mount namespace, as kclient-metadata.mjs does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rerunInPrivateNetns } from './lib/netns.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const tree = argv[0] && !argv[0].startsWith('--') ? argv[0].replace(/\/$/, '') : fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const rounds = Number(opt('rounds', '3'));
const cpu = opt('cpu', '0');
const seconds = opt('seconds', '3');
const workloads = opt('workloads', 'randread-4k,randwrite-4k,randread-128k,seqread-1m,seqwrite-1m,getattr,lookup,create-remove,readdirplus');
const out = opt('out', undefined);
if (!Number.isInteger(rounds) || rounds < 1) { console.error('--rounds: expected an integer >= 1'); process.exit(2); }

rerunInPrivateNetns(fileURLToPath(import.meta.url), argv, { privateRun: true, who: 'bench-one-cpu' });

const work = mkdtempSync(join(tmpdir(), 'nfsts-onecpu-'));
/** One suite run of the QD 1 cells; `pinned`: the suite (and so every server it starts) under taskset. */
function suite(pinned, round) {
  const dir = join(work, `${pinned ? 'one' : 'free'}-${round}`);
  const args = [join(tree, 'bench/dist/src/suite.js'), '--out', dir, '--name', 'r', '--targets', 'rpc-child,ganesha',
    '--workloads', workloads, '--qd', '1', '--jobs', '1', '--seconds', seconds, '--ramp', '0.5', '--size', '64', '--dir-entries', '2000', '--no-fuse'];
  const r = pinned ? spawnSync('taskset', ['-c', cpu, process.execPath, ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
    : spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`suite (${pinned ? 'one CPU' : 'free'}, round ${round}) exited with ${r.status}`);
  const cells = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).cells;
  const ratios = {};
  for (const c of cells) {
    if (c.target !== 'rpc-child') continue;
    const g = cells.find((x) => x.target === 'ganesha' && x.workload === c.workload);
    if (g !== undefined && g.opsPerSec > 0) ratios[c.workload] = c.opsPerSec / g.opsPerSec;
  }
  return ratios;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const free = [];
const one = [];
try {
  for (let i = 0; i < rounds; i++) {
    // alternate which placement goes first, so a machine that drifts hits both
    if (i % 2 === 0) { free.push(suite(false, i)); one.push(suite(true, i)); } else { one.push(suite(true, i)); free.push(suite(false, i)); }
    console.error(`round ${i + 1} of ${rounds} done`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const fmt = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');
const lines = [
  `QD 1, 1 job, ours/ganesha (ops/s over ops/s), ${rounds} alternated rounds of ${seconds} s cells; one CPU: \`taskset -c ${cpu}\` on the suite and every server it starts.`,
  '',
  '| workload | left to the scheduler: rounds | median | on one CPU: rounds | median |',
  '|---|---|---:|---|---:|',
];
for (const w of workloads.split(',')) {
  const f = free.map((r) => r[w]);
  const o = one.map((r) => r[w]);
  lines.push(`| ${w} | ${f.map(fmt).join(' ')} | ${fmt(median(f.filter(Number.isFinite)))} | ${o.map(fmt).join(' ')} | ${fmt(median(o.filter(Number.isFinite)))} |`);
}
const text = lines.join('\n') + '\n';
process.stdout.write(text);
if (out !== undefined) writeFileSync(out, text);
