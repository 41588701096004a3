// Bundles the compiled CLI and our workspace packages into one ESM file
// (dist/bundle/nfsts.mjs) so `nfsts` runs from a single file with only pino beside it.
// Runs after `tsc -b`; resolves @nfsts/* to their compiled output.
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

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
  // inlineDynamicImports: modules loaded on demand (@nfsts/sys when a server starts) stay in the one file
  output: { file: 'dist/bundle/nfsts.mjs', format: 'es', sourcemap: true, inlineDynamicImports: true },
  external: (id) => builtins.has(id) || id === 'pino' || id.startsWith('pino/') || id === 'pino-pretty' || id === 'prom-client' || id === 'koffi',
  plugins: [workspace],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY') return;
    warn(warning);
  },
};
