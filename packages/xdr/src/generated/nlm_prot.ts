// Generated from packages/xdr/spec/nlm_prot.x by packages/xdr/src/gen. Do not edit:
// change the .x file and run `pnpm --filter @nfsts/xdr gen` (node packages/xdr/dist/src/gen/cli.js).

import { type Codec, xdr_void } from '../codec.js';
import type { XdrReader } from '../reader.js';
import { type XdrWriter, opaqueSize, stringSize } from '../writer.js';

export const LM_MAXSTRLEN = 1024;

export const MAXNAMELEN = 1025;

export const MAXNETOBJ_SZ = 1024;

export type netobj = Buffer;

function sz_netobj(v: netobj): number {
  return opaqueSize(v.length);
}

function en_netobj(w: XdrWriter, v: netobj): void {
  w.opaqueVar(v, 1024);
}

function de_netobj(r: XdrReader): netobj {
  return r.opaqueVar(1024);
}

export const xdr_netobj: Codec<netobj> = { size: sz_netobj, encode: en_netobj, decode: de_netobj };

export enum nlm_stats {
  nlm_granted = 0,
  nlm_denied = 1,
  nlm_denied_nolocks = 2,
  nlm_blocked = 3,
  nlm_denied_grace_period = 4,
}

function va_nlm_stats(v: number): boolean {
  return v >= 0 && v <= 4;
}

function sz_nlm_stats(_v: nlm_stats): number {
  return 4;
}

function en_nlm_stats(w: XdrWriter, v: nlm_stats): void {
  w.i32(v);
}

function de_nlm_stats(r: XdrReader): nlm_stats {
  return r.enumValue(va_nlm_stats, 'nlm_stats') as nlm_stats;
}

export const xdr_nlm_stats: Codec<nlm_stats> = { size: sz_nlm_stats, encode: en_nlm_stats, decode: de_nlm_stats };

export interface nlm_holder {
  exclusive: boolean;
  svid: number;
  oh: netobj;
  l_offset: number;
  l_len: number;
}

function sz_nlm_holder(v: nlm_holder): number {
  return 16 + opaqueSize(v.oh.length);
}

function en_nlm_holder(w: XdrWriter, v: nlm_holder): void {
  w.bool(v.exclusive);
  w.i32(v.svid);
  w.opaqueVar(v.oh, 1024);
  w.u32(v.l_offset);
  w.u32(v.l_len);
}

function de_nlm_holder(r: XdrReader): nlm_holder {
  return {
    exclusive: r.bool(),
    svid: r.i32(),
    oh: r.opaqueVar(1024),
    l_offset: r.u32(),
    l_len: r.u32(),
  };
}

export const xdr_nlm_holder: Codec<nlm_holder> = { size: sz_nlm_holder, encode: en_nlm_holder, decode: de_nlm_holder };

export type nlm_testrply =
  | { stat: nlm_stats.nlm_denied; holder: nlm_holder }
  | { stat: Exclude<nlm_stats, nlm_stats.nlm_denied> };

function sz_nlm_testrply(v: nlm_testrply): number {
  switch (v.stat) {
    case nlm_stats.nlm_denied:
      return 4 + sz_nlm_holder((v as { holder: nlm_holder }).holder);
    default:
      return 4;
  }
}

function en_nlm_testrply(w: XdrWriter, v: nlm_testrply): void {
  w.i32(v.stat);
  switch (v.stat) {
    case nlm_stats.nlm_denied:
      en_nlm_holder(w, (v as { holder: nlm_holder }).holder);
      return;
    default:
      return;
  }
}

function de_nlm_testrply(r: XdrReader): nlm_testrply {
  const d = r.enumValue(va_nlm_stats, 'nlm_stats') as nlm_stats;
  switch (d) {
    case nlm_stats.nlm_denied:
      return { stat: d, holder: de_nlm_holder(r) } as nlm_testrply;
    default:
      return { stat: d } as nlm_testrply;
  }
}

export const xdr_nlm_testrply: Codec<nlm_testrply> = { size: sz_nlm_testrply, encode: en_nlm_testrply, decode: de_nlm_testrply };

export interface nlm_stat {
  stat: nlm_stats;
}

function sz_nlm_stat(_v: nlm_stat): number {
  return 4;
}

function en_nlm_stat(w: XdrWriter, v: nlm_stat): void {
  w.i32(v.stat);
}

function de_nlm_stat(r: XdrReader): nlm_stat {
  return {
    stat: (r.enumValue(va_nlm_stats, 'nlm_stats') as nlm_stats),
  };
}

export const xdr_nlm_stat: Codec<nlm_stat> = { size: sz_nlm_stat, encode: en_nlm_stat, decode: de_nlm_stat };

export interface nlm_res {
  cookie: netobj;
  stat: nlm_stat;
}

function sz_nlm_res(v: nlm_res): number {
  return 4 + opaqueSize(v.cookie.length);
}

function en_nlm_res(w: XdrWriter, v: nlm_res): void {
  w.opaqueVar(v.cookie, 1024);
  en_nlm_stat(w, v.stat);
}

