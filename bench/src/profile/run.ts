/**
 * Runs one cell under V8's CPU profiler: the suite itself (`suite.js`, one workload, target,
 * queue depth and job count) started with `--cpu-prof`, which reaches its piscina workers and,
 * through execArgv, the child-process server; every thread writes its own profile on exit.
 * The profiles are then told apart by process and thread from their file names.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../suite/report.js';
import type { Cell, TargetId } from '../suite/types.js';
import { cellId, type ProfileCell } from './cells.js';

const SUITE = fileURLToPath(new URL('../suite.js', import.meta.url));
/** Node names a profile CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile */
const PROFILE_NAME = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/;

export interface ProfileFile { path: string; pid: number; tid: number }

/** Where a target's client and server run, so each side's profiles can be found. */
export interface Sides {
  /** the load generator's profiles (the suite's worker threads), or why there are none */
  client: ProfileFile[] | string;
  server: ProfileFile[] | string;
}

export interface CellRun {
  cell: ProfileCell;
  dir: string;
  /** the suite's own figures for the cell (taken under the profiler) */
  measured?: Cell;
  /** the suite failed: its exit code and the tail of its output */
  error?: string;
  sides: Sides;
  /** every profile the run wrote */
  profiles: ProfileFile[];
}

/** Splits the profiles of one suite run into client and server by where `target` runs. */
export function splitSides(target: TargetId, suitePid: number, profiles: readonly ProfileFile[]): Sides {
  const main = profiles.filter((p) => p.pid === suitePid && p.tid === 0);
  const workers = profiles.filter((p) => p.pid === suitePid && p.tid !== 0);
  const child = profiles.filter((p) => p.pid !== suitePid);
  const client = target.startsWith('libnfs-') ? 'libnfs (bench/c/libnfs-load.c, C): no V8 profile' : workers;
  switch (target) {
    case 'rpc-child':
    case 'libnfs-child': return { client, server: child };
    case 'localio-worker': return { client, server: main };
    case 'localio':
    case 'rpc-same': return { client, server: 'in the client\'s own worker thread: its profile is the client column' };
    case 'ganesha':
    case 'libnfs-ganesha': return { client, server: 'nfs-ganesha (C): no V8 profile' };
    default: return { client, server: 'none (the backing file directly)' };
  }
}

export function listProfiles(dir: string): ProfileFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const m = PROFILE_NAME.exec(name);
    return m === null ? [] : [{ path: join(dir, name), pid: Number(m[1]), tid: Number(m[2]) }];
  }).sort((a, b) => a.pid - b.pid || a.tid - b.tid);
}

/** Runs the suite on one cell under the profiler, into `dir`. */
export async function profileCell(cell: ProfileCell, dir: string, suiteArgs: readonly string[]): Promise<CellRun> {
  dir = resolve(dir);
  mkdirSync(dir, { recursive: true });
  const args = ['--cpu-prof', `--cpu-prof-dir=${dir}`, SUITE, '--targets', cell.target, '--workloads', cell.workload, '--qd', String(cell.qd),
    '--jobs', String(cell.jobs), '--no-fuse', '--out', dir, '--name', 'suite', ...suiteArgs];
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: string): void => { output = (output + d).slice(-4000); };
  p.stdout.setEncoding('utf8').on('data', keep);
  p.stderr.setEncoding('utf8').on('data', keep);
  const code = await new Promise<number | null>((r) => p.once('close', r));
  const profiles = listProfiles(dir);
  const run: CellRun = { cell, dir, profiles, sides: splitSides(cell.target, p.pid!, profiles) };
  if (code !== 0) {
    run.error = `the suite exited with ${code}: ${output.trim().split('\n').slice(-5).join(' / ')}`;
    return run;
  }
  try {
    const report = JSON.parse(readFileSync(join(dir, 'suite.json'), 'utf8')) as Report;
    const measured = report.cells.find((c) => cellId(c) === cellId(cell));
    if (measured === undefined) run.error = 'the suite ran but its report has no such cell';
    else if (measured.error !== undefined || measured.skip !== undefined) run.error = measured.error ?? `skipped: ${measured.skip}`;
    else run.measured = measured;
  } catch (err) {
    run.error = `the suite's report is unreadable: ${(err as Error).message}`;
  }
  return run;
}
