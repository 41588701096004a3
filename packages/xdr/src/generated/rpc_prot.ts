// Generated from packages/xdr/spec/rpc_prot.x by packages/xdr/src/gen. Do not edit:
// change the .x file and run `pnpm --filter @nfsts/xdr gen` (node packages/xdr/dist/src/gen/cli.js).

import type { Codec } from '../codec.js';
import { XdrError } from '../errors.js';
import type { XdrReader } from '../reader.js';
import { type XdrWriter, opaqueSize, stringSize } from '../writer.js';

export const AUTHSYS_MACHINENAME_MAX = 255;

export const AUTHSYS_GIDS_MAX = 16;

export enum auth_flavor {
  AUTH_NONE = 0,
  AUTH_SYS = 1,
  AUTH_SHORT = 2,
  AUTH_DH = 3,
  RPCSEC_GSS = 6,
  AUTH_TLS = 7,
}

function va_auth_flavor(v: number): boolean {
  switch (v) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 6:
    case 7:
      return true;
    default:
      return false;
  }
}

function sz_auth_flavor(_v: auth_flavor): number {
  return 4;
}

function en_auth_flavor(w: XdrWriter, v: auth_flavor): void {
  w.i32(v);
}

function de_auth_flavor(r: XdrReader): auth_flavor {
  return r.enumValue(va_auth_flavor, 'auth_flavor') as auth_flavor;
}

export const xdr_auth_flavor: Codec<auth_flavor> = { size: sz_auth_flavor, encode: en_auth_flavor, decode: de_auth_flavor };

export interface opaque_auth {
  flavor: number;
  body: Buffer;
}

function sz_opaque_auth(v: opaque_auth): number {
  return 4 + opaqueSize(v.body.length);
}

function en_opaque_auth(w: XdrWriter, v: opaque_auth): void {
  w.u32(v.flavor);
  w.opaqueVar(v.body, 400);
}

function de_opaque_auth(r: XdrReader): opaque_auth {
  return {
    flavor: r.u32(),
    body: r.opaqueVar(400),
  };
}

export const xdr_opaque_auth: Codec<opaque_auth> = { size: sz_opaque_auth, encode: en_opaque_auth, decode: de_opaque_auth };

export enum msg_type {
  CALL = 0,
  REPLY = 1,
}

function va_msg_type(v: number): boolean {
  return v >= 0 && v <= 1;
}

function sz_msg_type(_v: msg_type): number {
  return 4;
}

function en_msg_type(w: XdrWriter, v: msg_type): void {
  w.i32(v);
}

function de_msg_type(r: XdrReader): msg_type {
  return r.enumValue(va_msg_type, 'msg_type') as msg_type;
}

export const xdr_msg_type: Codec<msg_type> = { size: sz_msg_type, encode: en_msg_type, decode: de_msg_type };

export enum reply_stat {
  MSG_ACCEPTED = 0,
  MSG_DENIED = 1,
}

function va_reply_stat(v: number): boolean {
  return v >= 0 && v <= 1;
}

function sz_reply_stat(_v: reply_stat): number {
  return 4;
}

function en_reply_stat(w: XdrWriter, v: reply_stat): void {
  w.i32(v);
}

function de_reply_stat(r: XdrReader): reply_stat {
  return r.enumValue(va_reply_stat, 'reply_stat') as reply_stat;
}

export const xdr_reply_stat: Codec<reply_stat> = { size: sz_reply_stat, encode: en_reply_stat, decode: de_reply_stat };

export enum accept_stat {
  SUCCESS = 0,
  PROG_UNAVAIL = 1,
  PROG_MISMATCH = 2,
  PROC_UNAVAIL = 3,
  GARBAGE_ARGS = 4,
  SYSTEM_ERR = 5,
}

function va_accept_stat(v: number): boolean {
  return v >= 0 && v <= 5;
}

function sz_accept_stat(_v: accept_stat): number {
  return 4;
}

function en_accept_stat(w: XdrWriter, v: accept_stat): void {
  w.i32(v);
}

function de_accept_stat(r: XdrReader): accept_stat {
  return r.enumValue(va_accept_stat, 'accept_stat') as accept_stat;
}

export const xdr_accept_stat: Codec<accept_stat> = { size: sz_accept_stat, encode: en_accept_stat, decode: de_accept_stat };

export enum reject_stat {
  RPC_MISMATCH = 0,
  AUTH_ERROR = 1,
}

function va_reject_stat(v: number): boolean {
  return v >= 0 && v <= 1;
}

function sz_reject_stat(_v: reject_stat): number {
  return 4;
}

function en_reject_stat(w: XdrWriter, v: reject_stat): void {
  w.i32(v);
}

