import type { Decl, Definition, EnumBody, NamedDecl, Pos, PrimName, Spec, StructBody, TypeSpec, UnionBody, Value } from './ast.js';
import { SpecError } from './parser.js';

/**
 * A checked specification: inline types hoisted to named ones, every name resolved,
 * self-linked list structs found. The emitter and the value generator of the tests work
 * from this.
 */
export type TypeDef =
  | { kind: 'enum'; name: string; body: EnumBody; pos: Pos }
  | { kind: 'struct'; name: string; body: StructBody; pos: Pos }
  | { kind: 'union'; name: string; body: UnionBody; pos: Pos }
  | { kind: 'typedef'; name: string; decl: NamedDecl; pos: Pos };

export interface ProcInfo {
  name: string;
  value: number;
  res: Decl;
  arg: Decl;
}

export interface VersionInfo {
  name: string;
  value: number;
  procs: ProcInfo[];
}

export interface ProgramInfo {
  name: string;
  value: number;
  versions: VersionInfo[];
}

export interface Model {
  file: string;
  /** Named constants in source order: const definitions and program/version/procedure numbers. */
  consts: { name: string; value: number }[];
  types: TypeDef[];
  typeByName: Map<string, TypeDef>;
  programs: ProgramInfo[];
  /** Structs whose last field links to the next node; their interface omits that field. */
  linked: Set<string>;
  /** Resolves a constant or enum member value. */
  value(v: Value): number;
  /** The enum a member name belongs to, if it is one. */
  memberOf(name: string): { enumName: string; value: number } | undefined;
}

/** The type a discriminant or element finally is, after following typedefs of plain declarations. */
export type Resolved =
  | { kind: 'prim'; name: PrimName }
  | { kind: 'enum'; def: Extract<TypeDef, { kind: 'enum' }> }
  | { kind: 'struct'; def: Extract<TypeDef, { kind: 'struct' }> }
  | { kind: 'union'; def: Extract<TypeDef, { kind: 'union' }> }
  | { kind: 'typedef'; def: Extract<TypeDef, { kind: 'typedef' }> };

