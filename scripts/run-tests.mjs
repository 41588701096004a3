#!/usr/bin/env node
// Runs every compiled test file with tap and ends with the plain "N passed, N failed"
// line that CI reads (tap's own summary is not recognised there). A test counts once:
// each top-level t.test() in each file is one result; skips are counted apart.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function findTests(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
const files = [];
for (const base of ['packages', 'test', 'bench']) {
  try {
    for (const f of findTests(join(root, base), [])) {
      if (!f.includes(`${'/dist/'}`)) continue;
      if (filter.length > 0 && !filter.some((s) => f.includes(s))) continue;
      files.push(relative(root, f));
    }
  } catch { /* folder absent */ }
}
files.sort();
if (files.length === 0) {
  console.log('no test files found');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const tapBin = join(root, 'node_modules', '.bin', 'tap');
const child = spawn(tapBin, ['--reporter=tap', '--disable-coverage', '--jobs=2', '--timeout=600', ...files], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
let currentFile = '';
let pending = '';
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
    // Results of a file's top-level tests sit one level (4 spaces) deep.
    const m = /^ {4}(not ok|ok) \d+ - (.*)$/.exec(line);
    if (!m) continue;
    if (/# SKIP\b/i.test(m[2]) || /# TODO\b/i.test(m[2])) skipped++;
    else if (m[1] === 'ok') passed++;
    else { failed++; failures.push(`${currentFile}: ${m[2]}`); }
  }
});

child.on('close', (code) => {
  // A file that crashed or failed outside any t.test() still fails the run.
  if (code !== 0 && failed === 0) { failed++; failures.push(`tap exited with code ${code}`); }
  if (failures.length > 0) {
    console.log('\nFailed:');
    for (const f of failures) console.log(`  ${f}`);
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed > 0 ? 1 : 0);
});
