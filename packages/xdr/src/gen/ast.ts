/** The syntax tree of an RPCL (.x) specification, RFC 4506 section 6 plus RFC 5531 programs. */

export interface Pos {
  line: number;
  col: number;
}

/** A constant in a bound, a case label or an enum member: a number or a name. */
export type Value = { kind: 'num'; value: number; pos: Pos } | { kind: 'name'; name: string; pos: Pos };

export type PrimName = 'int' | 'uint' | 'hyper' | 'uhyper' | 'bool';

export type TypeSpec =
  | { kind: 'prim'; name: PrimName }
  | { kind: 'ref'; name: string; pos: Pos }
  | { kind: 'enum'; body: EnumBody; pos: Pos }
  | { kind: 'struct'; body: StructBody; pos: Pos }
  | { kind: 'union'; body: UnionBody; pos: Pos };

/** A declaration: a struct field, a union arm, a typedef or a procedure argument. */
export type Decl =
  | { kind: 'void'; pos: Pos }
  | { kind: 'plain'; name: string; type: TypeSpec; pos: Pos }
  | { kind: 'optional'; name: string; type: TypeSpec; pos: Pos }
  | { kind: 'fixedArray'; name: string; type: TypeSpec; size: Value; pos: Pos }
  | { kind: 'varArray'; name: string; type: TypeSpec; max: Value | null; pos: Pos }
  | { kind: 'opaqueFixed'; name: string; size: Value; pos: Pos }
  | { kind: 'opaqueVar'; name: string; max: Value | null; pos: Pos }
  | { kind: 'string'; name: string; max: Value | null; pos: Pos };

export type NamedDecl = Exclude<Decl, { kind: 'void' }>;

export interface EnumBody {
  members: { name: string; value: Value; pos: Pos }[];
}

export interface StructBody {
  fields: NamedDecl[];
}

export interface UnionArm {
  cases: Value[];
  decl: Decl;
}

export interface UnionBody {
  disc: { name: string; type: TypeSpec; pos: Pos };
  arms: UnionArm[];
  /** The `default:` arm, or null when there is none. */
  default: Decl | null;
}

export interface Procedure {
  name: string;
  value: Value;
  /** Result and argument declarations carry an empty name. */
  res: Decl;
  args: Decl[];
  pos: Pos;
}

export interface Version {
  name: string;
  value: Value;
  procs: Procedure[];
  pos: Pos;
}

export type Definition =
  | { kind: 'const'; name: string; value: Value; pos: Pos }
  | { kind: 'enum'; name: string; body: EnumBody; pos: Pos }
  | { kind: 'struct'; name: string; body: StructBody; pos: Pos }
  | { kind: 'union'; name: string; body: UnionBody; pos: Pos }
  | { kind: 'typedef'; name: string; decl: NamedDecl; pos: Pos }
  | { kind: 'program'; name: string; value: Value; versions: Version[]; pos: Pos };

export interface Spec {
  file: string;
  definitions: Definition[];
}