function de_reject_stat(r: XdrReader): reject_stat {
  return r.enumValue(va_reject_stat, 'reject_stat') as reject_stat;
}

export const xdr_reject_stat: Codec<reject_stat> = { size: sz_reject_stat, encode: en_reject_stat, decode: de_reject_stat };

export enum auth_stat {
  AUTH_OK = 0,
  AUTH_BADCRED = 1,
  AUTH_REJECTEDCRED = 2,
  AUTH_BADVERF = 3,
  AUTH_REJECTEDVERF = 4,
  AUTH_TOOWEAK = 5,
  AUTH_INVALIDRESP = 6,
  AUTH_FAILED = 7,
  AUTH_KERB_GENERIC = 8,
  AUTH_TIMEEXPIRE = 9,
  AUTH_TKT_FILE = 10,
  AUTH_DECODE = 11,
  AUTH_NET_ADDR = 12,
  RPCSEC_GSS_CREDPROBLEM = 13,
  RPCSEC_GSS_CTXPROBLEM = 14,
}

function va_auth_stat(v: number): boolean {
  return v >= 0 && v <= 14;
}

function sz_auth_stat(_v: auth_stat): number {
  return 4;
}

function en_auth_stat(w: XdrWriter, v: auth_stat): void {
  w.i32(v);
}

function de_auth_stat(r: XdrReader): auth_stat {
  return r.enumValue(va_auth_stat, 'auth_stat') as auth_stat;
}

export const xdr_auth_stat: Codec<auth_stat> = { size: sz_auth_stat, encode: en_auth_stat, decode: de_auth_stat };

export type rpc_msg_body =
  | { mtype: msg_type.CALL; cbody: call_body }
  | { mtype: msg_type.REPLY; rbody: reply_body };

function sz_rpc_msg_body(v: rpc_msg_body): number {
  switch (v.mtype) {
    case msg_type.CALL:
      return 4 + sz_call_body((v as { cbody: call_body }).cbody);
    case msg_type.REPLY:
      return 4 + sz_reply_body((v as { rbody: reply_body }).rbody);
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { mtype: unknown }).mtype)} is not a case of union rpc_msg_body`);
  }
}

function en_rpc_msg_body(w: XdrWriter, v: rpc_msg_body): void {
  w.i32(v.mtype);
  switch (v.mtype) {
    case msg_type.CALL:
      en_call_body(w, (v as { cbody: call_body }).cbody);
      return;
    case msg_type.REPLY:
      en_reply_body(w, (v as { rbody: reply_body }).rbody);
      return;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { mtype: unknown }).mtype)} is not a case of union rpc_msg_body`);
  }
}

function de_rpc_msg_body(r: XdrReader): rpc_msg_body {
  const d = r.enumValue(va_msg_type, 'msg_type') as msg_type;
  switch (d) {
    case msg_type.CALL:
      return { mtype: d, cbody: de_call_body(r) } as rpc_msg_body;
    case msg_type.REPLY:
      return { mtype: d, rbody: de_reply_body(r) } as rpc_msg_body;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String(d)} is not a case of union rpc_msg_body`);
  }
}

export const xdr_rpc_msg_body: Codec<rpc_msg_body> = { size: sz_rpc_msg_body, encode: en_rpc_msg_body, decode: de_rpc_msg_body };

export interface rpc_msg {
  xid: number;
  body: rpc_msg_body;
}

function sz_rpc_msg(v: rpc_msg): number {
  return 4 + sz_rpc_msg_body(v.body);
}

function en_rpc_msg(w: XdrWriter, v: rpc_msg): void {
  w.u32(v.xid);
  en_rpc_msg_body(w, v.body);
}

function de_rpc_msg(r: XdrReader): rpc_msg {
  return {
    xid: r.u32(),
    body: de_rpc_msg_body(r),
  };
}

export const xdr_rpc_msg: Codec<rpc_msg> = { size: sz_rpc_msg, encode: en_rpc_msg, decode: de_rpc_msg };

export interface call_body {
  rpcvers: number;
  prog: number;
  vers: number;
  proc: number;
  cred: opaque_auth;
  verf: opaque_auth;
}

function sz_call_body(v: call_body): number {
  return 16 + sz_opaque_auth(v.cred) + sz_opaque_auth(v.verf);
}

function en_call_body(w: XdrWriter, v: call_body): void {
  w.u32(v.rpcvers);
  w.u32(v.prog);
  w.u32(v.vers);
  w.u32(v.proc);
  en_opaque_auth(w, v.cred);
  en_opaque_auth(w, v.verf);
}

function de_call_body(r: XdrReader): call_body {
  return {
    rpcvers: r.u32(),
    prog: r.u32(),
    vers: r.u32(),
    proc: r.u32(),
    cred: de_opaque_auth(r),
    verf: de_opaque_auth(r),
  };
}

export const xdr_call_body: Codec<call_body> = { size: sz_call_body, encode: en_call_body, decode: de_call_body };

export type reply_body =
  | { stat: reply_stat.MSG_ACCEPTED; areply: accepted_reply }
  | { stat: reply_stat.MSG_DENIED; rreply: rejected_reply };

function sz_reply_body(v: reply_body): number {
  switch (v.stat) {
    case reply_stat.MSG_ACCEPTED:
      return 4 + sz_accepted_reply((v as { areply: accepted_reply }).areply);
    case reply_stat.MSG_DENIED:
      return 4 + sz_rejected_reply((v as { rreply: rejected_reply }).rreply);
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { stat: unknown }).stat)} is not a case of union reply_body`);
  }
}

