// bench/notes/bulk-io.md: preadNowaitSync against fs.readSync of a cached file, alternated rounds, one process.
// Needs a built tree and a 64 MiB file at /tmp/h30-x/data read once before (cat it to /dev/null).
import fs from 'node:fs';
const { preadNowaitSync } = await import(new URL('../../packages/sys/dist/src/index.js', import.meta.url).href);
const fd = fs.openSync('/tmp/h30-x/data', 'r');
const buf = Buffer.alloc(1 << 20);
const SIZE = 64 << 20;
for (const len of [128 << 10, 1 << 20]) {
  const res = { nowait: [], readSync: [] };
  for (let round = 0; round < 10; round++) {
    for (const [name, fn] of [['nowait', (o) => preadNowaitSync(fd, buf, 0, len, o)], ['readSync', (o) => fs.readSync(fd, buf, 0, len, o)]]) {
      const n = len === 1 << 20 ? 300 : 2000;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) { const o = ((i * 7919) % (SIZE / len)) * len; if (fn(o) !== len) throw new Error('short'); }
      res[name].push(Number(process.hrtime.bigint() - t0) / n / 1000);
    }
  }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1].toFixed(1);
  console.log(len, 'median µs per read: nowait', med(res.nowait), 'readSync', med(res.readSync), 'rounds nowait/readSync:', res.nowait.map((v, i) => (v / res.readSync[i]).toFixed(2)).join(' '));
}
