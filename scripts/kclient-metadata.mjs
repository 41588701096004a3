#!/usr/bin/env node
// Metadata under the Linux kernel client: our server against nfs-ganesha, alternated. A qemu
// guest (test/src/kernel-client.ts, check set test/kernel-client/checks/metadata.sh) creates
// 2,000 files, lists them with `ls -la` and removes them with `rm -rf`, each phase on a fresh
// mount, timed in the guest; the mount's per-op RTT (/proc/self/mountstats) shows the server's
// time per call. Runs alternate ours/ganesha (the first server swaps every pair) so a loaded
// machine's drift hits both; the summary gives medians and ours/ganesha ratios (> 1: we are slower).
//   node scripts/kclient-metadata.mjs [TREE] [--pairs 5] [--warmup 2] [--json FILE]
// TREE: a built tree whose server and harness run (default: this one). Needs root, qemu,
// ganesha; runs itself in a private network and mount namespace (ganesha's fixed portmapper
// port 111 and /run/rpcbind.sock stay private).
// Both servers start once and serve every run. The first --warmup pairs are printed but left out
// of the medians: a fresh server of ours spends its first ~12,000 calls (two runs) JIT-compiling
// its paths, at about 1.7 times the CPU per call of later runs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rerunInPrivateNetns } from './lib/netns.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const tree = argv[0] && !argv[0].startsWith('--') ? argv[0].replace(/\/$/, '') : fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const pairs = Number(opt('pairs', '5'));
const warmup = Number(opt('warmup', '2'));
const jsonOut = opt('json', undefined);
if (!Number.isInteger(pairs) || pairs < 1) { console.error('--pairs: expected an integer >= 1'); process.exit(2); }
if (!Number.isInteger(warmup) || warmup < 0) { console.error('--warmup: expected an integer >= 0'); process.exit(2); }

rerunInPrivateNetns(fileURLToPath(import.meta.url), argv, {
  privateRun: true, who: 'kclient-metadata', needs: 'qemu guest image, ganesha, a private network namespace',
});

const { runKernelClient, kernelClientSkip, kernelClientServerArgs, processCpuMs } = await import(`${tree}/test/dist/src/kernel-client.js`);
const { startGanesha } = await import(`${tree}/test/dist/src/ganesha.js`);
const { startCliServer } = await import(`${tree}/test/dist/src/cli-server.js`);
const skip = kernelClientSkip();
if (skip) { console.log(`kclient-metadata: skipped: ${skip}`); process.exit(0); }
const g = await startGanesha();
if ('skip' in g) { console.log(`kclient-metadata: skipped: ${g.skip}`); process.exit(0); }
const oursDir = mkdtempSync(join(tmpdir(), 'nfsts-kcm-'));
mkdirSync(join(oursDir, 'export'));
const ours = await startCliServer(kernelClientServerArgs(join(oursDir, 'export'), join(oursDir, 'state'), 0))
  .catch(async (err) => { await g.stop(); throw err; });
const servers = {
  ours: { target: { nfsPort: ours.port, mountPort: ours.port, exportPath: '/export' }, pid: () => ours.child.pid },
  ganesha: { target: { nfsPort: g.nfsPort, mountPort: g.mountPort, exportPath: g.exportPath }, pid: () => g.pid?.() },
};

