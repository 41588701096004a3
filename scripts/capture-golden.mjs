#!/usr/bin/env node
// Captures the golden wire fixture, test/fixtures/nfs3-wire.jsonl: real clients (libnfs's
// tools, our client's raw layer, and with --kernel the Linux kernel client under qemu) against
// nfs-ganesha and against our server, recorded with tshark on loopback and cut into
// call/reply pairs (scripts/golden/decode.mjs). Needs root, tshark, libnfs-utils and
// nfs-ganesha(-vfs) (`node scripts/run-tests.mjs` installs them), and a build (`pnpm build`).
// It runs itself in a private network namespace, so fixed ports (111, ganesha's) are its own.
//
//   node scripts/capture-golden.mjs [--out FILE] [--kernel] [--keep DIR]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rerunInPrivateNetns } from './lib/netns.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const out = value('--out', join(root, 'test', 'fixtures', 'nfs3-wire.jsonl'));

rerunInPrivateNetns(fileURLToPath(import.meta.url), args, { who: 'capture-golden', needs: 'tshark on lo, ganesha with FSAL_VFS, a network namespace' });

const { analyzeCapture } = await import(join(root, 'test/dist/src/index.js'));
const { startCapture } = await import('./golden/capture.mjs');
const { startGanesha } = await import(join(root, 'test/dist/src/ganesha.js'));
const { startServer } = await import(join(root, 'packages/server/dist/src/index.js'));
const { libnfsTraffic, clientTraffic } = await import('./golden/traffic.mjs');
const { pairsOf, select } = await import('./golden/decode.mjs');

const work = value('--keep') ?? mkdtempSync(join(tmpdir(), 'nfsts-golden-'));
mkdirSync(work, { recursive: true });
const clients = [['libnfs', libnfsTraffic], ['nfsts', clientTraffic]];
if (flag('--kernel')) {
  const { kernelClientSkip, runKernelClient } = await import(join(root, 'test/dist/src/kernel-client.js'));
  const skip = kernelClientSkip();
  if (skip !== false) { console.error(`capture-golden: --kernel: ${skip}`); process.exit(2); }
  // the guest's checks/golden.sh, mounting the server under capture
  clients.push(['linux', async (url) => {
    const run = await runKernelClient({ sets: ['golden'], target: url, timeoutMs: 5 * 60_000 });
    const failed = run.checks.filter((c) => !c.ok);
    if (!run.ended || failed.length > 0) throw new Error(`kernel client: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ') || 'did not finish'}\n${run.console.slice(-2000)}`);
  }]);
}

async function ganesha() {
  const g = await startGanesha();
  if ('skip' in g) throw new Error(`nfs-ganesha: ${g.skip}`);
  return { url: { exportPath: g.dir, nfsPort: g.nfsPort, mountPort: g.mountPort }, stop: () => g.stop() };
}

async function ours() {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-golden-export-'));
  const s = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1', portmap: false });
  const port = Number(new URL(s.url).searchParams.get('nfsport'));
  return { url: { exportPath: '/export', nfsPort: port, mountPort: port }, stop: async () => { await s.close(); rmSync(dir, { recursive: true, force: true }); } };
}

const pairs = [];
for (const [serverName, start] of [['ganesha', ganesha], ['nfsts', ours]]) {
  const server = await start();
  try {
    const ports = [...new Set([server.url.nfsPort, server.url.mountPort])];
    for (const [clientName, traffic] of clients) {
      const pcap = join(work, `${serverName}-${clientName}.pcapng`);
      const cap = await startCapture(pcap, ports);
      try {
        await traffic(server.url);
      } finally {
        const dropped = await cap.stop();
        if (dropped > 0) throw new Error(`${pcap}: tshark dropped ${dropped} packets`);
      }
      const report = await analyzeCapture(pcap, ports);
      if (report.malformed.length > 0) throw new Error(`${pcap}: tshark finds malformed frames: ${report.malformed.slice(0, 5).join(' | ')}`);
      if (report.unanswered.length > 0) throw new Error(`${pcap}: calls without a reply: ${report.unanswered.slice(0, 5).join(' | ')}`);
      const got = pairsOf(pcap, ports, { server: serverName, client: clientName });
      console.log(`${serverName} ← ${clientName}: ${report.calls} calls decoded by tshark, ${got.length} pairs`);
      pairs.push(...got);
    }
  } finally {
    await server.stop();
  }
}

const chosen = select(pairs);
mkdirSync(join(out, '..'), { recursive: true });
// key order as in the fixture README: who, what, then the bytes
writeFileSync(out, chosen.map((p) => JSON.stringify({ server: p.server, client: p.client, prog: p.prog, vers: p.vers, proc: p.proc, name: p.name, status: p.status, call: p.call, reply: p.reply })).join('\n') + '\n');
console.log(`${chosen.length} pairs written to ${out}`);
if (value('--keep') === undefined) rmSync(work, { recursive: true, force: true });
