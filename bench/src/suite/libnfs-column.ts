/**
 * The third-party client column (issue 12): bench/c/libnfs-load.c, a C load generator on
 * libnfs's async API (one connection per job), against our server in another process
 * (`libnfs-child`) and against nfs-ganesha (`libnfs-ganesha`). The program is compiled with gcc
 * against Debian's libnfs-dev when the suite starts; without them both targets are skipped with
 * the reason. A job is one process; the jobs of a cell run at once, each on its own connection.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUCKETS } from './histogram.js';
import { IO, type IoWorkloadId, type JobResult, type TargetId } from './types.js';

export const LIBNFS_TARGETS: readonly TargetId[] = ['libnfs-child', 'libnfs-ganesha'];
const SOURCE = fileURLToPath(new URL('../../../c/libnfs-load.c', import.meta.url));
const HEADER = '/usr/include/nfsc/libnfs.h';
/** process start, MOUNT and open on top of ramp + window before a job counts as hung */
const JOB_SLACK_MS = 60_000;

export function isLibnfsTarget(t: TargetId): boolean {
  return LIBNFS_TARGETS.includes(t);
}

/**
 * Whether a libnfs cell runs at this depth and job count: QD 1 (the tail the issue is about)
 * and the deepest asked, with the fewest jobs asked, which keeps the column near a minute of
 * the full run (5 workloads × 2 depths × 2 targets × 3 s).
 */
export function libnfsRuns(qd: number, jobs: number, o: { qd: readonly number[]; jobs: readonly number[] }): boolean {
  return (qd === 1 || qd === Math.max(...o.qd)) && jobs === Math.min(...o.jobs);
}

/** Compiles the load generator into `dir`: its path, or why the libnfs targets are skipped. */
export function buildLibnfsLoad(dir: string): { bin: string } | { skip: string } {
  if (spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status !== 0) return { skip: 'gcc is not installed (Debian: apt-get install gcc)' };
  if (!existsSync(HEADER)) return { skip: 'libnfs-dev is not installed (Debian: apt-get install libnfs-dev)' };
  const bin = join(dir, 'libnfs-load');
  const r = spawnSync('gcc', ['-O2', '-o', bin, SOURCE, '-lnfs', '-lm'], { encoding: 'utf8' });
  if (r.status !== 0) return { skip: `bench/c/libnfs-load.c does not compile: ${(r.stderr || String(r.error)).trim().split('\n')[0]}` };
  return { bin };
}

export interface LibnfsCell {
  workload: IoWorkloadId;
  qd: number;
  jobs: number;
  rampMs: number;
  measureMs: number;
  /** libnfs URL of the export */
  url: string;
  /** the data file's path in the export, and its size */
  file: string;
  fileSize: number;
}

interface LoadOutput { ops: number; bytes: number; elapsedMs: number; maxNs: number; hist: Array<[number, number]> }

/** Runs one job: the program's JSON line as a JobResult, or the error it gave. */
function runJob(bin: string, c: LibnfsCell, job: number): Promise<JobResult> {
  const w = IO[c.workload];
  const args = [c.url, c.file, w.write ? 'write' : 'read', String(c.qd), String(c.measureMs / 1000), String(c.fileSize), String(w.bs),
    w.random ? 'rand' : 'seq', String(c.rampMs / 1000), String(Math.floor((job * c.fileSize) / c.jobs))];
  return new Promise((resolve) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { err = (err + d).slice(-2000); });
    const limit = c.rampMs + c.measureMs + JOB_SLACK_MS;
    const timer = setTimeout(() => p.kill('SIGKILL'), limit);
    const fail = (why: string): void => resolve({ ops: 0, units: 0, elapsedMs: 0, hist: [], error: why });
    p.once('error', (e) => { clearTimeout(timer); fail(`libnfs-load did not start: ${e.message}`); });
    p.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        fail(signal === 'SIGKILL' ? `libnfs-load did not finish within ${Math.round(limit / 1000)} s` : `libnfs-load exited with ${code ?? signal}: ${err.trim().split('\n').pop() ?? ''}`);
        return;
      }
      try {
        const o = JSON.parse(out) as LoadOutput;
        const hist = new Array<number>(BUCKETS).fill(0);
        for (const [i, n] of o.hist) hist[i] = n;
        resolve({ ops: o.ops, units: o.bytes, elapsedMs: o.elapsedMs, hist, maxNs: o.maxNs });
      } catch (e) {
        fail(`libnfs-load printed no result: ${(e as Error).message}: ${out.slice(0, 200)}`);
      }
    });
  });
}

/** The jobs of one libnfs cell, run at once. */
export function runLibnfsJobs(bin: string, c: LibnfsCell): Promise<JobResult[]> {
  return Promise.all(Array.from({ length: c.jobs }, (_, j) => runJob(bin, c, j)));
}