function en_reply_body(w: XdrWriter, v: reply_body): void {
  w.i32(v.stat);
  switch (v.stat) {
    case reply_stat.MSG_ACCEPTED:
      en_accepted_reply(w, (v as { areply: accepted_reply }).areply);
      return;
    case reply_stat.MSG_DENIED:
      en_rejected_reply(w, (v as { rreply: rejected_reply }).rreply);
      return;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { stat: unknown }).stat)} is not a case of union reply_body`);
  }
}

function de_reply_body(r: XdrReader): reply_body {
  const d = r.enumValue(va_reply_stat, 'reply_stat') as reply_stat;
  switch (d) {
    case reply_stat.MSG_ACCEPTED:
      return { stat: d, areply: de_accepted_reply(r) } as reply_body;
    case reply_stat.MSG_DENIED:
      return { stat: d, rreply: de_rejected_reply(r) } as reply_body;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String(d)} is not a case of union reply_body`);
  }
}

export const xdr_reply_body: Codec<reply_body> = { size: sz_reply_body, encode: en_reply_body, decode: de_reply_body };

export interface accepted_reply_reply_data_mismatch_info {
  low: number;
  high: number;
}

function sz_accepted_reply_reply_data_mismatch_info(_v: accepted_reply_reply_data_mismatch_info): number {
  return 8;
}

function en_accepted_reply_reply_data_mismatch_info(w: XdrWriter, v: accepted_reply_reply_data_mismatch_info): void {
  w.u32(v.low);
  w.u32(v.high);
}

function de_accepted_reply_reply_data_mismatch_info(r: XdrReader): accepted_reply_reply_data_mismatch_info {
  return {
    low: r.u32(),
    high: r.u32(),
  };
}

export const xdr_accepted_reply_reply_data_mismatch_info: Codec<accepted_reply_reply_data_mismatch_info> = { size: sz_accepted_reply_reply_data_mismatch_info, encode: en_accepted_reply_reply_data_mismatch_info, decode: de_accepted_reply_reply_data_mismatch_info };

export type accepted_reply_reply_data =
  | { stat: accept_stat.SUCCESS }
  | { stat: accept_stat.PROG_MISMATCH; mismatch_info: accepted_reply_reply_data_mismatch_info }
  | { stat: Exclude<accept_stat, accept_stat.SUCCESS | accept_stat.PROG_MISMATCH> };

function sz_accepted_reply_reply_data(v: accepted_reply_reply_data): number {
  switch (v.stat) {
    case accept_stat.SUCCESS:
      return 4;
    case accept_stat.PROG_MISMATCH:
      return 12;
    default:
      return 4;
  }
}

function en_accepted_reply_reply_data(w: XdrWriter, v: accepted_reply_reply_data): void {
  w.i32(v.stat);
  switch (v.stat) {
    case accept_stat.SUCCESS:
      return;
    case accept_stat.PROG_MISMATCH:
      en_accepted_reply_reply_data_mismatch_info(w, (v as { mismatch_info: accepted_reply_reply_data_mismatch_info }).mismatch_info);
      return;
    default:
      return;
  }
}

function de_accepted_reply_reply_data(r: XdrReader): accepted_reply_reply_data {
  const d = r.enumValue(va_accept_stat, 'accept_stat') as accept_stat;
  switch (d) {
    case accept_stat.SUCCESS:
      return { stat: d } as accepted_reply_reply_data;
    case accept_stat.PROG_MISMATCH:
      return { stat: d, mismatch_info: de_accepted_reply_reply_data_mismatch_info(r) } as accepted_reply_reply_data;
    default:
      return { stat: d } as accepted_reply_reply_data;
  }
}

export const xdr_accepted_reply_reply_data: Codec<accepted_reply_reply_data> = { size: sz_accepted_reply_reply_data, encode: en_accepted_reply_reply_data, decode: de_accepted_reply_reply_data };

export interface accepted_reply {
  verf: opaque_auth;
  reply_data: accepted_reply_reply_data;
}

