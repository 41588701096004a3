import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import ts from 'typescript';
import { SpecError, generateModule, loadSpec, parseSpec } from '../src/gen/index.js';
import { XdrError, decode, encode, type Codec } from '../src/index.js';

t.test('parser: definitions, numbers, comments, pass-through lines and type spellings', async (t) => {
  const spec = parseSpec(
    `/* block
        comment */
     % #include <rpc/rpc.h>
     // line comment
     const A = 0x10;
     const B = -3;
     const C = 017;
     enum color { RED = A, GREEN = 2 };
     struct s {
       unsigned u; unsigned int ui; unsigned long ul; long l; int i;
       hyper h; unsigned hyper uh; bool b; color c;
       opaque f[4]; opaque v<>; opaque vb<A>; string str<>; string sb<8>;
       int fa[2]; int va<>; int vb2<3>; s *next;
     };
     typedef s *slist;
     program P { version V { slist PROC_X(s) = 1; void PROC_Y(void) = 2; } = 3; } = 0x20000001;`,
    'ok.x',
  );
  const kinds = spec.definitions.map((d) => d.kind);
  t.same(kinds, ['const', 'const', 'const', 'enum', 'struct', 'typedef', 'program']);
  const consts = spec.definitions.filter((d) => d.kind === 'const').map((d) => (d.kind === 'const' && d.value.kind === 'num' ? d.value.value : NaN));
  t.same(consts, [16, -3, 15], 'hex, negative and octal constants');
  const s = spec.definitions[4]!;
  t.equal(s.kind, 'struct');
  if (s.kind === 'struct') {
    t.same(
      s.body.fields.map((f) => [f.name, f.kind, 'type' in f && f.type.kind === 'prim' ? f.type.name : '']),
      [
        ['u', 'plain', 'uint'], ['ui', 'plain', 'uint'], ['ul', 'plain', 'uint'], ['l', 'plain', 'int'], ['i', 'plain', 'int'],
        ['h', 'plain', 'hyper'], ['uh', 'plain', 'uhyper'], ['b', 'plain', 'bool'], ['c', 'plain', ''],
        ['f', 'opaqueFixed', ''], ['v', 'opaqueVar', ''], ['vb', 'opaqueVar', ''], ['str', 'string', ''], ['sb', 'string', ''],
        ['fa', 'fixedArray', 'int'], ['va', 'varArray', 'int'], ['vb2', 'varArray', 'int'], ['next', 'optional', ''],
      ],
    );
  }
  const model = loadSpec(
    `struct s { int a; s *next; };
     typedef struct n *nlist;
     struct n { int a; nlist rest; };
     struct plain { int a; plain *other; int b; };`,
    'lists.x',
  );
  t.same([...model.linked].sort(), ['n', 's'], 'lists are found directly and through a pointer typedef; a pointer that is not last is not a list');
});

t.test('model: inline struct, union and enum declarations are hoisted to <parent>_<field>', async (t) => {
  const model = loadSpec(
    `enum kind { ONE = 1, TWO = 2 };
     struct outer {
       union switch (kind k) {
       case ONE: struct { int lo; int hi; } range;
       case TWO: enum { X = 0, Y = 1 } pick;
       } body;
     };`,
    'inline.x',
  );
  t.same(model.types.map((d) => `${d.kind} ${d.name}`).sort(), ['enum kind', 'enum outer_body_pick', 'struct outer', 'struct outer_body_range', 'union outer_body'].sort());
});

