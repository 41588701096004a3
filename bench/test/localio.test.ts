import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Not a timing test: each row of the LOCALIO bench runs a fixed number of operations per lane
// (bounded work, not a time window) and must print every row and every ratio (the numbers
// themselves are for people to read); the LOCALIO client's counters add up to that work.
const OPS = 40;

t.test('the LOCALIO bench prints every row and the ratios', async (tt) => {
  const script = fileURLToPath(new URL('../src/localio.js', import.meta.url));
  const child = spawn(process.execPath, [script, '--ops', String(OPS), '--size', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  tt.equal(code, 0, `exit 0 ${err}`);
  tt.notMatch(out, /warning/, 'the LOCALIO client was local');
  for (const op of ['read', 'write']) {
    for (const qd of [1, 16]) {
      for (const path of ['direct fs', 'LOCALIO', 'RPC']) {
        const re = new RegExp(`^${path} +${op} +QD +${qd} +(\\d+) IOPS$`, 'm');
        const m = re.exec(out);
        tt.ok(m && Number(m[1]) > 0, `${path} ${op} QD ${qd}: ${m?.[1] ?? 'missing'} IOPS`);
      }
      tt.match(out, new RegExp(`^ratio ${op} +QD +${qd} +LOCALIO/direct \\d+\\.\\d\\d +LOCALIO/RPC \\d+\\.\\d\\d$`, 'm'), `ratios for ${op} QD ${qd}`);
    }
  }
  tt.match(out, /^direct fs \(readSync\) +read +QD +1 +\d+ IOPS$/m, 'the readSync ceiling row');
  for (const path of ['direct fs', 'LOCALIO', 'RPC']) {
    tt.match(out, new RegExp(`^${path} +seqwrite 1M +QD +1 +\\d+ IOPS$`, 'm'), `${path}: the 1 MiB sequential write row`);
  }
  tt.match(out, /^ratio seqwrite 1M QD +1 +LOCALIO\/direct \d+\.\d\d +LOCALIO\/RPC \d+\.\d\d$/m, 'ratios for the 1 MiB sequential write');
  // QD 1 and QD 16 rows: OPS per lane each, all of them local
  const m = /^# LOCALIO client: (\d+) local reads \(\d+ synchronous\), (\d+) local writes/m.exec(out);
  tt.same(m && [Number(m[1]), Number(m[2])], [OPS * 17, OPS * 17], `the LOCALIO rows were local, every operation counted (${m?.[0] ?? 'no stats line'})`);
});

t.test('the LOCALIO bench names a bad argument', async (tt) => {
  const script = fileURLToPath(new URL('../src/localio.js', import.meta.url));
  const child = spawn(process.execPath, [script, '--seconds', 'x'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  tt.equal(code, 2, 'exit 2');
  tt.match(err, /--seconds/, 'names --seconds');
});
