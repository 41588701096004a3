#!/usr/bin/env node
// A third-party client column: bench/c/libnfs-load.c (libnfs's async API, one connection) does
// 4 KiB random reads and writes at QD 1 and 16 against this tree's server (in a child process)
// and, when it can start, nfs-ganesha, alternating the two cell by cell. Prints ops/s and
// p50/p99/p99.9 reply times per cell and the ours/ganesha ratio of ops/s.
//   node scripts/bench-libnfs.mjs [--seconds 5] [--rounds 2]
//   node scripts/bench-libnfs.mjs --no-ganesha --server-tree /tmp/base --cells read1   (another tree's server alone)
// (ganesha needs fixed ports, so as root the script re-runs itself in a private network
// namespace; not as root, ganesha is skipped.)
// Needs gcc and Debian's libnfs-dev to compile the load generator (here, at bench time, never
// at install time): without them it prints { "skip": reason } and exits 0.
import fs from 'node:fs'; import os from 'node:os'; import { join } from 'node:path'; import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { rerunInPrivateNetns } from './lib/netns.mjs';
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const seconds = opt('seconds', '5'); const rounds = Number(opt('rounds', '2'));
const tree = new URL('..', import.meta.url).pathname;
// --server-tree DIR: the built tree whose server is measured (default this one), e.g. a baseline worktree
const serverTree = opt('server-tree', tree);
const only = opt('cells', 'read1,write1,read16,write16').split(',');
const SIZE = 64 << 20;
if (!argv.includes('--no-ganesha') && process.getuid?.() === 0) rerunInPrivateNetns(new URL(import.meta.url).pathname, argv, { who: 'bench-libnfs' });

const skip = (reason) => { console.log(JSON.stringify({ skip: reason })); process.exit(0); };
if (spawnSync('gcc', ['--version']).status !== 0) skip('gcc is not installed');
if (!fs.existsSync('/usr/include/nfsc/libnfs.h')) skip('libnfs-dev is not installed (Debian: apt-get install libnfs-dev)');
const work = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-bench-libnfs-'));
const bin = join(work, 'libnfs-load');
try {
  execFileSync('gcc', ['-O2', '-o', bin, join(tree, 'bench/c/libnfs-load.c'), '-lnfs', '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
} catch (err) {
  skip(`libnfs-load does not compile: ${String(err.stderr ?? err.message).trim().split('\n')[0]}`);
}

const targets = [];
const ours = join(work, 'ours'); fs.mkdirSync(ours); fs.writeFileSync(join(ours, 'data'), Buffer.alloc(SIZE, 1));
const child = spawn(process.execPath, [join(serverTree, 'bench/dist/src/suite/child-server.js'), ours], { stdio: ['pipe', 'pipe', 'inherit'] });
const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
targets.push({ name: 'nfsts', url: JSON.parse(line).url, stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); } });
let ganeshaSkip = argv.includes('--no-ganesha') ? 'not asked for (--no-ganesha)' : null;
if (ganeshaSkip === null) try {
  const { startGanesha } = await import(join(tree, 'test/dist/src/ganesha.js'));
  const g = await startGanesha();
  if ('skip' in g) ganeshaSkip = g.skip;
  else {
    fs.writeFileSync(join(g.dir, 'data'), Buffer.alloc(SIZE, 1));
    targets.push({ name: 'ganesha', url: g.url, stop: () => g.stop() });
  }
} catch (err) {
  ganeshaSkip = `ganesha harness unavailable: ${err.message}`;
}
if (ganeshaSkip !== null) console.error(`ganesha skipped: ${ganeshaSkip}`);

const cells = [['read', 1], ['write', 1], ['read', 16], ['write', 16]].filter(([op, qd]) => only.includes(`${op}${qd}`));
const results = {};
for (let r = 0; r < rounds; r++) {
  for (const [op, qd] of cells) {
    for (const t of (r % 2 === 0 ? targets : [...targets].reverse())) {
      const out = execFileSync(bin, [t.url, '/data', op, String(qd), seconds, String(SIZE)], { encoding: 'utf8' });
      const m = JSON.parse(out);
      ((results[`${op} 4k QD${qd}`] ??= {})[t.name] ??= []).push(m);
    }
  }
}
for (const t of targets) await t.stop();
fs.rmSync(work, { recursive: true, force: true });
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log(`| libnfs cell | ${targets.map((t) => `${t.name} ops/s (p50/p99/p99.9 µs)`).join(' | ')} | ours/ganesha |`);
console.log(`|---|${targets.map(() => '---|').join('')}---|`);
for (const [cell, by] of Object.entries(results)) {
  const cols = targets.map((t) => {
    const ms = by[t.name];
    return `${median(ms.map((m) => m.opsPerSec))} (${median(ms.map((m) => m.p50Us))}/${median(ms.map((m) => m.p99Us))}/${median(ms.map((m) => m.p999Us))})`;
  });
  const ratio = by.ganesha ? (median(by.nfsts.map((m) => m.opsPerSec)) / median(by.ganesha.map((m) => m.opsPerSec))).toFixed(2) + '×' : `n/a (${ganeshaSkip})`;
  console.log(`| ${cell} | ${cols.join(' | ')} | ${ratio} |`);
}
console.log(JSON.stringify({ rounds, seconds: Number(seconds), results }));
