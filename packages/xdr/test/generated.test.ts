import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateAll, generateModule } from '../src/gen/index.js';
import { pkgRoot, specDir } from './lib/arbitrary.js';

t.test('src/generated is current: regenerating from spec/*.x gives the committed files', async (t) => {
  const files = generateAll(specDir);
  const dir = join(pkgRoot, 'src', 'generated');
  const committed = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  t.same(committed, [...files.keys()].sort(), 'one module per spec plus index.ts');
  for (const [name, code] of files) {
    const current = readFileSync(join(dir, name), 'utf8');
    t.ok(current === code, `src/generated/${name} is current (run: pnpm --filter @nfsts/xdr gen)`);
    t.match(current, /^\/\/ Generated /, `${name} says it is generated`);
  }
});

t.test('specifications exporting the same name are refused (everything is exported flat)', async (t) => {
  const a = generateModule('struct pair { int a; int b; };', 'a.x').exports;
  t.ok(a.includes('pair') && a.includes('xdr_pair'), 'a module lists what it exports');
  t.same(
    generateModule('const MAXLEN = 4; program P { version V { void P_NULL(void) = 0; } = 1; } = 9;', 'b.x').exports.sort(),
    ['MAXLEN', 'P', 'P_NULL', 'V', 'V_PROCEDURES'].sort(),
  );
});
