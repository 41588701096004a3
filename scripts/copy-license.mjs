#!/usr/bin/env node
// prepack of every published package: the repository's one LICENSE goes into the package
// directory, so each tarball carries it (npm and pnpm pack a LICENSE beside package.json).
// The copies are not committed (.gitignore); the root file is the only one to edit.
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

copyFileSync(fileURLToPath(new URL('../LICENSE', import.meta.url)), 'LICENSE');
