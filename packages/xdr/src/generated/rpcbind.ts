// Generated from packages/xdr/spec/rpcbind.x by packages/xdr/src/gen. Do not edit:
// change the .x file and run `pnpm --filter @nfsts/xdr gen` (node packages/xdr/dist/src/gen/cli.js).

import { type Codec, xdr_void, xdr_string, xdr_uint, xdr_bool } from '../codec.js';
import { XdrError } from '../errors.js';
import type { XdrReader } from '../reader.js';
import { type XdrWriter, opaqueSize, stringSize } from '../writer.js';

export const RPCB_PORT = 111;

export const rpcb_highproc_2 = 5;

export const rpcb_highproc_3 = 8;

export const rpcb_highproc_4 = 12;

export const RPCBSTAT_HIGHPROC = 13;

export const RPCBVERS_STAT = 3;

export const RPCBVERS_4_STAT = 2;

export const RPCBVERS_3_STAT = 1;

export const RPCBVERS_2_STAT = 0;

export interface rpcb {
  r_prog: number;
  r_vers: number;
  r_netid: string;
  r_addr: string;
  r_owner: string;
}

function sz_rpcb(v: rpcb): number {
  return 8 + stringSize(v.r_netid) + stringSize(v.r_addr) + stringSize(v.r_owner);
}

function en_rpcb(w: XdrWriter, v: rpcb): void {
  w.u32(v.r_prog);
  w.u32(v.r_vers);
  w.string(v.r_netid);
  w.string(v.r_addr);
  w.string(v.r_owner);
}

function de_rpcb(r: XdrReader): rpcb {
  return {
    r_prog: r.u32(),
    r_vers: r.u32(),
    r_netid: r.string(),
    r_addr: r.string(),
    r_owner: r.string(),
  };
}

export const xdr_rpcb: Codec<rpcb> = { size: sz_rpcb, encode: en_rpcb, decode: de_rpcb };

/** A list node; the link field 'rpcb_next' is not here: lists of rp__list are rp__list[]. xdr_rp__list codes one node's fields. */
export interface rp__list {
  rpcb_map: rpcb;
}

function sz_rp__list(v: rp__list): number {
  return sz_rpcb(v.rpcb_map);
}

function en_rp__list(w: XdrWriter, v: rp__list): void {
  en_rpcb(w, v.rpcb_map);
}

function de_rp__list(r: XdrReader): rp__list {
  return {
    rpcb_map: de_rpcb(r),
  };
}

export const xdr_rp__list: Codec<rp__list> = { size: sz_rp__list, encode: en_rp__list, decode: de_rp__list };

export type rpcblist_ptr = rp__list[];

function sz_rpcblist_ptr(v: rpcblist_ptr): number {
  return sz_list_rp__list(v);
}

function en_rpcblist_ptr(w: XdrWriter, v: rpcblist_ptr): void {
  en_list_rp__list(w, v);
}

function de_rpcblist_ptr(r: XdrReader): rpcblist_ptr {
  return de_list_rp__list(r);
}

export const xdr_rpcblist_ptr: Codec<rpcblist_ptr> = { size: sz_rpcblist_ptr, encode: en_rpcblist_ptr, decode: de_rpcblist_ptr };

/** rp__list nodes as an array: each is preceded by TRUE, the list ends with FALSE. */
function sz_list_rp__list(v: rp__list[]): number {
  let n = 4;
  for (let i = 0; i < v.length; i++) n += 4 + sz_rp__list(v[i]!);
  return n;
}

function en_list_rp__list(w: XdrWriter, v: rp__list[]): void {
  for (let i = 0; i < v.length; i++) {
    w.u32(1);
    en_rp__list(w, v[i]!);
  }
  w.u32(0);
}

function de_list_rp__list(r: XdrReader): rp__list[] {
  const out: rp__list[] = [];
  while (r.bool()) out.push(de_rp__list(r));
  return out;
}

export interface rpcb_rmtcallargs {
  prog: number;
  vers: number;
  proc: number;
  args: Buffer;
}