function de_nlm_res(r: XdrReader): nlm_res {
  return {
    cookie: r.opaqueVar(1024),
    stat: de_nlm_stat(r),
  };
}

export const xdr_nlm_res: Codec<nlm_res> = { size: sz_nlm_res, encode: en_nlm_res, decode: de_nlm_res };

export interface nlm_testres {
  cookie: netobj;
  stat: nlm_testrply;
}

function sz_nlm_testres(v: nlm_testres): number {
  return opaqueSize(v.cookie.length) + sz_nlm_testrply(v.stat);
}

function en_nlm_testres(w: XdrWriter, v: nlm_testres): void {
  w.opaqueVar(v.cookie, 1024);
  en_nlm_testrply(w, v.stat);
}

function de_nlm_testres(r: XdrReader): nlm_testres {
  return {
    cookie: r.opaqueVar(1024),
    stat: de_nlm_testrply(r),
  };
}

export const xdr_nlm_testres: Codec<nlm_testres> = { size: sz_nlm_testres, encode: en_nlm_testres, decode: de_nlm_testres };

export interface nlm_lock {
  caller_name: string;
  fh: netobj;
  oh: netobj;
  svid: number;
  l_offset: number;
  l_len: number;
}

function sz_nlm_lock(v: nlm_lock): number {
  return 12 + stringSize(v.caller_name) + opaqueSize(v.fh.length) + opaqueSize(v.oh.length);
}

function en_nlm_lock(w: XdrWriter, v: nlm_lock): void {
  w.string(v.caller_name, 1024);
  w.opaqueVar(v.fh, 1024);
  w.opaqueVar(v.oh, 1024);
  w.i32(v.svid);
  w.u32(v.l_offset);
  w.u32(v.l_len);
}

function de_nlm_lock(r: XdrReader): nlm_lock {
  return {
    caller_name: r.string(1024),
    fh: r.opaqueVar(1024),
    oh: r.opaqueVar(1024),
    svid: r.i32(),
    l_offset: r.u32(),
    l_len: r.u32(),
  };
}

export const xdr_nlm_lock: Codec<nlm_lock> = { size: sz_nlm_lock, encode: en_nlm_lock, decode: de_nlm_lock };

export interface nlm_lockargs {
  cookie: netobj;
  block: boolean;
  exclusive: boolean;
  alock: nlm_lock;
  reclaim: boolean;
  state: number;
}

function sz_nlm_lockargs(v: nlm_lockargs): number {
  return 16 + opaqueSize(v.cookie.length) + sz_nlm_lock(v.alock);
}

function en_nlm_lockargs(w: XdrWriter, v: nlm_lockargs): void {
  w.opaqueVar(v.cookie, 1024);
  w.bool(v.block);
  w.bool(v.exclusive);
  en_nlm_lock(w, v.alock);
  w.bool(v.reclaim);
  w.i32(v.state);
}

function de_nlm_lockargs(r: XdrReader): nlm_lockargs {
  return {
    cookie: r.opaqueVar(1024),
    block: r.bool(),
    exclusive: r.bool(),
    alock: de_nlm_lock(r),
    reclaim: r.bool(),
    state: r.i32(),
  };
}

export const xdr_nlm_lockargs: Codec<nlm_lockargs> = { size: sz_nlm_lockargs, encode: en_nlm_lockargs, decode: de_nlm_lockargs };

export interface nlm_cancargs {
  cookie: netobj;
  block: boolean;
  exclusive: boolean;
  alock: nlm_lock;
}

function sz_nlm_cancargs(v: nlm_cancargs): number {
  return 8 + opaqueSize(v.cookie.length) + sz_nlm_lock(v.alock);
}

function en_nlm_cancargs(w: XdrWriter, v: nlm_cancargs): void {
  w.opaqueVar(v.cookie, 1024);
  w.bool(v.block);
  w.bool(v.exclusive);
  en_nlm_lock(w, v.alock);
}

function de_nlm_cancargs(r: XdrReader): nlm_cancargs {
  return {
    cookie: r.opaqueVar(1024),
    block: r.bool(),
    exclusive: r.bool(),
    alock: de_nlm_lock(r),
  };
}

export const xdr_nlm_cancargs: Codec<nlm_cancargs> = { size: sz_nlm_cancargs, encode: en_nlm_cancargs, decode: de_nlm_cancargs };

export interface nlm_testargs {
  cookie: netobj;
  exclusive: boolean;
  alock: nlm_lock;
}

function sz_nlm_testargs(v: nlm_testargs): number {
  return 4 + opaqueSize(v.cookie.length) + sz_nlm_lock(v.alock);
}

function en_nlm_testargs(w: XdrWriter, v: nlm_testargs): void {
  w.opaqueVar(v.cookie, 1024);
  w.bool(v.exclusive);
  en_nlm_lock(w, v.alock);
}

function de_nlm_testargs(r: XdrReader): nlm_testargs {
  return {
    cookie: r.opaqueVar(1024),
    exclusive: r.bool(),
    alock: de_nlm_lock(r),
  };
}

