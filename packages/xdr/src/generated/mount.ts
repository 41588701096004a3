// Generated from packages/xdr/spec/mount.x by packages/xdr/src/gen. Do not edit:
// change the .x file and run `pnpm --filter @nfsts/xdr gen` (node packages/xdr/dist/src/gen/cli.js).

import { type Codec, xdr_void } from '../codec.js';
import type { XdrReader } from '../reader.js';
import { type XdrWriter, opaqueSize, stringSize } from '../writer.js';

export const MNTPATHLEN = 1024;

export const MNTNAMLEN = 255;

export const FHSIZE3 = 64;

export const FHSIZE = 32;

export type fhandle3 = Buffer;

function sz_fhandle3(v: fhandle3): number {
  return opaqueSize(v.length);
}

function en_fhandle3(w: XdrWriter, v: fhandle3): void {
  w.opaqueVar(v, 64);
}

function de_fhandle3(r: XdrReader): fhandle3 {
  return r.opaqueVar(64);
}

export const xdr_fhandle3: Codec<fhandle3> = { size: sz_fhandle3, encode: en_fhandle3, decode: de_fhandle3 };

export type fhandle = Buffer;

function sz_fhandle(_v: fhandle): number {
  return 32;
}

function en_fhandle(w: XdrWriter, v: fhandle): void {
  w.opaqueFixed(v, 32);
}

function de_fhandle(r: XdrReader): fhandle {
  return r.opaqueFixed(32);
}

export const xdr_fhandle: Codec<fhandle> = { size: sz_fhandle, encode: en_fhandle, decode: de_fhandle };

export type dirpath = string;

function sz_dirpath(v: dirpath): number {
  return stringSize(v);
}

function en_dirpath(w: XdrWriter, v: dirpath): void {
  w.string(v, 1024);
}

function de_dirpath(r: XdrReader): dirpath {
  return r.string(1024);
}

export const xdr_dirpath: Codec<dirpath> = { size: sz_dirpath, encode: en_dirpath, decode: de_dirpath };

export type name = string;

function sz_name(v: name): number {
  return stringSize(v);
}

function en_name(w: XdrWriter, v: name): void {
  w.string(v, 255);
}

function de_name(r: XdrReader): name {
  return r.string(255);
}

export const xdr_name: Codec<name> = { size: sz_name, encode: en_name, decode: de_name };

export enum mountstat3 {
  MNT3_OK = 0,
  MNT3ERR_PERM = 1,
  MNT3ERR_NOENT = 2,
  MNT3ERR_IO = 5,
  MNT3ERR_ACCES = 13,
  MNT3ERR_NOTDIR = 20,
  MNT3ERR_INVAL = 22,
  MNT3ERR_NAMETOOLONG = 63,
  MNT3ERR_NOTSUPP = 10004,
  MNT3ERR_SERVERFAULT = 10006,
}

function va_mountstat3(v: number): boolean {
  switch (v) {
    case 0:
    case 1:
    case 2:
    case 5:
    case 13:
    case 20:
    case 22:
    case 63:
    case 10004:
    case 10006:
      return true;
    default:
      return false;
  }
}

function sz_mountstat3(_v: mountstat3): number {
  return 4;
}

function en_mountstat3(w: XdrWriter, v: mountstat3): void {
  w.i32(v);
}

function de_mountstat3(r: XdrReader): mountstat3 {
  return r.enumValue(va_mountstat3, 'mountstat3') as mountstat3;
}

export const xdr_mountstat3: Codec<mountstat3> = { size: sz_mountstat3, encode: en_mountstat3, decode: de_mountstat3 };

export interface mountres3_ok {
  fhandle: fhandle3;
  auth_flavors: number[];
}

function sz_mountres3_ok(v: mountres3_ok): number {
  return opaqueSize(v.fhandle.length) + sz_mountres3_ok__auth_flavors(v.auth_flavors);
}

function en_mountres3_ok(w: XdrWriter, v: mountres3_ok): void {
  w.opaqueVar(v.fhandle, 64);
  en_mountres3_ok__auth_flavors(w, v.auth_flavors);
}