function sz_rpcb_rmtcallargs(v: rpcb_rmtcallargs): number {
  return 12 + opaqueSize(v.args.length);
}

function en_rpcb_rmtcallargs(w: XdrWriter, v: rpcb_rmtcallargs): void {
  w.u32(v.prog);
  w.u32(v.vers);
  w.u32(v.proc);
  w.opaqueVar(v.args);
}

function de_rpcb_rmtcallargs(r: XdrReader): rpcb_rmtcallargs {
  return {
    prog: r.u32(),
    vers: r.u32(),
    proc: r.u32(),
    args: r.opaqueVar(),
  };
}

export const xdr_rpcb_rmtcallargs: Codec<rpcb_rmtcallargs> = { size: sz_rpcb_rmtcallargs, encode: en_rpcb_rmtcallargs, decode: de_rpcb_rmtcallargs };

export interface rpcb_rmtcallres {
  addr: string;
  results: Buffer;
}

function sz_rpcb_rmtcallres(v: rpcb_rmtcallres): number {
  return stringSize(v.addr) + opaqueSize(v.results.length);
}

function en_rpcb_rmtcallres(w: XdrWriter, v: rpcb_rmtcallres): void {
  w.string(v.addr);
  w.opaqueVar(v.results);
}

function de_rpcb_rmtcallres(r: XdrReader): rpcb_rmtcallres {
  return {
    addr: r.string(),
    results: r.opaqueVar(),
  };
}

export const xdr_rpcb_rmtcallres: Codec<rpcb_rmtcallres> = { size: sz_rpcb_rmtcallres, encode: en_rpcb_rmtcallres, decode: de_rpcb_rmtcallres };

export interface rpcb_entry {
  r_maddr: string;
  r_nc_netid: string;
  r_nc_semantics: number;
  r_nc_protofmly: string;
  r_nc_proto: string;
}

function sz_rpcb_entry(v: rpcb_entry): number {
  return 4 + stringSize(v.r_maddr) + stringSize(v.r_nc_netid) + stringSize(v.r_nc_protofmly) + stringSize(v.r_nc_proto);
}

function en_rpcb_entry(w: XdrWriter, v: rpcb_entry): void {
  w.string(v.r_maddr);
  w.string(v.r_nc_netid);
  w.u32(v.r_nc_semantics);
  w.string(v.r_nc_protofmly);
  w.string(v.r_nc_proto);
}

function de_rpcb_entry(r: XdrReader): rpcb_entry {
  return {
    r_maddr: r.string(),
    r_nc_netid: r.string(),
    r_nc_semantics: r.u32(),
    r_nc_protofmly: r.string(),
    r_nc_proto: r.string(),
  };
}

export const xdr_rpcb_entry: Codec<rpcb_entry> = { size: sz_rpcb_entry, encode: en_rpcb_entry, decode: de_rpcb_entry };

/** A list node; the link field 'rpcb_entry_next' is not here: lists of rpcb_entry_list are rpcb_entry_list[]. xdr_rpcb_entry_list codes one node's fields. */
export interface rpcb_entry_list {
  rpcb_entry_map: rpcb_entry;
}

function sz_rpcb_entry_list(v: rpcb_entry_list): number {
  return sz_rpcb_entry(v.rpcb_entry_map);
}

function en_rpcb_entry_list(w: XdrWriter, v: rpcb_entry_list): void {
  en_rpcb_entry(w, v.rpcb_entry_map);
}

function de_rpcb_entry_list(r: XdrReader): rpcb_entry_list {
  return {
    rpcb_entry_map: de_rpcb_entry(r),
  };
}

export const xdr_rpcb_entry_list: Codec<rpcb_entry_list> = { size: sz_rpcb_entry_list, encode: en_rpcb_entry_list, decode: de_rpcb_entry_list };

export type rpcb_entry_list_ptr = rpcb_entry_list[];

function sz_rpcb_entry_list_ptr(v: rpcb_entry_list_ptr): number {
  return sz_list_rpcb_entry_list(v);
}

function en_rpcb_entry_list_ptr(w: XdrWriter, v: rpcb_entry_list_ptr): void {
  en_list_rpcb_entry_list(w, v);
}

