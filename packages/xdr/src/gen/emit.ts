import type { Decl, NamedDecl, TypeSpec, UnionBody } from './ast.js';
import { listNode, resolveType, type Model, type TypeDef } from './model.js';

/**
 * TypeScript emitter: one module per specification, following docs/conventions.md.
 *
 * Every named type `foo` becomes `export ... foo` plus module-private functions `sz_foo`,
 * `en_foo`, `de_foo` (straight-line code, no closures, no `this`) gathered in
 * `export const xdr_foo: Codec<foo>`. Typedefs of simple declarations are inlined at their
 * use sites; arrays and self-linked lists get helper functions with loops (never recursion
 * per element).
 */

export interface Emitted {
  code: string;
  /** The names this module exports, for collision checks across modules. */
  exports: string[];
}

interface Use {
  ts: string;
  /** Static wire size, or null when it depends on the value. */
  fixed: number | null;
  /** The smallest wire size, used to bound array counts before allocating. */
  min: number;
  size(x: string): string;
  enc(x: string): string;
  dec: string;
}

const PRIM_TS = { int: 'number', uint: 'number', hyper: 'bigint', uhyper: 'bigint', bool: 'boolean' } as const;
const PRIM_SIZE = { int: 4, uint: 4, hyper: 8, uhyper: 8, bool: 4 } as const;
const PRIM_RW = { int: 'i32', uint: 'u32', hyper: 'i64', uhyper: 'u64', bool: 'bool' } as const;
const PRIM_CODEC = { int: 'xdr_int', uint: 'xdr_uint', hyper: 'xdr_hyper', uhyper: 'xdr_uhyper', bool: 'xdr_bool' } as const;
const U32_MAX = 0xffffffff;

const pad4 = (n: number): number => n + ((4 - (n % 4)) % 4);

