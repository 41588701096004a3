import type { Decl, Definition, EnumBody, NamedDecl, Pos, Procedure, Spec, StructBody, TypeSpec, UnionArm, UnionBody, Value, Version } from './ast.js';

/** A syntax or meaning error in a .x file, located as file:line:col. */
export class SpecError extends Error {
  readonly code = 'ERR_XDR_SPEC';
  readonly file: string;
  readonly line: number;
  readonly col: number;

  constructor(file: string, pos: Pos, message: string) {
    super(`${file}:${pos.line}:${pos.col}: ${message}`);
    this.name = 'SpecError';
    this.file = file;
    this.line = pos.line;
    this.col = pos.col;
  }
}

type TokKind = 'ident' | 'num' | 'punct' | 'eof';

interface Token {
  kind: TokKind;
  text: string;
  value: number;
  pos: Pos;
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', '<', '>', ';', ',', '=', '*', ':']);

const RESERVED = new Set([
  'bool', 'case', 'const', 'default', 'double', 'quadruple', 'enum', 'float', 'hyper', 'int', 'opaque',
  'string', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'program', 'version',
]);

function tokenize(file: string, text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  const pos = (at: number): Pos => ({ line, col: at - lineStart + 1 });
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    // Pass-through lines (%...) and preprocessor lines (#...) at the start of a line are skipped.
    if ((c === '%' || c === '#') && text.slice(lineStart, i).trim() === '') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const start = pos(i);
      const close = text.indexOf('*/', i + 2);
      if (close < 0) throw new SpecError(file, start, 'unterminated comment');
      for (let j = i; j < close; j++) {
        if (text[j] === '\n') {
          line++;
          lineStart = j + 1;
        }
      }
      i = close + 2;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_]/.test(text[i]!)) i++;
      out.push({ kind: 'ident', text: text.slice(start, i), value: 0, pos: pos(start) });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const start = i;
      if (c === '-') i++;
      if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
        i += 2;
        while (i < n && /[0-9A-Fa-f]/.test(text[i]!)) i++;
      } else {
        while (i < n && /[0-9]/.test(text[i]!)) i++;
      }
      const lit = text.slice(start, i);
      if (i < n && /[A-Za-z_]/.test(text[i]!)) throw new SpecError(file, pos(start), `malformed number '${lit}${text[i]}'`);
      const neg = lit.startsWith('-');
      const body = neg ? lit.slice(1) : lit;
      // Octal literals (leading 0) as in C; plain "0" is zero either way.
      let v = body.length > 1 && body[0] === '0' && body[1] !== 'x' && body[1] !== 'X' ? parseInt(body, 8) : Number(body);
      if (!Number.isFinite(v)) throw new SpecError(file, pos(start), `malformed number '${lit}'`);
      if (neg) v = -v;
      out.push({ kind: 'num', text: lit, value: v, pos: pos(start) });
      continue;
    }
    if (PUNCT.has(c)) {
      out.push({ kind: 'punct', text: c, value: 0, pos: pos(i) });
      i++;
      continue;
    }
    throw new SpecError(file, pos(i), `unexpected character '${c}'`);
  }
  out.push({ kind: 'eof', text: '<end of file>', value: 0, pos: pos(i) });
  return out;
}