function de_rpcb_entry_list_ptr(r: XdrReader): rpcb_entry_list_ptr {
  return de_list_rpcb_entry_list(r);
}

export const xdr_rpcb_entry_list_ptr: Codec<rpcb_entry_list_ptr> = { size: sz_rpcb_entry_list_ptr, encode: en_rpcb_entry_list_ptr, decode: de_rpcb_entry_list_ptr };

/** rpcb_entry_list nodes as an array: each is preceded by TRUE, the list ends with FALSE. */
function sz_list_rpcb_entry_list(v: rpcb_entry_list[]): number {
  let n = 4;
  for (let i = 0; i < v.length; i++) n += 4 + sz_rpcb_entry_list(v[i]!);
  return n;
}

function en_list_rpcb_entry_list(w: XdrWriter, v: rpcb_entry_list[]): void {
  for (let i = 0; i < v.length; i++) {
    w.u32(1);
    en_rpcb_entry_list(w, v[i]!);
  }
  w.u32(0);
}

function de_list_rpcb_entry_list(r: XdrReader): rpcb_entry_list[] {
  const out: rpcb_entry_list[] = [];
  while (r.bool()) out.push(de_rpcb_entry_list(r));
  return out;
}

/** A list node; the link field 'next' is not here: lists of rpcbs_addrlist are rpcbs_addrlist[]. xdr_rpcbs_addrlist codes one node's fields. */
export interface rpcbs_addrlist {
  prog: number;
  vers: number;
  success: number;
  failure: number;
  netid: string;
}

function sz_rpcbs_addrlist(v: rpcbs_addrlist): number {
  return 16 + stringSize(v.netid);
}

function en_rpcbs_addrlist(w: XdrWriter, v: rpcbs_addrlist): void {
  w.u32(v.prog);
  w.u32(v.vers);
  w.i32(v.success);
  w.i32(v.failure);
  w.string(v.netid);
}

function de_rpcbs_addrlist(r: XdrReader): rpcbs_addrlist {
  return {
    prog: r.u32(),
    vers: r.u32(),
    success: r.i32(),
    failure: r.i32(),
    netid: r.string(),
  };
}

export const xdr_rpcbs_addrlist: Codec<rpcbs_addrlist> = { size: sz_rpcbs_addrlist, encode: en_rpcbs_addrlist, decode: de_rpcbs_addrlist };

/** A list node; the link field 'next' is not here: lists of rpcbs_rmtcalllist are rpcbs_rmtcalllist[]. xdr_rpcbs_rmtcalllist codes one node's fields. */
export interface rpcbs_rmtcalllist {
  prog: number;
  vers: number;
  proc: number;
  success: number;
  failure: number;
  indirect: number;
  netid: string;
}

function sz_rpcbs_rmtcalllist(v: rpcbs_rmtcalllist): number {
  return 24 + stringSize(v.netid);
}

function en_rpcbs_rmtcalllist(w: XdrWriter, v: rpcbs_rmtcalllist): void {
  w.u32(v.prog);
  w.u32(v.vers);
  w.u32(v.proc);
  w.i32(v.success);
  w.i32(v.failure);
  w.i32(v.indirect);
  w.string(v.netid);
}

function de_rpcbs_rmtcalllist(r: XdrReader): rpcbs_rmtcalllist {
  return {
    prog: r.u32(),
    vers: r.u32(),
    proc: r.u32(),
    success: r.i32(),
    failure: r.i32(),
    indirect: r.i32(),
    netid: r.string(),
  };
}

export const xdr_rpcbs_rmtcalllist: Codec<rpcbs_rmtcalllist> = { size: sz_rpcbs_rmtcalllist, encode: en_rpcbs_rmtcalllist, decode: de_rpcbs_rmtcalllist };

export type rpcbs_proc = number[];

function sz_rpcbs_proc(v: number[]): number {
  return v.length * 4;
}

