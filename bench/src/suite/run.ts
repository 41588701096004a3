/**
 * Runs the suite: makes the data (a file of `sizeMiB` and a directory of `dirEntries` files),
 * starts what the targets need (our server in a child process, nfs-ganesha), then measures
 * every cell in turn — for each workload, queue depth and job count, every target back to
 * back so that they see the same machine — with its jobs spread over piscina worker threads.
 */
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { runFuseSection, type FuseSection } from '../fuse/section.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { buildLibnfsLoad, isLibnfsTarget, LIBNFS_TARGETS, libnfsRuns, runLibnfsJobs } from './libnfs-column.js';
import { startMainThreadServer } from './localio-worker.js';
import { describeMachine } from './machine.js';
import type { SuiteOptions } from './options.js';
import { checkTargets, combineJobs, computeRatios, renderMarkdown, workloadTitle, type Report } from './report.js';
import { scrapeServer, serverProcs } from './server-metrics.js';
import { renderSvg } from './svg.js';
import { loadSoak } from '../soak/report.js';
import { IO, isIoWorkload, type Cell, type IoWorkloadId, type JobResult, type JobTask, type TargetId, type WorkloadId } from './types.js';

const DATA_FILE = 'data.bin';
const META_DIR = 'meta';
/** setup, teardown and a final COMMIT on top of ramp + window before a job counts as hung */
const JOB_SLACK_MS = 120_000;
/** LOCALIO bypasses only READ/WRITE/COMMIT; metadata goes to these */
const META_TARGETS: TargetId[] = ['rpc-same', 'rpc-child', 'ganesha'];

interface GaneshaHandle { dir: string; url: string; stop(): Promise<void> }
type GaneshaModule = { startGanesha(): Promise<{ skip: string } | GaneshaHandle> };

/** Writes the data file in 8 MiB pieces of random bytes, then the metadata directory. */
function makeData(dir: string, sizeBytes: number, dirEntries: number | undefined): void {
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, DATA_FILE), 'w');
  try {
    const chunk = Buffer.allocUnsafe(Math.min(sizeBytes, 8 * 1024 * 1024));
    for (let pos = 0; pos < sizeBytes; pos += chunk.length) {
      randomFillSync(chunk);
      writeSync(fd, chunk, 0, Math.min(chunk.length, sizeBytes - pos), pos);
    }
  } finally {
    closeSync(fd);
  }
  if (dirEntries !== undefined) {
    const meta = join(dir, META_DIR);
    mkdirSync(meta, { recursive: true });
    for (let i = 0; i < dirEntries; i++) writeFileSync(join(meta, `f${i}`), '');
  }
}

/** Reads the whole file once so every target starts with it in the page cache. */
function warm(file: string): void {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.allocUnsafe(8 * 1024 * 1024);
    for (let pos = 0; ; pos += b.length) if (readSync(fd, b, 0, b.length, pos) < b.length) break;
  } finally {
    closeSync(fd);
  }
}

