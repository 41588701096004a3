// Generated from packages/xdr/spec/sm_inter.x by packages/xdr/src/gen. Do not edit:
// change the .x file and run `pnpm --filter @nfsts/xdr gen` (node packages/xdr/dist/src/gen/cli.js).

import { type Codec, xdr_void } from '../codec.js';
import type { XdrReader } from '../reader.js';
import { type XdrWriter, stringSize } from '../writer.js';

export const SM_MAXSTRLEN = 1024;

export const SM_PRIV_SIZE = 16;

export interface sm_name {
  mon_name: string;
}

function sz_sm_name(v: sm_name): number {
  return stringSize(v.mon_name);
}

function en_sm_name(w: XdrWriter, v: sm_name): void {
  w.string(v.mon_name, 1024);
}

function de_sm_name(r: XdrReader): sm_name {
  return {
    mon_name: r.string(1024),
  };
}

export const xdr_sm_name: Codec<sm_name> = { size: sz_sm_name, encode: en_sm_name, decode: de_sm_name };

export interface my_id {
  my_name: string;
  my_prog: number;
  my_vers: number;
  my_proc: number;
}

function sz_my_id(v: my_id): number {
  return 12 + stringSize(v.my_name);
}

function en_my_id(w: XdrWriter, v: my_id): void {
  w.string(v.my_name, 1024);
  w.i32(v.my_prog);
  w.i32(v.my_vers);
  w.i32(v.my_proc);
}

function de_my_id(r: XdrReader): my_id {
  return {
    my_name: r.string(1024),
    my_prog: r.i32(),
    my_vers: r.i32(),
    my_proc: r.i32(),
  };
}

export const xdr_my_id: Codec<my_id> = { size: sz_my_id, encode: en_my_id, decode: de_my_id };

export interface mon_id {
  mon_name: string;
  my_id: my_id;
}

function sz_mon_id(v: mon_id): number {
  return stringSize(v.mon_name) + sz_my_id(v.my_id);
}

function en_mon_id(w: XdrWriter, v: mon_id): void {
  w.string(v.mon_name, 1024);
  en_my_id(w, v.my_id);
}

function de_mon_id(r: XdrReader): mon_id {
  return {
    mon_name: r.string(1024),
    my_id: de_my_id(r),
  };
}

export const xdr_mon_id: Codec<mon_id> = { size: sz_mon_id, encode: en_mon_id, decode: de_mon_id };

export interface mon {
  mon_id: mon_id;
  priv: Buffer;
}

function sz_mon(v: mon): number {
  return 16 + sz_mon_id(v.mon_id);
}

function en_mon(w: XdrWriter, v: mon): void {
  en_mon_id(w, v.mon_id);
  w.opaqueFixed(v.priv, 16);
}

function de_mon(r: XdrReader): mon {
  return {
    mon_id: de_mon_id(r),
    priv: r.opaqueFixed(16),
  };
}

export const xdr_mon: Codec<mon> = { size: sz_mon, encode: en_mon, decode: de_mon };

export interface stat_chge {
  mon_name: string;
  state: number;
}

function sz_stat_chge(v: stat_chge): number {
  return 4 + stringSize(v.mon_name);
}

function en_stat_chge(w: XdrWriter, v: stat_chge): void {
  w.string(v.mon_name, 1024);
  w.i32(v.state);
}

function de_stat_chge(r: XdrReader): stat_chge {
  return {
    mon_name: r.string(1024),
    state: r.i32(),
  };
}

export const xdr_stat_chge: Codec<stat_chge> = { size: sz_stat_chge, encode: en_stat_chge, decode: de_stat_chge };

export interface sm_stat {
  state: number;
}

function sz_sm_stat(_v: sm_stat): number {
  return 4;
}

function en_sm_stat(w: XdrWriter, v: sm_stat): void {
  w.i32(v.state);
}

function de_sm_stat(r: XdrReader): sm_stat {
  return {
    state: r.i32(),
  };
}

export const xdr_sm_stat: Codec<sm_stat> = { size: sz_sm_stat, encode: en_sm_stat, decode: de_sm_stat };

export enum sm_res {
  stat_succ = 0,
  stat_fail = 1,
}

function va_sm_res(v: number): boolean {
  return v >= 0 && v <= 1;
}

function sz_sm_res(_v: sm_res): number {
  return 4;
}

function en_sm_res(w: XdrWriter, v: sm_res): void {
  w.i32(v);
}

function de_sm_res(r: XdrReader): sm_res {
  return r.enumValue(va_sm_res, 'sm_res') as sm_res;
}

export const xdr_sm_res: Codec<sm_res> = { size: sz_sm_res, encode: en_sm_res, decode: de_sm_res };

export interface sm_stat_res {
  res_stat: sm_res;
  state: number;
}

function sz_sm_stat_res(_v: sm_stat_res): number {
  return 8;
}

function en_sm_stat_res(w: XdrWriter, v: sm_stat_res): void {
  w.i32(v.res_stat);
  w.i32(v.state);
}

function de_sm_stat_res(r: XdrReader): sm_stat_res {
  return {
    res_stat: (r.enumValue(va_sm_res, 'sm_res') as sm_res),
    state: r.i32(),
  };
}

export const xdr_sm_stat_res: Codec<sm_stat_res> = { size: sz_sm_stat_res, encode: en_sm_stat_res, decode: de_sm_stat_res };

export interface sm_status {
  mon_name: string;
  state: number;
  priv: Buffer;
}

function sz_sm_status(v: sm_status): number {
  return 20 + stringSize(v.mon_name);
}

function en_sm_status(w: XdrWriter, v: sm_status): void {
  w.string(v.mon_name, 1024);
  w.i32(v.state);
  w.opaqueFixed(v.priv, 16);
}

function de_sm_status(r: XdrReader): sm_status {
  return {
    mon_name: r.string(1024),
    state: r.i32(),
    priv: r.opaqueFixed(16),
  };
}

export const xdr_sm_status: Codec<sm_status> = { size: sz_sm_status, encode: en_sm_status, decode: de_sm_status };

export const SM_PROG = 100024;

export const SM_VERS = 1;

export const SM_NULL = 0;

export const SM_STAT = 1;

export const SM_MON = 2;

export const SM_UNMON = 3;

export const SM_UNMON_ALL = 4;

export const SM_SIMU_CRASH = 5;

export const SM_NOTIFY = 6;

/** Program SM_PROG (100024) version SM_VERS (1): procedure number -> name and codecs. */
export const SM_VERS_PROCEDURES = {
  [SM_NULL]: { proc: SM_NULL, name: 'NULL', args: xdr_void, res: xdr_void },
  [SM_STAT]: { proc: SM_STAT, name: 'STAT', args: xdr_sm_name, res: xdr_sm_stat_res },
  [SM_MON]: { proc: SM_MON, name: 'MON', args: xdr_mon, res: xdr_sm_stat_res },
  [SM_UNMON]: { proc: SM_UNMON, name: 'UNMON', args: xdr_mon_id, res: xdr_sm_stat },
  [SM_UNMON_ALL]: { proc: SM_UNMON_ALL, name: 'UNMON_ALL', args: xdr_my_id, res: xdr_sm_stat },
  [SM_SIMU_CRASH]: { proc: SM_SIMU_CRASH, name: 'SIMU_CRASH', args: xdr_void, res: xdr_void },
  [SM_NOTIFY]: { proc: SM_NOTIFY, name: 'NOTIFY', args: xdr_stat_chge, res: xdr_void },
} as const;