function en_rpcbs_proc(w: XdrWriter, v: number[]): void {
  if (v.length !== 13) throw new XdrError('ERR_XDR_RANGE', `rpcbs_proc: array of 13 elements given ${v.length}`);
  for (let i = 0; i < v.length; i++) {
    const e = v[i]!;
    w.i32(e);
  }
}

function de_rpcbs_proc(r: XdrReader): number[] {
  const n = 13;
  r.ensureElements(n, 4);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = r.i32();
  return out;
}

export const xdr_rpcbs_proc: Codec<rpcbs_proc> = { size: sz_rpcbs_proc, encode: en_rpcbs_proc, decode: de_rpcbs_proc };

export type rpcbs_addrlist_ptr = rpcbs_addrlist[];

function sz_rpcbs_addrlist_ptr(v: rpcbs_addrlist_ptr): number {
  return sz_list_rpcbs_addrlist(v);
}

function en_rpcbs_addrlist_ptr(w: XdrWriter, v: rpcbs_addrlist_ptr): void {
  en_list_rpcbs_addrlist(w, v);
}

function de_rpcbs_addrlist_ptr(r: XdrReader): rpcbs_addrlist_ptr {
  return de_list_rpcbs_addrlist(r);
}

export const xdr_rpcbs_addrlist_ptr: Codec<rpcbs_addrlist_ptr> = { size: sz_rpcbs_addrlist_ptr, encode: en_rpcbs_addrlist_ptr, decode: de_rpcbs_addrlist_ptr };

/** rpcbs_addrlist nodes as an array: each is preceded by TRUE, the list ends with FALSE. */
function sz_list_rpcbs_addrlist(v: rpcbs_addrlist[]): number {
  let n = 4;
  for (let i = 0; i < v.length; i++) n += 4 + sz_rpcbs_addrlist(v[i]!);
  return n;
}

function en_list_rpcbs_addrlist(w: XdrWriter, v: rpcbs_addrlist[]): void {
  for (let i = 0; i < v.length; i++) {
    w.u32(1);
    en_rpcbs_addrlist(w, v[i]!);
  }
  w.u32(0);
}

function de_list_rpcbs_addrlist(r: XdrReader): rpcbs_addrlist[] {
  const out: rpcbs_addrlist[] = [];
  while (r.bool()) out.push(de_rpcbs_addrlist(r));
  return out;
}

export type rpcbs_rmtcalllist_ptr = rpcbs_rmtcalllist[];

function sz_rpcbs_rmtcalllist_ptr(v: rpcbs_rmtcalllist_ptr): number {
  return sz_list_rpcbs_rmtcalllist(v);
}

function en_rpcbs_rmtcalllist_ptr(w: XdrWriter, v: rpcbs_rmtcalllist_ptr): void {
  en_list_rpcbs_rmtcalllist(w, v);
}

function de_rpcbs_rmtcalllist_ptr(r: XdrReader): rpcbs_rmtcalllist_ptr {
  return de_list_rpcbs_rmtcalllist(r);
}

export const xdr_rpcbs_rmtcalllist_ptr: Codec<rpcbs_rmtcalllist_ptr> = { size: sz_rpcbs_rmtcalllist_ptr, encode: en_rpcbs_rmtcalllist_ptr, decode: de_rpcbs_rmtcalllist_ptr };

/** rpcbs_rmtcalllist nodes as an array: each is preceded by TRUE, the list ends with FALSE. */
function sz_list_rpcbs_rmtcalllist(v: rpcbs_rmtcalllist[]): number {
  let n = 4;
  for (let i = 0; i < v.length; i++) n += 4 + sz_rpcbs_rmtcalllist(v[i]!);
  return n;
}

function en_list_rpcbs_rmtcalllist(w: XdrWriter, v: rpcbs_rmtcalllist[]): void {
  for (let i = 0; i < v.length; i++) {
    w.u32(1);
    en_rpcbs_rmtcalllist(w, v[i]!);
  }
  w.u32(0);
}

function de_list_rpcbs_rmtcalllist(r: XdrReader): rpcbs_rmtcalllist[] {
  const out: rpcbs_rmtcalllist[] = [];
  while (r.bool()) out.push(de_rpcbs_rmtcalllist(r));
  return out;
}

