#!/usr/bin/env node
// Runs every compiled test file with tap and ends with the plain "N passed, N failed"
// line that CI reads (tap's own summary is not recognised there).
//
// - Installs the Debian tools the interop tests use when they are missing and we are root,
//   and the kernel-client test's qemu, kernel image and busybox-static (tests that still
//   cannot find them report themselves skipped with the reason).
// - Package unit tests run two at a time; cross-package tests under test/ share fixed
//   resources (port 111, the portmapper, nfs-ganesha) and run one at a time.
// - A file's top-level t.test() calls are the units counted; skips are counted apart.
// Usage: node scripts/run-tests.mjs [substring ...]   (only files whose path contains one)
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// command → Debian package providing it
const SYSTEM_TOOLS = {
  tshark: 'tshark',
  'nfs-ls': 'libnfs-utils',
  rpcinfo: 'rpcbind',
  showmount: 'nfs-common',
  'ganesha.nfsd': 'nfs-ganesha nfs-ganesha-vfs',
  fusermount3: 'fuse3',
  // the FUSE test's user session (git, vim) and the bench's FUSE section (fio; fuse-native needs libfuse2)
  git: 'git',
  vim: 'vim',
  fio: 'fio libfuse2',
};
// the kernel-client test's guest (test/kernel-client): qemu, a kernel image with its modules and
// a static busybox; shell tests → Debian packages, x86-64 only (the guest is linux-image-amd64)
const KERNEL_CLIENT_PARTS = process.arch !== 'x64' ? {} : {
  'command -v qemu-system-x86_64': 'qemu-system-x86',
  'command -v cpio': 'cpio',
  'command -v modinfo': 'kmod',
  'ls /boot/vmlinuz-*': 'linux-image-amd64',
  'file -L /bin/busybox | grep -q statically': 'busybox-static file',
};

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function passes(test) {
  return spawnSync('sh', ['-c', test], { stdio: 'ignore' }).status === 0;
}

function ensureSystemTools() {
  const missing = [
    ...Object.entries(SYSTEM_TOOLS).filter(([cmd]) => !have(cmd)),
    ...Object.entries(KERNEL_CLIENT_PARTS).filter(([test]) => !passes(test)),
  ];
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.flatMap(([, p]) => p.split(' ')))];
  if (process.getuid?.() !== 0 || !have('apt-get')) {
    console.log(`# not installing ${pkgs.join(' ')}: needs root and apt-get; the tests that use them will skip`);
    return;
  }
  console.log(`# installing ${pkgs.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // tshark asks whether non-root users may capture; answer no rather than prompt.
  spawnSync('sh', ['-c', 'echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections'], { stdio: 'ignore' });
  const opts = { stdio: ['ignore', 'ignore', 'inherit'], env, timeout: 15 * 60 * 1000 };
  spawnSync('apt-get', ['update', '-qq'], opts);
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], opts);
  if (r.status !== 0) console.log(`# apt-get install failed (${r.status ?? r.signal}); the tests that need ${pkgs.join(' ')} will skip`);
}

function findTests(dir, out) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.js') && p.includes('/dist/test/')) out.push(relative(root, p));
  }
  return out;
}

function runTap(files, jobs, tally) {
  return new Promise((resolve) => {
    if (files.length === 0) return resolve();
    const tapBin = join(root, 'node_modules', '.bin', 'tap');
    const child = spawn(tapBin, ['--reporter=tap', `--jobs=${jobs}`, '--timeout=900', ...files], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let currentFile = '';
    let pending = '';
    let sawFailure = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const file = /^# Subtest: (.*)$/.exec(line);
        if (file) currentFile = file[1];
        // A file's top-level tests report one level (4 spaces) deep.
        const m = /^ {4}(not ok|ok) \d+ - (.*)$/.exec(line);
        if (m) {
          if (/# (SKIP|TODO)\b/i.test(m[2])) tally.skipped++;
          else if (m[1] === 'ok') tally.passed++;
          else { tally.failed++; sawFailure = true; tally.failures.push(`${currentFile}: ${m[2]}`); }
          continue;
        }
        // A whole file failing with no failed test inside (crash, timeout, bad plan).
        const f = /^not ok \d+ - (.*)$/.exec(line);
        if (f && !tally.failures.some((x) => x.startsWith(`${f[1].replace(/ # .*$/, '')}:`))) {
          tally.failed++; sawFailure = true; tally.failures.push(`${f[1]}: the file failed outside its tests`);
        }
      }
    });
    child.on('close', (code) => {
      if (code !== 0 && !sawFailure) { tally.failed++; tally.failures.push(`tap exited with code ${code}`); }
      resolve();
    });
  });
}

const filter = process.argv.slice(2);
const all = [...findTests(join(root, 'packages'), []), ...findTests(join(root, 'bench'), []), ...findTests(join(root, 'test'), [])]
  .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
  .sort();
if (all.length === 0) {
  console.log('no test files found');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
ensureSystemTools();
const tally = { passed: 0, failed: 0, skipped: 0, failures: [] };
const serial = all.filter((f) => f.startsWith('test/'));
await runTap(all.filter((f) => !serial.includes(f)), 2, tally);
await runTap(serial, 1, tally);
if (tally.failures.length > 0) {
  console.log('\nFailed:');
  for (const f of tally.failures) console.log(`  ${f}`);
}
console.log(`${tally.passed} passed, ${tally.failed} failed${tally.skipped ? `, ${tally.skipped} skipped` : ''}`);
process.exit(tally.failed > 0 ? 1 : 0);
