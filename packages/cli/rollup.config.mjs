// Bundles the compiled CLI, our workspace packages and the npm dependencies (pino) into one
// ESM file (dist/bundle/nfsts.mjs) that runs with nothing beside it: `node nfsts.mjs serve`.
// Runs after `tsc -b`; resolves @nfsts/* to their compiled output. Only koffi (the native
// FFI loader of @nfsts/sys, loaded lazily and optional) stays external.
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const packagesDir = fileURLToPath(new URL('..', import.meta.url));
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** @type {import('rollup').Plugin} */
const workspace = {
  name: 'nfsts-workspace',
  resolveId(id) {
    const m = /^@nfsts\/([a-z]+)$/.exec(id);
    return m ? `${packagesDir}${m[1]}/dist/src/index.js` : null;
  },
};

export default {
  input: 'dist/src/main.js',
  // the version is baked in: the bundle has no package.json beside it; inlineDynamicImports:
  // modules loaded on demand (@nfsts/sys when a server starts) stay in the one file
  output: { file: 'dist/bundle/nfsts.mjs', format: 'es', sourcemap: true, inlineDynamicImports: true, banner: `globalThis.NFSTS_VERSION = ${JSON.stringify(version)};` },
  // koffi is native (its prebuilt binaries cannot be bundled); pino-pretty is optional and loaded only when asked for
  external: (id) => builtins.has(id) || id === 'koffi' || id === 'pino-pretty',
  plugins: [workspace, nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }), commonjs({ ignoreDynamicRequires: true }), json()],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return;
    warn(warning);
  },
};