export const xdr_nlm_testargs: Codec<nlm_testargs> = { size: sz_nlm_testargs, encode: en_nlm_testargs, decode: de_nlm_testargs };

export interface nlm_unlockargs {
  cookie: netobj;
  alock: nlm_lock;
}

function sz_nlm_unlockargs(v: nlm_unlockargs): number {
  return opaqueSize(v.cookie.length) + sz_nlm_lock(v.alock);
}

function en_nlm_unlockargs(w: XdrWriter, v: nlm_unlockargs): void {
  w.opaqueVar(v.cookie, 1024);
  en_nlm_lock(w, v.alock);
}

function de_nlm_unlockargs(r: XdrReader): nlm_unlockargs {
  return {
    cookie: r.opaqueVar(1024),
    alock: de_nlm_lock(r),
  };
}

export const xdr_nlm_unlockargs: Codec<nlm_unlockargs> = { size: sz_nlm_unlockargs, encode: en_nlm_unlockargs, decode: de_nlm_unlockargs };

export enum fsh_mode {
  fsm_DN = 0,
  fsm_DR = 1,
  fsm_DW = 2,
  fsm_DRW = 3,
}

function va_fsh_mode(v: number): boolean {
  return v >= 0 && v <= 3;
}

function sz_fsh_mode(_v: fsh_mode): number {
  return 4;
}

function en_fsh_mode(w: XdrWriter, v: fsh_mode): void {
  w.i32(v);
}

function de_fsh_mode(r: XdrReader): fsh_mode {
  return r.enumValue(va_fsh_mode, 'fsh_mode') as fsh_mode;
}

export const xdr_fsh_mode: Codec<fsh_mode> = { size: sz_fsh_mode, encode: en_fsh_mode, decode: de_fsh_mode };

export enum fsh_access {
  fsa_NONE = 0,
  fsa_R = 1,
  fsa_W = 2,
  fsa_RW = 3,
}

function va_fsh_access(v: number): boolean {
  return v >= 0 && v <= 3;
}

function sz_fsh_access(_v: fsh_access): number {
  return 4;
}

function en_fsh_access(w: XdrWriter, v: fsh_access): void {
  w.i32(v);
}

function de_fsh_access(r: XdrReader): fsh_access {
  return r.enumValue(va_fsh_access, 'fsh_access') as fsh_access;
}

export const xdr_fsh_access: Codec<fsh_access> = { size: sz_fsh_access, encode: en_fsh_access, decode: de_fsh_access };

export interface nlm_share {
  caller_name: string;
  fh: netobj;
  oh: netobj;
  mode: fsh_mode;
  access: fsh_access;
}

function sz_nlm_share(v: nlm_share): number {
  return 8 + stringSize(v.caller_name) + opaqueSize(v.fh.length) + opaqueSize(v.oh.length);
}

function en_nlm_share(w: XdrWriter, v: nlm_share): void {
  w.string(v.caller_name, 1024);
  w.opaqueVar(v.fh, 1024);
  w.opaqueVar(v.oh, 1024);
  w.i32(v.mode);
  w.i32(v.access);
}

function de_nlm_share(r: XdrReader): nlm_share {
  return {
    caller_name: r.string(1024),
    fh: r.opaqueVar(1024),
    oh: r.opaqueVar(1024),
    mode: (r.enumValue(va_fsh_mode, 'fsh_mode') as fsh_mode),
    access: (r.enumValue(va_fsh_access, 'fsh_access') as fsh_access),
  };
}

export const xdr_nlm_share: Codec<nlm_share> = { size: sz_nlm_share, encode: en_nlm_share, decode: de_nlm_share };

export interface nlm_shareargs {
  cookie: netobj;
  share: nlm_share;
  reclaim: boolean;
}

function sz_nlm_shareargs(v: nlm_shareargs): number {
  return 4 + opaqueSize(v.cookie.length) + sz_nlm_share(v.share);
}

function en_nlm_shareargs(w: XdrWriter, v: nlm_shareargs): void {
  w.opaqueVar(v.cookie, 1024);
  en_nlm_share(w, v.share);
  w.bool(v.reclaim);
}

function de_nlm_shareargs(r: XdrReader): nlm_shareargs {
  return {
    cookie: r.opaqueVar(1024),
    share: de_nlm_share(r),
    reclaim: r.bool(),
  };
}

export const xdr_nlm_shareargs: Codec<nlm_shareargs> = { size: sz_nlm_shareargs, encode: en_nlm_shareargs, decode: de_nlm_shareargs };

export interface nlm_shareres {
  cookie: netobj;
  stat: nlm_stats;
  sequence: number;
}

function sz_nlm_shareres(v: nlm_shareres): number {
  return 8 + opaqueSize(v.cookie.length);
}

function en_nlm_shareres(w: XdrWriter, v: nlm_shareres): void {
  w.opaqueVar(v.cookie, 1024);
  w.i32(v.stat);
  w.i32(v.sequence);
}

