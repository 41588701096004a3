// Generated from packages/xdr/spec/portmap.x by packages/xdr/src/gen. Do not edit:
// change the .x file and run `pnpm --filter @nfsts/xdr gen` (node packages/xdr/dist/src/gen/cli.js).

import { type Codec, xdr_void, xdr_uint, xdr_bool } from '../codec.js';
import type { XdrReader } from '../reader.js';
import { type XdrWriter, opaqueSize } from '../writer.js';

export const PMAP_PORT = 111;

export const IPPROTO_TCP = 6;

export const IPPROTO_UDP = 17;

export interface mapping {
  prog: number;
  vers: number;
  prot: number;
  port: number;
}

function sz_mapping(_v: mapping): number {
  return 16;
}

function en_mapping(w: XdrWriter, v: mapping): void {
  w.u32(v.prog);
  w.u32(v.vers);
  w.u32(v.prot);
  w.u32(v.port);
}

function de_mapping(r: XdrReader): mapping {
  return {
    prog: r.u32(),
    vers: r.u32(),
    prot: r.u32(),
    port: r.u32(),
  };
}

export const xdr_mapping: Codec<mapping> = { size: sz_mapping, encode: en_mapping, decode: de_mapping };

/** A list node; the link field 'next' is not here: lists of pmaplist are pmaplist[]. xdr_pmaplist codes one node's fields. */
export interface pmaplist {
  map: mapping;
}

function sz_pmaplist(_v: pmaplist): number {
  return 16;
}

function en_pmaplist(w: XdrWriter, v: pmaplist): void {
  en_mapping(w, v.map);
}

function de_pmaplist(r: XdrReader): pmaplist {
  return {
    map: de_mapping(r),
  };
}

export const xdr_pmaplist: Codec<pmaplist> = { size: sz_pmaplist, encode: en_pmaplist, decode: de_pmaplist };

export type pmaplist_ptr = pmaplist[];

function sz_pmaplist_ptr(v: pmaplist_ptr): number {
  return sz_list_pmaplist(v);
}

function en_pmaplist_ptr(w: XdrWriter, v: pmaplist_ptr): void {
  en_list_pmaplist(w, v);
}

function de_pmaplist_ptr(r: XdrReader): pmaplist_ptr {
  return de_list_pmaplist(r);
}

export const xdr_pmaplist_ptr: Codec<pmaplist_ptr> = { size: sz_pmaplist_ptr, encode: en_pmaplist_ptr, decode: de_pmaplist_ptr };

/** pmaplist nodes as an array: each is preceded by TRUE, the list ends with FALSE. */
function sz_list_pmaplist(v: pmaplist[]): number {
  return 4 + v.length * 20;
}

function en_list_pmaplist(w: XdrWriter, v: pmaplist[]): void {
  for (let i = 0; i < v.length; i++) {
    w.u32(1);
    en_pmaplist(w, v[i]!);
  }
  w.u32(0);
}

function de_list_pmaplist(r: XdrReader): pmaplist[] {
  const out: pmaplist[] = [];
  while (r.bool()) out.push(de_pmaplist(r));
  return out;
}

export interface call_args {
  prog: number;
  vers: number;
  proc: number;
  args: Buffer;
}

function sz_call_args(v: call_args): number {
  return 12 + opaqueSize(v.args.length);
}

function en_call_args(w: XdrWriter, v: call_args): void {
  w.u32(v.prog);
  w.u32(v.vers);
  w.u32(v.proc);
  w.opaqueVar(v.args);
}

function de_call_args(r: XdrReader): call_args {
  return {
    prog: r.u32(),
    vers: r.u32(),
    proc: r.u32(),
    args: r.opaqueVar(),
  };
}

export const xdr_call_args: Codec<call_args> = { size: sz_call_args, encode: en_call_args, decode: de_call_args };

export interface call_result {
  port: number;
  res: Buffer;
}

function sz_call_result(v: call_result): number {
  return 4 + opaqueSize(v.res.length);
}

function en_call_result(w: XdrWriter, v: call_result): void {
  w.u32(v.port);
  w.opaqueVar(v.res);
}

function de_call_result(r: XdrReader): call_result {
  return {
    port: r.u32(),
    res: r.opaqueVar(),
  };
}

export const xdr_call_result: Codec<call_result> = { size: sz_call_result, encode: en_call_result, decode: de_call_result };

export const PMAP_PROG = 100000;

export const PMAP_VERS = 2;

export const PMAPPROC_NULL = 0;

export const PMAPPROC_SET = 1;

export const PMAPPROC_UNSET = 2;

export const PMAPPROC_GETPORT = 3;

export const PMAPPROC_DUMP = 4;

export const PMAPPROC_CALLIT = 5;

/** Program PMAP_PROG (100000) version PMAP_VERS (2): procedure number -> name and codecs. */
export const PMAP_VERS_PROCEDURES = {
  [PMAPPROC_NULL]: { proc: PMAPPROC_NULL, name: 'NULL', args: xdr_void, res: xdr_void },
  [PMAPPROC_SET]: { proc: PMAPPROC_SET, name: 'SET', args: xdr_mapping, res: xdr_bool },
  [PMAPPROC_UNSET]: { proc: PMAPPROC_UNSET, name: 'UNSET', args: xdr_mapping, res: xdr_bool },
  [PMAPPROC_GETPORT]: { proc: PMAPPROC_GETPORT, name: 'GETPORT', args: xdr_mapping, res: xdr_uint },
  [PMAPPROC_DUMP]: { proc: PMAPPROC_DUMP, name: 'DUMP', args: xdr_void, res: xdr_pmaplist_ptr },
  [PMAPPROC_CALLIT]: { proc: PMAPPROC_CALLIT, name: 'CALLIT', args: xdr_call_args, res: xdr_call_result },
} as const;
