#!/usr/bin/env node
/**
 * Regenerates src/generated/*.ts from spec/*.x.
 *   node packages/xdr/dist/src/gen/cli.js           write the files
 *   node packages/xdr/dist/src/gen/cli.js --check   exit 1 if any file is stale
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAll } from './index.js';

const pkg = fileURLToPath(new URL('../../../', import.meta.url));
const specDir = join(pkg, 'spec');
const outDir = join(pkg, 'src', 'generated');
const check = process.argv.includes('--check');

let files: Map<string, string>;
try {
  files = generateAll(specDir);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

let stale = 0;
mkdirSync(outDir, { recursive: true });
for (const [name, code] of files) {
  const path = join(outDir, name);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (old === code) continue;
  stale++;
  if (check) console.error(`stale: src/generated/${name}`);
  else {
    writeFileSync(path, code);
    console.log(`wrote src/generated/${name}`);
  }
}
for (const name of readdirSync(outDir)) {
  if (name.endsWith('.ts') && !files.has(name)) {
    stale++;
    if (check) console.error(`stale: src/generated/${name} has no specification`);
    else {
      unlinkSync(join(outDir, name));
      console.log(`removed src/generated/${name}`);
    }
  }
}
if (check && stale > 0) process.exit(1);
if (!check && stale === 0) console.log('src/generated is current');
