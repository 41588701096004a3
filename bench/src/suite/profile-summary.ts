/**
 * Summarises V8 CPU profiles (`--cpu-prof`): self time by function and by file, so a missed
 * target's note can say what dominates.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/dist/src/suite.js --targets localio --workloads randread-4k --qd 1 --jobs 1
 *   node bench/dist/src/suite/profile-summary.js /tmp/prof/*.cpuprofile [--top N]
 *
 * (the flags reach the worker threads and, through execArgv, the child-process server; each writes its own profile)
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileSummary {
  totalMs: number;
  /** idle, GC and program, as V8 names them */
  special: Array<{ name: string; ms: number; share: number }>;
  functions: Array<{ name: string; ms: number; share: number }>;
  files: Array<{ name: string; ms: number; share: number }>;
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const m = /\/(packages|bench|test)\/[^/]+\/(?:dist\/)?(.*)$/.exec(url);
  if (m) return `${m[1] === 'packages' ? '' : `${m[1]}/`}${url.split(/\/(?:packages|bench|test)\//)[1]!.replace('/dist/', '/')}`;
  const nm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  return url.startsWith('node:') ? url : basename(url);
}

/** Self time of one profile, or of several (the threads of one process) added together. */
export function summarise(profiles: CpuProfile | readonly CpuProfile[], top = 25): ProfileSummary {
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  const special = new Map<string, number>();
  let total = 0;
  for (const p of Array.isArray(profiles) ? profiles as readonly CpuProfile[] : [profiles as CpuProfile]) total += addProfile(p, fn, file, special);
  const rank = (m: Map<string, number>, n: number): ProfileSummary['functions'] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, ms: us / 1000, share: total > 0 ? us / total : 0 }));
  return { totalMs: total / 1000, special: rank(special, 10), functions: rank(fn, top), files: rank(file, top) };
}

/** Adds one profile's self time (µs) by function, file and V8's special nodes; returns its total. */
function addProfile(p: CpuProfile, fn: Map<string, number>, file: Map<string, number>, special: Map<string, number>): number {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name.startsWith('(') && n.callFrame.url === '') {
      special.set(name, (special.get(name) ?? 0) + us);
      continue;
    }
    const where = shortUrl(n.callFrame.url);
    const key = `${name} ${where}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    file.set(where, (file.get(where) ?? 0) + us);
  }
  return total;
}

function print(path: string, s: ProfileSummary): void {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;
  console.log(`\n== ${basename(path)}: ${s.totalMs.toFixed(0)} ms sampled`);
  for (const x of s.special) console.log(`  ${pct(x.share)}  ${x.name}`);
  console.log('  -- by file (self time)');
  for (const x of s.files.slice(0, 12)) console.log(`  ${pct(x.share)}  ${x.name}`);
  console.log('  -- by function (self time)');
  for (const x of s.functions) console.log(`  ${pct(x.share)}  ${x.name}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const ti = args.indexOf('--top');
  const top = ti >= 0 ? Number(args.splice(ti, 2)[1]) : 25;
  if (args.length === 0) {
    console.error('usage: profile-summary.js FILE.cpuprofile… [--top N]');
    process.exit(2);
  }
  for (const f of args) print(f, summarise(JSON.parse(readFileSync(f, 'utf8')) as CpuProfile, top));
}
