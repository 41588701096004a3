/**
 * The Markdown of `profile-cells`: per cell, the client's and the server's CPU profiles side
 * by side — where each process's time went (idle, GC, program, JavaScript) and its top
 * functions and files by self time (bench/src/suite/profile-summary.ts).
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { summarise, type CpuProfile, type ProfileSummary } from '../suite/profile-summary.js';
import { workloadTitle } from '../suite/report.js';
import type { Machine } from '../suite/types.js';
import type { CellRun, ProfileFile } from './run.js';

/** V8's names for the time no JavaScript function owns */
const SPECIAL = [['(idle)', 'idle'], ['(garbage collector)', 'GC'], ['(program)', 'program (native, outside JS)']] as const;

export interface RenderInput {
  runs: CellRun[]; machine: Machine; command: string; source: string; top: number; md: string;
  /** the directory the .cpuprofile files were written to; the cells name their files relative to it */
  out: string;
  /** whether `out` is a temporary directory of the run's own choosing (no --out given) */
  outIsTemp: boolean;
}

type Side = { summary: ProfileSummary; files: ProfileFile[] } | string;

function load(files: ProfileFile[] | string, top: number): Side {
  if (typeof files === 'string') return files;
  if (files.length === 0) return 'no profile was written';
  return { files, summary: summarise(files.map((f) => JSON.parse(readFileSync(f.path, 'utf8')) as CpuProfile), top) };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const esc = (s: string): string => s.replace(/\|/g, '\\|');
const us = (n: number | undefined): string => (n === undefined ? '' : n >= 1000 ? `${(n / 1000).toFixed(1)} ms` : `${n.toFixed(0)} µs`);

function share(s: Side, name: string): string {
  if (typeof s === 'string') return '';
  return pct(s.summary.special.find((x) => x.name === name)?.share ?? 0);
}

function cellSection(run: CellRun, i: number, top: number, out: string): string[] {
  const c = run.cell;
  const L = [`## ${i + 1}. ${workloadTitle(c.workload)}, QD ${c.qd}, ${c.jobs} job${c.jobs > 1 ? 's' : ''}: \`${c.target}\``, ''];
  if (c.why !== undefined) L.push(`Why: ${c.why}.`, '');
  if (run.measured?.opsPerSec !== undefined) {
    const m = run.measured;
    L.push(`Under the profiler: ${Math.round(m.opsPerSec!).toLocaleString('en-US')} ops/s${m.mbPerSec !== undefined ? ` (${m.mbPerSec.toFixed(1)} MB/s)` : m.entriesPerSec !== undefined ? ` (${Math.round(m.entriesPerSec).toLocaleString('en-US')} entries/s)` : ''}, p50 ${us(m.p50us)}, p99 ${us(m.p99us)} (the profiler slows both sides: read the shares, not the rate).`, '');
  }
  if (run.error !== undefined) L.push(`**The run failed**: ${esc(run.error)}`, '');
  const client = load(run.sides.client, top);
  const server = load(run.sides.server, top);
  const rel = (p: string): string => relative(resolve(out), resolve(p)).split('\\').join('/');
  const where = (s: Side): string => (typeof s === 'string' ? s : s.files.map((f) => `\`${rel(f.path)}\``).join(', '));
  L.push(`- client profile${typeof client !== 'string' && client.files.length > 1 ? 's (worker threads, added together)' : ''}: ${where(client)}`);
  L.push(`- server profile${typeof server !== 'string' && server.files.length > 1 ? 's' : ''}: ${where(server)}`, '');
  if (typeof client === 'string' && typeof server === 'string') return L;
  const col = (s: Side, f: (x: ProfileSummary) => string): string => (typeof s === 'string' ? '—' : f(s.summary));
  L.push('| share of sampled time | client | server |', '|---|---:|---:|');
  L.push(`| sampled | ${col(client, (x) => `${Math.round(x.totalMs).toLocaleString('en-US')} ms`)} | ${col(server, (x) => `${Math.round(x.totalMs).toLocaleString('en-US')} ms`)} |`);
  for (const [name, title] of SPECIAL) L.push(`| ${title} | ${share(client, name)} | ${share(server, name)} |`);
  const js = (s: ProfileSummary): string => pct(s.functions.length === 0 && s.totalMs === 0 ? 0 : 1 - s.special.reduce((a, x) => a + x.share, 0));
  L.push(`| JavaScript and its builtins | ${col(client, js)} | ${col(server, js)} |`, '');
  for (const [title, key] of [['functions', 'functions'], ['files', 'files']] as const) {
    L.push(`Top ${title} by self time:`, '', '| # | client | % | server | % |', '|---:|---|---:|---|---:|');
    const a = typeof client === 'string' ? [] : client.summary[key];
    const b = typeof server === 'string' ? [] : server.summary[key];
    for (let k = 0; k < Math.min(top, Math.max(a.length, b.length)); k++) {
      L.push(`| ${k + 1} | ${a[k] !== undefined ? `\`${esc(a[k]!.name)}\`` : ''} | ${a[k] !== undefined ? pct(a[k]!.share) : ''} | ${b[k] !== undefined ? `\`${esc(b[k]!.name)}\`` : ''} | ${b[k] !== undefined ? pct(b[k]!.share) : ''} |`);
    }
    L.push('');
  }
  return L;
}

export function renderProfiles(r: RenderInput): string {
  const m = r.machine;
  const L = ['# CPU profiles of benchmark cells', ''];
  L.push(`- **Machine**: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB memory, ${m.os}; Node ${m.node}`);
  L.push(`- **Commit** \`${m.commit}\`${m.dirty ? ' (with uncommitted changes)' : ''}, run ${m.date}`);
  L.push(`- **Run**: \`${r.command}\`: ${r.source}, ${r.runs.length} cell${r.runs.length === 1 ? '' : 's'}`);
  L.push(r.outIsTemp
    ? `- **Profiles**: written to a temporary directory (\`${r.out}\`), not kept with this file; the cells name their files relative to it. Give \`--out DIR\` to keep them.`
    : `- **Profiles**: under \`${r.out}\`; the cells name their files relative to it.`, '');
  L.push('Each cell is one run of the suite (`suite.js`) with `--cpu-prof`: the client column is the suite\'s',
    'worker threads, where the jobs run (their profiles added together), the server column our server\'s',
    'process (or thread); shares are of each side\'s own sampled time, from its start to its exit, so setup',
    'and the ramp are in them too. Summarised by `bench/src/suite/profile-summary.ts`.', '');
  if (r.runs.length === 0) L.push('(no cells to profile)', '');
  r.runs.forEach((run, i) => L.push(...cellSection(run, i, r.top, r.out)));
  return L.join('\n');
}