const bad: [string, string, RegExp][] = [
  ['missing semicolon', 'struct a { int x }', /^bad\.x:1:18: expected ';', found '}'/],
  ['unknown type', 'struct a { foo x; };', /1:12: unknown type 'foo'/],
  ['constant used as a type', 'const K = 1; struct a { K x; };', /'K' is a constant, not a type/],
  ['duplicate definition', 'struct a { int x; };\nenum a { Q = 1 };', /2:1: type 'a' is already defined at line 1/],
  ['duplicate field', 'struct a { int x; int x; };', /struct a has two fields named 'x'/],
  ['arm named like the discriminant', 'union u switch (int d) { case 1: int d; };', /arm 'd' has the name of the discriminant/],
  ['case not in the enum', 'enum e { A = 1 }; enum f { B = 2 }; union u switch (e d) { case B: void; };', /'B' is not a member of enum e/],
  ['duplicate case', 'union u switch (int d) { case 1: void; case 1: int x; };', /case 1 appears twice/],
  ['bool case', 'union u switch (bool d) { case 1: void; };', /a bool discriminant takes TRUE or FALSE/],
  ['hyper discriminant', 'union u switch (hyper d) { case 1: void; };', /the discriminant must be int, unsigned int, bool or an enum/],
  ['unknown constant', 'struct a { opaque x<MAXX>; };', /unknown constant 'MAXX'/],
  ['constant cycle', 'const A = B; const B = A; struct s { opaque x<A>; };', /constant '(A|B)' is defined in terms of itself/],
  ['unterminated comment', 'struct a { int x; }; /* never closed', /1:22: unterminated comment/],
  ['opaque without length', 'struct a { opaque x; };', /opaque 'x' needs a length: \[n\] or <n>/],
  ['string without maximum', 'struct a { string x; };', /string 'x' needs a maximum/],
  ['reserved word as a name', 'struct a { int case; };', /'case' is a reserved word/],
  ['floating point', 'struct a { float x; };', /'float' is not supported/],
  ['empty version', 'program P { version V { } = 1; } = 2;', /version V has no procedures/],
  ['procedure renumbered', 'program P { version V { void X(void) = 1; } = 1; version W { void X(void) = 2; } = 2; } = 2;', /procedure 'X' = 2 was defined as 1/],
  ['duplicate enum value', 'enum e { A = 1, B = 1 };', /enum e: B and A have the same value 1/],
  ['unexpected character', 'struct a { int x; } @', /1:21: unexpected character '@'/],
  ['negative bound', 'struct a { opaque x<-1>; };', /must be between 0 and 2\^32-1/],
  ['stray keyword', 'switch', /expected const, enum, struct, union, typedef or program, found 'switch'/],
  ['void field', 'struct a { void; };', /a struct field cannot be void/],
  ['truncated file', 'struct a { int x;', /expected a type, found end of file/],
];

t.test('bad .x input is refused with a located, specific message', async (t) => {
  for (const [what, text, message] of bad) {
    try {
      loadSpec(text, 'bad.x');
      t.fail(`${what}: accepted`);
    } catch (err) {
      t.ok(err instanceof SpecError, `${what}: a SpecError`);
      t.match((err as Error).message, message, what);
    }
  }
  t.throws(() => generateModule('typedef int a; program P { version V { a X(opaque) = 1; } = 1; } = 2;', 'p.x'), /opaque cannot be a procedure argument/);
});

