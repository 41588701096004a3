/**
 * The suite's FUSE section (issue 10): what a program sees through a mount. Rows: the export
 * directory read directly, our shim over RPC (server in another process), our shim with
 * LOCALIO (`serve --mount`), and `fuse-native` (libfuse 2) over the same client and server;
 * workloads: 1 MiB sequential write (fsync included) and read, 4 KiB random read (fio `psync`,
 * or a readSync loop without fio), `ls -l` of 2,000 files and untar of this repository's
 * sources. Reads drop the mount's page cache of the file first (fio `--invalidate`); the
 * server's files are in the host's page cache, as for the `direct` row.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildServer } from '../suite/child-server.js';
import type { TargetCheck } from '../suite/report.js';
import { cliMissing, mountFuseNative, mountLocalio, mountRpc, type Mounted } from './mounts.js';

export const FUSE_ROWS = ['direct', 'localio', 'rpc', 'fuse-native'] as const;
export type FuseRowId = (typeof FUSE_ROWS)[number];
export const FUSE_ROW_TITLES: Record<FuseRowId, string> = {
  direct: 'the export directory, directly',
  localio: 'our shim, LOCALIO (`nfsts serve DIR --mount MNT`, one process)',
  rpc: 'our shim over RPC (`nfsts mount`, server in another process)',
  'fuse-native': '`fuse-native` (libfuse 2) + our client over RPC, same server',
};

export const FUSE_METRICS = ['seqWriteMBs', 'seqReadMBs', 'randReadIops', 'lsSeconds', 'untarSeconds'] as const;
export type FuseMetric = (typeof FUSE_METRICS)[number];
const METRIC_TITLES: Record<FuseMetric, string> = {
  seqWriteMBs: '1 MiB seq write MB/s',
  seqReadMBs: '1 MiB seq read MB/s',
  randReadIops: '4 KiB rand read IOPS',
  lsSeconds: '`ls -l` 2,000 files (s)',
  untarSeconds: 'untar (s)',
};
/** seconds: lower is better */
const LOWER_BETTER = new Set<FuseMetric>(['lsSeconds', 'untarSeconds']);

export interface FuseRow extends Partial<Record<FuseMetric, number>> {
  row: FuseRowId;
  /** for the LOCALIO row: FUSE passthrough on, or off and why (from `serve --mount`'s ready line) */
  passthrough?: string;
  skip?: string;
  error?: string;
}

export interface FuseSection {
  /** why the whole section did not run */
  skip?: string;
  params?: { rounds: number; writeMiB: number; readMiB: number; randMiB: number; randSeconds: number; randTool: string; lsFiles: number; tarEntries: number; tarBytes: number };
  rows: FuseRow[];
  targets: TargetCheck[];
}

export interface FuseSectionOptions { quick: boolean }

const MiB = 1024 * 1024;
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/** Why this machine cannot run the section, or undefined. */
export function fuseUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (the shim mounts with mount(2))';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  return cliMissing();
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function makeFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.allocUnsafe(Math.min(bytes, 8 * MiB));
  try {
    for (let pos = 0; pos < bytes; pos += chunk.length) writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, bytes - pos), pos);
  } finally {
    closeSync(fd);
  }
}

function seqWrite(path: string, bytes: number): number {
  const buf = randomFillSync(Buffer.allocUnsafe(MiB));
  const t0 = performance.now();
  const fd = openSync(path, 'w');
  for (let pos = 0; pos < bytes; pos += MiB) writeSync(fd, buf, 0, MiB, pos);
  fsyncSync(fd);
  closeSync(fd);
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}

/** fio reads with `invalidate` drop the mount's page cache of the file first (POSIX_FADV_DONTNEED) */
function fio(args: string[]): { bw_bytes: number; iops: number } {
  const r = spawnSync('fio', ['--name=fuse', '--ioengine=psync', '--output-format=json', ...args], { encoding: 'utf8', maxBuffer: 16 * MiB });
  if (r.status !== 0) throw new Error(`fio: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' / ')}`);
  const j = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { jobs: Array<{ read: { iops: number; bw_bytes: number } }> };
  return j.jobs[0]!.read;
}