function de_mountres3_ok(r: XdrReader): mountres3_ok {
  return {
    fhandle: r.opaqueVar(64),
    auth_flavors: de_mountres3_ok__auth_flavors(r),
  };
}

export const xdr_mountres3_ok: Codec<mountres3_ok> = { size: sz_mountres3_ok, encode: en_mountres3_ok, decode: de_mountres3_ok };

function sz_mountres3_ok__auth_flavors(v: number[]): number {
  return 4 + v.length * 4;
}

function en_mountres3_ok__auth_flavors(w: XdrWriter, v: number[]): void {
  w.arrayLength(v.length, 4294967295);
  for (let i = 0; i < v.length; i++) {
    const e = v[i]!;
    w.i32(e);
  }
}

function de_mountres3_ok__auth_flavors(r: XdrReader): number[] {
  const n = r.arrayLength(4294967295, 4);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = r.i32();
  return out;
}

export type mountres3 =
  | { fhs_status: mountstat3.MNT3_OK; mountinfo: mountres3_ok }
  | { fhs_status: Exclude<mountstat3, mountstat3.MNT3_OK> };

function sz_mountres3(v: mountres3): number {
  switch (v.fhs_status) {
    case mountstat3.MNT3_OK:
      return 4 + sz_mountres3_ok((v as { mountinfo: mountres3_ok }).mountinfo);
    default:
      return 4;
  }
}

function en_mountres3(w: XdrWriter, v: mountres3): void {
  w.i32(v.fhs_status);
  switch (v.fhs_status) {
    case mountstat3.MNT3_OK:
      en_mountres3_ok(w, (v as { mountinfo: mountres3_ok }).mountinfo);
      return;
    default:
      return;
  }
}

function de_mountres3(r: XdrReader): mountres3 {
  const d = r.enumValue(va_mountstat3, 'mountstat3') as mountstat3;
  switch (d) {
    case mountstat3.MNT3_OK:
      return { fhs_status: d, mountinfo: de_mountres3_ok(r) } as mountres3;
    default:
      return { fhs_status: d } as mountres3;
  }
}

export const xdr_mountres3: Codec<mountres3> = { size: sz_mountres3, encode: en_mountres3, decode: de_mountres3 };

export type fhstatus =
  | { fhs_status: 0; fhs_fhandle: fhandle }
  | { fhs_status: number };

function sz_fhstatus(v: fhstatus): number {
  switch (v.fhs_status) {
    case 0:
      return 36;
    default:
      return 4;
  }
}

function en_fhstatus(w: XdrWriter, v: fhstatus): void {
  w.u32(v.fhs_status);
  switch (v.fhs_status) {
    case 0:
      w.opaqueFixed((v as { fhs_fhandle: fhandle }).fhs_fhandle, 32);
      return;
    default:
      return;
  }
}

function de_fhstatus(r: XdrReader): fhstatus {
  const d = r.u32();
  switch (d) {
    case 0:
      return { fhs_status: d, fhs_fhandle: r.opaqueFixed(32) } as fhstatus;
    default:
      return { fhs_status: d } as fhstatus;
  }
}

export const xdr_fhstatus: Codec<fhstatus> = { size: sz_fhstatus, encode: en_fhstatus, decode: de_fhstatus };

export type mountlist = mountbody[];

function sz_mountlist(v: mountlist): number {
  return sz_list_mountbody(v);
}

function en_mountlist(w: XdrWriter, v: mountlist): void {
  en_list_mountbody(w, v);
}

function de_mountlist(r: XdrReader): mountlist {
  return de_list_mountbody(r);
}

export const xdr_mountlist: Codec<mountlist> = { size: sz_mountlist, encode: en_mountlist, decode: de_mountlist };

/** mountbody nodes as an array: each is preceded by TRUE, the list ends with FALSE. */
function sz_list_mountbody(v: mountbody[]): number {
  let n = 4;
  for (let i = 0; i < v.length; i++) n += 4 + sz_mountbody(v[i]!);
  return n;
}