t.test('emitter: conventions of docs/conventions.md', async (t) => {
  const { code } = generateModule(
    `const MAX = 4;
     enum e { A = 0, B = 1, C = 5 };
     struct node { string name<MAX>; node *next; };
     struct holder { node *items; e kind; opaque blob<>; unsigned hyper big; };
     union u switch (e d) { case A: int x; case B: void; default: holder h; };
     union yes switch (bool ok) { case TRUE: int v; default: void; };
     program PROG { version VERS { u DO_IT(holder) = 1; } = 2; } = 300;`,
    'conv.x',
  );
  t.match(code, /^\/\/ Generated from packages\/xdr\/spec\/conv\.x/);
  t.match(code, /export const MAX = 4;/);
  t.match(code, /export enum e \{\n {2}A = 0,\n {2}B = 1,\n {2}C = 5,\n\}/);
  t.match(code, /export interface node \{\n {2}name: string;\n\}/, 'the link field is not in the node interface');
  t.match(code, /items: node\[\];/, 'a pointer to a list node is an array');
  t.match(code, /big: bigint;/);
  t.match(code, /blob: Buffer;/);
  t.match(code, /\| \{ d: e\.A; x: number \}\n {2}\| \{ d: e\.B \}\n {2}\| \{ d: Exclude<e, e\.A \| e\.B>; h: holder \};/);
  t.match(code, /\| \{ ok: true; v: number \}\n {2}\| \{ ok: false \};/, 'a bool default arm gets the other literal');
  t.match(code, /export const xdr_holder: Codec<holder> = \{ size: sz_holder, encode: en_holder, decode: de_holder \};/);
  t.match(code, /\[DO_IT\]: \{ proc: DO_IT, name: 'IT', args: xdr_holder, res: xdr_u \}/);
  t.match(code, /export const PROG = 300;/);
  t.match(code, /export const VERS = 2;/);
  t.match(code, /stringSize\(v\.name\)/, 'strings are sized with stringSize');
  t.match(code, /opaqueSize\(v\.blob\.length\)/, 'opaques are sized with opaqueSize so measure() sees them');
  t.notMatch(code, /\bthis\b/, 'no this');
  t.notMatch(code, /=>/, 'no closures');
  t.match(code, /while \(r\.bool\(\)\) out\.push\(de_node\(r\)\);/, 'lists decode in a loop');
});

/** Transpiles an emitted module and imports it, with the imports pointed at the built primitives. */
async function load(spec: string): Promise<Record<string, unknown>> {
  const { code } = generateModule(spec, 'exec.x');
  const src = fileURLToPath(new URL('../src/', import.meta.url));
  let js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  js = js.replace(/from '\.\.\/([a-z]+)\.js'/g, (_, m: string) => `from '${pathToFileURL(join(src, `${m}.js`)).href}'`);
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-xdr-gen-'));
  try {
    const file = join(dir, 'mod.mjs');
    writeFileSync(file, js);
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

t.test('emitted code runs: int discriminants, fixed arrays of structs, optional data, inline types', async (t) => {
  const m = await load(
    `struct pt { int x; int y; };
     union v switch (int k) { case -1: pt p; case 7: pt tri[3]; default: int other<2>; };
     struct box { v shape; pt *maybe; unsigned int counts[2]; union switch (unsigned int n) { case 0: void; case 1: hyper h; } tail; };`,
  );
  const box = m['xdr_box'] as Codec<unknown>;
  const values = [
    { shape: { k: -1, p: { x: -5, y: 2147483647 } }, maybe: null, counts: [0, 4294967295], tail: { n: 0 } },
    { shape: { k: 7, tri: [{ x: 1, y: 2 }, { x: 3, y: 4 }, { x: 5, y: 6 }] }, maybe: { x: 0, y: 0 }, counts: [1, 2], tail: { n: 1, h: -(1n << 63n) } },
    { shape: { k: 42, other: [9, 8] }, maybe: null, counts: [3, 3], tail: { n: 1, h: 5n } },
  ];
  for (const v of values) {
    const bytes = encode(box, v);
    t.equal(bytes.length, box.size(v));
    t.ok(isDeepStrictEqual(decode(box, bytes), v), JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x)));
  }
  t.throws(() => encode(box, { ...values[0], counts: [1] }), { code: 'ERR_XDR_RANGE' }, 'a fixed array of the wrong length');
  t.throws(() => encode(box, { ...values[2], shape: { k: 42, other: [1, 2, 3] } }), { code: 'ERR_XDR_TOO_LONG' });
  const tailBad = Buffer.from(encode(box, values[0]));
  tailBad.writeUInt32BE(2, tailBad.length - 4);
  const err = t.throws(() => decode(box, tailBad), { code: 'ERR_XDR_BAD_VALUE' }, 'an unsigned discriminant with no arm');
  t.ok(err instanceof XdrError);
});