function sz_accepted_reply(v: accepted_reply): number {
  return sz_opaque_auth(v.verf) + sz_accepted_reply_reply_data(v.reply_data);
}

function en_accepted_reply(w: XdrWriter, v: accepted_reply): void {
  en_opaque_auth(w, v.verf);
  en_accepted_reply_reply_data(w, v.reply_data);
}

function de_accepted_reply(r: XdrReader): accepted_reply {
  return {
    verf: de_opaque_auth(r),
    reply_data: de_accepted_reply_reply_data(r),
  };
}

export const xdr_accepted_reply: Codec<accepted_reply> = { size: sz_accepted_reply, encode: en_accepted_reply, decode: de_accepted_reply };

export interface rejected_reply_mismatch_info {
  low: number;
  high: number;
}

function sz_rejected_reply_mismatch_info(_v: rejected_reply_mismatch_info): number {
  return 8;
}

function en_rejected_reply_mismatch_info(w: XdrWriter, v: rejected_reply_mismatch_info): void {
  w.u32(v.low);
  w.u32(v.high);
}

function de_rejected_reply_mismatch_info(r: XdrReader): rejected_reply_mismatch_info {
  return {
    low: r.u32(),
    high: r.u32(),
  };
}

export const xdr_rejected_reply_mismatch_info: Codec<rejected_reply_mismatch_info> = { size: sz_rejected_reply_mismatch_info, encode: en_rejected_reply_mismatch_info, decode: de_rejected_reply_mismatch_info };

export type rejected_reply =
  | { stat: reject_stat.RPC_MISMATCH; mismatch_info: rejected_reply_mismatch_info }
  | { stat: reject_stat.AUTH_ERROR; why: auth_stat };

function sz_rejected_reply(v: rejected_reply): number {
  switch (v.stat) {
    case reject_stat.RPC_MISMATCH:
      return 12;
    case reject_stat.AUTH_ERROR:
      return 8;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { stat: unknown }).stat)} is not a case of union rejected_reply`);
  }
}

function en_rejected_reply(w: XdrWriter, v: rejected_reply): void {
  w.i32(v.stat);
  switch (v.stat) {
    case reject_stat.RPC_MISMATCH:
      en_rejected_reply_mismatch_info(w, (v as { mismatch_info: rejected_reply_mismatch_info }).mismatch_info);
      return;
    case reject_stat.AUTH_ERROR:
      w.i32((v as { why: auth_stat }).why);
      return;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { stat: unknown }).stat)} is not a case of union rejected_reply`);
  }
}

function de_rejected_reply(r: XdrReader): rejected_reply {
  const d = r.enumValue(va_reject_stat, 'reject_stat') as reject_stat;
  switch (d) {
    case reject_stat.RPC_MISMATCH:
      return { stat: d, mismatch_info: de_rejected_reply_mismatch_info(r) } as rejected_reply;
    case reject_stat.AUTH_ERROR:
      return { stat: d, why: (r.enumValue(va_auth_stat, 'auth_stat') as auth_stat) } as rejected_reply;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String(d)} is not a case of union rejected_reply`);
  }
}

export const xdr_rejected_reply: Codec<rejected_reply> = { size: sz_rejected_reply, encode: en_rejected_reply, decode: de_rejected_reply };

export interface authsys_parms {
  stamp: number;
  machinename: string;
  uid: number;
  gid: number;
  gids: number[];
}

function sz_authsys_parms(v: authsys_parms): number {
  return 12 + stringSize(v.machinename) + sz_authsys_parms__gids(v.gids);
}

function en_authsys_parms(w: XdrWriter, v: authsys_parms): void {
  w.u32(v.stamp);
  w.string(v.machinename, 255);
  w.u32(v.uid);
  w.u32(v.gid);
  en_authsys_parms__gids(w, v.gids);
}

function de_authsys_parms(r: XdrReader): authsys_parms {
  return {
    stamp: r.u32(),
    machinename: r.string(255),
    uid: r.u32(),
    gid: r.u32(),
    gids: de_authsys_parms__gids(r),
  };
}

export const xdr_authsys_parms: Codec<authsys_parms> = { size: sz_authsys_parms, encode: en_authsys_parms, decode: de_authsys_parms };

function sz_authsys_parms__gids(v: number[]): number {
  return 4 + v.length * 4;
}

function en_authsys_parms__gids(w: XdrWriter, v: number[]): void {
  w.arrayLength(v.length, 16);
  for (let i = 0; i < v.length; i++) {
    const e = v[i]!;
    w.u32(e);
  }
}

function de_authsys_parms__gids(r: XdrReader): number[] {
  const n = r.arrayLength(16, 4);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = r.u32();
  return out;
}
