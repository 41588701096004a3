/**
 * CPU profiles of benchmark cells (issue 12: a cell below its target shows the profile that
 * explains it): runs each cell under `--cpu-prof`, client and server, and writes a Markdown
 * file with each side's idle/GC/program shares and top functions and files. See bench/README.md.
 *
 *   node bench/dist/src/profile-cells.js [--cells W/T/QD/JOBS,… | --missed bench/results/latest.json] [--md FILE] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseCommandLine } from './cli-args.js';
import { cellId } from './profile/cells.js';
import { parseProfileArgs, ProfileOptionError, USAGE } from './profile/options.js';
import { renderProfiles } from './profile/render.js';
import { profileCell, type CellRun } from './profile/run.js';
import { describeMachine } from './suite/machine.js';

const argv = process.argv.slice(2);
const o = parseCommandLine(argv, USAGE, parseProfileArgs, ProfileOptionError);
const machine = describeMachine();
console.log(`# ${o.cells.length} cell(s) (${o.source}); profiles under ${o.out}`);
const runs: CellRun[] = [];
for (const [i, cell] of o.cells.entries()) {
  const dir = join(o.out, `${String(i + 1).padStart(2, '0')}-${cellId(cell).replace(/\//g, '-')}`);
  const run = await profileCell(cell, dir, o.suiteArgs);
  runs.push(run);
  const n = (s: unknown[] | string): string => (typeof s === 'string' ? '-' : String(s.length));
  console.log(`${cellId(cell).padEnd(34)} ${run.error !== undefined ? `FAILED: ${run.error}` : `${Math.round(run.measured!.opsPerSec!)} ops/s`}  profiles: client ${n(run.sides.client)}, server ${n(run.sides.server)}`);
}
mkdirSync(dirname(resolve(o.md)), { recursive: true });
writeFileSync(o.md, `${renderProfiles({ runs, machine, command: ['node bench/dist/src/profile-cells.js', ...argv].join(' '), source: o.source, top: o.top, md: o.md, out: o.out, outIsTemp: o.outIsTemp })}\n`);
console.log(`# wrote ${o.md}`);
if (runs.some((r) => r.error !== undefined)) process.exitCode = 1;