function de_nlm_shareres(r: XdrReader): nlm_shareres {
  return {
    cookie: r.opaqueVar(1024),
    stat: (r.enumValue(va_nlm_stats, 'nlm_stats') as nlm_stats),
    sequence: r.i32(),
  };
}

export const xdr_nlm_shareres: Codec<nlm_shareres> = { size: sz_nlm_shareres, encode: en_nlm_shareres, decode: de_nlm_shareres };

export interface nlm_notify {
  name: string;
  state: number;
}

function sz_nlm_notify(v: nlm_notify): number {
  return 4 + stringSize(v.name);
}

function en_nlm_notify(w: XdrWriter, v: nlm_notify): void {
  w.string(v.name, 1025);
  w.i32(v.state);
}

function de_nlm_notify(r: XdrReader): nlm_notify {
  return {
    name: r.string(1025),
    state: r.i32(),
  };
}

export const xdr_nlm_notify: Codec<nlm_notify> = { size: sz_nlm_notify, encode: en_nlm_notify, decode: de_nlm_notify };

export enum nlm4_stats {
  NLM4_GRANTED = 0,
  NLM4_DENIED = 1,
  NLM4_DENIED_NOLOCKS = 2,
  NLM4_BLOCKED = 3,
  NLM4_DENIED_GRACE_PERIOD = 4,
  NLM4_DEADLCK = 5,
  NLM4_ROFS = 6,
  NLM4_STALE_FH = 7,
  NLM4_FBIG = 8,
  NLM4_FAILED = 9,
}

function va_nlm4_stats(v: number): boolean {
  return v >= 0 && v <= 9;
}

function sz_nlm4_stats(_v: nlm4_stats): number {
  return 4;
}

function en_nlm4_stats(w: XdrWriter, v: nlm4_stats): void {
  w.i32(v);
}

function de_nlm4_stats(r: XdrReader): nlm4_stats {
  return r.enumValue(va_nlm4_stats, 'nlm4_stats') as nlm4_stats;
}

export const xdr_nlm4_stats: Codec<nlm4_stats> = { size: sz_nlm4_stats, encode: en_nlm4_stats, decode: de_nlm4_stats };

export interface nlm4_holder {
  exclusive: boolean;
  svid: number;
  oh: netobj;
  l_offset: bigint;
  l_len: bigint;
}

function sz_nlm4_holder(v: nlm4_holder): number {
  return 24 + opaqueSize(v.oh.length);
}

function en_nlm4_holder(w: XdrWriter, v: nlm4_holder): void {
  w.bool(v.exclusive);
  w.i32(v.svid);
  w.opaqueVar(v.oh, 1024);
  w.u64(v.l_offset);
  w.u64(v.l_len);
}

function de_nlm4_holder(r: XdrReader): nlm4_holder {
  return {
    exclusive: r.bool(),
    svid: r.i32(),
    oh: r.opaqueVar(1024),
    l_offset: r.u64(),
    l_len: r.u64(),
  };
}

export const xdr_nlm4_holder: Codec<nlm4_holder> = { size: sz_nlm4_holder, encode: en_nlm4_holder, decode: de_nlm4_holder };

export type nlm4_testrply =
  | { stat: nlm4_stats.NLM4_DENIED; holder: nlm4_holder }
  | { stat: Exclude<nlm4_stats, nlm4_stats.NLM4_DENIED> };

function sz_nlm4_testrply(v: nlm4_testrply): number {
  switch (v.stat) {
    case nlm4_stats.NLM4_DENIED:
      return 4 + sz_nlm4_holder((v as { holder: nlm4_holder }).holder);
    default:
      return 4;
  }
}

function en_nlm4_testrply(w: XdrWriter, v: nlm4_testrply): void {
  w.i32(v.stat);
  switch (v.stat) {
    case nlm4_stats.NLM4_DENIED:
      en_nlm4_holder(w, (v as { holder: nlm4_holder }).holder);
      return;
    default:
      return;
  }
}

function de_nlm4_testrply(r: XdrReader): nlm4_testrply {
  const d = r.enumValue(va_nlm4_stats, 'nlm4_stats') as nlm4_stats;
  switch (d) {
    case nlm4_stats.NLM4_DENIED:
      return { stat: d, holder: de_nlm4_holder(r) } as nlm4_testrply;
    default:
      return { stat: d } as nlm4_testrply;
  }
}

export const xdr_nlm4_testrply: Codec<nlm4_testrply> = { size: sz_nlm4_testrply, encode: en_nlm4_testrply, decode: de_nlm4_testrply };

export interface nlm4_stat {
  stat: nlm4_stats;
}

function sz_nlm4_stat(_v: nlm4_stat): number {
  return 4;
}

function en_nlm4_stat(w: XdrWriter, v: nlm4_stat): void {
  w.i32(v.stat);
}

function de_nlm4_stat(r: XdrReader): nlm4_stat {
  return {
    stat: (r.enumValue(va_nlm4_stats, 'nlm4_stats') as nlm4_stats),
  };
}

export const xdr_nlm4_stat: Codec<nlm4_stat> = { size: sz_nlm4_stat, encode: en_nlm4_stat, decode: de_nlm4_stat };

