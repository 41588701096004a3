import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planCells } from '../src/suite/run.js';
import { parseSuiteArgs } from '../src/suite/options.js';
import { TARGETS } from '../src/suite/types.js';
import type { Report } from '../src/suite/report.js';

const suite = fileURLToPath(new URL('../src/suite.js', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [suite, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// A smoke run, not a timing test: every target yields a measured cell or says why it was
// skipped; what it asserts is a count of operations, which the windows guarantee however slow.
t.test('--quick: every target produces a cell or a stated skip, and the three reports are written', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'nfsts-suite-test-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = await run(['--quick', '--out', out]);
  t.equal(r.code, 0, `exit code (stderr: ${r.stderr.slice(-2000)})`);
  const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Report;
  const planned = planCells(parseSuiteArgs(['--quick']));
  t.equal(report.cells.length, planned.length, 'one cell per planned combination');
  for (const target of TARGETS) t.ok(report.cells.some((c) => c.target === target), `${target} has cells`);
  for (const c of report.cells) {
    const name = `${c.workload} ${c.target} QD ${c.qd} jobs ${c.jobs}`;
    if (c.skip !== undefined) {
      t.ok(c.skip.length > 0, `${name}: skipped with a reason (${c.skip})`);
      t.equal(report.skippedTargets[c.target], c.skip, `${name}: the skip is the target's`);
    } else {
      t.equal(c.error, undefined, `${name}: no error`);
      // every job's window stays open until its qd operations completed in it (SYNC_BATCH
      // for direct-sync), so this is a count of work done, whatever the machine's load
      t.ok(c.ops! >= c.qd * c.jobs && c.opsPerSec! > 0, `${name}: at least QD × jobs operations measured (${c.ops})`);
      t.ok(c.p50us! > 0 && c.p99us! >= c.p50us!, `${name}: latency percentiles`);
    }
  }
  // the local targets need nothing but this machine: they must never be skipped
  for (const target of ['direct', 'direct-sync', 'localio', 'localio-worker', 'rpc-same', 'rpc-child'] as const) {
    t.equal(report.skippedTargets[target], undefined, `${target} was not skipped`);
  }
  t.match(report.machine, { cpus: Number, node: process.version, commit: String });
  t.ok(report.targets.length > 0, 'the issue targets are checked');
  // the FUSE section: skipped as a whole with a reason, or each row measured or skipped with one
  t.ok(report.fuse !== undefined, 'the FUSE section ran');
  if (report.fuse?.skip !== undefined) t.ok(report.fuse.skip.length > 0, `FUSE skipped: ${report.fuse.skip}`);
  for (const r of report.fuse?.rows ?? []) t.ok(r.skip !== undefined || (r.error === undefined && r.untarSeconds! > 0), `fuse ${r.row}: ${r.skip ?? r.error ?? 'measured'}`);
  const md = readFileSync(join(out, 'latest.md'), 'utf8');
  t.match(md, /\| workload \| target \| QD \| jobs \| ops\/s \| MB\/s \| p50 \| p99 \| note \|/);
  t.match(md, /!\[.*\]\(latest\.svg\)/, 'the Markdown shows the chart');
  t.match(md, report.machine.commit);
  // the libnfs column (compiled at the start; skipped with the reason without gcc/libnfs-dev)
  for (const target of ['libnfs-child', 'libnfs-ganesha'] as const) {
    if (report.skippedTargets[target] === undefined) t.ok(report.cells.some((c) => c.target === target && c.qd === 1 && c.procs?.[0]?.proc !== undefined), `${target}: QD 1 cells with their procedure latency`);
  }
  if (report.skippedTargets['libnfs-child'] === undefined) t.match(md, '## Latency per NFS procedure at QD 1, 2 jobs');
  // the child server's own histogram, scraped around each of its cells
  t.ok(report.cells.filter((c) => c.target === 'rpc-child' && c.workload === 'randread-4k').every((c) => c.procs?.some((p) => p.side === 'server' && p.proc === 'READ' && p.calls > 0)), 'rpc-child reads have server-side READ latency');
  const svg = readFileSync(join(out, 'latest.svg'), 'utf8');
  t.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.match(svg, /<\/svg>\n$/);
  t.ok(existsSync(join(out, 'latest.json')));
});

t.test('bad options exit 2 and name the option', async (t) => {
  const r = await run(['--seconds', 'soon']);
  t.equal(r.code, 2);
  t.match(r.stderr, /--seconds must be a number/);
  t.match(r.stderr, /usage:/);
  const soak = await run(['--soak', '/nonexistent/soak.json']);
  t.equal(soak.code, 2, 'an unreadable soak result fails before the run');
  t.match(soak.stderr, /^--soak \/nonexistent\/soak\.json: ENOENT/);
});