/** A JavaScript string literal. */
const lit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function emitModule(model: Model, header: string): Emitted {
  const valueImports = new Set<string>();
  const exports: string[] = [];
  const out: string[] = [];
  const helpersDone = new Set<string>();
  let pending: string[] = []; // helper functions produced while emitting the current type

  const fixedMemo = new Map<string, number | null>();
  const minMemo = new Map<string, number>();

  const boundOf = (v: Parameters<Model['value']>[0] | null): number => (v === null ? U32_MAX : model.value(v));

  function typeFixed(def: TypeDef): number | null {
    if (fixedMemo.has(def.name)) return fixedMemo.get(def.name)!;
    fixedMemo.set(def.name, null); // cycles go through optional pointers, which are not fixed
    let f: number | null = null;
    switch (def.kind) {
      case 'enum':
        f = 4;
        break;
      case 'typedef':
        f = declFixed(def.decl);
        break;
      case 'struct': {
        f = 0;
        for (const d of structFields(def)) {
          const x = declFixed(d);
          if (x === null) {
            f = null;
            break;
          }
          f += x;
        }
        break;
      }
      case 'union': {
        let s: number | null | undefined;
        for (const d of unionDecls(def.body)) {
          const x = declFixed(d);
          if (x === null || (s !== undefined && s !== x)) {
            s = null;
            break;
          }
          s = x;
        }
        f = s === undefined || s === null ? null : 4 + s;
        break;
      }
    }
    fixedMemo.set(def.name, f);
    return f;
  }

  function typeMin(def: TypeDef): number {
    if (minMemo.has(def.name)) return minMemo.get(def.name)!;
    minMemo.set(def.name, 4);
    let m = 0;
    switch (def.kind) {
      case 'enum':
        m = 4;
        break;
      case 'typedef':
        m = declMin(def.decl);
        break;
      case 'struct':
        for (const d of structFields(def)) m += declMin(d);
        break;
      case 'union':
        m = 4 + Math.min(...unionDecls(def.body).map(declMin));
        break;
    }
    minMemo.set(def.name, m);
    return m;
  }

  function specFixed(t: TypeSpec): number | null {
    if (t.kind === 'prim') return PRIM_SIZE[t.name];
    return typeFixed(defOf(t));
  }
  function specMin(t: TypeSpec): number {
    if (t.kind === 'prim') return PRIM_SIZE[t.name];
    return typeMin(defOf(t));
  }
  function declFixed(d: Decl): number | null {
    switch (d.kind) {
      case 'void':
        return 0;
      case 'plain':
        return specFixed(d.type);
      case 'opaqueFixed':
        return pad4(model.value(d.size));
      case 'fixedArray': {
        const e = specFixed(d.type);
        return e === null ? null : e * model.value(d.size);
      }
      default:
        return null;
    }
  }
  function declMin(d: Decl): number {
    switch (d.kind) {
      case 'void':
        return 0;
      case 'plain':
        return specMin(d.type);
      case 'opaqueFixed':
        return pad4(model.value(d.size));
      case 'fixedArray':
        return specMin(d.type) * model.value(d.size);
      default:
        return 4;
    }
  }

  function defOf(t: TypeSpec): TypeDef {
    if (t.kind !== 'ref') throw new Error('internal: not a reference');
    return model.typeByName.get(t.name)!;
  }

  function structFields(def: Extract<TypeDef, { kind: 'struct' }>): NamedDecl[] {
    return model.linked.has(def.name) ? def.body.fields.slice(0, -1) : def.body.fields;
  }

  function unionDecls(u: UnionBody): Decl[] {
    return [...u.arms.map((a) => a.decl), ...(u.default === null ? [] : [u.default])];
  }

  // ---- use sites ----------------------------------------------------------------------

  function useSpec(t: TypeSpec, helper: string): Use {
    if (t.kind === 'prim') {
      const rw = PRIM_RW[t.name];
      const n = PRIM_SIZE[t.name];
      return { ts: PRIM_TS[t.name], fixed: n, min: n, size: () => String(n), enc: (x) => `w.${rw}(${x});`, dec: `r.${rw}()` };
    }
    const def = defOf(t);
    switch (def.kind) {
      case 'enum':
        return { ts: def.name, fixed: 4, min: 4, size: () => '4', enc: (x) => `w.i32(${x});`, dec: `(r.enumValue(va_${def.name}, ${lit(def.name)}) as ${def.name})` };
      case 'typedef': {
        const d = def.decl;
        if (d.kind === 'plain' || d.kind === 'opaqueFixed' || d.kind === 'opaqueVar' || d.kind === 'string') {
          return { ...useDecl(d, helper), ts: def.name };
        }
        return call(def);
      }
      default:
        return call(def);
    }
  }

  function call(def: TypeDef): Use {
    const fixed = typeFixed(def);
    return {
      ts: def.name,
      fixed,
      min: typeMin(def),
      size: (x) => (fixed !== null ? String(fixed) : `sz_${def.name}(${x})`),
      enc: (x) => `en_${def.name}(w, ${x});`,
      dec: `de_${def.name}(r)`,
    };
  }

  /** How to size, encode and decode one declaration; `helper` names any loop functions it needs. */
  function useDecl(d: NamedDecl, helper: string): Use {
    switch (d.kind) {
      case 'plain':
        return useSpec(d.type, helper);
      case 'opaqueFixed': {
        const n = model.value(d.size);
        return { ts: 'Buffer', fixed: pad4(n), min: pad4(n), size: () => String(pad4(n)), enc: (x) => `w.opaqueFixed(${x}, ${n});`, dec: `r.opaqueFixed(${n})` };
      }
      case 'opaqueVar': {
        valueImports.add('opaqueSize');
        const max = boundOf(d.max);
        const m = max === U32_MAX ? '' : `, ${max}`;
        return { ts: 'Buffer', fixed: null, min: 4, size: (x) => `opaqueSize(${x}.length)`, enc: (x) => `w.opaqueVar(${x}${m});`, dec: `r.opaqueVar(${max === U32_MAX ? '' : max})` };
      }
      case 'string': {
        valueImports.add('stringSize');
        const max = boundOf(d.max);
        const m = max === U32_MAX ? '' : `, ${max}`;
        return { ts: 'string', fixed: null, min: 4, size: (x) => `stringSize(${x})`, enc: (x) => `w.string(${x}${m});`, dec: `r.string(${max === U32_MAX ? '' : max})` };
      }
      case 'optional': {
        const node = listNode(model, d);
        if (node !== undefined) {
          listHelpers(node);
          return { ts: `${node}[]`, fixed: null, min: 4, size: (x) => `sz_list_${node}(${x})`, enc: (x) => `en_list_${node}(w, ${x});`, dec: `de_list_${node}(r)` };
        }
        const inner = useSpec(d.type, helper);
        return {
          ts: `${inner.ts} | null`,
          fixed: null,
          min: 4,
          size: (x) => `(${x} === null ? 4 : 4 + ${inner.size(x)})`,
          enc: (x) => `if (${x} === null) w.u32(0);\n  else {\n    w.u32(1);\n    ${inner.enc(x)}\n  }`,
          dec: `(r.bool() ? ${inner.dec} : null)`,
        };
      }
      case 'fixedArray':
      case 'varArray': {
        const inner = useSpec(d.type, `${helper}_e`);
        arrayHelpers(helper, d, inner);
        const fixed = d.kind === 'fixedArray' && inner.fixed !== null ? inner.fixed * model.value(d.size) : null;
        return {
          ts: `${inner.ts}[]`,
          fixed,
          min: d.kind === 'fixedArray' ? inner.min * model.value(d.size) : 4,
          size: (x) => (fixed !== null ? String(fixed) : `sz_${helper}(${x})`),
          enc: (x) => `en_${helper}(w, ${x});`,
          dec: `de_${helper}(r)`,
        };
      }
    }
  }

  function arrayHelpers(name: string, d: Extract<Decl, { kind: 'fixedArray' | 'varArray' }>, inner: Use): void {
    if (helpersDone.has(name)) return;
    helpersDone.add(name);
    const T = inner.ts.includes('|') ? `(${inner.ts})` : inner.ts;
    const fixedLen = d.kind === 'fixedArray' ? model.value(d.size) : null;
    const max = d.kind === 'varArray' ? boundOf(d.max) : 0;
    const lines: string[] = [];
    if (inner.fixed !== null) {
      lines.push(`function sz_${name}(v: ${T}[]): number {\n  return ${fixedLen === null ? '4 + ' : ''}v.length * ${inner.fixed};\n}`);
    } else {
      lines.push(
        `function sz_${name}(v: ${T}[]): number {\n  let n = ${fixedLen === null ? 4 : 0};\n  for (let i = 0; i < v.length; i++) {\n    const e = v[i]!;\n    n += ${inner.size('e')};\n  }\n  return n;\n}`,
      );
    }
    const check =
      fixedLen === null
        ? `  w.arrayLength(v.length, ${max});`
        : `  if (v.length !== ${fixedLen}) throw new XdrError('ERR_XDR_RANGE', \`${name}: array of ${fixedLen} elements given \${v.length}\`);`;
    if (fixedLen !== null) valueImports.add('XdrError');
    lines.push(`function en_${name}(w: XdrWriter, v: ${T}[]): void {\n${check}\n  for (let i = 0; i < v.length; i++) {\n    const e = v[i]!;\n    ${inner.enc('e').replace(/\n/g, '\n  ')}\n  }\n}`);
    const count = fixedLen === null ? `const n = r.arrayLength(${max}, ${inner.min});` : `const n = ${fixedLen};\n  r.ensureElements(n, ${inner.min});`;
    lines.push(`function de_${name}(r: XdrReader): ${T}[] {\n  ${count}\n  const out = new Array<${T}>(n);\n  for (let i = 0; i < n; i++) out[i] = ${inner.dec};\n  return out;\n}`);
    pending.push(...lines);
  }

  function listHelpers(node: string): void {
    const name = `list_${node}`;
    if (helpersDone.has(name)) return;
    helpersDone.add(name);
    const def = model.typeByName.get(node)!;
    const f = typeFixed(def);
    const sz =
      f !== null
        ? `function sz_${name}(v: ${node}[]): number {\n  return 4 + v.length * ${4 + f};\n}`
        : `function sz_${name}(v: ${node}[]): number {\n  let n = 4;\n  for (let i = 0; i < v.length; i++) n += 4 + sz_${node}(v[i]!);\n  return n;\n}`;
    pending.push(
      `/** ${node} nodes as an array: each is preceded by TRUE, the list ends with FALSE. */\n${sz}`,
      `function en_${name}(w: XdrWriter, v: ${node}[]): void {\n  for (let i = 0; i < v.length; i++) {\n    w.u32(1);\n    en_${node}(w, v[i]!);\n  }\n  w.u32(0);\n}`,
      `function de_${name}(r: XdrReader): ${node}[] {\n  const out: ${node}[] = [];\n  while (r.bool()) out.push(de_${node}(r));\n  return out;\n}`,
    );
  }

  // ---- definitions ----------------------------------------------------------------------

  const codecConst = (name: string): string => {
    exports.push(name, `xdr_${name}`);
    return `export const xdr_${name}: Codec<${name}> = { size: sz_${name}, encode: en_${name}, decode: de_${name} };`;
  };

  function emitEnum(def: Extract<TypeDef, { kind: 'enum' }>): string[] {
    const ms = def.body.members.map((m) => ({ name: m.name, value: model.value(m.value) }));
    const vals = ms.map((m) => m.value).sort((a, b) => a - b);
    const lo = vals[0]!;
    const hi = vals[vals.length - 1]!;
    const contiguous = hi - lo + 1 === vals.length;
    const valid = contiguous
      ? `  return v >= ${lo} && v <= ${hi};`
      : `  switch (v) {\n${vals.map((v) => `    case ${v}:`).join('\n')}\n      return true;\n    default:\n      return false;\n  }`;
    return [
      `export enum ${def.name} {\n${ms.map((m) => `  ${m.name} = ${m.value},`).join('\n')}\n}`,
      `function va_${def.name}(v: number): boolean {\n${valid}\n}`,
      `function sz_${def.name}(_v: ${def.name}): number {\n  return 4;\n}`,
      `function en_${def.name}(w: XdrWriter, v: ${def.name}): void {\n  w.i32(v);\n}`,
      `function de_${def.name}(r: XdrReader): ${def.name} {\n  return r.enumValue(va_${def.name}, ${lit(def.name)}) as ${def.name};\n}`,
      codecConst(def.name),
    ];
  }

  function emitStruct(def: Extract<TypeDef, { kind: 'struct' }>): string[] {
    const fields = structFields(def);
    const uses = fields.map((f) => ({ f, u: useDecl(f, `${def.name}__${f.name}`) }));
    const linked = model.linked.has(def.name);
    const iface = `export interface ${def.name} {\n${uses.map(({ f, u }) => `  ${f.name}: ${u.ts};`).join('\n')}\n}`;
    let constant = 0;
    const dyn: string[] = [];
    for (const { f, u } of uses) {
      if (u.fixed !== null) constant += u.fixed;
      else dyn.push(u.size(`v.${f.name}`));
    }
    const sizeExpr = [String(constant), ...dyn].filter((s, i) => i > 0 || s !== '0' || dyn.length === 0).join(' + ');
    const doc = linked
      ? `/** A list node; the link field '${def.body.fields[def.body.fields.length - 1]!.name}' is not here: lists of ${def.name} are ${def.name}[]. xdr_${def.name} codes one node's fields. */\n`
      : '';
    return [
      doc + iface,
      `function sz_${def.name}(${dyn.length === 0 ? '_v' : 'v'}: ${def.name}): number {\n  return ${sizeExpr};\n}`,
      `function en_${def.name}(w: XdrWriter, v: ${def.name}): void {\n${uses.map(({ f, u }) => '  ' + u.enc(`v.${f.name}`)).join('\n')}\n}`,
      `function de_${def.name}(r: XdrReader): ${def.name} {\n  return {\n${uses.map(({ f, u }) => `    ${f.name}: ${u.dec},`).join('\n')}\n  };\n}`,
      codecConst(def.name),
    ];
  }

  function emitTypedef(def: Extract<TypeDef, { kind: 'typedef' }>): string[] {
    const d = def.decl;
    const u = useDecl(d, def.name);
    const lines: string[] = [`export type ${def.name} = ${u.ts};`];
    if ((d.kind === 'fixedArray' || d.kind === 'varArray') && helpersDone.has(def.name)) {
      // The array helpers are named after the typedef: they are its functions.
      lines.push(...pending);
      pending = [];
    } else {
      lines.push(
        `function sz_${def.name}(${u.fixed !== null ? '_v' : 'v'}: ${def.name}): number {\n  return ${u.fixed !== null ? u.fixed : u.size('v')};\n}`,
        `function en_${def.name}(w: XdrWriter, v: ${def.name}): void {\n  ${u.enc('v')}\n}`,
        `function de_${def.name}(r: XdrReader): ${def.name} {\n  return ${u.dec};\n}`,
      );
    }
    lines.push(codecConst(def.name));
    return lines;
  }

  function emitUnion(def: Extract<TypeDef, { kind: 'union' }>): string[] {
    const u = def.body;
    const disc = u.disc.name;
    const dt = resolveType(model, u.disc.type);
    let discTs: string;
    let discDec: string;
    let discEnc: string;
    let label: (c: Parameters<Model['value']>[0]) => string;
    if (dt.kind === 'enum') {
      const e = dt.def;
      discTs = e.name;
      discDec = `r.enumValue(va_${e.name}, ${lit(e.name)}) as ${e.name}`;
      discEnc = `w.i32(v.${disc});`;
      label = (c) => {
        const n = model.value(c);
        const m = e.body.members.find((mm) => model.value(mm.value) === n)!;
        return `${e.name}.${m.name}`;
      };
    } else if (dt.kind === 'prim') {
      discTs = PRIM_TS[dt.name];
      const rw = PRIM_RW[dt.name];
      discDec = `r.${rw}()`;
      discEnc = `w.${rw}(v.${disc});`;
      label = dt.name === 'bool' ? (c) => (c.kind === 'name' && c.name === 'TRUE' ? 'true' : 'false') : (c) => String(model.value(c));
    } else {
      throw new Error('internal: bad discriminant');
    }

    const arms = u.arms.map((a) => ({
      labels: a.cases.map(label),
      decl: a.decl,
      use: a.decl.kind === 'void' ? null : useDecl(a.decl, `${def.name}__${a.decl.name}`),
    }));
    const dflt = u.default === null ? null : { decl: u.default, use: u.default.kind === 'void' ? null : useDecl(u.default, `${def.name}__${u.default.name}`) };
    const allLabels = arms.flatMap((a) => a.labels);

    const member = (d: Decl, use: Use | null): string => (d.kind === 'void' || use === null ? '' : `; ${d.name}: ${use.ts}`);
    const variants = arms.map((a) => `  | { ${disc}: ${a.labels.join(' | ')}${member(a.decl, a.use)} }`);
    if (dflt !== null) {
      let rest = dt.kind === 'enum' ? `Exclude<${discTs}, ${allLabels.join(' | ')}>` : discTs;
      if (dt.kind === 'prim' && dt.name === 'bool') {
        const left = ['true', 'false'].filter((b) => !allLabels.includes(b));
        rest = left.length === 0 ? 'never' : left.join(' | ');
      }
      variants.push(`  | { ${disc}: ${rest}${member(dflt.decl, dflt.use)} }`);
    }
    const type = `export type ${def.name} =\n${variants.join('\n')};`;

    const armCast = (d: Decl, use: Use): string => `(v as { ${(d as NamedDecl).name}: ${use.ts} }).${(d as NamedDecl).name}`;
    const bad = (x: string): string => {
      valueImports.add('XdrError');
      return `throw new XdrError('ERR_XDR_BAD_VALUE', \`\${String(${x})} is not a case of union ${def.name}\`);`;
    };
    const cases = (a: { labels: string[] }): string => a.labels.map((l) => `    case ${l}:`).join('\n');

    const fixed = typeFixed(def);
    const sizeArms: string[] = [];
    const encArms: string[] = [];
    const decArms: string[] = [];
    for (const a of arms) {
      const sz = a.use === null ? '4' : a.use.fixed !== null ? String(4 + a.use.fixed) : `4 + ${a.use.size(armCast(a.decl, a.use))}`;
      sizeArms.push(`${cases(a)}\n      return ${sz};`);
      encArms.push(`${cases(a)}\n${a.use === null ? '' : `      ${a.use.enc(armCast(a.decl, a.use)).replace(/\n/g, '\n    ')}\n`}      return;`);
      decArms.push(`${cases(a)}\n      return { ${disc}: d${a.use === null ? '' : `, ${(a.decl as NamedDecl).name}: ${a.use.dec}`} } as ${def.name};`);
    }
    if (dflt !== null) {
      const du = dflt.use;
      sizeArms.push(`    default:\n      return ${du === null ? '4' : du.fixed !== null ? String(4 + du.fixed) : `4 + ${du.size(armCast(dflt.decl, du))}`};`);
      encArms.push(`    default:\n${du === null ? '' : `      ${du.enc(armCast(dflt.decl, du)).replace(/\n/g, '\n    ')}\n`}      return;`);
      decArms.push(`    default:\n      return { ${disc}: d${du === null ? '' : `, ${(dflt.decl as NamedDecl).name}: ${du.dec}`} } as ${def.name};`);
    } else {
      const x = `(v as { ${disc}: unknown }).${disc}`;
      sizeArms.push(`    default:\n      ${bad(x)}`);
      encArms.push(`    default:\n      ${bad(x)}`);
      decArms.push(`    default:\n      ${bad('d')}`);
    }
    return [
      type,
      fixed !== null
        ? `function sz_${def.name}(_v: ${def.name}): number {\n  return ${fixed};\n}`
        : `function sz_${def.name}(v: ${def.name}): number {\n  switch (v.${disc}) {\n${sizeArms.join('\n')}\n  }\n}`,
      `function en_${def.name}(w: XdrWriter, v: ${def.name}): void {\n  ${discEnc}\n  switch (v.${disc}) {\n${encArms.join('\n')}\n  }\n}`,
      `function de_${def.name}(r: XdrReader): ${def.name} {\n  const d = ${discDec};\n  switch (d) {\n${decArms.join('\n')}\n  }\n}`,
      codecConst(def.name),
    ];
  }

  // ---- module ------------------------------------------------------------------------

  for (const c of model.consts) {
    // Program, version and procedure numbers are emitted with their program below.
    if (model.programs.some((p) => p.name === c.name || p.versions.some((v) => v.name === c.name || v.procs.some((pr) => pr.name === c.name)))) continue;
    out.push(`export const ${c.name} = ${c.value};`);
    exports.push(c.name);
  }

  for (const def of model.types) {
    pending = [];
    let lines: string[];
    switch (def.kind) {
      case 'enum':
        lines = emitEnum(def);
        break;
      case 'struct':
        lines = emitStruct(def);
        break;
      case 'union':
        lines = emitUnion(def);
        break;
      case 'typedef':
        lines = emitTypedef(def);
        break;
    }
    out.push(...lines, ...pending);
    pending = [];
  }

  const procCodec = (d: Decl, what: string): string => {
    switch (d.kind) {
      case 'void':
        valueImports.add('xdr_void');
        return 'xdr_void';
      case 'string':
        valueImports.add('xdr_string');
        return 'xdr_string';
      case 'plain':
        if (d.type.kind === 'prim') {
          valueImports.add(PRIM_CODEC[d.type.name]);
          return PRIM_CODEC[d.type.name];
        }
        if (d.type.kind === 'ref') return `xdr_${d.type.name}`;
        break;
      default:
        break;
    }
    throw new Error(`${model.file}: ${what}: declare a typedef for this type`);
  };

  for (const p of model.programs) {
    out.push(`export const ${p.name} = ${p.value};`);
    exports.push(p.name);
    for (const v of p.versions) {
      out.push(`export const ${v.name} = ${v.value};`);
      exports.push(v.name);
      for (const pr of v.procs) {
        if (exports.includes(pr.name)) continue;
        out.push(`export const ${pr.name} = ${pr.value};`);
        exports.push(pr.name);
      }
      const rows = v.procs.map((pr) => {
        const short = pr.name.includes('_') ? pr.name.slice(pr.name.indexOf('_') + 1) : pr.name;
        return `  [${pr.name}]: { proc: ${pr.name}, name: ${lit(short)}, args: ${procCodec(pr.arg, pr.name)}, res: ${procCodec(pr.res, pr.name)} },`;
      });
      out.push(`/** Program ${p.name} (${p.value}) version ${v.name} (${v.value}): procedure number -> name and codecs. */\nexport const ${v.name}_PROCEDURES = {\n${rows.join('\n')}\n} as const;`);
      exports.push(`${v.name}_PROCEDURES`);
    }
  }

  const importLine = (types: string[], values: string[], from: string): string =>
    values.length === 0
      ? `import type { ${types.join(', ')} } from '${from}';`
      : `import { ${[...types.map((t) => `type ${t}`), ...values].join(', ')} } from '${from}';`;
  const imports = [
    importLine(['Codec'], ['xdr_void', 'xdr_string', ...Object.values(PRIM_CODEC)].filter((n) => valueImports.has(n)), '../codec.js'),
    ...(valueImports.has('XdrError') ? [`import { XdrError } from '../errors.js';`] : []),
    `import type { XdrReader } from '../reader.js';`,
    importLine(['XdrWriter'], ['opaqueSize', 'stringSize'].filter((n) => valueImports.has(n)), '../writer.js'),
  ];

  const code = `${header}\n${imports.join('\n')}\n\n${out.join('\n\n')}\n`;
  return { code, exports };
}