/** Parses the text of one .x file. Errors are SpecError with file:line:col. */
export function parseSpec(text: string, file = '<spec>'): Spec {
  const toks = tokenize(file, text);
  let k = 0;

  const peek = (ahead = 0): Token => toks[Math.min(k + ahead, toks.length - 1)]!;
  const next = (): Token => {
    const t = toks[k]!;
    if (t.kind !== 'eof') k++;
    return t;
  };
  const fail = (t: Token, message: string): never => {
    throw new SpecError(file, t.pos, message);
  };
  const describe = (t: Token): string => (t.kind === 'eof' ? 'end of file' : `'${t.text}'`);
  const isPunct = (text: string, t = peek()): boolean => t.kind === 'punct' && t.text === text;
  const isWord = (text: string, t = peek()): boolean => t.kind === 'ident' && t.text === text;
  const expect = (text: string): Token => {
    const t = next();
    if (t.text !== text || (t.kind !== 'punct' && t.kind !== 'ident')) fail(t, `expected '${text}', found ${describe(t)}`);
    return t;
  };
  const identifier = (what: string): Token => {
    const t = next();
    if (t.kind !== 'ident') fail(t, `expected ${what}, found ${describe(t)}`);
    if (RESERVED.has(t.text)) fail(t, `'${t.text}' is a reserved word and cannot be ${what}`);
    return t;
  };
  const value = (what: string): Value => {
    const t = next();
    if (t.kind === 'num') return { kind: 'num', value: t.value, pos: t.pos };
    if (t.kind === 'ident' && !RESERVED.has(t.text)) return { kind: 'name', name: t.text, pos: t.pos };
    return fail(t, `expected ${what} (a number or a constant name), found ${describe(t)}`);
  };

  function enumBody(): EnumBody {
    expect('{');
    const members: EnumBody['members'] = [];
    for (;;) {
      const name = identifier('an enum member name');
      expect('=');
      members.push({ name: name.text, value: value('the value of enum member ' + name.text), pos: name.pos });
      const t = next();
      if (t.kind === 'punct' && t.text === '}') break;
      if (!(t.kind === 'punct' && t.text === ',')) fail(t, `expected ',' or '}' in enum, found ${describe(t)}`);
    }
    return { members };
  }

  function structBody(): StructBody {
    const open = expect('{');
    const fields: NamedDecl[] = [];
    while (!isPunct('}')) {
      const d = declaration();
      expect(';');
      if (d.kind === 'void') fail(open, 'a struct field cannot be void');
      else fields.push(d);
    }
    expect('}');
    if (fields.length === 0) fail(open, 'a struct needs at least one field');
    return { fields };
  }

  function unionBody(): UnionBody {
    expect('switch');
    expect('(');
    const dt = peek();
    const discDecl = declaration();
    if (discDecl.kind !== 'plain') return fail(dt, 'a union discriminant must be a plain declaration such as "enum_type name"');
    expect(')');
    expect('{');
    const arms: UnionArm[] = [];
    let dflt: Decl | null = null;
    while (!isPunct('}')) {
      const t = peek();
      if (isWord('case')) {
        const cases: Value[] = [];
        while (isWord('case')) {
          next();
          cases.push(value('a case label'));
          expect(':');
        }
        const decl = declaration();
        expect(';');
        arms.push({ cases, decl });
      } else if (isWord('default')) {
        next();
        expect(':');
        if (dflt !== null) fail(t, 'a union has only one default arm');
        dflt = declaration();
        expect(';');
      } else {
        fail(t, `expected 'case', 'default' or '}' in union, found ${describe(t)}`);
      }
    }
    const close = expect('}');
    if (arms.length === 0 && dflt === null) fail(close, 'a union needs at least one arm');
    return { disc: { name: discDecl.name, type: discDecl.type, pos: discDecl.pos }, arms, default: dflt };
  }

  /** A type specifier; `void`, `opaque` and `string` are handled by the callers. */
  function typeSpecifier(): TypeSpec {
    const t = next();
    if (t.kind !== 'ident') return fail(t, `expected a type, found ${describe(t)}`);
    switch (t.text) {
      case 'unsigned': {
        if (isWord('int') || isWord('long')) next();
        else if (isWord('hyper')) {
          next();
          return { kind: 'prim', name: 'uhyper' };
        }
        return { kind: 'prim', name: 'uint' };
      }
      case 'int':
      case 'long':
        return { kind: 'prim', name: 'int' };
      case 'hyper':
        return { kind: 'prim', name: 'hyper' };
      case 'bool':
        return { kind: 'prim', name: 'bool' };
      case 'float':
      case 'double':
      case 'quadruple':
        return fail(t, `'${t.text}' is not supported (no NFS-family protocol uses floating point)`);
      case 'enum':
        if (isPunct('{')) return { kind: 'enum', body: enumBody(), pos: t.pos };
        return ref(identifier('an enum name'));
      case 'struct':
        if (isPunct('{')) return { kind: 'struct', body: structBody(), pos: t.pos };
        return ref(identifier('a struct name'));
      case 'union':
        if (isWord('switch')) return { kind: 'union', body: unionBody(), pos: t.pos };
        return ref(identifier('a union name'));
      case 'opaque':
      case 'string':
      case 'void':
        return fail(t, `'${t.text}' cannot be used here`);
      default:
        if (RESERVED.has(t.text)) return fail(t, `expected a type, found '${t.text}'`);
        return ref(t);
    }
  }

  function ref(t: Token): TypeSpec {
    return { kind: 'ref', name: t.text, pos: t.pos };
  }

  /** `<n>` or `<>` after a name; null when unbounded. */
  function maxBound(): Value | null {
    expect('<');
    if (isPunct('>')) {
      next();
      return null;
    }
    const v = value('a maximum length');
    expect('>');
    return v;
  }

  function declaration(): Decl {
    const t = peek();
    if (isWord('void')) {
      next();
      return { kind: 'void', pos: t.pos };
    }
    if (isWord('opaque')) {
      next();
      const name = identifier('a name').text;
      if (isPunct('[')) {
        next();
        const size = value('a length');
        expect(']');
        return { kind: 'opaqueFixed', name, size, pos: t.pos };
      }
      if (isPunct('<')) return { kind: 'opaqueVar', name, max: maxBound(), pos: t.pos };
      return fail(peek(), `opaque '${name}' needs a length: [n] or <n>`);
    }
    if (isWord('string')) {
      next();
      const name = identifier('a name').text;
      if (isPunct('<')) return { kind: 'string', name, max: maxBound(), pos: t.pos };
      return fail(peek(), `string '${name}' needs a maximum: <n> or <>`);
    }
    const type = typeSpecifier();
    if (isPunct('*')) {
      next();
      const name = identifier('a name').text;
      return { kind: 'optional', name, type, pos: t.pos };
    }
    const name = identifier('a name').text;
    if (isPunct('[')) {
      next();
      const size = value('an array length');
      expect(']');
      return { kind: 'fixedArray', name, type, size, pos: t.pos };
    }
    if (isPunct('<')) return { kind: 'varArray', name, type, max: maxBound(), pos: t.pos };
    return { kind: 'plain', name, type, pos: t.pos };
  }

  /** A procedure's argument or result: a type without a name. */
  function procType(): Decl {
    const t = peek();
    if (isWord('void')) {
      next();
      return { kind: 'void', pos: t.pos };
    }
    if (isWord('string')) {
      next();
      return { kind: 'string', name: '', max: null, pos: t.pos };
    }
    if (isWord('opaque')) return fail(t, 'opaque cannot be a procedure argument or result; declare a typedef');
    const type = typeSpecifier();
    if (isPunct('*')) {
      next();
      return { kind: 'optional', name: '', type, pos: t.pos };
    }
    return { kind: 'plain', name: '', type, pos: t.pos };
  }

  function program(): Definition {
    const kw = expect('program');
    const name = identifier('a program name').text;
    expect('{');
    const versions: Version[] = [];
    while (!isPunct('}')) {
      const vkw = expect('version');
      const vname = identifier('a version name').text;
      expect('{');
      const procs: Procedure[] = [];
      while (!isPunct('}')) {
        const pt = peek();
        const res = procType();
        const pname = identifier('a procedure name').text;
        expect('(');
        const args: Decl[] = [procType()];
        while (isPunct(',')) {
          next();
          args.push(procType());
        }
        expect(')');
        expect('=');
        const pv = value('a procedure number');
        expect(';');
        procs.push({ name: pname, value: pv, res, args, pos: pt.pos });
      }
      expect('}');
      expect('=');
      const vv = value('a version number');
      expect(';');
      if (procs.length === 0) fail(vkw, `version ${vname} has no procedures`);
      versions.push({ name: vname, value: vv, procs, pos: vkw.pos });
    }
    expect('}');
    expect('=');
    const v = value('a program number');
    expect(';');
    if (versions.length === 0) fail(kw, `program ${name} has no versions`);
    return { kind: 'program', name, value: v, versions, pos: kw.pos };
  }

  function definition(): Definition {
    const t = peek();
    if (t.kind !== 'ident') return fail(t, `expected a definition, found ${describe(t)}`);
    switch (t.text) {
      case 'const': {
        next();
        const name = identifier('a constant name').text;
        expect('=');
        const v = value('a constant value');
        expect(';');
        return { kind: 'const', name, value: v, pos: t.pos };
      }
      case 'enum': {
        next();
        const name = identifier('an enum name').text;
        const body = enumBody();
        expect(';');
        return { kind: 'enum', name, body, pos: t.pos };
      }
      case 'struct': {
        next();
        const name = identifier('a struct name').text;
        const body = structBody();
        expect(';');
        return { kind: 'struct', name, body, pos: t.pos };
      }
      case 'union': {
        next();
        const name = identifier('a union name').text;
        const body = unionBody();
        expect(';');
        return { kind: 'union', name, body, pos: t.pos };
      }
      case 'typedef': {
        next();
        const d = declaration();
        expect(';');
        if (d.kind === 'void') return fail(t, 'typedef void is not allowed');
        return { kind: 'typedef', name: d.name, decl: d, pos: t.pos };
      }
      case 'program':
        return program();
      default:
        return fail(t, `expected const, enum, struct, union, typedef or program, found '${t.text}'`);
    }
  }

  const definitions: Definition[] = [];
  while (peek().kind !== 'eof') definitions.push(definition());
  return { file, definitions };
}
