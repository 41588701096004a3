#!/usr/bin/env node
// READDIRPLUS CPU per directory entry, in process (no RPC, no client): a built tree's ServerCore
// and NFSv3 program over a temp directory of N empty files, whole listings in 1 MiB replies
// through the procedure handler plus the XDR encoding of each reply, timed with process.cpuUsage
// (robust on a loaded machine, where wall time is not). Alternate two trees to compare them.
// --concurrency C runs C listings at once each round (the QD 16 shape: clients listing one directory).
//   node scripts/bench-readdirplus-cpu.mjs [TREE] [--entries 10000] [--listings 30] [--concurrency 1]
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const tree = argv[0] && !argv[0].startsWith('--') ? argv[0] : new URL('..', import.meta.url).pathname;
const N = Number(opt('entries', '10000'));
const R = Number(opt('listings', '30'));
const C = Number(opt('concurrency', '1'));
const { ServerCore } = await import(`${tree}/packages/server/dist/src/core/index.js`);
const { createNfs3Program } = await import(`${tree}/packages/server/dist/src/nfs3/index.js`);
const xdr = await import(`${tree}/packages/xdr/dist/src/index.js`);
const rpc = await import(`${tree}/packages/rpc/dist/src/index.js`);

const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-rdp-cpu-'));
const root = join(base, 'root');
fs.mkdirSync(join(root, 'big'), { recursive: true });
for (let i = 0; i < N; i++) fs.writeFileSync(join(root, 'big', `f${i}`), '');
// a directory unchanged for over a second: its listing is cached, as a real one's would be
const old = Date.now() / 1000 - 10;
fs.utimesSync(join(root, 'big'), old, old);
const core = await ServerCore.open({ stateDir: join(base, 'state'), exports: [{ path: '/export', root, options: { squash: 'none' } }] });
try {
  const prog = createNfs3Program(core);
  const ctx = {
    xid: 1, prog: 100003, vers: 3, proc: 17, cred: rpc.authSys({ uid: 0, gid: 0, gids: [] }),
    remoteAddress: '127.0.0.1', remotePort: 1000, localPort: 2049, connectionId: 1, logger: rpc.silentLogger(),
  };
  // the directory's handle by LOOKUP, which every tree's procedures have (ServerCore's own methods moved)
  const found = await prog.versions[3].procedures[3].handler({ what: { dir: { data: core.exports[0].rootHandle }, name: 'big' } }, { ...ctx, proc: 3 });
  if (found.status !== 0) throw new Error(`LOOKUP big: status ${found.status}`);
  const dir = found.resok.object;
  const proc = prog.versions[3].procedures[17];
  const listing = async () => {
    let cookie = 0n;
    let cookieverf = Buffer.alloc(8);
    let n = 0;
    for (;;) {
      const r = await proc.handler({ dir, cookie, cookieverf, dircount: 262144, maxcount: 1 << 20 }, ctx);
      if (r.status !== 0) throw new Error(`READDIRPLUS status ${r.status}`);
      xdr.encode(proc.res, r); // the codec the RPC server encodes the reply with
      const e = r.resok.reply.entries;
      n += e.length;
      if (r.resok.reply.eof) return n;
      cookie = e[e.length - 1].cookie;
      cookieverf = r.resok.cookieverf;
    }
  };
  for (let i = 0; i < 5; i++) await listing(); // warm-up: handles issued, code optimised
  const c0 = process.cpuUsage();
  let n = 0;
  for (let i = 0; i < R; i++) for (const k of await Promise.all(Array.from({ length: C }, listing))) n += k;
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ tree, concurrency: C, entries: n, cpuUsPerEntry: +((c.user + c.system) / n).toFixed(2), userUs: +(c.user / n).toFixed(2), sysUs: +(c.system / n).toFixed(2) }));
} finally {
  await core.close();
  fs.rmSync(base, { recursive: true, force: true });
}