function seqRead(path: string, bytes: number, useFio: boolean, invalidate: boolean): number {
  if (useFio) return fio([`--filename=${path}`, '--rw=read', '--bs=1M', `--size=${bytes}`, `--invalidate=${invalidate ? 1 : 0}`]).bw_bytes / 1e6;
  const buf = Buffer.allocUnsafe(MiB);
  const t0 = performance.now();
  const fd = openSync(path, 'r');
  let total = 0;
  for (let n; (n = readSync(fd, buf, 0, MiB, total)) > 0;) total += n;
  closeSync(fd);
  return total / 1e6 / ((performance.now() - t0) / 1000);
}

/** fio psync 4 KiB random reads, readahead off (POSIX_FADV_RANDOM); or a readSync loop. */
function randRead(path: string, bytes: number, seconds: number, useFio: boolean, invalidate: boolean): number {
  if (useFio) return fio([`--filename=${path}`, '--rw=randread', '--bs=4k', '--fadvise_hint=random', `--invalidate=${invalidate ? 1 : 0}`, `--size=${bytes}`, `--runtime=${seconds}`, '--time_based']).iops;
  const buf = Buffer.allocUnsafe(4096);
  const blocks = Math.floor(bytes / 4096);
  const fd = openSync(path, 'r');
  let ops = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  for (let now = t0; now < end; now = performance.now()) {
    for (let i = 0; i < 64; i++, ops++) readSync(fd, buf, 0, 4096, Math.floor(Math.random() * blocks) * 4096);
  }
  const s = (performance.now() - t0) / 1000;
  closeSync(fd);
  return ops / s;
}