export interface nlm4_res {
  cookie: netobj;
  stat: nlm4_stat;
}

function sz_nlm4_res(v: nlm4_res): number {
  return 4 + opaqueSize(v.cookie.length);
}

function en_nlm4_res(w: XdrWriter, v: nlm4_res): void {
  w.opaqueVar(v.cookie, 1024);
  en_nlm4_stat(w, v.stat);
}

function de_nlm4_res(r: XdrReader): nlm4_res {
  return {
    cookie: r.opaqueVar(1024),
    stat: de_nlm4_stat(r),
  };
}

export const xdr_nlm4_res: Codec<nlm4_res> = { size: sz_nlm4_res, encode: en_nlm4_res, decode: de_nlm4_res };

export interface nlm4_testres {
  cookie: netobj;
  stat: nlm4_testrply;
}

function sz_nlm4_testres(v: nlm4_testres): number {
  return opaqueSize(v.cookie.length) + sz_nlm4_testrply(v.stat);
}

function en_nlm4_testres(w: XdrWriter, v: nlm4_testres): void {
  w.opaqueVar(v.cookie, 1024);
  en_nlm4_testrply(w, v.stat);
}

function de_nlm4_testres(r: XdrReader): nlm4_testres {
  return {
    cookie: r.opaqueVar(1024),
    stat: de_nlm4_testrply(r),
  };
}

export const xdr_nlm4_testres: Codec<nlm4_testres> = { size: sz_nlm4_testres, encode: en_nlm4_testres, decode: de_nlm4_testres };

export interface nlm4_lock {
  caller_name: string;
  fh: netobj;
  oh: netobj;
  svid: number;
  l_offset: bigint;
  l_len: bigint;
}

function sz_nlm4_lock(v: nlm4_lock): number {
  return 20 + stringSize(v.caller_name) + opaqueSize(v.fh.length) + opaqueSize(v.oh.length);
}

function en_nlm4_lock(w: XdrWriter, v: nlm4_lock): void {
  w.string(v.caller_name, 1024);
  w.opaqueVar(v.fh, 1024);
  w.opaqueVar(v.oh, 1024);
  w.i32(v.svid);
  w.u64(v.l_offset);
  w.u64(v.l_len);
}

function de_nlm4_lock(r: XdrReader): nlm4_lock {
  return {
    caller_name: r.string(1024),
    fh: r.opaqueVar(1024),
    oh: r.opaqueVar(1024),
    svid: r.i32(),
    l_offset: r.u64(),
    l_len: r.u64(),
  };
}

export const xdr_nlm4_lock: Codec<nlm4_lock> = { size: sz_nlm4_lock, encode: en_nlm4_lock, decode: de_nlm4_lock };

export interface nlm4_lockargs {
  cookie: netobj;
  block: boolean;
  exclusive: boolean;
  alock: nlm4_lock;
  reclaim: boolean;
  state: number;
}

function sz_nlm4_lockargs(v: nlm4_lockargs): number {
  return 16 + opaqueSize(v.cookie.length) + sz_nlm4_lock(v.alock);
}

function en_nlm4_lockargs(w: XdrWriter, v: nlm4_lockargs): void {
  w.opaqueVar(v.cookie, 1024);
  w.bool(v.block);
  w.bool(v.exclusive);
  en_nlm4_lock(w, v.alock);
  w.bool(v.reclaim);
  w.i32(v.state);
}

function de_nlm4_lockargs(r: XdrReader): nlm4_lockargs {
  return {
    cookie: r.opaqueVar(1024),
    block: r.bool(),
    exclusive: r.bool(),
    alock: de_nlm4_lock(r),
    reclaim: r.bool(),
    state: r.i32(),
  };
}

export const xdr_nlm4_lockargs: Codec<nlm4_lockargs> = { size: sz_nlm4_lockargs, encode: en_nlm4_lockargs, decode: de_nlm4_lockargs };

export interface nlm4_cancargs {
  cookie: netobj;
  block: boolean;
  exclusive: boolean;
  alock: nlm4_lock;
}

function sz_nlm4_cancargs(v: nlm4_cancargs): number {
  return 8 + opaqueSize(v.cookie.length) + sz_nlm4_lock(v.alock);
}

function en_nlm4_cancargs(w: XdrWriter, v: nlm4_cancargs): void {
  w.opaqueVar(v.cookie, 1024);
  w.bool(v.block);
  w.bool(v.exclusive);
  en_nlm4_lock(w, v.alock);
}

function de_nlm4_cancargs(r: XdrReader): nlm4_cancargs {
  return {
    cookie: r.opaqueVar(1024),
    block: r.bool(),
    exclusive: r.bool(),
    alock: de_nlm4_lock(r),
  };
}

export const xdr_nlm4_cancargs: Codec<nlm4_cancargs> = { size: sz_nlm4_cancargs, encode: en_nlm4_cancargs, decode: de_nlm4_cancargs };

export interface nlm4_testargs {
  cookie: netobj;
  exclusive: boolean;
  alock: nlm4_lock;
}

