/**
 * The memory soak (issue 12): our server's RSS with 256 connections looping GETATTR + 4 KiB
 * READ, and over 10 million calls on one connection. Prints RSS over time and one verdict line
 * per target; `--md FILE` writes the Markdown section, `--json FILE` the result (which the
 * suite's `--soak FILE` puts into RESULTS.md). See bench/README.md.
 *
 *   node bench/dist/src/soak.js [--quick] [--connections N] [--seconds N] [--calls N] [--md FILE] [--json FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseCommandLine } from './cli-args.js';
import { parseSoakArgs, SoakOptionError, USAGE } from './soak/options.js';
import { renderSoakMarkdown, verdictLine } from './soak/report.js';
import { runSoak } from './soak/run.js';

const argv = process.argv.slice(2);
const options = parseCommandLine(argv, USAGE, parseSoakArgs, SoakOptionError);
const result = await runSoak(options, argv);
console.log('');
for (const p of result.phases) console.log(`# ${p.id}: ${p.calls.toLocaleString('en-US')} calls in ${p.seconds.toFixed(1)} s (${Math.round(p.callsPerSec).toLocaleString('en-US')} calls/s), peak RSS ${p.peakMiB.toFixed(1)} MiB`);
if (result.fullRunEstimateSeconds !== undefined) console.log(`# at this rate 10,000,000 calls on one connection take about ${Math.ceil(result.fullRunEstimateSeconds / 60)} min`);
for (const p of result.phases) console.log(`# verdict ${verdictLine(p.verdict)}`);
for (const [file, text] of [[options.json, `${JSON.stringify(result, null, 2)}\n`], [options.md, `${renderSoakMarkdown(result)}\n`]] as const) {
  if (file === undefined) continue;
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, text);
  console.log(`# wrote ${file}`);
}
