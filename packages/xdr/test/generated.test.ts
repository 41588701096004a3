import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-xdr-specs-'));
  try {
    writeFileSync(join(dir, 'a.x'), 'struct pair { int a; int b; };');
    writeFileSync(join(dir, 'b.x'), 'const X = 1;');
    t.same([...generateAll(dir).keys()].sort(), ['a.ts', 'b.ts', 'index.ts']);
    writeFileSync(join(dir, 'b.x'), 'struct pair { hyper a; };');
    t.throws(() => generateAll(dir), /b\.x: 'pair' is also exported by a\.x; rename one of them/);
    writeFileSync(join(dir, 'b.x'), 'typedef unsigned int uint;');
    t.throws(() => generateAll(dir), /'xdr_uint' is also exported by src\/index\.ts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