function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim().split('\n').slice(0, 2).join(' / ') || `exit ${r.status ?? r.signal}`}`);
  return s;
}

function checkRow(goal: string, required: number, a: FuseRow | undefined, b: FuseRow | undefined, m: FuseMetric, aName: string, bName: string): TargetCheck {
  const va = a?.[m], vb = b?.[m];
  if (va === undefined || vb === undefined) {
    const why = [a, b].map((r, i) => (r?.[m] !== undefined ? undefined : `${i === 0 ? aName : bName} ${r?.skip !== undefined ? `skipped (${r.skip})` : r?.error !== undefined ? `failed (${r.error})` : 'not measured'}`)).filter(Boolean);
    return { goal, required, detail: why.join('; '), status: 'not measured' };
  }
  const ratio = LOWER_BETTER.has(m) ? vb / va : va / vb;
  const measured = ratio / required;
  const unit = LOWER_BETTER.has(m) ? 's' : m === 'randReadIops' ? 'IOPS' : 'MB/s';
  const detail = `${aName} ${fmt(va)} ${unit} vs ${bName} ${fmt(vb)} ${unit}: ${ratio.toFixed(2)}× (needs ${required}×)`;
  if (measured >= 1) return { goal, required, measured, detail, status: 'met' };
  return { goal, required, measured, detail, status: 'missed', shortBy: `${((1 - measured) * 100).toFixed(0)}% short (reaches ${(measured * 100).toFixed(0)}% of the target)` };
}

export function fuseTargets(rows: FuseRow[]): TargetCheck[] {
  const get = (id: FuseRowId): FuseRow | undefined => rows.find((r) => r.row === id);
  const out: TargetCheck[] = [];
  for (const m of FUSE_METRICS) out.push(checkRow(`FUSE: our shim over RPC ≥ fuse-native, ${METRIC_TITLES[m]}`, 1, get('rpc'), get('fuse-native'), m, 'ours', 'fuse-native'));
  out.push(checkRow('FUSE: our shim with LOCALIO ≥ ½ direct, 1 MiB seq read', 0.5, get('localio'), get('direct'), 'seqReadMBs', 'LOCALIO mount', 'direct'));
  return out;
}

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** Runs every row; `log` gets a line per row. Never throws for a row: the row says why. */
export async function runFuseSection(o: FuseSectionOptions, log: (line: string) => void): Promise<FuseSection> {
  const unavailable = fuseUnavailable();
  if (unavailable !== undefined) {
    log(`# fuse: skipped (${unavailable})`);
    return { skip: unavailable, rows: [], targets: [] };
  }
  const writeMiB = o.quick ? 4 : 64, readMiB = o.quick ? 4 : 128, randMiB = o.quick ? 8 : 256;
  const randSeconds = o.quick ? 0.3 : 3, lsFiles = o.quick ? 200 : 2000;
  // each figure is the best of `rounds`, the rows' order reversed every other round: the
  // machine's other load comes and goes, and lands on whichever row runs at the time
  const rounds = o.quick ? 1 : 2;
  const useFio = have('fio');
  const base = mkdtempSync(join(tmpdir(), 'nfsts-fusebench-'));
  const root = join(base, 'export');
  const stateDir = join(base, 'state');
  const tarball = join(base, 'src.tar');
  const rows: FuseRow[] = [];
  try {
    mkdirSync(root);
    makeFile(join(root, 'seq.bin'), readMiB * MiB);
    makeFile(join(root, 'rand.bin'), randMiB * MiB);
    // a directory per round, so that no mount lists one it has cached
    for (let r = 0; r < rounds; r++) {
      mkdirSync(join(root, `ls-${r}`));
      for (let i = 0; i < lsFiles; i++) writeFileSync(join(root, `ls-${r}`, `file-${i}`), '');
    }
    // this repository's packages/, sources only (no node_modules, no build output)
    const tar = spawnSync('tar', ['-cf', tarball, '--exclude=node_modules', '--exclude=dist', '-C', REPO, 'packages'], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`tar of ${REPO}packages: ${tar.stderr.trim()}`);
    const list = spawnSync('tar', ['-tf', tarball], { encoding: 'utf8', maxBuffer: 64 * MiB });
    const tarEntries = list.stdout.split('\n').filter((l) => l !== '').length;
    const params = { rounds, writeMiB, readMiB, randMiB, randSeconds, randTool: useFio ? 'fio psync' : 'readSync loop (no fio)', lsFiles, tarEntries, tarBytes: Number(spawnSync('stat', ['-c', '%s', tarball], { encoding: 'utf8' }).stdout.trim()) };

    const server = await startChildServer(root).catch((err: unknown) => err as Error);
    // every mount up at once, then each workload on every row back to back, so that the rows
    // of one workload see the same machine (other processes load it unevenly)
    const mounts: Mounted[] = [];
    const dirs = new Map<FuseRowId, string>();
    try {
      for (const id of FUSE_ROWS) {
        const row: FuseRow = { row: id };
        rows.push(row);
        try {
          if (id === 'direct') { dirs.set(id, root); continue; }
          if (server instanceof Error) throw new Error(`our server did not start: ${server.message}`);
          const mnt = join(base, `mnt-${id}`);
          mkdirSync(mnt);
                let m: Mounted;
          if (id === 'rpc') m = await mountRpc(server.url, mnt);
          else if (id === 'localio') {
            m = await mountLocalio(root, stateDir, mnt);
            row.passthrough = /passthrough (.*)\)$/.exec(m.readyLine ?? '')?.[1] ?? 'not reported';
            log(`# fuse ${id}: passthrough ${row.passthrough}`);
          }
          else {
            const r = await mountFuseNative(server.url, mnt);
            if ('skip' in r) { row.skip = r.skip; log(`# fuse ${id}: skipped (${r.skip})`); continue; }
            m = r;
          }
          mounts.push(m);
          dirs.set(id, mnt);
        } catch (err) {
          row.error = (err as Error).message;
          log(`# fuse ${id}: ERROR ${row.error}`);
        }
      }
      const steps: Array<[FuseMetric, (dir: string, id: FuseRowId, round: number) => number]> = [
        ['seqWriteMBs', (dir, id) => { const w = join(dir, `write-${id}.bin`); const v = seqWrite(w, writeMiB * MiB); rmSync(w); return v; }],
        ['seqReadMBs', (dir, id) => seqRead(join(dir, 'seq.bin'), readMiB * MiB, useFio, id !== 'direct')],
        ['randReadIops', (dir, id) => randRead(join(dir, 'rand.bin'), randMiB * MiB, randSeconds, useFio, id !== 'direct')],
        ['lsSeconds', (dir, _id, round) => timed('ls', ['-l', join(dir, `ls-${round}`)])],
        ['untarSeconds', (dir, id, round) => { const d = join(dir, `untar-${id}-${round}`); mkdirSync(d); return timed('tar', ['-xf', tarball, '-C', d]); }],
      ];
      for (const [metric, step] of steps) {
        for (let round = 0; round < rounds; round++) {
          for (const row of round % 2 === 0 ? rows : [...rows].reverse()) {
            const dir = dirs.get(row.row);
            if (dir === undefined || row.error !== undefined) continue;
            try {
              const v = step(dir, row.row, round);
              const old = row[metric];
              row[metric] = old === undefined ? v : LOWER_BETTER.has(metric) ? Math.min(old, v) : Math.max(old, v);
            } catch (err) {
              row.error = `${metric}: ${(err as Error).message}`;
              log(`# fuse ${row.row}: ERROR ${row.error}`);
            }
          }
        }
        log(`# fuse ${METRIC_TITLES[metric].padEnd(24)} ${rows.map((r) => `${r.row} ${r[metric] !== undefined ? fmt(r[metric]) : r.skip !== undefined ? 'skipped' : 'error'}`).join(', ')}`);
      }
    } finally {
      for (const m of mounts) await m.stop();
      if (!(server instanceof Error)) await server.stop();
    }
    return { params, rows, targets: fuseTargets(rows) };
  } catch (err) {
    const why = `setup failed: ${(err as Error).message}`;
    log(`# fuse: ${why}`);
    return { skip: why, rows, targets: [] };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** The section's Markdown, appended to the suite's report. */
export function renderFuseSection(s: FuseSection | undefined): string[] {
  if (s === undefined) return [];
  const L = ['## FUSE mounts (issue 10)', ''];
  if (s.skip !== undefined) return [...L, `Skipped: ${s.skip}.`, ''];
  const p = s.params!;
  L.push(`All mounts up at once, each workload run on every row back to back; each figure the best of ${p.rounds ?? 1} (the rows' order reversed every other round). The server's files are in the host's page cache; a mount's own page cache of a file is dropped before it is read (fio \`--invalidate\`). ${p.writeMiB} MiB written in 1 MiB writes then fsynced; a ${p.readMiB} MiB file read in 1 MiB reads; ${p.randSeconds} s of 4 KiB random reads over ${p.randMiB} MiB (${p.randTool}, readahead off); \`ls -l\` of ${p.lsFiles.toLocaleString('en-US')} files; untar of this repository's \`packages/\` sources (${p.tarEntries} entries, ${(p.tarBytes / 1e6).toFixed(1)} MB). See bench/notes/fuse.md.`, '');
  L.push(`| mount | ${FUSE_METRICS.map((m) => METRIC_TITLES[m]).join(' | ')} |`, `|---|${FUSE_METRICS.map(() => '---:').join('|')}|`);
  for (const r of s.rows) {
    const cells = r.skip !== undefined ? FUSE_METRICS.map((_, i) => (i === 0 ? `skipped: ${r.skip}` : '')) : FUSE_METRICS.map((m) => (r[m] !== undefined ? fmt(r[m]) : r.error !== undefined ? 'error' : ''));
    const title = FUSE_ROW_TITLES[r.row] + (r.passthrough !== undefined ? `, passthrough ${r.passthrough}` : '');
    L.push(`| ${title} | ${cells.join(' | ').replace(/\n/g, ' ')} |`);
  }
  for (const r of s.rows) if (r.error !== undefined) L.push('', `- \`${r.row}\` failed: ${r.error.replace(/\n/g, ' ')}`);
  L.push('', '| goal | status | measured |', '|---|---|---|');
  for (const t of s.targets) L.push(`| ${t.goal} | ${t.status === 'met' ? '**met**' : t.status === 'missed' ? `**missed**: ${t.shortBy}` : 'not measured'} | ${t.detail} |`);
  L.push('');
  return L;
}
