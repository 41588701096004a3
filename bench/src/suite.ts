/**
 * The benchmark suite (issue 6): direct node:fs, our client with LOCALIO, our client over
 * RPC to a server in the same thread and in another process, and nfs-ganesha; fio-shaped
 * workloads plus metadata. See bench/README.md.
 *
 *   node bench/dist/src/suite.js [--quick] [--out DIR] [--seconds N] [--size MiB] [--targets …] [--workloads …]
 */
import { parseCommandLine } from './cli-args.js';
import { parseSuiteArgs, SuiteOptionError, USAGE } from './suite/options.js';
import { runSuite } from './suite/run.js';
import { loadSoak } from './soak/report.js';

const argv = process.argv.slice(2);
const options = parseCommandLine(argv, USAGE, parseSuiteArgs, SuiteOptionError);
if (options.soak !== undefined) {
  // a bad soak file fails now, not after the run
  try {
    loadSoak(options.soak);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
const { report, files } = await runSuite(options, argv);
console.log('');
for (const t of [...report.targets, ...(report.fuse?.targets ?? [])]) console.log(`# target ${t.status === 'met' ? 'met' : t.status === 'missed' ? `MISSED (${t.shortBy})` : 'not measured'}: ${t.goal} — ${t.detail}`);
console.log(`# ${report.cells.length} cells in ${Math.round(report.totalSeconds)} s`);
console.log(`# wrote ${files.json}\n# wrote ${files.md}\n# wrote ${files.svg}${files.resultsMd !== undefined ? `\n# wrote ${files.resultsMd}` : ''}`);
const errors = report.cells.filter((c) => c.error !== undefined).length;
if (errors > 0) console.log(`# ${errors} cell(s) failed (see the report)`);