export function buildModel(spec: Spec): Model {
  const file = spec.file;
  const fail = (pos: Pos, message: string): never => {
    throw new SpecError(file, pos, message);
  };

  const types: TypeDef[] = [];
  const typeByName = new Map<string, TypeDef>();
  const constDefs = new Map<string, { value: Value; pos: Pos }>();
  const members = new Map<string, { enumName: string; value: Value; pos: Pos }>();
  const globalNames = new Map<string, Pos>();

  const claim = (name: string, pos: Pos, what: string): void => {
    const prev = globalNames.get(name);
    if (prev !== undefined) fail(pos, `${what} '${name}' is already defined at line ${prev.line}`);
    globalNames.set(name, pos);
  };

  const addType = (def: TypeDef): void => {
    claim(def.name, def.pos, 'type');
    typeByName.set(def.name, def);
    if (def.kind === 'enum') {
      for (const m of def.body.members) {
        claim(m.name, m.pos, 'enum member');
        members.set(m.name, { enumName: def.name, value: m.value, pos: m.pos });
      }
    }
  };

  // Hoists an inline struct/union/enum type of a declaration to a named type `${owner}_${decl}`.
  const hoistType = (t: TypeSpec, name: string): TypeSpec => {
    if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'enum') {
      hoistBody(t.kind, t.body, name);
      addType({ kind: t.kind, name, body: t.body, pos: t.pos } as TypeDef);
      types.push(typeByName.get(name)!);
      return { kind: 'ref', name, pos: t.pos };
    }
    return t;
  };
  const hoistDecl = (d: Decl, owner: string): Decl => {
    if (d.kind === 'plain' || d.kind === 'optional' || d.kind === 'fixedArray' || d.kind === 'varArray') {
      return { ...d, type: hoistType(d.type, `${owner}_${d.name}`) };
    }
    return d;
  };
  function hoistBody(kind: 'struct' | 'union' | 'enum', body: StructBody | UnionBody | EnumBody, owner: string): void {
    if (kind === 'struct') {
      const b = body as StructBody;
      b.fields = b.fields.map((f) => hoistDecl(f, owner) as NamedDecl);
    } else if (kind === 'union') {
      const b = body as UnionBody;
      b.disc = { ...b.disc, type: hoistType(b.disc.type, `${owner}_${b.disc.name}`) };
      b.arms = b.arms.map((a) => ({ cases: a.cases, decl: hoistDecl(a.decl, owner) }));
      if (b.default !== null) b.default = hoistDecl(b.default, owner);
    }
  }

  const programsRaw: Extract<Definition, { kind: 'program' }>[] = [];
  const constOrder: { name: string; value: Value }[] = [];
  for (const def of spec.definitions) {
    switch (def.kind) {
      case 'const':
        claim(def.name, def.pos, 'constant');
        constDefs.set(def.name, { value: def.value, pos: def.pos });
        constOrder.push({ name: def.name, value: def.value });
        break;
      case 'enum':
      case 'struct':
      case 'union': {
        hoistBody(def.kind, def.body, def.name);
        const td = { kind: def.kind, name: def.name, body: def.body, pos: def.pos } as TypeDef;
        addType(td);
        types.push(td);
        break;
      }
      case 'typedef': {
        const decl = hoistDecl(def.decl, def.name) as NamedDecl;
        const td: TypeDef = { kind: 'typedef', name: def.name, decl, pos: def.pos };
        addType(td);
        types.push(td);
        break;
      }
      case 'program':
        programsRaw.push(def);
        break;
    }
  }

  // Constant and member values, with cycle detection.
  const resolving = new Set<string>();
  const constValue = (name: string, pos: Pos): number => {
    const c = constDefs.get(name);
    const m = members.get(name);
    const v = c?.value ?? m?.value;
    if (v === undefined) return fail(pos, `unknown constant '${name}'`);
    if (resolving.has(name)) return fail(pos, `constant '${name}' is defined in terms of itself`);
    resolving.add(name);
    try {
      return value(v);
    } finally {
      resolving.delete(name);
    }
  };
  function value(v: Value): number {
    return v.kind === 'num' ? v.value : constValue(v.name, v.pos);
  }
  const checkInt = (v: Value, what: string): number => {
    const n = value(v);
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) fail(v.pos, `${what} ${n} does not fit 32 bits`);
    return n;
  };
  const checkBound = (v: Value | null, what: string): void => {
    if (v === null) return;
    const n = value(v);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) fail(v.pos, `${what} must be between 0 and 2^32-1, got ${n}`);
  };

  const consts: Model['consts'] = constOrder.map((c) => ({ name: c.name, value: checkInt(c.value, `constant ${c.name}`) }));

  // Every referenced type must exist.
  const checkType = (t: TypeSpec): void => {
    if (t.kind === 'ref' && !typeByName.has(t.name)) {
      fail(t.pos, constDefs.has(t.name) || members.has(t.name) ? `'${t.name}' is a constant, not a type` : `unknown type '${t.name}'`);
    }
  };
  const checkDecl = (d: Decl): void => {
    switch (d.kind) {
      case 'void':
        return;
      case 'plain':
      case 'optional':
        checkType(d.type);
        return;
      case 'fixedArray':
        checkType(d.type);
        checkBound(d.size, 'an array length');
        return;
      case 'varArray':
        checkType(d.type);
        checkBound(d.max, 'an array maximum');
        return;
      case 'opaqueFixed':
        checkBound(d.size, 'an opaque length');
        return;
      case 'opaqueVar':
      case 'string':
        checkBound(d.max, `a ${d.kind === 'string' ? 'string' : 'opaque'} maximum`);
        return;
    }
  };

  const resolve = (t: TypeSpec): Resolved => {
    if (t.kind === 'prim') return t;
    if (t.kind !== 'ref') throw new Error('internal: unhoisted inline type');
    const def = typeByName.get(t.name)!;
    if (def.kind === 'typedef' && def.decl.kind === 'plain') return resolve(def.decl.type);
    return { kind: def.kind, def } as Resolved;
  };

  for (const def of types) {
    if (def.kind === 'enum') {
      const seen = new Map<number, string>();
      for (const m of def.body.members) {
        const v = checkInt(m.value, `enum member ${m.name}`);
        if (v > 0x7fffffff) fail(m.pos, `enum member ${m.name} = ${v} does not fit a signed int`);
        const dup = seen.get(v);
        if (dup !== undefined) fail(m.pos, `enum ${def.name}: ${m.name} and ${dup} have the same value ${v}`);
        seen.set(v, m.name);
      }
    } else if (def.kind === 'struct') {
      const names = new Set<string>();
      for (const f of def.body.fields) {
        if (names.has(f.name)) fail(f.pos, `struct ${def.name} has two fields named '${f.name}'`);
        names.add(f.name);
        checkDecl(f);
      }
    } else if (def.kind === 'typedef') {
      checkDecl(def.decl);
    } else {
      const u = def.body;
      checkType(u.disc.type);
      const dt = resolve(u.disc.type);
      const discOk = (dt.kind === 'prim' && dt.name !== 'hyper' && dt.name !== 'uhyper') || dt.kind === 'enum';
      if (!discOk) fail(u.disc.pos, `union ${def.name}: the discriminant must be int, unsigned int, bool or an enum`);
      const seen = new Map<string, Pos>();
      for (const arm of u.arms) {
        for (const c of arm.cases) {
          let key: string;
          if (dt.kind === 'prim' && dt.name === 'bool') {
            if (c.kind !== 'name' || (c.name !== 'TRUE' && c.name !== 'FALSE')) fail(c.pos, `union ${def.name}: a bool discriminant takes TRUE or FALSE`);
            key = (c as { name: string }).name;
          } else if (dt.kind === 'enum') {
            if (c.kind !== 'name') {
              const n = c.value;
              const m = dt.def.body.members.find((mm) => value(mm.value) === n);
              if (m === undefined) fail(c.pos, `union ${def.name}: ${n} is not a value of enum ${dt.def.name}`);
              key = String(n);
            } else {
              const m = members.get(c.name);
              if (m === undefined || m.enumName !== dt.def.name) {
                // A constant whose value is a member is accepted too.
                const n = constDefs.has(c.name) ? value(c) : undefined;
                if (n === undefined || !dt.def.body.members.some((mm) => value(mm.value) === n)) {
                  fail(c.pos, `union ${def.name}: '${c.name}' is not a member of enum ${dt.def.name}`);
                }
              }
              key = String(value(c));
            }
          } else {
            key = String(checkInt(c, 'a case label'));
          }
          const prev = seen.get(key);
          if (prev !== undefined) fail(c.pos, `union ${def.name}: case ${c.kind === 'name' ? c.name : c.value} appears twice (first at line ${prev.line})`);
          seen.set(key, c.pos);
        }
      }
      const armNames = new Set<string>([u.disc.name]);
      for (const d of [...u.arms.map((a) => a.decl), ...(u.default === null ? [] : [u.default])]) {
        checkDecl(d);
        if (d.kind === 'void') continue;
        if (armNames.has(d.name)) {
          fail(d.pos, d.name === u.disc.name
            ? `union ${def.name}: arm '${d.name}' has the name of the discriminant`
            : `union ${def.name}: two arms are named '${d.name}'`);
        }
        armNames.add(d.name);
      }
    }
  }

  // Self-linked lists: a struct whose last field is an optional pointer to itself, directly
  // or through a typedef of such a pointer.
  const linked = new Set<string>();
  const pointee = (d: Decl): string | undefined => {
    if (d.kind === 'optional' && d.type.kind === 'ref') return d.type.name;
    if (d.kind === 'plain' && d.type.kind === 'ref') {
      const td = typeByName.get(d.type.name);
      if (td?.kind === 'typedef' && td.decl.kind === 'optional' && td.decl.type.kind === 'ref') return td.decl.type.name;
    }
    return undefined;
  };
  for (const def of types) {
    if (def.kind !== 'struct') continue;
    const last = def.body.fields[def.body.fields.length - 1]!;
    if (pointee(last) === def.name) {
      if (def.body.fields.length < 2) fail(def.pos, `list node ${def.name} has no fields besides its link`);
      linked.add(def.name);
    }
  }

  // Programs: numbers become constants; the same name may repeat with the same value.
  const programConsts = new Map<string, { value: number; pos: Pos }>();
  const addProgramConst = (name: string, v: number, pos: Pos, what: string): void => {
    const prev = programConsts.get(name);
    if (prev !== undefined) {
      if (prev.value !== v) fail(pos, `${what} '${name}' = ${v} was defined as ${prev.value} at line ${prev.pos.line}`);
      return;
    }
    claim(name, pos, what);
    programConsts.set(name, { value: v, pos });
    consts.push({ name, value: v });
  };
  const programs: ProgramInfo[] = [];
  for (const p of programsRaw) {
    const pv = checkInt(p.value, `program ${p.name}`);
    addProgramConst(p.name, pv, p.pos, 'program');
    const versions: VersionInfo[] = [];
    const vseen = new Set<number>();
    for (const ver of p.versions) {
      const vv = checkInt(ver.value, `version ${ver.name}`);
      if (vseen.has(vv)) fail(ver.pos, `program ${p.name} has version ${vv} twice`);
      vseen.add(vv);
      addProgramConst(ver.name, vv, ver.pos, 'version');
      const procs: ProcInfo[] = [];
      const pseen = new Set<number>();
      for (const proc of ver.procs) {
        const n = checkInt(proc.value, `procedure ${proc.name}`);
        if (pseen.has(n)) fail(proc.pos, `version ${ver.name} has procedure ${n} twice`);
        pseen.add(n);
        if (proc.args.length !== 1) fail(proc.pos, `procedure ${proc.name} takes ${proc.args.length} arguments; only one is supported`);
        const arg = proc.args[0]!;
        checkDecl(arg);
        checkDecl(proc.res);
        addProgramConst(proc.name, n, proc.pos, 'procedure');
        procs.push({ name: proc.name, value: n, res: proc.res, arg });
      }
      versions.push({ name: ver.name, value: vv, procs });
    }
    programs.push({ name: p.name, value: pv, versions });
  }

  return {
    file,
    consts,
    types,
    typeByName,
    programs,
    linked,
    value,
    memberOf(name) {
      const m = members.get(name);
      return m === undefined ? undefined : { enumName: m.enumName, value: value(m.value) };
    },
  };
}

/** Follows typedefs of plain declarations to the underlying type. */
export function resolveType(model: Model, t: TypeSpec): Resolved {
  if (t.kind === 'prim') return t;
  if (t.kind !== 'ref') throw new Error('internal: unhoisted inline type');
  const def = model.typeByName.get(t.name);
  if (def === undefined) throw new Error(`internal: unknown type ${t.name}`);
  if (def.kind === 'typedef' && def.decl.kind === 'plain') return resolveType(model, def.decl.type);
  return { kind: def.kind, def } as Resolved;
}

/** The struct a declaration links to as a list, when it is an optional pointer to a list node. */
export function listNode(model: Model, d: Decl): string | undefined {
  if (d.kind === 'optional' && d.type.kind === 'ref') {
    const r = resolveType(model, d.type);
    if (r.kind === 'struct' && model.linked.has(r.def.name)) return r.def.name;
  }
  return undefined;
}