function sz_nlm4_testargs(v: nlm4_testargs): number {
  return 4 + opaqueSize(v.cookie.length) + sz_nlm4_lock(v.alock);
}

function en_nlm4_testargs(w: XdrWriter, v: nlm4_testargs): void {
  w.opaqueVar(v.cookie, 1024);
  w.bool(v.exclusive);
  en_nlm4_lock(w, v.alock);
}

function de_nlm4_testargs(r: XdrReader): nlm4_testargs {
  return {
    cookie: r.opaqueVar(1024),
    exclusive: r.bool(),
    alock: de_nlm4_lock(r),
  };
}

export const xdr_nlm4_testargs: Codec<nlm4_testargs> = { size: sz_nlm4_testargs, encode: en_nlm4_testargs, decode: de_nlm4_testargs };

export interface nlm4_unlockargs {
  cookie: netobj;
  alock: nlm4_lock;
}

function sz_nlm4_unlockargs(v: nlm4_unlockargs): number {
  return opaqueSize(v.cookie.length) + sz_nlm4_lock(v.alock);
}

function en_nlm4_unlockargs(w: XdrWriter, v: nlm4_unlockargs): void {
  w.opaqueVar(v.cookie, 1024);
  en_nlm4_lock(w, v.alock);
}

function de_nlm4_unlockargs(r: XdrReader): nlm4_unlockargs {
  return {
    cookie: r.opaqueVar(1024),
    alock: de_nlm4_lock(r),
  };
}

export const xdr_nlm4_unlockargs: Codec<nlm4_unlockargs> = { size: sz_nlm4_unlockargs, encode: en_nlm4_unlockargs, decode: de_nlm4_unlockargs };

export interface nlm4_share {
  caller_name: string;
  fh: netobj;
  oh: netobj;
  mode: fsh_mode;
  access: fsh_access;
}

function sz_nlm4_share(v: nlm4_share): number {
  return 8 + stringSize(v.caller_name) + opaqueSize(v.fh.length) + opaqueSize(v.oh.length);
}

function en_nlm4_share(w: XdrWriter, v: nlm4_share): void {
  w.string(v.caller_name, 1024);
  w.opaqueVar(v.fh, 1024);
  w.opaqueVar(v.oh, 1024);
  w.i32(v.mode);
  w.i32(v.access);
}

function de_nlm4_share(r: XdrReader): nlm4_share {
  return {
    caller_name: r.string(1024),
    fh: r.opaqueVar(1024),
    oh: r.opaqueVar(1024),
    mode: (r.enumValue(va_fsh_mode, 'fsh_mode') as fsh_mode),
    access: (r.enumValue(va_fsh_access, 'fsh_access') as fsh_access),
  };
}

export const xdr_nlm4_share: Codec<nlm4_share> = { size: sz_nlm4_share, encode: en_nlm4_share, decode: de_nlm4_share };

export interface nlm4_shareargs {
  cookie: netobj;
  share: nlm4_share;
  reclaim: boolean;
}

function sz_nlm4_shareargs(v: nlm4_shareargs): number {
  return 4 + opaqueSize(v.cookie.length) + sz_nlm4_share(v.share);
}

function en_nlm4_shareargs(w: XdrWriter, v: nlm4_shareargs): void {
  w.opaqueVar(v.cookie, 1024);
  en_nlm4_share(w, v.share);
  w.bool(v.reclaim);
}

function de_nlm4_shareargs(r: XdrReader): nlm4_shareargs {
  return {
    cookie: r.opaqueVar(1024),
    share: de_nlm4_share(r),
    reclaim: r.bool(),
  };
}

export const xdr_nlm4_shareargs: Codec<nlm4_shareargs> = { size: sz_nlm4_shareargs, encode: en_nlm4_shareargs, decode: de_nlm4_shareargs };

export interface nlm4_shareres {
  cookie: netobj;
  stat: nlm4_stats;
  sequence: number;
}

function sz_nlm4_shareres(v: nlm4_shareres): number {
  return 8 + opaqueSize(v.cookie.length);
}

function en_nlm4_shareres(w: XdrWriter, v: nlm4_shareres): void {
  w.opaqueVar(v.cookie, 1024);
  w.i32(v.stat);
  w.i32(v.sequence);
}

function de_nlm4_shareres(r: XdrReader): nlm4_shareres {
  return {
    cookie: r.opaqueVar(1024),
    stat: (r.enumValue(va_nlm4_stats, 'nlm4_stats') as nlm4_stats),
    sequence: r.i32(),
  };
}

export const xdr_nlm4_shareres: Codec<nlm4_shareres> = { size: sz_nlm4_shareres, encode: en_nlm4_shareres, decode: de_nlm4_shareres };

export interface nlm4_notify {
  name: string;
  state: number;
}

function sz_nlm4_notify(v: nlm4_notify): number {
  return 4 + stringSize(v.name);
}

function en_nlm4_notify(w: XdrWriter, v: nlm4_notify): void {
  w.string(v.name, 1025);
  w.i32(v.state);
}

