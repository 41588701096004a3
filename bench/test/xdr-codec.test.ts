import t from 'tap';
import { runXdrBench } from '../src/xdr-codec.js';

// Not a timing test: every case runs a fixed number of operations (bounded work, not a time
// window) and reports a rate (the numbers are printed by the bench).
t.test('the XDR micro-benchmark runs every case', async (t) => {
  const results = runXdrBench({ ops: 50 });
  t.same(results.map((r) => r.name.replace(/ \(.*?\)/, '').split(':').map((s) => s.trim().split(' ')[0])), [
    ['READ', 'encode'], ['READ', 'decode'], ['READ', 'encode'], ['READ', 'decode'],
    ['READDIRPLUS', 'encode'], ['READDIRPLUS', 'decode'],
  ]);
  for (const r of results) t.ok(r.ops === 50 && r.opsPerSec > 0, `${r.name}: ran ${r.ops} times`);
});
