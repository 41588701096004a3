/**
 * The soak's result: RSS samples per phase, the verdict of each of the issue's two targets,
 * and the Markdown section RESULTS.md carries (`--md`, or the suite's `--soak FILE`).
 */
import { readFileSync } from 'node:fs';
import type { Machine } from '../suite/types.js';
import { DEFAULT_CALLS, DEFAULT_CONNECTIONS, type PhaseId, type SoakOptions } from './options.js';

export interface RssSample {
  /** seconds since the phase's server started */
  t: number;
  rssMiB: number;
  /** calls answered so far in the phase */
  calls: number;
  /** the server's V8 old generation just after its latest major GC (absent before the first) */
  heapAfterGcMiB?: number;
  /** its old generation at the sample, live and garbage */
  oldUsedMiB?: number;
  /** major GCs so far */
  majorGcs?: number;
  /** what V8 had reserved for its heap, and for its young generation, at the sample */
  heapTotalMiB?: number;
  newSpaceMiB?: number;
}

export interface Verdict {
  goal: string;
  status: 'met' | 'missed';
  detail: string;
  /** set when the run was smaller than the issue's target: what was run instead */
  reduced?: string;
}

export interface SoakPhase {
  id: PhaseId;
  title: string;
  samples: RssSample[];
  /** VmHWM at the end (Linux), else the largest sample */
  peakMiB: number;
  calls: number;
  seconds: number;
  callsPerSec: number;
  /** `calls` phase: the sample at which warm-up ended */
  warmupAt?: number;
  verdict: Verdict;
}

export interface SoakResult {
  machine: Machine;
  command: string;
  options: Omit<SoakOptions, 'json' | 'md'>;
  phases: SoakPhase[];
  /** `calls` phase: how long the issue's 10,000,000 calls take at the measured rate */
  fullRunEstimateSeconds?: number;
}

const mib = (n: number): string => `${n.toFixed(1)} MiB`;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** 256 connections: the peak resident set stays under the limit. */
export function connectionsVerdict(peakMiB: number, calls: number, seconds: number, o: Pick<SoakOptions, 'connections' | 'limitMiB'>): Verdict {
  const v: Verdict = {
    goal: `${int(DEFAULT_CONNECTIONS)} connections each looping GETATTR + 4 KiB READ: server RSS under ${o.limitMiB} MiB`,
    status: peakMiB < o.limitMiB ? 'met' : 'missed',
    detail: `peak ${mib(peakMiB)} with ${int(o.connections)} connections, ${int(calls)} calls in ${seconds.toFixed(1)} s`,
  };
  if (o.connections < DEFAULT_CONNECTIONS) v.reduced = `${int(o.connections)} connections instead of ${int(DEFAULT_CONNECTIONS)}`;
  return v;
}

/**
 * One connection: after warm-up, RSS does not grow. The V8 heap grows between major
 * collections and drops after them, so a sawtooth is normal; growth is measured as the highest
 * RSS of the last quarter of the post-warm-up samples over the highest of the first quarter (a
 * leak raises every peak; a quarter of a full run spans many collections). The spread (max − min
 * over min) is reported beside it.
 */
export function callsVerdict(samples: readonly RssSample[], warmupAt: number, o: Pick<SoakOptions, 'calls' | 'flatPercent'>): Verdict {
  const after = samples.slice(Math.max(0, warmupAt));
  const goal = `${int(DEFAULT_CALLS)} calls on one connection: server RSS flat within ${o.flatPercent}% after warm-up`;
  const v: Verdict = { goal, status: 'missed', detail: 'fewer than two samples after warm-up' };
  if (after.length >= 2) {
    const rss = after.map((s) => s.rssMiB);
    const min = Math.min(...rss);
    const max = Math.max(...rss);
    const quarter = Math.max(1, Math.floor(rss.length / 4));
    const early = Math.max(...rss.slice(0, quarter));
    const late = Math.max(...rss.slice(rss.length - quarter));
    const growth = (late / early - 1) * 100;
    const spread = ((max - min) / min) * 100;
    const first = after[0]!;
    const last = after[after.length - 1]!;
    v.status = growth <= o.flatPercent ? 'met' : 'missed';
    v.detail = `growth ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% (peak of the last quarter ${mib(late)} against ${mib(early)} of the first) over ${after.length} samples ` +
      `after ${int(first.calls)} calls of warm-up; range ${mib(min)} to ${mib(max)} (spread ${spread.toFixed(1)}%); ${mib(last.rssMiB)} after ${int(last.calls)} calls${heapDetail(after, quarter)}`;
  }
  if (o.calls < DEFAULT_CALLS) v.reduced = `${int(o.calls)} calls instead of ${int(DEFAULT_CALLS)}`;
  return v;
}

/**
 * Beside the RSS verdict (which it does not change): the server's V8 old generation just
 * after major GCs, compared the same way (quarter peaks), its size at the first and last
 * sample, and the young generation's. A leak raises the old generation; V8 resizing its young
 * generation moves RSS with neither.
 */
