// The FUSE section's report logic (bench/src/fuse/section.ts): the targets from rows,
// with "lower is better" for times, and the Markdown; the run itself is in suite-quick.test.ts.
import t from 'tap';
import { fuseTargets, renderFuseSection, type FuseRow } from '../src/fuse/section.js';
import { parseSuiteArgs } from '../src/suite/options.js';

const rows: FuseRow[] = [
  { row: 'direct', seqWriteMBs: 800, seqReadMBs: 4000, randReadIops: 300_000, lsSeconds: 0.02, untarSeconds: 0.1 },
  { row: 'localio', seqWriteMBs: 120, seqReadMBs: 2100, randReadIops: 9000, lsSeconds: 0.5, untarSeconds: 2 },
  { row: 'rpc', seqWriteMBs: 100, seqReadMBs: 80, randReadIops: 2000, lsSeconds: 0.5, untarSeconds: 3 },
  { row: 'fuse-native', seqWriteMBs: 10, seqReadMBs: 100, randReadIops: 1000, lsSeconds: 1, untarSeconds: 2 },
];

t.test('targets: ours over fuse-native per metric, times inverted; LOCALIO over half of direct', async (t) => {
  const got = fuseTargets(rows);
  t.equal(got.length, 6);
  t.same(got.map((c) => c.status), ['met', 'missed', 'met', 'met', 'missed', 'met']);
  t.match(got[3]!.detail, /0\.50 s vs fuse-native 1\.00 s: 2\.00×/, 'ls -l: half the time is twice as good');
  t.match(got[4]!.shortBy, /33% short/);
  t.match(got[5]!.detail, /0\.53× \(needs 0\.5×\)/);
});

t.test('a skipped reference row makes its targets "not measured" with the reason', async (t) => {
  const skipped = [...rows.slice(0, 3), { row: 'fuse-native', skip: 'fuse-native does not load' } as FuseRow];
  const got = fuseTargets(skipped);
  t.equal(got.filter((c) => c.status === 'not measured').length, 5);
  t.match(got[0]!.detail, /fuse-native skipped \(fuse-native does not load\)/);
  const md = renderFuseSection({ rows: skipped, targets: got, params: { rounds: 2, writeMiB: 64, readMiB: 128, randMiB: 256, randSeconds: 3, randTool: 'fio psync', lsFiles: 2000, tarEntries: 348, tarBytes: 2e6 } }).join('\n');
  t.match(md, /## FUSE mounts/);
  t.match(md, /\| `fuse-native` \(libfuse 2\)[^\n]*\| skipped: fuse-native does not load \|/);
});

t.test('a section skipped as a whole says why; --no-fuse turns it off', async (t) => {
  t.match(renderFuseSection({ skip: 'no /dev/fuse', rows: [], targets: [] }).join('\n'), /Skipped: no \/dev\/fuse\./);
  t.same(renderFuseSection(undefined), []);
  t.equal(parseSuiteArgs(['--no-fuse']).fuse, false);
  t.equal(parseSuiteArgs(['--quick']).fuse, true);
});