function en_list_mountbody(w: XdrWriter, v: mountbody[]): void {
  for (let i = 0; i < v.length; i++) {
    w.u32(1);
    en_mountbody(w, v[i]!);
  }
  w.u32(0);
}

function de_list_mountbody(r: XdrReader): mountbody[] {
  const out: mountbody[] = [];
  while (r.bool()) out.push(de_mountbody(r));
  return out;
}

/** A list node; the link field 'ml_next' is not here: lists of mountbody are mountbody[]. xdr_mountbody codes one node's fields. */
export interface mountbody {
  ml_hostname: name;
  ml_directory: dirpath;
}

function sz_mountbody(v: mountbody): number {
  return stringSize(v.ml_hostname) + stringSize(v.ml_directory);
}

function en_mountbody(w: XdrWriter, v: mountbody): void {
  w.string(v.ml_hostname, 255);
  w.string(v.ml_directory, 1024);
}

function de_mountbody(r: XdrReader): mountbody {
  return {
    ml_hostname: r.string(255),
    ml_directory: r.string(1024),
  };
}

export const xdr_mountbody: Codec<mountbody> = { size: sz_mountbody, encode: en_mountbody, decode: de_mountbody };

export type groups = groupnode[];

function sz_groups(v: groups): number {
  return sz_list_groupnode(v);
}

function en_groups(w: XdrWriter, v: groups): void {
  en_list_groupnode(w, v);
}

function de_groups(r: XdrReader): groups {
  return de_list_groupnode(r);
}

export const xdr_groups: Codec<groups> = { size: sz_groups, encode: en_groups, decode: de_groups };

/** groupnode nodes as an array: each is preceded by TRUE, the list ends with FALSE. */
function sz_list_groupnode(v: groupnode[]): number {
  let n = 4;
  for (let i = 0; i < v.length; i++) n += 4 + sz_groupnode(v[i]!);
  return n;
}

function en_list_groupnode(w: XdrWriter, v: groupnode[]): void {
  for (let i = 0; i < v.length; i++) {
    w.u32(1);
    en_groupnode(w, v[i]!);
  }
  w.u32(0);
}

function de_list_groupnode(r: XdrReader): groupnode[] {
  const out: groupnode[] = [];
  while (r.bool()) out.push(de_groupnode(r));
  return out;
}

/** A list node; the link field 'gr_next' is not here: lists of groupnode are groupnode[]. xdr_groupnode codes one node's fields. */
export interface groupnode {
  gr_name: name;
}

function sz_groupnode(v: groupnode): number {
  return stringSize(v.gr_name);
}

function en_groupnode(w: XdrWriter, v: groupnode): void {
  w.string(v.gr_name, 255);
}

function de_groupnode(r: XdrReader): groupnode {
  return {
    gr_name: r.string(255),
  };
}

export const xdr_groupnode: Codec<groupnode> = { size: sz_groupnode, encode: en_groupnode, decode: de_groupnode };

export type exports = exportnode[];

function sz_exports(v: exports): number {
  return sz_list_exportnode(v);
}

function en_exports(w: XdrWriter, v: exports): void {
  en_list_exportnode(w, v);
}

function de_exports(r: XdrReader): exports {
  return de_list_exportnode(r);
}

export const xdr_exports: Codec<exports> = { size: sz_exports, encode: en_exports, decode: de_exports };

/** exportnode nodes as an array: each is preceded by TRUE, the list ends with FALSE. */
function sz_list_exportnode(v: exportnode[]): number {
  let n = 4;
  for (let i = 0; i < v.length; i++) n += 4 + sz_exportnode(v[i]!);
  return n;
}

function en_list_exportnode(w: XdrWriter, v: exportnode[]): void {
  for (let i = 0; i < v.length; i++) {
    w.u32(1);
    en_exportnode(w, v[i]!);
  }
  w.u32(0);
}

function de_list_exportnode(r: XdrReader): exportnode[] {
  const out: exportnode[] = [];
  while (r.bool()) out.push(de_exportnode(r));
  return out;
}

