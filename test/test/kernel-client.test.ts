// The Linux kernel's NFSv3 client, under qemu, against `nfsts serve` (test/src/kernel-client.ts).
// Each check the guest reports is one test here. The smoke set always runs; the full set (what
// a kernel user does: cp -a and tar round trips, 20,000-entry listings, a 5 GiB sparse file,
// parallel writers, mount options, a server SIGKILL under a hard mount) runs in CI, or with
// NFSTS_KCLIENT=full. Skipped, with the reason, where qemu or the guest's parts are missing.
import { statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { kernelClientSkip, runKernelClient, type CheckSet } from '../src/kernel-client.js';

const skip = kernelClientSkip();
const full = process.env.NFSTS_KCLIENT === 'full' || (process.env.CI !== undefined && process.env.NFSTS_KCLIENT !== 'smoke');
const sets: CheckSet[] = full ? ['smoke', 'full'] : ['smoke'];

if (skip !== false) {
  t.test('kernel client', { skip }, () => {});
} else {
  let sparseBlocks = -1n;
  const run = await runKernelClient({
    sets,
    timeoutMs: full ? 14 * 60_000 : 5 * 60_000, // under tap's 15 min per file (scripts/run-tests.mjs)
    prepare(dir) {
      if (!full) return;
      // made here rather than by the guest: creating them under TCG would take minutes
      mkdirSync(join(dir, 'ls20k'));
      for (let i = 0; i < 20_000; i++) writeFileSync(join(dir, 'ls20k', `entry-${String(i).padStart(5, '0')}`), '');
      mkdirSync(join(dir, 'rm5k'));
      for (let i = 0; i < 5_000; i++) writeFileSync(join(dir, 'rm5k', `f${i}`), 'x');
    },
    inspect(dir) {
      try { sparseBlocks = statSync(join(dir, 'sparse'), { bigint: true }).blocks; } catch { /* the guest check reports it */ }
    },
  });
  t.comment(`kernel client: ${sets.join('+')} set, ${run.accel}, ${run.checks.length} checks, ${(run.wallMs / 1000).toFixed(1)} s wall`);
  const slowest = [...run.checks].sort((a, b) => b.ms - a.ms).slice(0, 6);
  t.comment(`slowest: ${slowest.map((c) => `${c.name} ${(c.ms / 1000).toFixed(1)} s`).join('; ')}`);
  for (const c of run.checks) {
    t.test(`kernel client: ${c.name}`, async (tt) => {
      tt.plan(1);
      tt.ok(c.ok, c.ok ? 'passed in the guest' : `failed in the guest: ${c.detail ?? ''}`);
    });
  }
  t.test('kernel client: the guest ran every check to the end', async (tt) => {
    tt.ok(run.ended, run.ended ? 'KC-END seen' : `no KC-END; console tail:\n${run.console.slice(-3000)}`);
    tt.ok(run.checks.length >= (full ? 60 : 15), `${run.checks.length} checks reported`);
    if (full) {
      tt.equal(run.restarts, 1, 'the server was SIGKILLed and started again once, at the guest\'s request');
      tt.ok(sparseBlocks >= 0n && sparseBlocks < 1024n, `the 5 GiB sparse file is sparse on the server's disk (${sparseBlocks} blocks)`);
    }
  });
}