function de_nlm4_notify(r: XdrReader): nlm4_notify {
  return {
    name: r.string(1025),
    state: r.i32(),
  };
}

export const xdr_nlm4_notify: Codec<nlm4_notify> = { size: sz_nlm4_notify, encode: en_nlm4_notify, decode: de_nlm4_notify };

export const NLM_PROG = 100021;

export const NLM_VERS = 1;

export const NLM_NULL = 0;

export const NLM_TEST = 1;

export const NLM_LOCK = 2;

export const NLM_CANCEL = 3;

export const NLM_UNLOCK = 4;

export const NLM_GRANTED = 5;

export const NLM_TEST_MSG = 6;

export const NLM_LOCK_MSG = 7;

export const NLM_CANCEL_MSG = 8;

export const NLM_UNLOCK_MSG = 9;

export const NLM_GRANTED_MSG = 10;

export const NLM_TEST_RES = 11;

export const NLM_LOCK_RES = 12;

export const NLM_CANCEL_RES = 13;

export const NLM_UNLOCK_RES = 14;

export const NLM_GRANTED_RES = 15;

/** Program NLM_PROG (100021) version NLM_VERS (1): procedure number -> name and codecs. */
export const NLM_VERS_PROCEDURES = {
  [NLM_NULL]: { proc: NLM_NULL, name: 'NULL', args: xdr_void, res: xdr_void },
  [NLM_TEST]: { proc: NLM_TEST, name: 'TEST', args: xdr_nlm_testargs, res: xdr_nlm_testres },
  [NLM_LOCK]: { proc: NLM_LOCK, name: 'LOCK', args: xdr_nlm_lockargs, res: xdr_nlm_res },
  [NLM_CANCEL]: { proc: NLM_CANCEL, name: 'CANCEL', args: xdr_nlm_cancargs, res: xdr_nlm_res },
  [NLM_UNLOCK]: { proc: NLM_UNLOCK, name: 'UNLOCK', args: xdr_nlm_unlockargs, res: xdr_nlm_res },
  [NLM_GRANTED]: { proc: NLM_GRANTED, name: 'GRANTED', args: xdr_nlm_testargs, res: xdr_nlm_res },
  [NLM_TEST_MSG]: { proc: NLM_TEST_MSG, name: 'TEST_MSG', args: xdr_nlm_testargs, res: xdr_void },
  [NLM_LOCK_MSG]: { proc: NLM_LOCK_MSG, name: 'LOCK_MSG', args: xdr_nlm_lockargs, res: xdr_void },
  [NLM_CANCEL_MSG]: { proc: NLM_CANCEL_MSG, name: 'CANCEL_MSG', args: xdr_nlm_cancargs, res: xdr_void },
  [NLM_UNLOCK_MSG]: { proc: NLM_UNLOCK_MSG, name: 'UNLOCK_MSG', args: xdr_nlm_unlockargs, res: xdr_void },
  [NLM_GRANTED_MSG]: { proc: NLM_GRANTED_MSG, name: 'GRANTED_MSG', args: xdr_nlm_testargs, res: xdr_void },
  [NLM_TEST_RES]: { proc: NLM_TEST_RES, name: 'TEST_RES', args: xdr_nlm_testres, res: xdr_void },
  [NLM_LOCK_RES]: { proc: NLM_LOCK_RES, name: 'LOCK_RES', args: xdr_nlm_res, res: xdr_void },
  [NLM_CANCEL_RES]: { proc: NLM_CANCEL_RES, name: 'CANCEL_RES', args: xdr_nlm_res, res: xdr_void },
  [NLM_UNLOCK_RES]: { proc: NLM_UNLOCK_RES, name: 'UNLOCK_RES', args: xdr_nlm_res, res: xdr_void },
  [NLM_GRANTED_RES]: { proc: NLM_GRANTED_RES, name: 'GRANTED_RES', args: xdr_nlm_res, res: xdr_void },
} as const;

export const NLM_VERSX = 3;

export const NLM_SHARE = 20;

export const NLM_UNSHARE = 21;

export const NLM_NM_LOCK = 22;

export const NLM_FREE_ALL = 23;

/** Program NLM_PROG (100021) version NLM_VERSX (3): procedure number -> name and codecs. */
export const NLM_VERSX_PROCEDURES = {
  [NLM_SHARE]: { proc: NLM_SHARE, name: 'SHARE', args: xdr_nlm_shareargs, res: xdr_nlm_shareres },
  [NLM_UNSHARE]: { proc: NLM_UNSHARE, name: 'UNSHARE', args: xdr_nlm_shareargs, res: xdr_nlm_shareres },
  [NLM_NM_LOCK]: { proc: NLM_NM_LOCK, name: 'NM_LOCK', args: xdr_nlm_lockargs, res: xdr_nlm_res },
  [NLM_FREE_ALL]: { proc: NLM_FREE_ALL, name: 'FREE_ALL', args: xdr_nlm_notify, res: xdr_void },
} as const;

export const NLM4_VERS = 4;