function flush(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

interface PlannedCell { workload: WorkloadId; target: TargetId; qd: number; jobs: number }

/** The cells in the order they run: targets innermost, so each comparison is back to back. */
export function planCells(o: Pick<SuiteOptions, 'workloads' | 'targets' | 'qd' | 'jobs'>): PlannedCell[] {
  const out: PlannedCell[] = [];
  for (const w of o.workloads) {
    if (isIoWorkload(w)) {
      const qds = o.qd.includes(1) ? o.qd : [1, ...o.qd];
      for (const qd of qds) {
        for (const jobs of o.jobs) {
          for (const target of o.targets) {
            // the sync loop is queue depth 1 by nature; the others run only at the asked depths
            if (isLibnfsTarget(target) ? !libnfsRuns(qd, jobs, o) : target === 'direct-sync' ? qd !== 1 : !o.qd.includes(qd)) continue;
            out.push({ workload: w, target, qd, jobs });
          }
        }
      }
    } else {
      const qds = [...new Set([Math.min(...o.qd), Math.max(...o.qd)])];
      const jobs = Math.min(...o.jobs);
      for (const qd of qds) for (const target of o.targets) if (META_TARGETS.includes(target)) out.push({ workload: w, target, qd, jobs });
    }
  }
  return out;
}

/** The servers a warm-up runs against: the RPC servers, ours and ganesha alike (the libnfs targets share them) */
export const WARMUP_TARGETS: readonly TargetId[] = META_TARGETS;

/** The warm-up runs before the matrix: each workload at QD 1, 1 job, on each server target that runs. */
export function planWarmups(o: Pick<SuiteOptions, 'workloads' | 'targets' | 'warmupSeconds'>, skipped: Partial<Record<TargetId, string>> = {}): PlannedCell[] {
  if ((o.warmupSeconds ?? 0) <= 0) return [];
  const targets = o.targets.filter((t) => WARMUP_TARGETS.includes(t) && skipped[t] === undefined);
  return o.workloads.flatMap((workload) => targets.map((target) => ({ workload, target, qd: 1, jobs: 1 })));
}

function fmtCell(c: Cell): string {
  const head = `${workloadTitle(c.workload).padEnd(30)} QD ${String(c.qd).padStart(2)} jobs ${c.jobs} ${c.target.padEnd(11)}`;
  if (c.skip !== undefined) return `${head} skipped: ${c.skip}`;
  if (c.error !== undefined) return `${head} ERROR: ${c.error}`;
  const mb = c.mbPerSec !== undefined ? ` ${c.mbPerSec.toFixed(1).padStart(8)} MB/s` : c.entriesPerSec !== undefined ? ` ${Math.round(c.entriesPerSec)} entries/s` : '';
  return `${head} ${Math.round(c.opsPerSec!).toString().padStart(9)} ops/s${mb}  p50 ${c.p50us!.toFixed(1)} µs  p99 ${c.p99us!.toFixed(1)} µs`;
}

export interface SuiteRun { report: Report; files: { json: string; md: string; svg: string; resultsMd?: string } }

/** Runs the whole suite and writes its reports; `log` gets one line per cell. */
export async function runSuite(o: SuiteOptions, argv: readonly string[], log: (line: string) => void = console.log): Promise<SuiteRun> {
  const t0 = performance.now();
  const machine = describeMachine();
  // read before the run, so a bad file fails in a second rather than after the suite
  const soak = o.soak !== undefined ? loadSoak(o.soak) : undefined;
  const sizeBytes = o.sizeMiB * 1024 * 1024;
  const wantMeta = o.workloads.some((w) => !isIoWorkload(w));
  const base = mkdtempSync(join(tmpdir(), 'nfsts-suite-'));
  const root = join(base, 'export');
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(base, { recursive: true, force: true })];
  const skippedTargets: Partial<Record<TargetId, string>> = {};
  // a target is skipped only when it was asked for (the libnfs targets share their servers)
  const skipTarget = (t: TargetId, why: string): void => { if (o.targets.includes(t)) skippedTargets[t] ??= why; };
  const urls: Partial<Record<TargetId, string>> = {};
  let childMetricsUrl: string | undefined;
  let libnfsBin = '';
  const ganeshaFiles = { root: '' };
  const cells: Cell[] = [];
  let pool: Piscina | undefined;
  let fuse: FuseSection | undefined;
  const onSignal = (): void => { void Promise.allSettled([...cleanups].reverse().map((f) => f())).then(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  try {
    log(`# data: ${o.sizeMiB} MiB file${wantMeta ? ` and ${o.dirEntries} directory entries` : ''} in ${root}`);
    makeData(root, sizeBytes, wantMeta ? o.dirEntries : undefined);
    warm(join(root, DATA_FILE));

    if (o.targets.includes('rpc-child') || o.targets.includes('libnfs-child')) {
      try {
        const child: ChildServer = await startChildServer(root, undefined, { metrics: o.serverMetrics ?? true });
        cleanups.push(() => child.stop());
        urls['rpc-child'] = child.url;
        urls['libnfs-child'] = child.url;
        childMetricsUrl = child.metricsUrl;
      } catch (err) {
        for (const t of ['rpc-child', 'libnfs-child'] as const) skipTarget(t, `our server did not start in a child process: ${(err as Error).message}`);
      }
    }
    if (o.targets.includes('localio-worker')) {
      const s = await startMainThreadServer(root);
      cleanups.push(() => s.stop());
      urls['localio-worker'] = s.url;
    }
    if (o.targets.includes('ganesha') || o.targets.includes('libnfs-ganesha')) {
      try {
        const mod = (await import(new URL('../../../../test/dist/src/ganesha.js', import.meta.url).href)) as GaneshaModule;
        const g = await mod.startGanesha();
        if ('skip' in g) {
          for (const t of ['ganesha', 'libnfs-ganesha'] as const) skipTarget(t, g.skip);
        } else {
          cleanups.push(() => g.stop());
          makeData(g.dir, sizeBytes, wantMeta ? o.dirEntries : undefined);
          warm(join(g.dir, DATA_FILE));
          urls.ganesha = g.url;
          urls['libnfs-ganesha'] = g.url;
          ganeshaFiles.root = g.dir;
        }
      } catch (err) {
        for (const t of ['ganesha', 'libnfs-ganesha'] as const) skipTarget(t, `the ganesha harness (test/dist/src/ganesha.js) is not usable: ${(err as Error).message}; build it with \`pnpm exec tsc -b\``);
      }
    }
    if (o.targets.some(isLibnfsTarget)) {
      const b = buildLibnfsLoad(base);
      if ('skip' in b) for (const t of LIBNFS_TARGETS) skipTarget(t, b.skip);
      else libnfsBin = b.bin;
    }
    for (const [t, why] of Object.entries(skippedTargets)) log(`# ${t}: skipped (${why})`);

    const maxJobs = Math.max(...o.jobs);
    pool = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: maxJobs,
      maxThreads: maxJobs,
      concurrentTasksPerWorker: 1,
      idleTimeout: 10 * 60_000,
      // workers must run their event loop between tasks' awaits, never block in Atomics.wait
      atomics: 'disabled',
    });
    const p = pool;
    cleanups.push(() => p.destroy());

    /** Runs one cell's jobs (our worker pool, or the libnfs program) for a ramp and a window. */
    const runJobs = async (plan: PlannedCell, rampMs: number, measureMs: number): Promise<JobResult[]> => {
      if (isLibnfsTarget(plan.target)) {
        return runLibnfsJobs(libnfsBin, {
          workload: plan.workload as IoWorkloadId, qd: plan.qd, jobs: plan.jobs, rampMs, measureMs,
          url: urls[plan.target]!, file: `/${DATA_FILE}`, fileSize: sizeBytes,
        });
      }
      const barrier = new SharedArrayBuffer(8);
      const tasks: JobTask[] = Array.from({ length: plan.jobs }, (_, job) => ({
        target: plan.target, workload: plan.workload, qd: plan.qd, jobs: plan.jobs, job,
        rampMs, measureMs, barrier, fileSize: sizeBytes,
        localFile: join(root, DATA_FILE), exportFile: `/${DATA_FILE}`, exportDir: `/${META_DIR}`, dirEntries: o.dirEntries,
        root, url: urls[plan.target] ?? '',
      }));
      // a job that hangs or kills its worker fails its cell, not the run
      const limitMs = rampMs + measureMs + JOB_SLACK_MS;
      return Promise.all(tasks.map((t) => (p.run(t, { signal: AbortSignal.timeout(limitMs) }) as Promise<JobResult>).catch((err: unknown): JobResult => {
        Atomics.store(new Int32Array(barrier), 1, 1);
        const why = (err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError' ? `the job did not finish within ${Math.round(limitMs / 1000)} s` : `the worker failed: ${(err as Error).message}`;
        return { ops: 0, units: 0, elapsedMs: 0, hist: [], error: why };
      })));
    };
    // write cells leave dirty pages (direct writes are never fsynced): flush them after each, so
    // the next cell's COMMITs do not pay for this one's writeback
    const flushWrites = (workload: WorkloadId): void => {
      if (isIoWorkload(workload) && IO[workload].write) {
        for (const dir of [root, ganeshaFiles.root]) if (dir !== '') flush(join(dir, DATA_FILE));
      }
    };

    const warmups = planWarmups(o, skippedTargets);
    if (warmups.length > 0) log(`# warm-up: ${warmups.length} runs of ${o.warmupSeconds} s, each workload at QD 1 against each server, not recorded`);
    for (const plan of warmups) {
      const cell = combineJobs(plan, await runJobs(plan, 0, o.warmupSeconds! * 1000));
      log(`# warm-up ${fmtCell(cell)}`);
      flushWrites(plan.workload);
    }

    const plans = planCells(o);
    log(`# ${plans.length} cells of ${o.rampSeconds} s ramp + ${o.seconds} s each: about ${Math.ceil((plans.length * (o.rampSeconds + o.seconds + 0.2)) / 60)} min`);
    for (const plan of plans) {
      const skip = skippedTargets[plan.target];
      let cell: Cell;
      if (skip !== undefined) {
        cell = { ...plan, skip };
      } else {
        // our child-process server's own per-procedure figures: its histograms before and after the cell
        const scraped = urls[plan.target] !== undefined && urls[plan.target] === urls['rpc-child'] ? childMetricsUrl : undefined;
        const before = await scrapeServer(scraped);
        cell = combineJobs(plan, await runJobs(plan, o.rampSeconds * 1000, o.seconds * 1000));
        if (before !== undefined && cell.error === undefined) cell.procs = [...(cell.procs ?? []), ...serverProcs(before, await scrapeServer(scraped))];
      }
      cells.push(cell);
      log(fmtCell(cell));
      flushWrites(plan.workload);
    }
    if (o.fuse !== false) fuse = await runFuseSection({ quick: o.quick }, log);
  } finally {
    process.removeListener('SIGINT', onSignal);
    for (const f of cleanups.reverse()) await f().catch((err: unknown) => log(`# cleanup: ${(err as Error).message}`));
  }

  const { out, name, resultsMd, ...options } = o;
  const report: Report = {
    title: o.quick ? 'nfsts benchmark suite (quick smoke run)' : 'nfsts benchmark suite',
    machine,
    options,
    command: ['node bench/dist/src/suite.js', ...argv].join(' '),
    totalSeconds: (performance.now() - t0) / 1000,
    skippedTargets,
    cells,
    ratios: computeRatios(cells),
    targets: checkTargets(cells, o.jobs),
    ...(soak !== undefined ? { soak } : {}),
    ...(fuse === undefined ? {} : { fuse }),
  };
  mkdirSync(out, { recursive: true });
  const files: SuiteRun['files'] = { json: join(out, `${name}.json`), md: join(out, `${name}.md`), svg: join(out, `${name}.svg`) };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.svg, renderSvg(report));
  writeFileSync(files.md, renderMarkdown(report, `${name}.svg`));
  if (resultsMd !== undefined) {
    const href = relative(dirname(resolve(resultsMd)), resolve(files.svg)).split('\\').join('/');
    mkdirSync(dirname(resolve(resultsMd)), { recursive: true });
    const preface = [
      '> The latest committed full run of the benchmark suite (`bench/README.md` says what each target and',
      '> workload means). Reproduce it from the repository root with',
      '> `pnpm install && pnpm build && node bench/dist/src/suite.js --out bench/results --results-md bench/RESULTS.md`;',
      '> compare ratios within one run, as absolute figures move with the machine.',
      ...(soak !== undefined ? ['> The memory soak section comes from `node bench/dist/src/soak.js --json FILE`, given to the suite as `--soak FILE`.'] : []),
      '',
    ].join('\n');
    const md = renderMarkdown(report, href);
    const nl = md.indexOf('\n\n');
    writeFileSync(resultsMd, `${md.slice(0, nl + 2)}${preface}\n${md.slice(nl + 2)}`);
    files.resultsMd = resultsMd;
  }
  return { report, files };
}