/** One guest run against `who`: { phase: seconds }, { phase: { OP: { ops, rtt, exec } } }. */
async function once(who) {
  // the server's own CPU time over the guest run
  const server = servers[who];
  const cpu0 = processCpuMs ? processCpuMs(server.pid()) : undefined;
  const run = await runKernelClient({ sets: ['metadata'], timeoutMs: 15 * 60_000, target: server.target });
  const failed = run.checks.filter((c) => !c.ok);
  if (!run.ended || failed.length > 0) {
    throw new Error(`${who}: guest ${run.ended ? 'failed' : 'did not finish'}: ${failed.map((c) => `${c.name} ${c.detail ?? ''}`).join('; ')}\n${run.console.slice(-2000)}`);
  }
  const times = {};
  const ops = {};
  for (const raw of run.console.split('\n')) {
    const line = raw.replace(/\r/g, '');
    let m = /KC-TIME (\S+) ([\d.]+)/.exec(line);
    if (m) times[m[1]] = Number(m[2]);
    m = /KC-STAT (\S+) (\S+) (\d+) (\d+) (\d+)/.exec(line);
    if (m) (ops[m[1]] ??= {})[m[2]] = { ops: Number(m[3]), rttMs: Number(m[4]), execMs: Number(m[5]) };
  }
  const cpu1 = cpu0 === undefined ? undefined : processCpuMs(server.pid());
  const serverCpuMs = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
  let calls = 0;
  for (const ph of Object.values(ops)) for (const s of Object.values(ph)) calls += s.ops;
  return { times, ops, wallS: run.wallMs / 1000, serverCpuMs, calls };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const results = { ours: [], ganesha: [] };
try {
  for (let p = -warmup; p < pairs; p++) {
    const order = p % 2 === 0 ? ['ours', 'ganesha'] : ['ganesha', 'ours'];
    for (const who of order) {
      const r = await once(who);
      if (p >= 0) results[who].push(r);
      const t = r.times;
      const cpu = r.serverCpuMs === undefined ? '' : `, server CPU ${(r.serverCpuMs / 1000).toFixed(2)} s = ${((r.serverCpuMs * 1000) / Math.max(1, r.calls)).toFixed(0)} µs per call of ${r.calls}`;
      console.log(`${p < 0 ? `warm-up ${p + warmup + 1}` : `pair ${p + 1}`} ${who.padEnd(7)} create ${t.create?.toFixed(2)} s  ls -la ${t['ls-la']?.toFixed(2)} s  rm -rf ${t['rm-rf']?.toFixed(2)} s  (guest run ${r.wallS.toFixed(0)} s${cpu})`);
    }
  }
} finally {
  await g.stop();
  await ours.stop();
  rmSync(oursDir, { recursive: true, force: true });
}

const phases = ['create', 'ls-la', 'rm-rf'];
console.log('\nmedians over %d alternated pairs (machine shared: compare the ratios)', pairs);
const summary = { pairs, phases: {}, perOp: {} };
for (const ph of phases) {
  const o = median(results.ours.map((r) => r.times[ph]));
  const gg = median(results.ganesha.map((r) => r.times[ph]));
  const ratio = median(results.ours.map((r, i) => r.times[ph] / results.ganesha[i].times[ph]));
  summary.phases[ph] = { oursS: o, ganeshaS: gg, ratio };
  console.log(`${ph.padEnd(7)} ours ${o.toFixed(2)} s  ganesha ${gg.toFixed(2)} s  ours/ganesha ${ratio.toFixed(2)}× (median of pair ratios)`);
}
{
  const perCall = (who) => median(results[who].filter((r) => r.serverCpuMs !== undefined && r.calls > 0).map((r) => (r.serverCpuMs * 1000) / r.calls));
  const o = perCall('ours');
  const gg = perCall('ganesha');
  summary.serverCpuUsPerCall = { ours: o, ganesha: gg };
  // user + system time of the server process over the whole guest run (boot, the three phases) over the calls the guest counted
  if (Number.isFinite(o) && Number.isFinite(gg)) console.log(`server CPU per call (whole run): ours ${o.toFixed(0)} µs  ganesha ${gg.toFixed(0)} µs  ours/ganesha ${(o / gg).toFixed(2)}×`);
}
console.log('\nper-op RTT seen by the guest (ms per call, median over runs; calls per run)');
for (const ph of phases) {
  const names = new Set(results.ours.concat(results.ganesha).flatMap((r) => Object.keys(r.ops[ph] ?? {})));
  for (const op of names) {
    const per = (who) => median(results[who].map((r) => { const s = r.ops[ph]?.[op]; return s ? s.rttMs / s.ops : NaN; }).filter((x) => !Number.isNaN(x)));
    const calls = (who) => median(results[who].map((r) => r.ops[ph]?.[op]?.ops ?? 0));
    const o = per('ours');
    const gg = per('ganesha');
    (summary.perOp[ph] ??= {})[op] = { oursMs: o, ganeshaMs: gg, oursCalls: calls('ours'), ganeshaCalls: calls('ganesha') };
    console.log(`${ph.padEnd(7)} ${op.padEnd(12)} ours ${o.toFixed(3)} ms × ${calls('ours')}  ganesha ${gg.toFixed(3)} ms × ${calls('ganesha')}`);
  }
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ summary, results }, null, 2));