export const NLMPROC4_NULL = 0;

export const NLMPROC4_TEST = 1;

export const NLMPROC4_LOCK = 2;

export const NLMPROC4_CANCEL = 3;

export const NLMPROC4_UNLOCK = 4;

export const NLMPROC4_GRANTED = 5;

export const NLMPROC4_TEST_MSG = 6;

export const NLMPROC4_LOCK_MSG = 7;

export const NLMPROC4_CANCEL_MSG = 8;

export const NLMPROC4_UNLOCK_MSG = 9;

export const NLMPROC4_GRANTED_MSG = 10;

export const NLMPROC4_TEST_RES = 11;

export const NLMPROC4_LOCK_RES = 12;

export const NLMPROC4_CANCEL_RES = 13;

export const NLMPROC4_UNLOCK_RES = 14;

export const NLMPROC4_GRANTED_RES = 15;

export const NLMPROC4_SHARE = 20;

export const NLMPROC4_UNSHARE = 21;

export const NLMPROC4_NM_LOCK = 22;

export const NLMPROC4_FREE_ALL = 23;

/** Program NLM_PROG (100021) version NLM4_VERS (4): procedure number -> name and codecs. */
export const NLM4_VERS_PROCEDURES = {
  [NLMPROC4_NULL]: { proc: NLMPROC4_NULL, name: 'NULL', args: xdr_void, res: xdr_void },
  [NLMPROC4_TEST]: { proc: NLMPROC4_TEST, name: 'TEST', args: xdr_nlm4_testargs, res: xdr_nlm4_testres },
  [NLMPROC4_LOCK]: { proc: NLMPROC4_LOCK, name: 'LOCK', args: xdr_nlm4_lockargs, res: xdr_nlm4_res },
  [NLMPROC4_CANCEL]: { proc: NLMPROC4_CANCEL, name: 'CANCEL', args: xdr_nlm4_cancargs, res: xdr_nlm4_res },
  [NLMPROC4_UNLOCK]: { proc: NLMPROC4_UNLOCK, name: 'UNLOCK', args: xdr_nlm4_unlockargs, res: xdr_nlm4_res },
  [NLMPROC4_GRANTED]: { proc: NLMPROC4_GRANTED, name: 'GRANTED', args: xdr_nlm4_testargs, res: xdr_nlm4_res },
  [NLMPROC4_TEST_MSG]: { proc: NLMPROC4_TEST_MSG, name: 'TEST_MSG', args: xdr_nlm4_testargs, res: xdr_void },
  [NLMPROC4_LOCK_MSG]: { proc: NLMPROC4_LOCK_MSG, name: 'LOCK_MSG', args: xdr_nlm4_lockargs, res: xdr_void },
  [NLMPROC4_CANCEL_MSG]: { proc: NLMPROC4_CANCEL_MSG, name: 'CANCEL_MSG', args: xdr_nlm4_cancargs, res: xdr_void },
  [NLMPROC4_UNLOCK_MSG]: { proc: NLMPROC4_UNLOCK_MSG, name: 'UNLOCK_MSG', args: xdr_nlm4_unlockargs, res: xdr_void },
  [NLMPROC4_GRANTED_MSG]: { proc: NLMPROC4_GRANTED_MSG, name: 'GRANTED_MSG', args: xdr_nlm4_testargs, res: xdr_void },
  [NLMPROC4_TEST_RES]: { proc: NLMPROC4_TEST_RES, name: 'TEST_RES', args: xdr_nlm4_testres, res: xdr_void },
  [NLMPROC4_LOCK_RES]: { proc: NLMPROC4_LOCK_RES, name: 'LOCK_RES', args: xdr_nlm4_res, res: xdr_void },
  [NLMPROC4_CANCEL_RES]: { proc: NLMPROC4_CANCEL_RES, name: 'CANCEL_RES', args: xdr_nlm4_res, res: xdr_void },
  [NLMPROC4_UNLOCK_RES]: { proc: NLMPROC4_UNLOCK_RES, name: 'UNLOCK_RES', args: xdr_nlm4_res, res: xdr_void },
  [NLMPROC4_GRANTED_RES]: { proc: NLMPROC4_GRANTED_RES, name: 'GRANTED_RES', args: xdr_nlm4_res, res: xdr_void },
  [NLMPROC4_SHARE]: { proc: NLMPROC4_SHARE, name: 'SHARE', args: xdr_nlm4_shareargs, res: xdr_nlm4_shareres },
  [NLMPROC4_UNSHARE]: { proc: NLMPROC4_UNSHARE, name: 'UNSHARE', args: xdr_nlm4_shareargs, res: xdr_nlm4_shareres },
  [NLMPROC4_NM_LOCK]: { proc: NLMPROC4_NM_LOCK, name: 'NM_LOCK', args: xdr_nlm4_lockargs, res: xdr_nlm4_res },
  [NLMPROC4_FREE_ALL]: { proc: NLMPROC4_FREE_ALL, name: 'FREE_ALL', args: xdr_nlm4_notify, res: xdr_void },
} as const;