export interface rpcb_stat {
  info: rpcbs_proc;
  setinfo: number;
  unsetinfo: number;
  addrinfo: rpcbs_addrlist_ptr;
  rmtinfo: rpcbs_rmtcalllist_ptr;
}

function sz_rpcb_stat(v: rpcb_stat): number {
  return 60 + sz_rpcbs_addrlist_ptr(v.addrinfo) + sz_rpcbs_rmtcalllist_ptr(v.rmtinfo);
}

function en_rpcb_stat(w: XdrWriter, v: rpcb_stat): void {
  en_rpcbs_proc(w, v.info);
  w.i32(v.setinfo);
  w.i32(v.unsetinfo);
  en_rpcbs_addrlist_ptr(w, v.addrinfo);
  en_rpcbs_rmtcalllist_ptr(w, v.rmtinfo);
}

function de_rpcb_stat(r: XdrReader): rpcb_stat {
  return {
    info: de_rpcbs_proc(r),
    setinfo: r.i32(),
    unsetinfo: r.i32(),
    addrinfo: de_rpcbs_addrlist_ptr(r),
    rmtinfo: de_rpcbs_rmtcalllist_ptr(r),
  };
}

export const xdr_rpcb_stat: Codec<rpcb_stat> = { size: sz_rpcb_stat, encode: en_rpcb_stat, decode: de_rpcb_stat };

export type rpcb_stat_byvers = rpcb_stat[];

function sz_rpcb_stat_byvers(v: rpcb_stat[]): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const e = v[i]!;
    n += sz_rpcb_stat(e);
  }
  return n;
}

function en_rpcb_stat_byvers(w: XdrWriter, v: rpcb_stat[]): void {
  if (v.length !== 3) throw new XdrError('ERR_XDR_RANGE', `rpcb_stat_byvers: array of 3 elements given ${v.length}`);
  for (let i = 0; i < v.length; i++) {
    const e = v[i]!;
    en_rpcb_stat(w, e);
  }
}

function de_rpcb_stat_byvers(r: XdrReader): rpcb_stat[] {
  const n = 3;
  r.ensureElements(n, 68);
  const out = new Array<rpcb_stat>(n);
  for (let i = 0; i < n; i++) out[i] = de_rpcb_stat(r);
  return out;
}

export const xdr_rpcb_stat_byvers: Codec<rpcb_stat_byvers> = { size: sz_rpcb_stat_byvers, encode: en_rpcb_stat_byvers, decode: de_rpcb_stat_byvers };

export interface netbuf {
  maxlen: number;
  buf: Buffer;
}

function sz_netbuf(v: netbuf): number {
  return 4 + opaqueSize(v.buf.length);
}

function en_netbuf(w: XdrWriter, v: netbuf): void {
  w.u32(v.maxlen);
  w.opaqueVar(v.buf);
}

function de_netbuf(r: XdrReader): netbuf {
  return {
    maxlen: r.u32(),
    buf: r.opaqueVar(),
  };
}

export const xdr_netbuf: Codec<netbuf> = { size: sz_netbuf, encode: en_netbuf, decode: de_netbuf };

export const RPCBPROG = 100000;

export const RPCBVERS = 3;

export const RPCBPROC_NULL = 0;

export const RPCBPROC_SET = 1;

export const RPCBPROC_UNSET = 2;

export const RPCBPROC_GETADDR = 3;

export const RPCBPROC_DUMP = 4;

export const RPCBPROC_CALLIT = 5;

export const RPCBPROC_GETTIME = 6;

export const RPCBPROC_UADDR2TADDR = 7;

export const RPCBPROC_TADDR2UADDR = 8;

