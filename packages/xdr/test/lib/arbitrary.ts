/**
 * Arbitrary values for every generated type, driven by the checked model of the .x
 * specifications (so a new type in a spec is covered without touching the tests).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listNode, loadSpec, resolveType, type Decl, type Model, type NamedDecl, type TypeDef, type TypeSpec } from '../../src/gen/index.js';

export const pkgRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const specDir = join(pkgRoot, 'spec');

export function loadModels(): Model[] {
  return readdirSync(specDir)
    .filter((f) => f.endsWith('.x'))
    .sort()
    .map((f) => loadSpec(readFileSync(join(specDir, f), 'utf8'), f));
}

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  bool(): boolean {
    return (this.u32() & 1) === 1;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** Mostly small numbers, sometimes the edges: edge cases find more bugs than uniform values. */
  u32Edgy(): number {
    switch (this.int(4)) {
      case 0:
        return this.pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff]);
      case 1:
        return this.int(256);
      default:
        return this.u32();
    }
  }
  i32Edgy(): number {
    return this.u32Edgy() | 0;
  }
  u64(): bigint {
    if (this.int(4) === 0) return this.pick([0n, 1n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n]);
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
  i64(): bigint {
    return BigInt.asIntN(64, this.u64());
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  /** A string of at most max UTF-8 bytes, with some multi-byte characters. */
  string(max: number): string {
    const chars = ['a', 'Z', '0', ' ', '.', '_', 'é', 'ß', '€', '漢', '😀'];
    const want = this.int(Math.min(max, 24) + 1);
    let s = '';
    for (;;) {
      const c = this.pick(chars);
      if (Buffer.byteLength(s + c) > want) break;
      s += c;
    }
    return s;
  }
}

export class Arbitrary {
  constructor(
    private readonly model: Model,
    private readonly rng: Rng,
  ) {}

  /** A value of the named type. */
  ofType(name: string, depth = 0): unknown {
    const def = this.model.typeByName.get(name);
    if (def === undefined) throw new Error(`no type ${name}`);
    return this.ofDef(def, depth);
  }

  ofDef(def: TypeDef, depth: number): unknown {
    const m = this.model;
    switch (def.kind) {
      case 'enum':
        return m.value(this.rng.pick(def.body.members).value);
      case 'typedef':
        return this.ofDecl(def.decl, depth + 1);
      case 'struct': {
        const fields = m.linked.has(def.name) ? def.body.fields.slice(0, -1) : def.body.fields;
        const o: Record<string, unknown> = {};
        for (const f of fields) o[f.name] = this.ofDecl(f, depth + 1);
        return o;
      }
      case 'union': {
        const u = def.body;
        const disc = resolveType(m, u.disc.type);
        // Discriminant values the default arm may take.
        let defaults: (number | boolean)[] = [];
        const covered = new Set(u.arms.flatMap((a) => a.cases.map((c) => (c.kind === 'name' && (c.name === 'TRUE' || c.name === 'FALSE') ? c.name === 'TRUE' : m.value(c)))));
        if (u.default !== null) {
          if (disc.kind === 'enum') defaults = disc.def.body.members.map((mm) => m.value(mm.value)).filter((v) => !covered.has(v));
          else if (disc.kind === 'prim' && disc.name === 'bool') defaults = [true, false].filter((b) => !covered.has(b));
          else {
            for (let i = 0; i < 3; i++) {
              const v = disc.kind === 'prim' && disc.name === 'int' ? this.rng.i32Edgy() : this.rng.u32Edgy();
              if (!covered.has(v)) defaults.push(v);
            }
          }
        }
        const choices = u.arms.length + (defaults.length > 0 ? 1 : 0);
        const k = this.rng.int(choices);
        const o: Record<string, unknown> = {};
        let decl: Decl;
        if (k < u.arms.length) {
          const arm = u.arms[k]!;
          const c = this.rng.pick(arm.cases);
          o[u.disc.name] = c.kind === 'name' && (c.name === 'TRUE' || c.name === 'FALSE') ? c.name === 'TRUE' : m.value(c);
          decl = arm.decl;
        } else {
          o[u.disc.name] = this.rng.pick(defaults);
          decl = u.default!;
        }
        if (decl.kind !== 'void') o[decl.name] = this.ofDecl(decl, depth + 1);
        return o;
      }
    }
  }

  ofSpec(t: TypeSpec, depth: number): unknown {
    if (t.kind === 'prim') {
      switch (t.name) {
        case 'int':
          return this.rng.i32Edgy();
        case 'uint':
          return this.rng.u32Edgy();
        case 'hyper':
          return this.rng.i64();
        case 'uhyper':
          return this.rng.u64();
        case 'bool':
          return this.rng.bool();
      }
    }
    if (t.kind !== 'ref') throw new Error('unhoisted type');
    return this.ofType(t.name, depth);
  }

  /** Element counts stay small, and shrink with depth so nested lists stay bounded. */
  private count(max: number, depth: number): number {
    const cap = depth > 8 ? 0 : depth > 4 ? 1 : 3;
    return this.rng.int(Math.min(max, cap) + 1);
  }

  ofDecl(d: Decl | NamedDecl, depth: number): unknown {
    const m = this.model;
    switch (d.kind) {
      case 'void':
        return undefined;
      case 'plain':
        return this.ofSpec(d.type, depth);
      case 'opaqueFixed':
        return this.rng.bytes(m.value(d.size));
      case 'opaqueVar': {
        const max = d.max === null ? 0xffffffff : m.value(d.max);
        const n = this.rng.int(4) === 0 ? Math.min(max, this.rng.pick([0, 1, 2, 3, 4, 5])) : this.rng.int(Math.min(max, 70) + 1);
        return this.rng.bytes(n);
      }
      case 'string':
        return this.rng.string(d.max === null ? 0xffffffff : m.value(d.max));
      case 'optional': {
        const node = listNode(m, d);
        if (node !== undefined) {
          const n = this.count(5, depth);
          return Array.from({ length: n }, () => this.ofType(node, depth + 1));
        }
        return depth > 8 || this.rng.bool() ? null : this.ofSpec(d.type, depth + 1);
      }
      case 'fixedArray':
        return Array.from({ length: m.value(d.size) }, () => this.ofSpec(d.type, depth + 1));
      case 'varArray': {
        const n = this.count(d.max === null ? 0xffffffff : m.value(d.max), depth);
        return Array.from({ length: n }, () => this.ofSpec(d.type, depth + 1));
      }
    }
  }
}
