import t from 'tap';
import { runXdrBench } from '../src/xdr-codec.js';

// Not a timing test: it checks that every case runs and reports a rate (the numbers are printed by the bench).
t.test('the XDR micro-benchmark runs every case', async (t) => {
  const results = runXdrBench({ durationMs: 20 });
  t.same(results.map((r) => r.name.replace(/ \(.*?\)/, '').split(':').map((s) => s.trim().split(' ')[0])), [
    ['READ', 'encode'], ['READ', 'decode'], ['READ', 'encode'], ['READ', 'decode'],
    ['READDIRPLUS', 'encode'], ['READDIRPLUS', 'decode'],
  ]);
  for (const r of results) t.ok(r.ops > 0 && r.opsPerSec > 0, `${r.name}: ran ${r.ops} times`);
});
