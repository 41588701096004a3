#!/usr/bin/env node
// CPU per directory entry of stat'ing it and writing its fattr3 (READDIRPLUS's per-entry core):
// at.statx + putFattr3(Stats) against at.statxLeanOrErrno + putFattr3(LeanStats), one directory
// descriptor, N names, alternated in one process, timed with process.cpuUsage (user time is the
// figure: the kernel's share is the file system's). Trees without LeanStats print Stats only.
//   node scripts/bench-statx-attr-cpu.mjs [TREE] [--entries 10000] [--rounds 20]
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const tree = argv[0] && !argv[0].startsWith('--') ? argv[0] : new URL('..', import.meta.url).pathname;
const N = Number(opt('entries', '10000'));
const R = Number(opt('rounds', '20'));
const { at } = await import(`${tree}/packages/sys/dist/src/index.js`);
const { XdrWriter } = await import(`${tree}/packages/xdr/dist/src/index.js`);
const { putFattr3 } = await import(`${tree}/packages/server/dist/src/nfs3/readdirplus-wire.js`);

const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-statx-attr-'));
try {
  for (let i = 0; i < N; i++) fs.writeFileSync(join(base, `f${i}`), '');
  const names = fs.readdirSync(base);
  const dfd = at.openat(at.AT_FDCWD, base, at.O_PATH | at.O_DIRECTORY);
  const w = new XdrWriter(1 << 20);
  const kept = new Array(N); // entries live as long as a page, as in a reply
  const time = (label, stat) => {
    const round = () => {
      w.pos = 0;
      for (let i = 0; i < N; i++) {
        const s = stat(names[i]);
        kept[i] = s;
        putFattr3(w, s);
      }
    };
    for (let i = 0; i < 3; i++) round();
    const c0 = process.cpuUsage();
    for (let i = 0; i < R; i++) round();
    const c = process.cpuUsage(c0);
    console.log(JSON.stringify({ tree, stats: label, userUsPerEntry: +(c.user / (R * N)).toFixed(3), sysUsPerEntry: +(c.system / (R * N)).toFixed(3) }));
  };
  for (let k = 0; k < 3; k++) {
    time('Stats', (n) => at.statx(dfd, n, at.AT_SYMLINK_NOFOLLOW));
    if (typeof at.statxLeanOrErrno === 'function') time('LeanStats', (n) => at.statxLeanOrErrno(dfd, n, at.AT_SYMLINK_NOFOLLOW));
  }
  at.close(dfd);
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