/** Program RPCBPROG (100000) version RPCBVERS (3): procedure number -> name and codecs. */
export const RPCBVERS_PROCEDURES = {
  [RPCBPROC_NULL]: { proc: RPCBPROC_NULL, name: 'NULL', args: xdr_void, res: xdr_void },
  [RPCBPROC_SET]: { proc: RPCBPROC_SET, name: 'SET', args: xdr_rpcb, res: xdr_bool },
  [RPCBPROC_UNSET]: { proc: RPCBPROC_UNSET, name: 'UNSET', args: xdr_rpcb, res: xdr_bool },
  [RPCBPROC_GETADDR]: { proc: RPCBPROC_GETADDR, name: 'GETADDR', args: xdr_rpcb, res: xdr_string },
  [RPCBPROC_DUMP]: { proc: RPCBPROC_DUMP, name: 'DUMP', args: xdr_void, res: xdr_rpcblist_ptr },
  [RPCBPROC_CALLIT]: { proc: RPCBPROC_CALLIT, name: 'CALLIT', args: xdr_rpcb_rmtcallargs, res: xdr_rpcb_rmtcallres },
  [RPCBPROC_GETTIME]: { proc: RPCBPROC_GETTIME, name: 'GETTIME', args: xdr_void, res: xdr_uint },
  [RPCBPROC_UADDR2TADDR]: { proc: RPCBPROC_UADDR2TADDR, name: 'UADDR2TADDR', args: xdr_string, res: xdr_netbuf },
  [RPCBPROC_TADDR2UADDR]: { proc: RPCBPROC_TADDR2UADDR, name: 'TADDR2UADDR', args: xdr_netbuf, res: xdr_string },
} as const;

export const RPCBVERS4 = 4;

export const RPCBPROC_BCAST = 5;

export const RPCBPROC_GETVERSADDR = 9;

export const RPCBPROC_INDIRECT = 10;

export const RPCBPROC_GETADDRLIST = 11;

export const RPCBPROC_GETSTAT = 12;

/** Program RPCBPROG (100000) version RPCBVERS4 (4): procedure number -> name and codecs. */
export const RPCBVERS4_PROCEDURES = {
  [RPCBPROC_NULL]: { proc: RPCBPROC_NULL, name: 'NULL', args: xdr_void, res: xdr_void },
  [RPCBPROC_SET]: { proc: RPCBPROC_SET, name: 'SET', args: xdr_rpcb, res: xdr_bool },
  [RPCBPROC_UNSET]: { proc: RPCBPROC_UNSET, name: 'UNSET', args: xdr_rpcb, res: xdr_bool },
  [RPCBPROC_GETADDR]: { proc: RPCBPROC_GETADDR, name: 'GETADDR', args: xdr_rpcb, res: xdr_string },
  [RPCBPROC_DUMP]: { proc: RPCBPROC_DUMP, name: 'DUMP', args: xdr_void, res: xdr_rpcblist_ptr },
  [RPCBPROC_BCAST]: { proc: RPCBPROC_BCAST, name: 'BCAST', args: xdr_rpcb_rmtcallargs, res: xdr_rpcb_rmtcallres },
  [RPCBPROC_GETTIME]: { proc: RPCBPROC_GETTIME, name: 'GETTIME', args: xdr_void, res: xdr_uint },
  [RPCBPROC_UADDR2TADDR]: { proc: RPCBPROC_UADDR2TADDR, name: 'UADDR2TADDR', args: xdr_string, res: xdr_netbuf },
  [RPCBPROC_TADDR2UADDR]: { proc: RPCBPROC_TADDR2UADDR, name: 'TADDR2UADDR', args: xdr_netbuf, res: xdr_string },
  [RPCBPROC_GETVERSADDR]: { proc: RPCBPROC_GETVERSADDR, name: 'GETVERSADDR', args: xdr_rpcb, res: xdr_string },
  [RPCBPROC_INDIRECT]: { proc: RPCBPROC_INDIRECT, name: 'INDIRECT', args: xdr_rpcb_rmtcallargs, res: xdr_rpcb_rmtcallres },
  [RPCBPROC_GETADDRLIST]: { proc: RPCBPROC_GETADDRLIST, name: 'GETADDRLIST', args: xdr_rpcb, res: xdr_rpcb_entry_list_ptr },
  [RPCBPROC_GETSTAT]: { proc: RPCBPROC_GETSTAT, name: 'GETSTAT', args: xdr_void, res: xdr_rpcb_stat_byvers },
} as const;