function heapDetail(after: readonly RssSample[], quarter: number): string {
  const first = after[0]!;
  const last = after[after.length - 1]!;
  if (first.oldUsedMiB === undefined || last.oldUsedMiB === undefined) return '';
  const heap = after.map((s) => s.heapAfterGcMiB);
  let gc = '';
  if (heap.every((h) => h !== undefined)) {
    const early = Math.max(...(heap.slice(0, quarter) as number[]));
    const late = Math.max(...(heap.slice(heap.length - quarter) as number[]));
    gc = `V8 old generation after major GC ${mib(early)} → ${mib(late)} (${late >= early ? '+' : ''}${((late / early - 1) * 100).toFixed(1)}%, ${int((last.majorGcs ?? 0) - (first.majorGcs ?? 0))} major GCs after warm-up), `;
  }
  return `; ${gc}old generation ${mib(first.oldUsedMiB)} → ${mib(last.oldUsedMiB)}, young generation ${first.newSpaceMiB?.toFixed(0) ?? '?'} → ${last.newSpaceMiB?.toFixed(0) ?? '?'} MiB`;
}

/** Reads a result written by `soak.js --json FILE`; throws naming the file when it is not one. */
export function loadSoak(file: string): SoakResult {
  let r: SoakResult;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as SoakResult;
  } catch (err) {
    throw new Error(`--soak ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(r.phases) || typeof r.machine !== 'object' || r.machine === null) throw new Error(`--soak ${file}: not a soak result (no phases or machine)`);
  return r;
}

/** At most `n` samples, evenly spread, the first and last kept. */
function thin(samples: readonly RssSample[], n: number): RssSample[] {
  if (samples.length <= n) return [...samples];
  const out: RssSample[] = [];
  for (let i = 0; i < n; i++) out.push(samples[Math.round((i * (samples.length - 1)) / (n - 1))]!);
  return out;
}

export function verdictLine(v: Verdict): string {
  return `${v.status === 'met' ? 'met' : 'MISSED'}: ${v.goal} — ${v.detail}${v.reduced !== undefined ? ` (reduced run: ${v.reduced})` : ''}`;
}

/** The Markdown section; `level` is the heading level of its title (2 on its own, 2 inside RESULTS.md too). */
export function renderSoakMarkdown(r: SoakResult, level = 2): string {
  const h = '#'.repeat(level);
  const m = r.machine;
  const L: string[] = [`${h} Memory soak`, ''];
  L.push(`- **Machine**: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB memory, ${m.os}; Node ${m.node}`);
  L.push(`- **Commit** \`${m.commit}\`${m.dirty ? ' (with uncommitted changes)' : ''}, run ${m.date}`);
  L.push(`- **Run**: \`${r.command}\`${r.options.quick ? ' — **quick mode: a smoke run, the numbers mean nothing**' : ''}`);
  L.push(`- Our server runs in a child process (no metrics endpoint${(r.options.serverNodeArgs ?? []).length > 0 ? `; started with \`${r.options.serverNodeArgs!.join(' ')}\`` : ''}); its RSS is read from \`/proc/PID/status\` every ${r.options.sampleMs} ms.`);
  if (r.fullRunEstimateSeconds !== undefined) L.push(`- At the measured rate the full ${int(DEFAULT_CALLS)} calls take about ${Math.ceil(r.fullRunEstimateSeconds / 60)} min.`);
  L.push('');
  L.push('| target | status | measured |', '|---|---|---|');
  for (const p of r.phases) {
    const v = p.verdict;
    L.push(`| ${v.goal} | ${v.status === 'met' ? '**met**' : '**missed**'}${v.reduced !== undefined ? ` (reduced run: ${v.reduced})` : ''} | ${v.detail} |`);
  }
  L.push('');
  for (const p of r.phases) {
    L.push(`${h}# RSS over time: ${p.title}`, '');
    L.push(`${int(p.calls)} calls in ${p.seconds.toFixed(1)} s (${int(p.callsPerSec)} calls/s); peak ${mib(p.peakMiB)}.`, '');
    const heap = p.samples.some((s) => s.heapTotalMiB !== undefined);
    if (heap) {
      L.push('Beside RSS, the server\'s V8 heap: its old generation just after the latest major GC and at the sample, all V8 has reserved, and the young generation\'s share of that.', '');
      L.push('| s | RSS | old gen. after GC | old gen. | V8 heap | young gen. | calls |', '|---:|---:|---:|---:|---:|---:|---:|');
    } else {
      L.push('| s | RSS | calls |', '|---:|---:|---:|');
    }
    const opt = (n: number | undefined): string => (n === undefined ? '' : mib(n));
    for (const s of thin(p.samples, 24)) L.push(heap ? `| ${s.t.toFixed(1)} | ${mib(s.rssMiB)} | ${opt(s.heapAfterGcMiB)} | ${opt(s.oldUsedMiB)} | ${opt(s.heapTotalMiB)} | ${opt(s.newSpaceMiB)} | ${int(s.calls)} |` : `| ${s.t.toFixed(1)} | ${mib(s.rssMiB)} | ${int(s.calls)} |`);
    L.push('');
  }
  return L.join('\n');
}