/** A list node; the link field 'ex_next' is not here: lists of exportnode are exportnode[]. xdr_exportnode codes one node's fields. */
export interface exportnode {
  ex_dir: dirpath;
  ex_groups: groups;
}

function sz_exportnode(v: exportnode): number {
  return stringSize(v.ex_dir) + sz_groups(v.ex_groups);
}

function en_exportnode(w: XdrWriter, v: exportnode): void {
  w.string(v.ex_dir, 1024);
  en_groups(w, v.ex_groups);
}

function de_exportnode(r: XdrReader): exportnode {
  return {
    ex_dir: r.string(1024),
    ex_groups: de_groups(r),
  };
}

export const xdr_exportnode: Codec<exportnode> = { size: sz_exportnode, encode: en_exportnode, decode: de_exportnode };

export const MOUNT_PROGRAM = 100005;

export const MOUNT_V1 = 1;

export const MOUNTPROC_NULL = 0;

export const MOUNTPROC_MNT = 1;

export const MOUNTPROC_DUMP = 2;

export const MOUNTPROC_UMNT = 3;

export const MOUNTPROC_UMNTALL = 4;

export const MOUNTPROC_EXPORT = 5;

export const MOUNTPROC_EXPORTALL = 6;

/** Program MOUNT_PROGRAM (100005) version MOUNT_V1 (1): procedure number -> name and codecs. */
export const MOUNT_V1_PROCEDURES = {
  [MOUNTPROC_NULL]: { proc: MOUNTPROC_NULL, name: 'NULL', args: xdr_void, res: xdr_void },
  [MOUNTPROC_MNT]: { proc: MOUNTPROC_MNT, name: 'MNT', args: xdr_dirpath, res: xdr_fhstatus },
  [MOUNTPROC_DUMP]: { proc: MOUNTPROC_DUMP, name: 'DUMP', args: xdr_void, res: xdr_mountlist },
  [MOUNTPROC_UMNT]: { proc: MOUNTPROC_UMNT, name: 'UMNT', args: xdr_dirpath, res: xdr_void },
  [MOUNTPROC_UMNTALL]: { proc: MOUNTPROC_UMNTALL, name: 'UMNTALL', args: xdr_void, res: xdr_void },
  [MOUNTPROC_EXPORT]: { proc: MOUNTPROC_EXPORT, name: 'EXPORT', args: xdr_void, res: xdr_exports },
  [MOUNTPROC_EXPORTALL]: { proc: MOUNTPROC_EXPORTALL, name: 'EXPORTALL', args: xdr_void, res: xdr_exports },
} as const;

export const MOUNT_V3 = 3;

export const MOUNTPROC3_NULL = 0;

export const MOUNTPROC3_MNT = 1;

export const MOUNTPROC3_DUMP = 2;

export const MOUNTPROC3_UMNT = 3;

export const MOUNTPROC3_UMNTALL = 4;

export const MOUNTPROC3_EXPORT = 5;

/** Program MOUNT_PROGRAM (100005) version MOUNT_V3 (3): procedure number -> name and codecs. */
export const MOUNT_V3_PROCEDURES = {
  [MOUNTPROC3_NULL]: { proc: MOUNTPROC3_NULL, name: 'NULL', args: xdr_void, res: xdr_void },
  [MOUNTPROC3_MNT]: { proc: MOUNTPROC3_MNT, name: 'MNT', args: xdr_dirpath, res: xdr_mountres3 },
  [MOUNTPROC3_DUMP]: { proc: MOUNTPROC3_DUMP, name: 'DUMP', args: xdr_void, res: xdr_mountlist },
  [MOUNTPROC3_UMNT]: { proc: MOUNTPROC3_UMNT, name: 'UMNT', args: xdr_dirpath, res: xdr_void },
  [MOUNTPROC3_UMNTALL]: { proc: MOUNTPROC3_UMNTALL, name: 'UMNTALL', args: xdr_void, res: xdr_void },
  [MOUNTPROC3_EXPORT]: { proc: MOUNTPROC3_EXPORT, name: 'EXPORT', args: xdr_void, res: xdr_exports },
} as const;
