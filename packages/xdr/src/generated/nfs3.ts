// Generated from packages/xdr/spec/nfs3.x by packages/xdr/src/gen. Do not edit:
// change the .x file and run `pnpm --filter @nfsts/xdr gen` (node packages/xdr/dist/src/gen/cli.js).

import { type Codec, xdr_void } from '../codec.js';
import { XdrError } from '../errors.js';
import type { XdrReader } from '../reader.js';
import { type XdrWriter, opaqueSize, stringSize } from '../writer.js';

export const NFS3_FHSIZE = 64;

export const NFS3_COOKIEVERFSIZE = 8;

export const NFS3_CREATEVERFSIZE = 8;

export const NFS3_WRITEVERFSIZE = 8;

export const ACCESS3_READ = 1;

export const ACCESS3_LOOKUP = 2;

export const ACCESS3_MODIFY = 4;

export const ACCESS3_EXTEND = 8;

export const ACCESS3_DELETE = 16;

export const ACCESS3_EXECUTE = 32;

export const FSF3_LINK = 1;

export const FSF3_SYMLINK = 2;

export const FSF3_HOMOGENEOUS = 8;

export const FSF3_CANSETTIME = 16;

export type uint64 = bigint;

function sz_uint64(_v: uint64): number {
  return 8;
}

function en_uint64(w: XdrWriter, v: uint64): void {
  w.u64(v);
}

function de_uint64(r: XdrReader): uint64 {
  return r.u64();
}

export const xdr_uint64: Codec<uint64> = { size: sz_uint64, encode: en_uint64, decode: de_uint64 };

export type int64 = bigint;

function sz_int64(_v: int64): number {
  return 8;
}

function en_int64(w: XdrWriter, v: int64): void {
  w.i64(v);
}

function de_int64(r: XdrReader): int64 {
  return r.i64();
}

export const xdr_int64: Codec<int64> = { size: sz_int64, encode: en_int64, decode: de_int64 };

export type uint32 = number;

function sz_uint32(_v: uint32): number {
  return 4;
}

function en_uint32(w: XdrWriter, v: uint32): void {
  w.u32(v);
}

function de_uint32(r: XdrReader): uint32 {
  return r.u32();
}

export const xdr_uint32: Codec<uint32> = { size: sz_uint32, encode: en_uint32, decode: de_uint32 };

export type int32 = number;

function sz_int32(_v: int32): number {
  return 4;
}

function en_int32(w: XdrWriter, v: int32): void {
  w.i32(v);
}

function de_int32(r: XdrReader): int32 {
  return r.i32();
}

export const xdr_int32: Codec<int32> = { size: sz_int32, encode: en_int32, decode: de_int32 };

export type filename3 = string;

function sz_filename3(v: filename3): number {
  return stringSize(v);
}

function en_filename3(w: XdrWriter, v: filename3): void {
  w.string(v);
}

function de_filename3(r: XdrReader): filename3 {
  return r.string();
}

export const xdr_filename3: Codec<filename3> = { size: sz_filename3, encode: en_filename3, decode: de_filename3 };

export type nfspath3 = string;

function sz_nfspath3(v: nfspath3): number {
  return stringSize(v);
}

function en_nfspath3(w: XdrWriter, v: nfspath3): void {
  w.string(v);
}

function de_nfspath3(r: XdrReader): nfspath3 {
  return r.string();
}

export const xdr_nfspath3: Codec<nfspath3> = { size: sz_nfspath3, encode: en_nfspath3, decode: de_nfspath3 };

export type fileid3 = uint64;

function sz_fileid3(_v: fileid3): number {
  return 8;
}

function en_fileid3(w: XdrWriter, v: fileid3): void {
  w.u64(v);
}

function de_fileid3(r: XdrReader): fileid3 {
  return r.u64();
}

export const xdr_fileid3: Codec<fileid3> = { size: sz_fileid3, encode: en_fileid3, decode: de_fileid3 };

export type cookie3 = uint64;

function sz_cookie3(_v: cookie3): number {
  return 8;
}

function en_cookie3(w: XdrWriter, v: cookie3): void {
  w.u64(v);
}

function de_cookie3(r: XdrReader): cookie3 {
  return r.u64();
}

export const xdr_cookie3: Codec<cookie3> = { size: sz_cookie3, encode: en_cookie3, decode: de_cookie3 };

export type cookieverf3 = Buffer;

function sz_cookieverf3(_v: cookieverf3): number {
  return 8;
}

function en_cookieverf3(w: XdrWriter, v: cookieverf3): void {
  w.opaqueFixed(v, 8);
}

function de_cookieverf3(r: XdrReader): cookieverf3 {
  return r.opaqueFixed(8);
}

export const xdr_cookieverf3: Codec<cookieverf3> = { size: sz_cookieverf3, encode: en_cookieverf3, decode: de_cookieverf3 };

export type createverf3 = Buffer;

function sz_createverf3(_v: createverf3): number {
  return 8;
}

function en_createverf3(w: XdrWriter, v: createverf3): void {
  w.opaqueFixed(v, 8);
}

function de_createverf3(r: XdrReader): createverf3 {
  return r.opaqueFixed(8);
}

export const xdr_createverf3: Codec<createverf3> = { size: sz_createverf3, encode: en_createverf3, decode: de_createverf3 };

export type writeverf3 = Buffer;

function sz_writeverf3(_v: writeverf3): number {
  return 8;
}

function en_writeverf3(w: XdrWriter, v: writeverf3): void {
  w.opaqueFixed(v, 8);
}

function de_writeverf3(r: XdrReader): writeverf3 {
  return r.opaqueFixed(8);
}

export const xdr_writeverf3: Codec<writeverf3> = { size: sz_writeverf3, encode: en_writeverf3, decode: de_writeverf3 };

export type uid3 = uint32;

function sz_uid3(_v: uid3): number {
  return 4;
}

function en_uid3(w: XdrWriter, v: uid3): void {
  w.u32(v);
}

function de_uid3(r: XdrReader): uid3 {
  return r.u32();
}

export const xdr_uid3: Codec<uid3> = { size: sz_uid3, encode: en_uid3, decode: de_uid3 };

export type gid3 = uint32;

function sz_gid3(_v: gid3): number {
  return 4;
}

function en_gid3(w: XdrWriter, v: gid3): void {
  w.u32(v);
}

function de_gid3(r: XdrReader): gid3 {
  return r.u32();
}

export const xdr_gid3: Codec<gid3> = { size: sz_gid3, encode: en_gid3, decode: de_gid3 };

export type size3 = uint64;

function sz_size3(_v: size3): number {
  return 8;
}

function en_size3(w: XdrWriter, v: size3): void {
  w.u64(v);
}

function de_size3(r: XdrReader): size3 {
  return r.u64();
}

export const xdr_size3: Codec<size3> = { size: sz_size3, encode: en_size3, decode: de_size3 };

export type offset3 = uint64;

function sz_offset3(_v: offset3): number {
  return 8;
}

function en_offset3(w: XdrWriter, v: offset3): void {
  w.u64(v);
}

function de_offset3(r: XdrReader): offset3 {
  return r.u64();
}

export const xdr_offset3: Codec<offset3> = { size: sz_offset3, encode: en_offset3, decode: de_offset3 };

export type mode3 = uint32;

function sz_mode3(_v: mode3): number {
  return 4;
}

function en_mode3(w: XdrWriter, v: mode3): void {
  w.u32(v);
}

function de_mode3(r: XdrReader): mode3 {
  return r.u32();
}

export const xdr_mode3: Codec<mode3> = { size: sz_mode3, encode: en_mode3, decode: de_mode3 };

export type count3 = uint32;

function sz_count3(_v: count3): number {
  return 4;
}

function en_count3(w: XdrWriter, v: count3): void {
  w.u32(v);
}

function de_count3(r: XdrReader): count3 {
  return r.u32();
}

export const xdr_count3: Codec<count3> = { size: sz_count3, encode: en_count3, decode: de_count3 };

export enum nfsstat3 {
  NFS3_OK = 0,
  NFS3ERR_PERM = 1,
  NFS3ERR_NOENT = 2,
  NFS3ERR_IO = 5,
  NFS3ERR_NXIO = 6,
  NFS3ERR_ACCES = 13,
  NFS3ERR_EXIST = 17,
  NFS3ERR_XDEV = 18,
  NFS3ERR_NODEV = 19,
  NFS3ERR_NOTDIR = 20,
  NFS3ERR_ISDIR = 21,
  NFS3ERR_INVAL = 22,
  NFS3ERR_FBIG = 27,
  NFS3ERR_NOSPC = 28,
  NFS3ERR_ROFS = 30,
  NFS3ERR_MLINK = 31,
  NFS3ERR_NAMETOOLONG = 63,
  NFS3ERR_NOTEMPTY = 66,
  NFS3ERR_DQUOT = 69,
  NFS3ERR_STALE = 70,
  NFS3ERR_REMOTE = 71,
  NFS3ERR_BADHANDLE = 10001,
  NFS3ERR_NOT_SYNC = 10002,
  NFS3ERR_BAD_COOKIE = 10003,
  NFS3ERR_NOTSUPP = 10004,
  NFS3ERR_TOOSMALL = 10005,
  NFS3ERR_SERVERFAULT = 10006,
  NFS3ERR_BADTYPE = 10007,
  NFS3ERR_JUKEBOX = 10008,
}

function va_nfsstat3(v: number): boolean {
  switch (v) {
    case 0:
    case 1:
    case 2:
    case 5:
    case 6:
    case 13:
    case 17:
    case 18:
    case 19:
    case 20:
    case 21:
    case 22:
    case 27:
    case 28:
    case 30:
    case 31:
    case 63:
    case 66:
    case 69:
    case 70:
    case 71:
    case 10001:
    case 10002:
    case 10003:
    case 10004:
    case 10005:
    case 10006:
    case 10007:
    case 10008:
      return true;
    default:
      return false;
  }
}

function sz_nfsstat3(_v: nfsstat3): number {
  return 4;
}

function en_nfsstat3(w: XdrWriter, v: nfsstat3): void {
  w.i32(v);
}

function de_nfsstat3(r: XdrReader): nfsstat3 {
  return r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
}

export const xdr_nfsstat3: Codec<nfsstat3> = { size: sz_nfsstat3, encode: en_nfsstat3, decode: de_nfsstat3 };

export enum ftype3 {
  NF3REG = 1,
  NF3DIR = 2,
  NF3BLK = 3,
  NF3CHR = 4,
  NF3LNK = 5,
  NF3SOCK = 6,
  NF3FIFO = 7,
}

function va_ftype3(v: number): boolean {
  return v >= 1 && v <= 7;
}

function sz_ftype3(_v: ftype3): number {
  return 4;
}

function en_ftype3(w: XdrWriter, v: ftype3): void {
  w.i32(v);
}

function de_ftype3(r: XdrReader): ftype3 {
  return r.enumValue(va_ftype3, 'ftype3') as ftype3;
}

export const xdr_ftype3: Codec<ftype3> = { size: sz_ftype3, encode: en_ftype3, decode: de_ftype3 };

export interface specdata3 {
  specdata1: uint32;
  specdata2: uint32;
}

function sz_specdata3(_v: specdata3): number {
  return 8;
}

function en_specdata3(w: XdrWriter, v: specdata3): void {
  w.u32(v.specdata1);
  w.u32(v.specdata2);
}

function de_specdata3(r: XdrReader): specdata3 {
  return {
    specdata1: r.u32(),
    specdata2: r.u32(),
  };
}

export const xdr_specdata3: Codec<specdata3> = { size: sz_specdata3, encode: en_specdata3, decode: de_specdata3 };

export interface nfs_fh3 {
  data: Buffer;
}

function sz_nfs_fh3(v: nfs_fh3): number {
  return opaqueSize(v.data.length);
}

function en_nfs_fh3(w: XdrWriter, v: nfs_fh3): void {
  w.opaqueVar(v.data, 64);
}

function de_nfs_fh3(r: XdrReader): nfs_fh3 {
  return {
    data: r.opaqueVar(64),
  };
}

export const xdr_nfs_fh3: Codec<nfs_fh3> = { size: sz_nfs_fh3, encode: en_nfs_fh3, decode: de_nfs_fh3 };

export interface nfstime3 {
  seconds: uint32;
  nseconds: uint32;
}

function sz_nfstime3(_v: nfstime3): number {
  return 8;
}

function en_nfstime3(w: XdrWriter, v: nfstime3): void {
  w.u32(v.seconds);
  w.u32(v.nseconds);
}

function de_nfstime3(r: XdrReader): nfstime3 {
  return {
    seconds: r.u32(),
    nseconds: r.u32(),
  };
}

export const xdr_nfstime3: Codec<nfstime3> = { size: sz_nfstime3, encode: en_nfstime3, decode: de_nfstime3 };

export interface fattr3 {
  type: ftype3;
  mode: mode3;
  nlink: uint32;
  uid: uid3;
  gid: gid3;
  size: size3;
  used: size3;
  rdev: specdata3;
  fsid: uint64;
  fileid: fileid3;
  atime: nfstime3;
  mtime: nfstime3;
  ctime: nfstime3;
}

function sz_fattr3(_v: fattr3): number {
  return 84;
}

function en_fattr3(w: XdrWriter, v: fattr3): void {
  w.i32(v.type);
  w.u32(v.mode);
  w.u32(v.nlink);
  w.u32(v.uid);
  w.u32(v.gid);
  w.u64(v.size);
  w.u64(v.used);
  en_specdata3(w, v.rdev);
  w.u64(v.fsid);
  w.u64(v.fileid);
  en_nfstime3(w, v.atime);
  en_nfstime3(w, v.mtime);
  en_nfstime3(w, v.ctime);
}

function de_fattr3(r: XdrReader): fattr3 {
  return {
    type: (r.enumValue(va_ftype3, 'ftype3') as ftype3),
    mode: r.u32(),
    nlink: r.u32(),
    uid: r.u32(),
    gid: r.u32(),
    size: r.u64(),
    used: r.u64(),
    rdev: de_specdata3(r),
    fsid: r.u64(),
    fileid: r.u64(),
    atime: de_nfstime3(r),
    mtime: de_nfstime3(r),
    ctime: de_nfstime3(r),
  };
}

export const xdr_fattr3: Codec<fattr3> = { size: sz_fattr3, encode: en_fattr3, decode: de_fattr3 };

export type post_op_attr =
  | { attributes_follow: true; attributes: fattr3 }
  | { attributes_follow: false };

function sz_post_op_attr(v: post_op_attr): number {
  switch (v.attributes_follow) {
    case true:
      return 88;
    case false:
      return 4;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { attributes_follow: unknown }).attributes_follow)} is not a case of union post_op_attr`);
  }
}

function en_post_op_attr(w: XdrWriter, v: post_op_attr): void {
  w.bool(v.attributes_follow);
  switch (v.attributes_follow) {
    case true:
      en_fattr3(w, (v as { attributes: fattr3 }).attributes);
      return;
    case false:
      return;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { attributes_follow: unknown }).attributes_follow)} is not a case of union post_op_attr`);
  }
}

function de_post_op_attr(r: XdrReader): post_op_attr {
  const d = r.bool();
  switch (d) {
    case true:
      return { attributes_follow: d, attributes: de_fattr3(r) } as post_op_attr;
    case false:
      return { attributes_follow: d } as post_op_attr;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String(d)} is not a case of union post_op_attr`);
  }
}

export const xdr_post_op_attr: Codec<post_op_attr> = { size: sz_post_op_attr, encode: en_post_op_attr, decode: de_post_op_attr };

export interface wcc_attr {
  size: size3;
  mtime: nfstime3;
  ctime: nfstime3;
}

function sz_wcc_attr(_v: wcc_attr): number {
  return 24;
}

function en_wcc_attr(w: XdrWriter, v: wcc_attr): void {
  w.u64(v.size);
  en_nfstime3(w, v.mtime);
  en_nfstime3(w, v.ctime);
}

function de_wcc_attr(r: XdrReader): wcc_attr {
  return {
    size: r.u64(),
    mtime: de_nfstime3(r),
    ctime: de_nfstime3(r),
  };
}

export const xdr_wcc_attr: Codec<wcc_attr> = { size: sz_wcc_attr, encode: en_wcc_attr, decode: de_wcc_attr };

export type pre_op_attr =
  | { attributes_follow: true; attributes: wcc_attr }
  | { attributes_follow: false };

function sz_pre_op_attr(v: pre_op_attr): number {
  switch (v.attributes_follow) {
    case true:
      return 28;
    case false:
      return 4;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { attributes_follow: unknown }).attributes_follow)} is not a case of union pre_op_attr`);
  }
}

function en_pre_op_attr(w: XdrWriter, v: pre_op_attr): void {
  w.bool(v.attributes_follow);
  switch (v.attributes_follow) {
    case true:
      en_wcc_attr(w, (v as { attributes: wcc_attr }).attributes);
      return;
    case false:
      return;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { attributes_follow: unknown }).attributes_follow)} is not a case of union pre_op_attr`);
  }
}

function de_pre_op_attr(r: XdrReader): pre_op_attr {
  const d = r.bool();
  switch (d) {
    case true:
      return { attributes_follow: d, attributes: de_wcc_attr(r) } as pre_op_attr;
    case false:
      return { attributes_follow: d } as pre_op_attr;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String(d)} is not a case of union pre_op_attr`);
  }
}

export const xdr_pre_op_attr: Codec<pre_op_attr> = { size: sz_pre_op_attr, encode: en_pre_op_attr, decode: de_pre_op_attr };

export interface wcc_data {
  before: pre_op_attr;
  after: post_op_attr;
}

function sz_wcc_data(v: wcc_data): number {
  return sz_pre_op_attr(v.before) + sz_post_op_attr(v.after);
}

function en_wcc_data(w: XdrWriter, v: wcc_data): void {
  en_pre_op_attr(w, v.before);
  en_post_op_attr(w, v.after);
}

function de_wcc_data(r: XdrReader): wcc_data {
  return {
    before: de_pre_op_attr(r),
    after: de_post_op_attr(r),
  };
}

export const xdr_wcc_data: Codec<wcc_data> = { size: sz_wcc_data, encode: en_wcc_data, decode: de_wcc_data };

export type post_op_fh3 =
  | { handle_follows: true; handle: nfs_fh3 }
  | { handle_follows: false };

function sz_post_op_fh3(v: post_op_fh3): number {
  switch (v.handle_follows) {
    case true:
      return 4 + sz_nfs_fh3((v as { handle: nfs_fh3 }).handle);
    case false:
      return 4;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { handle_follows: unknown }).handle_follows)} is not a case of union post_op_fh3`);
  }
}

function en_post_op_fh3(w: XdrWriter, v: post_op_fh3): void {
  w.bool(v.handle_follows);
  switch (v.handle_follows) {
    case true:
      en_nfs_fh3(w, (v as { handle: nfs_fh3 }).handle);
      return;
    case false:
      return;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { handle_follows: unknown }).handle_follows)} is not a case of union post_op_fh3`);
  }
}

function de_post_op_fh3(r: XdrReader): post_op_fh3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { handle_follows: d, handle: de_nfs_fh3(r) } as post_op_fh3;
    case false:
      return { handle_follows: d } as post_op_fh3;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String(d)} is not a case of union post_op_fh3`);
  }
}

export const xdr_post_op_fh3: Codec<post_op_fh3> = { size: sz_post_op_fh3, encode: en_post_op_fh3, decode: de_post_op_fh3 };

export enum time_how {
  DONT_CHANGE = 0,
  SET_TO_SERVER_TIME = 1,
  SET_TO_CLIENT_TIME = 2,
}

function va_time_how(v: number): boolean {
  return v >= 0 && v <= 2;
}

function sz_time_how(_v: time_how): number {
  return 4;
}

function en_time_how(w: XdrWriter, v: time_how): void {
  w.i32(v);
}

function de_time_how(r: XdrReader): time_how {
  return r.enumValue(va_time_how, 'time_how') as time_how;
}

export const xdr_time_how: Codec<time_how> = { size: sz_time_how, encode: en_time_how, decode: de_time_how };

export type set_mode3 =
  | { set_it: true; mode: mode3 }
  | { set_it: false };

function sz_set_mode3(v: set_mode3): number {
  switch (v.set_it) {
    case true:
      return 8;
    default:
      return 4;
  }
}

function en_set_mode3(w: XdrWriter, v: set_mode3): void {
  w.bool(v.set_it);
  switch (v.set_it) {
    case true:
      w.u32((v as { mode: mode3 }).mode);
      return;
    default:
      return;
  }
}

function de_set_mode3(r: XdrReader): set_mode3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { set_it: d, mode: r.u32() } as set_mode3;
    default:
      return { set_it: d } as set_mode3;
  }
}

export const xdr_set_mode3: Codec<set_mode3> = { size: sz_set_mode3, encode: en_set_mode3, decode: de_set_mode3 };

export type set_uid3 =
  | { set_it: true; uid: uid3 }
  | { set_it: false };

function sz_set_uid3(v: set_uid3): number {
  switch (v.set_it) {
    case true:
      return 8;
    default:
      return 4;
  }
}

function en_set_uid3(w: XdrWriter, v: set_uid3): void {
  w.bool(v.set_it);
  switch (v.set_it) {
    case true:
      w.u32((v as { uid: uid3 }).uid);
      return;
    default:
      return;
  }
}

function de_set_uid3(r: XdrReader): set_uid3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { set_it: d, uid: r.u32() } as set_uid3;
    default:
      return { set_it: d } as set_uid3;
  }
}

export const xdr_set_uid3: Codec<set_uid3> = { size: sz_set_uid3, encode: en_set_uid3, decode: de_set_uid3 };

export type set_gid3 =
  | { set_it: true; gid: gid3 }
  | { set_it: false };

function sz_set_gid3(v: set_gid3): number {
  switch (v.set_it) {
    case true:
      return 8;
    default:
      return 4;
  }
}

function en_set_gid3(w: XdrWriter, v: set_gid3): void {
  w.bool(v.set_it);
  switch (v.set_it) {
    case true:
      w.u32((v as { gid: gid3 }).gid);
      return;
    default:
      return;
  }
}

function de_set_gid3(r: XdrReader): set_gid3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { set_it: d, gid: r.u32() } as set_gid3;
    default:
      return { set_it: d } as set_gid3;
  }
}

export const xdr_set_gid3: Codec<set_gid3> = { size: sz_set_gid3, encode: en_set_gid3, decode: de_set_gid3 };

export type set_size3 =
  | { set_it: true; size: size3 }
  | { set_it: false };

function sz_set_size3(v: set_size3): number {
  switch (v.set_it) {
    case true:
      return 12;
    default:
      return 4;
  }
}

function en_set_size3(w: XdrWriter, v: set_size3): void {
  w.bool(v.set_it);
  switch (v.set_it) {
    case true:
      w.u64((v as { size: size3 }).size);
      return;
    default:
      return;
  }
}

function de_set_size3(r: XdrReader): set_size3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { set_it: d, size: r.u64() } as set_size3;
    default:
      return { set_it: d } as set_size3;
  }
}

export const xdr_set_size3: Codec<set_size3> = { size: sz_set_size3, encode: en_set_size3, decode: de_set_size3 };

export type set_atime =
  | { set_it: time_how.SET_TO_CLIENT_TIME; atime: nfstime3 }
  | { set_it: Exclude<time_how, time_how.SET_TO_CLIENT_TIME> };

function sz_set_atime(v: set_atime): number {
  switch (v.set_it) {
    case time_how.SET_TO_CLIENT_TIME:
      return 12;
    default:
      return 4;
  }
}

function en_set_atime(w: XdrWriter, v: set_atime): void {
  w.i32(v.set_it);
  switch (v.set_it) {
    case time_how.SET_TO_CLIENT_TIME:
      en_nfstime3(w, (v as { atime: nfstime3 }).atime);
      return;
    default:
      return;
  }
}

function de_set_atime(r: XdrReader): set_atime {
  const d = r.enumValue(va_time_how, 'time_how') as time_how;
  switch (d) {
    case time_how.SET_TO_CLIENT_TIME:
      return { set_it: d, atime: de_nfstime3(r) } as set_atime;
    default:
      return { set_it: d } as set_atime;
  }
}

export const xdr_set_atime: Codec<set_atime> = { size: sz_set_atime, encode: en_set_atime, decode: de_set_atime };

export type set_mtime =
  | { set_it: time_how.SET_TO_CLIENT_TIME; mtime: nfstime3 }
  | { set_it: Exclude<time_how, time_how.SET_TO_CLIENT_TIME> };

function sz_set_mtime(v: set_mtime): number {
  switch (v.set_it) {
    case time_how.SET_TO_CLIENT_TIME:
      return 12;
    default:
      return 4;
  }
}

function en_set_mtime(w: XdrWriter, v: set_mtime): void {
  w.i32(v.set_it);
  switch (v.set_it) {
    case time_how.SET_TO_CLIENT_TIME:
      en_nfstime3(w, (v as { mtime: nfstime3 }).mtime);
      return;
    default:
      return;
  }
}

function de_set_mtime(r: XdrReader): set_mtime {
  const d = r.enumValue(va_time_how, 'time_how') as time_how;
  switch (d) {
    case time_how.SET_TO_CLIENT_TIME:
      return { set_it: d, mtime: de_nfstime3(r) } as set_mtime;
    default:
      return { set_it: d } as set_mtime;
  }
}

export const xdr_set_mtime: Codec<set_mtime> = { size: sz_set_mtime, encode: en_set_mtime, decode: de_set_mtime };

export interface sattr3 {
  mode: set_mode3;
  uid: set_uid3;
  gid: set_gid3;
  size: set_size3;
  atime: set_atime;
  mtime: set_mtime;
}

function sz_sattr3(v: sattr3): number {
  return sz_set_mode3(v.mode) + sz_set_uid3(v.uid) + sz_set_gid3(v.gid) + sz_set_size3(v.size) + sz_set_atime(v.atime) + sz_set_mtime(v.mtime);
}

function en_sattr3(w: XdrWriter, v: sattr3): void {
  en_set_mode3(w, v.mode);
  en_set_uid3(w, v.uid);
  en_set_gid3(w, v.gid);
  en_set_size3(w, v.size);
  en_set_atime(w, v.atime);
  en_set_mtime(w, v.mtime);
}

function de_sattr3(r: XdrReader): sattr3 {
  return {
    mode: de_set_mode3(r),
    uid: de_set_uid3(r),
    gid: de_set_gid3(r),
    size: de_set_size3(r),
    atime: de_set_atime(r),
    mtime: de_set_mtime(r),
  };
}

export const xdr_sattr3: Codec<sattr3> = { size: sz_sattr3, encode: en_sattr3, decode: de_sattr3 };

export interface diropargs3 {
  dir: nfs_fh3;
  name: filename3;
}

function sz_diropargs3(v: diropargs3): number {
  return sz_nfs_fh3(v.dir) + stringSize(v.name);
}

function en_diropargs3(w: XdrWriter, v: diropargs3): void {
  en_nfs_fh3(w, v.dir);
  w.string(v.name);
}

function de_diropargs3(r: XdrReader): diropargs3 {
  return {
    dir: de_nfs_fh3(r),
    name: r.string(),
  };
}

export const xdr_diropargs3: Codec<diropargs3> = { size: sz_diropargs3, encode: en_diropargs3, decode: de_diropargs3 };

export interface GETATTR3args {
  object: nfs_fh3;
}

function sz_GETATTR3args(v: GETATTR3args): number {
  return sz_nfs_fh3(v.object);
}

function en_GETATTR3args(w: XdrWriter, v: GETATTR3args): void {
  en_nfs_fh3(w, v.object);
}

function de_GETATTR3args(r: XdrReader): GETATTR3args {
  return {
    object: de_nfs_fh3(r),
  };
}

export const xdr_GETATTR3args: Codec<GETATTR3args> = { size: sz_GETATTR3args, encode: en_GETATTR3args, decode: de_GETATTR3args };

export interface GETATTR3resok {
  obj_attributes: fattr3;
}

function sz_GETATTR3resok(_v: GETATTR3resok): number {
  return 84;
}

function en_GETATTR3resok(w: XdrWriter, v: GETATTR3resok): void {
  en_fattr3(w, v.obj_attributes);
}

function de_GETATTR3resok(r: XdrReader): GETATTR3resok {
  return {
    obj_attributes: de_fattr3(r),
  };
}

export const xdr_GETATTR3resok: Codec<GETATTR3resok> = { size: sz_GETATTR3resok, encode: en_GETATTR3resok, decode: de_GETATTR3resok };

export type GETATTR3res =
  | { status: nfsstat3.NFS3_OK; resok: GETATTR3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK> };

function sz_GETATTR3res(v: GETATTR3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 88;
    default:
      return 4;
  }
}

function en_GETATTR3res(w: XdrWriter, v: GETATTR3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_GETATTR3resok(w, (v as { resok: GETATTR3resok }).resok);
      return;
    default:
      return;
  }
}

function de_GETATTR3res(r: XdrReader): GETATTR3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_GETATTR3resok(r) } as GETATTR3res;
    default:
      return { status: d } as GETATTR3res;
  }
}

export const xdr_GETATTR3res: Codec<GETATTR3res> = { size: sz_GETATTR3res, encode: en_GETATTR3res, decode: de_GETATTR3res };

export type sattrguard3 =
  | { check: true; obj_ctime: nfstime3 }
  | { check: false };

function sz_sattrguard3(v: sattrguard3): number {
  switch (v.check) {
    case true:
      return 12;
    case false:
      return 4;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { check: unknown }).check)} is not a case of union sattrguard3`);
  }
}

function en_sattrguard3(w: XdrWriter, v: sattrguard3): void {
  w.bool(v.check);
  switch (v.check) {
    case true:
      en_nfstime3(w, (v as { obj_ctime: nfstime3 }).obj_ctime);
      return;
    case false:
      return;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { check: unknown }).check)} is not a case of union sattrguard3`);
  }
}

function de_sattrguard3(r: XdrReader): sattrguard3 {
  const d = r.bool();
  switch (d) {
    case true:
      return { check: d, obj_ctime: de_nfstime3(r) } as sattrguard3;
    case false:
      return { check: d } as sattrguard3;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String(d)} is not a case of union sattrguard3`);
  }
}

export const xdr_sattrguard3: Codec<sattrguard3> = { size: sz_sattrguard3, encode: en_sattrguard3, decode: de_sattrguard3 };

export interface SETATTR3args {
  object: nfs_fh3;
  new_attributes: sattr3;
  guard: sattrguard3;
}

function sz_SETATTR3args(v: SETATTR3args): number {
  return sz_nfs_fh3(v.object) + sz_sattr3(v.new_attributes) + sz_sattrguard3(v.guard);
}

function en_SETATTR3args(w: XdrWriter, v: SETATTR3args): void {
  en_nfs_fh3(w, v.object);
  en_sattr3(w, v.new_attributes);
  en_sattrguard3(w, v.guard);
}

function de_SETATTR3args(r: XdrReader): SETATTR3args {
  return {
    object: de_nfs_fh3(r),
    new_attributes: de_sattr3(r),
    guard: de_sattrguard3(r),
  };
}

export const xdr_SETATTR3args: Codec<SETATTR3args> = { size: sz_SETATTR3args, encode: en_SETATTR3args, decode: de_SETATTR3args };

export interface SETATTR3resok {
  obj_wcc: wcc_data;
}

function sz_SETATTR3resok(v: SETATTR3resok): number {
  return sz_wcc_data(v.obj_wcc);
}

function en_SETATTR3resok(w: XdrWriter, v: SETATTR3resok): void {
  en_wcc_data(w, v.obj_wcc);
}

function de_SETATTR3resok(r: XdrReader): SETATTR3resok {
  return {
    obj_wcc: de_wcc_data(r),
  };
}

export const xdr_SETATTR3resok: Codec<SETATTR3resok> = { size: sz_SETATTR3resok, encode: en_SETATTR3resok, decode: de_SETATTR3resok };

export interface SETATTR3resfail {
  obj_wcc: wcc_data;
}

function sz_SETATTR3resfail(v: SETATTR3resfail): number {
  return sz_wcc_data(v.obj_wcc);
}

function en_SETATTR3resfail(w: XdrWriter, v: SETATTR3resfail): void {
  en_wcc_data(w, v.obj_wcc);
}

function de_SETATTR3resfail(r: XdrReader): SETATTR3resfail {
  return {
    obj_wcc: de_wcc_data(r),
  };
}

export const xdr_SETATTR3resfail: Codec<SETATTR3resfail> = { size: sz_SETATTR3resfail, encode: en_SETATTR3resfail, decode: de_SETATTR3resfail };

export type SETATTR3res =
  | { status: nfsstat3.NFS3_OK; resok: SETATTR3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: SETATTR3resfail };

function sz_SETATTR3res(v: SETATTR3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_SETATTR3resok((v as { resok: SETATTR3resok }).resok);
    default:
      return 4 + sz_SETATTR3resfail((v as { resfail: SETATTR3resfail }).resfail);
  }
}

function en_SETATTR3res(w: XdrWriter, v: SETATTR3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_SETATTR3resok(w, (v as { resok: SETATTR3resok }).resok);
      return;
    default:
      en_SETATTR3resfail(w, (v as { resfail: SETATTR3resfail }).resfail);
      return;
  }
}

function de_SETATTR3res(r: XdrReader): SETATTR3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_SETATTR3resok(r) } as SETATTR3res;
    default:
      return { status: d, resfail: de_SETATTR3resfail(r) } as SETATTR3res;
  }
}

export const xdr_SETATTR3res: Codec<SETATTR3res> = { size: sz_SETATTR3res, encode: en_SETATTR3res, decode: de_SETATTR3res };

export interface LOOKUP3args {
  what: diropargs3;
}

function sz_LOOKUP3args(v: LOOKUP3args): number {
  return sz_diropargs3(v.what);
}

function en_LOOKUP3args(w: XdrWriter, v: LOOKUP3args): void {
  en_diropargs3(w, v.what);
}

function de_LOOKUP3args(r: XdrReader): LOOKUP3args {
  return {
    what: de_diropargs3(r),
  };
}

export const xdr_LOOKUP3args: Codec<LOOKUP3args> = { size: sz_LOOKUP3args, encode: en_LOOKUP3args, decode: de_LOOKUP3args };

export interface LOOKUP3resok {
  object: nfs_fh3;
  obj_attributes: post_op_attr;
  dir_attributes: post_op_attr;
}

function sz_LOOKUP3resok(v: LOOKUP3resok): number {
  return sz_nfs_fh3(v.object) + sz_post_op_attr(v.obj_attributes) + sz_post_op_attr(v.dir_attributes);
}

function en_LOOKUP3resok(w: XdrWriter, v: LOOKUP3resok): void {
  en_nfs_fh3(w, v.object);
  en_post_op_attr(w, v.obj_attributes);
  en_post_op_attr(w, v.dir_attributes);
}

function de_LOOKUP3resok(r: XdrReader): LOOKUP3resok {
  return {
    object: de_nfs_fh3(r),
    obj_attributes: de_post_op_attr(r),
    dir_attributes: de_post_op_attr(r),
  };
}

export const xdr_LOOKUP3resok: Codec<LOOKUP3resok> = { size: sz_LOOKUP3resok, encode: en_LOOKUP3resok, decode: de_LOOKUP3resok };

export interface LOOKUP3resfail {
  dir_attributes: post_op_attr;
}

function sz_LOOKUP3resfail(v: LOOKUP3resfail): number {
  return sz_post_op_attr(v.dir_attributes);
}

function en_LOOKUP3resfail(w: XdrWriter, v: LOOKUP3resfail): void {
  en_post_op_attr(w, v.dir_attributes);
}

function de_LOOKUP3resfail(r: XdrReader): LOOKUP3resfail {
  return {
    dir_attributes: de_post_op_attr(r),
  };
}

export const xdr_LOOKUP3resfail: Codec<LOOKUP3resfail> = { size: sz_LOOKUP3resfail, encode: en_LOOKUP3resfail, decode: de_LOOKUP3resfail };

export type LOOKUP3res =
  | { status: nfsstat3.NFS3_OK; resok: LOOKUP3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: LOOKUP3resfail };

function sz_LOOKUP3res(v: LOOKUP3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_LOOKUP3resok((v as { resok: LOOKUP3resok }).resok);
    default:
      return 4 + sz_LOOKUP3resfail((v as { resfail: LOOKUP3resfail }).resfail);
  }
}

function en_LOOKUP3res(w: XdrWriter, v: LOOKUP3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_LOOKUP3resok(w, (v as { resok: LOOKUP3resok }).resok);
      return;
    default:
      en_LOOKUP3resfail(w, (v as { resfail: LOOKUP3resfail }).resfail);
      return;
  }
}

function de_LOOKUP3res(r: XdrReader): LOOKUP3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_LOOKUP3resok(r) } as LOOKUP3res;
    default:
      return { status: d, resfail: de_LOOKUP3resfail(r) } as LOOKUP3res;
  }
}

export const xdr_LOOKUP3res: Codec<LOOKUP3res> = { size: sz_LOOKUP3res, encode: en_LOOKUP3res, decode: de_LOOKUP3res };

export interface ACCESS3args {
  object: nfs_fh3;
  access: uint32;
}

function sz_ACCESS3args(v: ACCESS3args): number {
  return 4 + sz_nfs_fh3(v.object);
}

function en_ACCESS3args(w: XdrWriter, v: ACCESS3args): void {
  en_nfs_fh3(w, v.object);
  w.u32(v.access);
}

function de_ACCESS3args(r: XdrReader): ACCESS3args {
  return {
    object: de_nfs_fh3(r),
    access: r.u32(),
  };
}

export const xdr_ACCESS3args: Codec<ACCESS3args> = { size: sz_ACCESS3args, encode: en_ACCESS3args, decode: de_ACCESS3args };

export interface ACCESS3resok {
  obj_attributes: post_op_attr;
  access: uint32;
}

function sz_ACCESS3resok(v: ACCESS3resok): number {
  return 4 + sz_post_op_attr(v.obj_attributes);
}

function en_ACCESS3resok(w: XdrWriter, v: ACCESS3resok): void {
  en_post_op_attr(w, v.obj_attributes);
  w.u32(v.access);
}

function de_ACCESS3resok(r: XdrReader): ACCESS3resok {
  return {
    obj_attributes: de_post_op_attr(r),
    access: r.u32(),
  };
}

export const xdr_ACCESS3resok: Codec<ACCESS3resok> = { size: sz_ACCESS3resok, encode: en_ACCESS3resok, decode: de_ACCESS3resok };

export interface ACCESS3resfail {
  obj_attributes: post_op_attr;
}

function sz_ACCESS3resfail(v: ACCESS3resfail): number {
  return sz_post_op_attr(v.obj_attributes);
}

function en_ACCESS3resfail(w: XdrWriter, v: ACCESS3resfail): void {
  en_post_op_attr(w, v.obj_attributes);
}

function de_ACCESS3resfail(r: XdrReader): ACCESS3resfail {
  return {
    obj_attributes: de_post_op_attr(r),
  };
}

export const xdr_ACCESS3resfail: Codec<ACCESS3resfail> = { size: sz_ACCESS3resfail, encode: en_ACCESS3resfail, decode: de_ACCESS3resfail };

export type ACCESS3res =
  | { status: nfsstat3.NFS3_OK; resok: ACCESS3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: ACCESS3resfail };

function sz_ACCESS3res(v: ACCESS3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_ACCESS3resok((v as { resok: ACCESS3resok }).resok);
    default:
      return 4 + sz_ACCESS3resfail((v as { resfail: ACCESS3resfail }).resfail);
  }
}

function en_ACCESS3res(w: XdrWriter, v: ACCESS3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_ACCESS3resok(w, (v as { resok: ACCESS3resok }).resok);
      return;
    default:
      en_ACCESS3resfail(w, (v as { resfail: ACCESS3resfail }).resfail);
      return;
  }
}

function de_ACCESS3res(r: XdrReader): ACCESS3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_ACCESS3resok(r) } as ACCESS3res;
    default:
      return { status: d, resfail: de_ACCESS3resfail(r) } as ACCESS3res;
  }
}

export const xdr_ACCESS3res: Codec<ACCESS3res> = { size: sz_ACCESS3res, encode: en_ACCESS3res, decode: de_ACCESS3res };

export interface READLINK3args {
  symlink: nfs_fh3;
}

function sz_READLINK3args(v: READLINK3args): number {
  return sz_nfs_fh3(v.symlink);
}

function en_READLINK3args(w: XdrWriter, v: READLINK3args): void {
  en_nfs_fh3(w, v.symlink);
}

function de_READLINK3args(r: XdrReader): READLINK3args {
  return {
    symlink: de_nfs_fh3(r),
  };
}

export const xdr_READLINK3args: Codec<READLINK3args> = { size: sz_READLINK3args, encode: en_READLINK3args, decode: de_READLINK3args };

export interface READLINK3resok {
  symlink_attributes: post_op_attr;
  data: nfspath3;
}

function sz_READLINK3resok(v: READLINK3resok): number {
  return sz_post_op_attr(v.symlink_attributes) + stringSize(v.data);
}

function en_READLINK3resok(w: XdrWriter, v: READLINK3resok): void {
  en_post_op_attr(w, v.symlink_attributes);
  w.string(v.data);
}

function de_READLINK3resok(r: XdrReader): READLINK3resok {
  return {
    symlink_attributes: de_post_op_attr(r),
    data: r.string(),
  };
}

export const xdr_READLINK3resok: Codec<READLINK3resok> = { size: sz_READLINK3resok, encode: en_READLINK3resok, decode: de_READLINK3resok };

export interface READLINK3resfail {
  symlink_attributes: post_op_attr;
}

function sz_READLINK3resfail(v: READLINK3resfail): number {
  return sz_post_op_attr(v.symlink_attributes);
}

function en_READLINK3resfail(w: XdrWriter, v: READLINK3resfail): void {
  en_post_op_attr(w, v.symlink_attributes);
}

function de_READLINK3resfail(r: XdrReader): READLINK3resfail {
  return {
    symlink_attributes: de_post_op_attr(r),
  };
}

export const xdr_READLINK3resfail: Codec<READLINK3resfail> = { size: sz_READLINK3resfail, encode: en_READLINK3resfail, decode: de_READLINK3resfail };

export type READLINK3res =
  | { status: nfsstat3.NFS3_OK; resok: READLINK3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: READLINK3resfail };

function sz_READLINK3res(v: READLINK3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_READLINK3resok((v as { resok: READLINK3resok }).resok);
    default:
      return 4 + sz_READLINK3resfail((v as { resfail: READLINK3resfail }).resfail);
  }
}

function en_READLINK3res(w: XdrWriter, v: READLINK3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_READLINK3resok(w, (v as { resok: READLINK3resok }).resok);
      return;
    default:
      en_READLINK3resfail(w, (v as { resfail: READLINK3resfail }).resfail);
      return;
  }
}

function de_READLINK3res(r: XdrReader): READLINK3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_READLINK3resok(r) } as READLINK3res;
    default:
      return { status: d, resfail: de_READLINK3resfail(r) } as READLINK3res;
  }
}

export const xdr_READLINK3res: Codec<READLINK3res> = { size: sz_READLINK3res, encode: en_READLINK3res, decode: de_READLINK3res };

export interface READ3args {
  file: nfs_fh3;
  offset: offset3;
  count: count3;
}

function sz_READ3args(v: READ3args): number {
  return 12 + sz_nfs_fh3(v.file);
}

function en_READ3args(w: XdrWriter, v: READ3args): void {
  en_nfs_fh3(w, v.file);
  w.u64(v.offset);
  w.u32(v.count);
}

function de_READ3args(r: XdrReader): READ3args {
  return {
    file: de_nfs_fh3(r),
    offset: r.u64(),
    count: r.u32(),
  };
}

export const xdr_READ3args: Codec<READ3args> = { size: sz_READ3args, encode: en_READ3args, decode: de_READ3args };

export interface READ3resok {
  file_attributes: post_op_attr;
  count: count3;
  eof: boolean;
  data: Buffer;
}

function sz_READ3resok(v: READ3resok): number {
  return 8 + sz_post_op_attr(v.file_attributes) + opaqueSize(v.data.length);
}

function en_READ3resok(w: XdrWriter, v: READ3resok): void {
  en_post_op_attr(w, v.file_attributes);
  w.u32(v.count);
  w.bool(v.eof);
  w.opaqueVar(v.data);
}

function de_READ3resok(r: XdrReader): READ3resok {
  return {
    file_attributes: de_post_op_attr(r),
    count: r.u32(),
    eof: r.bool(),
    data: r.opaqueVar(),
  };
}

export const xdr_READ3resok: Codec<READ3resok> = { size: sz_READ3resok, encode: en_READ3resok, decode: de_READ3resok };

export interface READ3resfail {
  file_attributes: post_op_attr;
}

function sz_READ3resfail(v: READ3resfail): number {
  return sz_post_op_attr(v.file_attributes);
}

function en_READ3resfail(w: XdrWriter, v: READ3resfail): void {
  en_post_op_attr(w, v.file_attributes);
}

function de_READ3resfail(r: XdrReader): READ3resfail {
  return {
    file_attributes: de_post_op_attr(r),
  };
}

export const xdr_READ3resfail: Codec<READ3resfail> = { size: sz_READ3resfail, encode: en_READ3resfail, decode: de_READ3resfail };

export type READ3res =
  | { status: nfsstat3.NFS3_OK; resok: READ3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: READ3resfail };

function sz_READ3res(v: READ3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_READ3resok((v as { resok: READ3resok }).resok);
    default:
      return 4 + sz_READ3resfail((v as { resfail: READ3resfail }).resfail);
  }
}

function en_READ3res(w: XdrWriter, v: READ3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_READ3resok(w, (v as { resok: READ3resok }).resok);
      return;
    default:
      en_READ3resfail(w, (v as { resfail: READ3resfail }).resfail);
      return;
  }
}

function de_READ3res(r: XdrReader): READ3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_READ3resok(r) } as READ3res;
    default:
      return { status: d, resfail: de_READ3resfail(r) } as READ3res;
  }
}

export const xdr_READ3res: Codec<READ3res> = { size: sz_READ3res, encode: en_READ3res, decode: de_READ3res };

export enum stable_how {
  UNSTABLE = 0,
  DATA_SYNC = 1,
  FILE_SYNC = 2,
}

function va_stable_how(v: number): boolean {
  return v >= 0 && v <= 2;
}

function sz_stable_how(_v: stable_how): number {
  return 4;
}

function en_stable_how(w: XdrWriter, v: stable_how): void {
  w.i32(v);
}

function de_stable_how(r: XdrReader): stable_how {
  return r.enumValue(va_stable_how, 'stable_how') as stable_how;
}

export const xdr_stable_how: Codec<stable_how> = { size: sz_stable_how, encode: en_stable_how, decode: de_stable_how };

export interface WRITE3args {
  file: nfs_fh3;
  offset: offset3;
  count: count3;
  stable: stable_how;
  data: Buffer;
}

function sz_WRITE3args(v: WRITE3args): number {
  return 16 + sz_nfs_fh3(v.file) + opaqueSize(v.data.length);
}

function en_WRITE3args(w: XdrWriter, v: WRITE3args): void {
  en_nfs_fh3(w, v.file);
  w.u64(v.offset);
  w.u32(v.count);
  w.i32(v.stable);
  w.opaqueVar(v.data);
}

function de_WRITE3args(r: XdrReader): WRITE3args {
  return {
    file: de_nfs_fh3(r),
    offset: r.u64(),
    count: r.u32(),
    stable: (r.enumValue(va_stable_how, 'stable_how') as stable_how),
    data: r.opaqueVar(),
  };
}

export const xdr_WRITE3args: Codec<WRITE3args> = { size: sz_WRITE3args, encode: en_WRITE3args, decode: de_WRITE3args };

export interface WRITE3resok {
  file_wcc: wcc_data;
  count: count3;
  committed: stable_how;
  verf: writeverf3;
}

function sz_WRITE3resok(v: WRITE3resok): number {
  return 16 + sz_wcc_data(v.file_wcc);
}

function en_WRITE3resok(w: XdrWriter, v: WRITE3resok): void {
  en_wcc_data(w, v.file_wcc);
  w.u32(v.count);
  w.i32(v.committed);
  w.opaqueFixed(v.verf, 8);
}

function de_WRITE3resok(r: XdrReader): WRITE3resok {
  return {
    file_wcc: de_wcc_data(r),
    count: r.u32(),
    committed: (r.enumValue(va_stable_how, 'stable_how') as stable_how),
    verf: r.opaqueFixed(8),
  };
}

export const xdr_WRITE3resok: Codec<WRITE3resok> = { size: sz_WRITE3resok, encode: en_WRITE3resok, decode: de_WRITE3resok };

export interface WRITE3resfail {
  file_wcc: wcc_data;
}

function sz_WRITE3resfail(v: WRITE3resfail): number {
  return sz_wcc_data(v.file_wcc);
}

function en_WRITE3resfail(w: XdrWriter, v: WRITE3resfail): void {
  en_wcc_data(w, v.file_wcc);
}

function de_WRITE3resfail(r: XdrReader): WRITE3resfail {
  return {
    file_wcc: de_wcc_data(r),
  };
}

export const xdr_WRITE3resfail: Codec<WRITE3resfail> = { size: sz_WRITE3resfail, encode: en_WRITE3resfail, decode: de_WRITE3resfail };

export type WRITE3res =
  | { status: nfsstat3.NFS3_OK; resok: WRITE3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: WRITE3resfail };

function sz_WRITE3res(v: WRITE3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_WRITE3resok((v as { resok: WRITE3resok }).resok);
    default:
      return 4 + sz_WRITE3resfail((v as { resfail: WRITE3resfail }).resfail);
  }
}

function en_WRITE3res(w: XdrWriter, v: WRITE3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_WRITE3resok(w, (v as { resok: WRITE3resok }).resok);
      return;
    default:
      en_WRITE3resfail(w, (v as { resfail: WRITE3resfail }).resfail);
      return;
  }
}

function de_WRITE3res(r: XdrReader): WRITE3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_WRITE3resok(r) } as WRITE3res;
    default:
      return { status: d, resfail: de_WRITE3resfail(r) } as WRITE3res;
  }
}

export const xdr_WRITE3res: Codec<WRITE3res> = { size: sz_WRITE3res, encode: en_WRITE3res, decode: de_WRITE3res };

export enum createmode3 {
  UNCHECKED = 0,
  GUARDED = 1,
  EXCLUSIVE = 2,
}

function va_createmode3(v: number): boolean {
  return v >= 0 && v <= 2;
}

function sz_createmode3(_v: createmode3): number {
  return 4;
}

function en_createmode3(w: XdrWriter, v: createmode3): void {
  w.i32(v);
}

function de_createmode3(r: XdrReader): createmode3 {
  return r.enumValue(va_createmode3, 'createmode3') as createmode3;
}

export const xdr_createmode3: Codec<createmode3> = { size: sz_createmode3, encode: en_createmode3, decode: de_createmode3 };

export type createhow3 =
  | { mode: createmode3.UNCHECKED | createmode3.GUARDED; obj_attributes: sattr3 }
  | { mode: createmode3.EXCLUSIVE; verf: createverf3 };

function sz_createhow3(v: createhow3): number {
  switch (v.mode) {
    case createmode3.UNCHECKED:
    case createmode3.GUARDED:
      return 4 + sz_sattr3((v as { obj_attributes: sattr3 }).obj_attributes);
    case createmode3.EXCLUSIVE:
      return 12;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { mode: unknown }).mode)} is not a case of union createhow3`);
  }
}

function en_createhow3(w: XdrWriter, v: createhow3): void {
  w.i32(v.mode);
  switch (v.mode) {
    case createmode3.UNCHECKED:
    case createmode3.GUARDED:
      en_sattr3(w, (v as { obj_attributes: sattr3 }).obj_attributes);
      return;
    case createmode3.EXCLUSIVE:
      w.opaqueFixed((v as { verf: createverf3 }).verf, 8);
      return;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String((v as { mode: unknown }).mode)} is not a case of union createhow3`);
  }
}

function de_createhow3(r: XdrReader): createhow3 {
  const d = r.enumValue(va_createmode3, 'createmode3') as createmode3;
  switch (d) {
    case createmode3.UNCHECKED:
    case createmode3.GUARDED:
      return { mode: d, obj_attributes: de_sattr3(r) } as createhow3;
    case createmode3.EXCLUSIVE:
      return { mode: d, verf: r.opaqueFixed(8) } as createhow3;
    default:
      throw new XdrError('ERR_XDR_BAD_VALUE', `${String(d)} is not a case of union createhow3`);
  }
}

export const xdr_createhow3: Codec<createhow3> = { size: sz_createhow3, encode: en_createhow3, decode: de_createhow3 };

export interface CREATE3args {
  where: diropargs3;
  how: createhow3;
}

function sz_CREATE3args(v: CREATE3args): number {
  return sz_diropargs3(v.where) + sz_createhow3(v.how);
}

function en_CREATE3args(w: XdrWriter, v: CREATE3args): void {
  en_diropargs3(w, v.where);
  en_createhow3(w, v.how);
}

function de_CREATE3args(r: XdrReader): CREATE3args {
  return {
    where: de_diropargs3(r),
    how: de_createhow3(r),
  };
}

export const xdr_CREATE3args: Codec<CREATE3args> = { size: sz_CREATE3args, encode: en_CREATE3args, decode: de_CREATE3args };

export interface CREATE3resok {
  obj: post_op_fh3;
  obj_attributes: post_op_attr;
  dir_wcc: wcc_data;
}

function sz_CREATE3resok(v: CREATE3resok): number {
  return sz_post_op_fh3(v.obj) + sz_post_op_attr(v.obj_attributes) + sz_wcc_data(v.dir_wcc);
}

function en_CREATE3resok(w: XdrWriter, v: CREATE3resok): void {
  en_post_op_fh3(w, v.obj);
  en_post_op_attr(w, v.obj_attributes);
  en_wcc_data(w, v.dir_wcc);
}

function de_CREATE3resok(r: XdrReader): CREATE3resok {
  return {
    obj: de_post_op_fh3(r),
    obj_attributes: de_post_op_attr(r),
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_CREATE3resok: Codec<CREATE3resok> = { size: sz_CREATE3resok, encode: en_CREATE3resok, decode: de_CREATE3resok };

export interface CREATE3resfail {
  dir_wcc: wcc_data;
}

function sz_CREATE3resfail(v: CREATE3resfail): number {
  return sz_wcc_data(v.dir_wcc);
}

function en_CREATE3resfail(w: XdrWriter, v: CREATE3resfail): void {
  en_wcc_data(w, v.dir_wcc);
}

function de_CREATE3resfail(r: XdrReader): CREATE3resfail {
  return {
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_CREATE3resfail: Codec<CREATE3resfail> = { size: sz_CREATE3resfail, encode: en_CREATE3resfail, decode: de_CREATE3resfail };

export type CREATE3res =
  | { status: nfsstat3.NFS3_OK; resok: CREATE3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: CREATE3resfail };

function sz_CREATE3res(v: CREATE3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_CREATE3resok((v as { resok: CREATE3resok }).resok);
    default:
      return 4 + sz_CREATE3resfail((v as { resfail: CREATE3resfail }).resfail);
  }
}

function en_CREATE3res(w: XdrWriter, v: CREATE3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_CREATE3resok(w, (v as { resok: CREATE3resok }).resok);
      return;
    default:
      en_CREATE3resfail(w, (v as { resfail: CREATE3resfail }).resfail);
      return;
  }
}

function de_CREATE3res(r: XdrReader): CREATE3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_CREATE3resok(r) } as CREATE3res;
    default:
      return { status: d, resfail: de_CREATE3resfail(r) } as CREATE3res;
  }
}

export const xdr_CREATE3res: Codec<CREATE3res> = { size: sz_CREATE3res, encode: en_CREATE3res, decode: de_CREATE3res };

export interface MKDIR3args {
  where: diropargs3;
  attributes: sattr3;
}

function sz_MKDIR3args(v: MKDIR3args): number {
  return sz_diropargs3(v.where) + sz_sattr3(v.attributes);
}

function en_MKDIR3args(w: XdrWriter, v: MKDIR3args): void {
  en_diropargs3(w, v.where);
  en_sattr3(w, v.attributes);
}

function de_MKDIR3args(r: XdrReader): MKDIR3args {
  return {
    where: de_diropargs3(r),
    attributes: de_sattr3(r),
  };
}

export const xdr_MKDIR3args: Codec<MKDIR3args> = { size: sz_MKDIR3args, encode: en_MKDIR3args, decode: de_MKDIR3args };

export interface MKDIR3resok {
  obj: post_op_fh3;
  obj_attributes: post_op_attr;
  dir_wcc: wcc_data;
}

function sz_MKDIR3resok(v: MKDIR3resok): number {
  return sz_post_op_fh3(v.obj) + sz_post_op_attr(v.obj_attributes) + sz_wcc_data(v.dir_wcc);
}

function en_MKDIR3resok(w: XdrWriter, v: MKDIR3resok): void {
  en_post_op_fh3(w, v.obj);
  en_post_op_attr(w, v.obj_attributes);
  en_wcc_data(w, v.dir_wcc);
}

function de_MKDIR3resok(r: XdrReader): MKDIR3resok {
  return {
    obj: de_post_op_fh3(r),
    obj_attributes: de_post_op_attr(r),
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_MKDIR3resok: Codec<MKDIR3resok> = { size: sz_MKDIR3resok, encode: en_MKDIR3resok, decode: de_MKDIR3resok };

export interface MKDIR3resfail {
  dir_wcc: wcc_data;
}

function sz_MKDIR3resfail(v: MKDIR3resfail): number {
  return sz_wcc_data(v.dir_wcc);
}

function en_MKDIR3resfail(w: XdrWriter, v: MKDIR3resfail): void {
  en_wcc_data(w, v.dir_wcc);
}

function de_MKDIR3resfail(r: XdrReader): MKDIR3resfail {
  return {
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_MKDIR3resfail: Codec<MKDIR3resfail> = { size: sz_MKDIR3resfail, encode: en_MKDIR3resfail, decode: de_MKDIR3resfail };

export type MKDIR3res =
  | { status: nfsstat3.NFS3_OK; resok: MKDIR3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: MKDIR3resfail };

function sz_MKDIR3res(v: MKDIR3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_MKDIR3resok((v as { resok: MKDIR3resok }).resok);
    default:
      return 4 + sz_MKDIR3resfail((v as { resfail: MKDIR3resfail }).resfail);
  }
}

function en_MKDIR3res(w: XdrWriter, v: MKDIR3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_MKDIR3resok(w, (v as { resok: MKDIR3resok }).resok);
      return;
    default:
      en_MKDIR3resfail(w, (v as { resfail: MKDIR3resfail }).resfail);
      return;
  }
}

function de_MKDIR3res(r: XdrReader): MKDIR3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_MKDIR3resok(r) } as MKDIR3res;
    default:
      return { status: d, resfail: de_MKDIR3resfail(r) } as MKDIR3res;
  }
}

export const xdr_MKDIR3res: Codec<MKDIR3res> = { size: sz_MKDIR3res, encode: en_MKDIR3res, decode: de_MKDIR3res };

export interface symlinkdata3 {
  symlink_attributes: sattr3;
  symlink_data: nfspath3;
}

function sz_symlinkdata3(v: symlinkdata3): number {
  return sz_sattr3(v.symlink_attributes) + stringSize(v.symlink_data);
}

function en_symlinkdata3(w: XdrWriter, v: symlinkdata3): void {
  en_sattr3(w, v.symlink_attributes);
  w.string(v.symlink_data);
}

function de_symlinkdata3(r: XdrReader): symlinkdata3 {
  return {
    symlink_attributes: de_sattr3(r),
    symlink_data: r.string(),
  };
}

export const xdr_symlinkdata3: Codec<symlinkdata3> = { size: sz_symlinkdata3, encode: en_symlinkdata3, decode: de_symlinkdata3 };

export interface SYMLINK3args {
  where: diropargs3;
  symlink: symlinkdata3;
}

function sz_SYMLINK3args(v: SYMLINK3args): number {
  return sz_diropargs3(v.where) + sz_symlinkdata3(v.symlink);
}

function en_SYMLINK3args(w: XdrWriter, v: SYMLINK3args): void {
  en_diropargs3(w, v.where);
  en_symlinkdata3(w, v.symlink);
}

function de_SYMLINK3args(r: XdrReader): SYMLINK3args {
  return {
    where: de_diropargs3(r),
    symlink: de_symlinkdata3(r),
  };
}

export const xdr_SYMLINK3args: Codec<SYMLINK3args> = { size: sz_SYMLINK3args, encode: en_SYMLINK3args, decode: de_SYMLINK3args };

export interface SYMLINK3resok {
  obj: post_op_fh3;
  obj_attributes: post_op_attr;
  dir_wcc: wcc_data;
}

function sz_SYMLINK3resok(v: SYMLINK3resok): number {
  return sz_post_op_fh3(v.obj) + sz_post_op_attr(v.obj_attributes) + sz_wcc_data(v.dir_wcc);
}

function en_SYMLINK3resok(w: XdrWriter, v: SYMLINK3resok): void {
  en_post_op_fh3(w, v.obj);
  en_post_op_attr(w, v.obj_attributes);
  en_wcc_data(w, v.dir_wcc);
}

function de_SYMLINK3resok(r: XdrReader): SYMLINK3resok {
  return {
    obj: de_post_op_fh3(r),
    obj_attributes: de_post_op_attr(r),
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_SYMLINK3resok: Codec<SYMLINK3resok> = { size: sz_SYMLINK3resok, encode: en_SYMLINK3resok, decode: de_SYMLINK3resok };

export interface SYMLINK3resfail {
  dir_wcc: wcc_data;
}

function sz_SYMLINK3resfail(v: SYMLINK3resfail): number {
  return sz_wcc_data(v.dir_wcc);
}

function en_SYMLINK3resfail(w: XdrWriter, v: SYMLINK3resfail): void {
  en_wcc_data(w, v.dir_wcc);
}

function de_SYMLINK3resfail(r: XdrReader): SYMLINK3resfail {
  return {
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_SYMLINK3resfail: Codec<SYMLINK3resfail> = { size: sz_SYMLINK3resfail, encode: en_SYMLINK3resfail, decode: de_SYMLINK3resfail };

export type SYMLINK3res =
  | { status: nfsstat3.NFS3_OK; resok: SYMLINK3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: SYMLINK3resfail };

function sz_SYMLINK3res(v: SYMLINK3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_SYMLINK3resok((v as { resok: SYMLINK3resok }).resok);
    default:
      return 4 + sz_SYMLINK3resfail((v as { resfail: SYMLINK3resfail }).resfail);
  }
}

function en_SYMLINK3res(w: XdrWriter, v: SYMLINK3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_SYMLINK3resok(w, (v as { resok: SYMLINK3resok }).resok);
      return;
    default:
      en_SYMLINK3resfail(w, (v as { resfail: SYMLINK3resfail }).resfail);
      return;
  }
}

function de_SYMLINK3res(r: XdrReader): SYMLINK3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_SYMLINK3resok(r) } as SYMLINK3res;
    default:
      return { status: d, resfail: de_SYMLINK3resfail(r) } as SYMLINK3res;
  }
}

export const xdr_SYMLINK3res: Codec<SYMLINK3res> = { size: sz_SYMLINK3res, encode: en_SYMLINK3res, decode: de_SYMLINK3res };

export interface devicedata3 {
  dev_attributes: sattr3;
  spec: specdata3;
}

function sz_devicedata3(v: devicedata3): number {
  return 8 + sz_sattr3(v.dev_attributes);
}

function en_devicedata3(w: XdrWriter, v: devicedata3): void {
  en_sattr3(w, v.dev_attributes);
  en_specdata3(w, v.spec);
}

function de_devicedata3(r: XdrReader): devicedata3 {
  return {
    dev_attributes: de_sattr3(r),
    spec: de_specdata3(r),
  };
}

export const xdr_devicedata3: Codec<devicedata3> = { size: sz_devicedata3, encode: en_devicedata3, decode: de_devicedata3 };

export type mknoddata3 =
  | { type: ftype3.NF3CHR | ftype3.NF3BLK; device: devicedata3 }
  | { type: ftype3.NF3SOCK | ftype3.NF3FIFO; pipe_attributes: sattr3 }
  | { type: Exclude<ftype3, ftype3.NF3CHR | ftype3.NF3BLK | ftype3.NF3SOCK | ftype3.NF3FIFO> };

function sz_mknoddata3(v: mknoddata3): number {
  switch (v.type) {
    case ftype3.NF3CHR:
    case ftype3.NF3BLK:
      return 4 + sz_devicedata3((v as { device: devicedata3 }).device);
    case ftype3.NF3SOCK:
    case ftype3.NF3FIFO:
      return 4 + sz_sattr3((v as { pipe_attributes: sattr3 }).pipe_attributes);
    default:
      return 4;
  }
}

function en_mknoddata3(w: XdrWriter, v: mknoddata3): void {
  w.i32(v.type);
  switch (v.type) {
    case ftype3.NF3CHR:
    case ftype3.NF3BLK:
      en_devicedata3(w, (v as { device: devicedata3 }).device);
      return;
    case ftype3.NF3SOCK:
    case ftype3.NF3FIFO:
      en_sattr3(w, (v as { pipe_attributes: sattr3 }).pipe_attributes);
      return;
    default:
      return;
  }
}

function de_mknoddata3(r: XdrReader): mknoddata3 {
  const d = r.enumValue(va_ftype3, 'ftype3') as ftype3;
  switch (d) {
    case ftype3.NF3CHR:
    case ftype3.NF3BLK:
      return { type: d, device: de_devicedata3(r) } as mknoddata3;
    case ftype3.NF3SOCK:
    case ftype3.NF3FIFO:
      return { type: d, pipe_attributes: de_sattr3(r) } as mknoddata3;
    default:
      return { type: d } as mknoddata3;
  }
}

export const xdr_mknoddata3: Codec<mknoddata3> = { size: sz_mknoddata3, encode: en_mknoddata3, decode: de_mknoddata3 };

export interface MKNOD3args {
  where: diropargs3;
  what: mknoddata3;
}

function sz_MKNOD3args(v: MKNOD3args): number {
  return sz_diropargs3(v.where) + sz_mknoddata3(v.what);
}

function en_MKNOD3args(w: XdrWriter, v: MKNOD3args): void {
  en_diropargs3(w, v.where);
  en_mknoddata3(w, v.what);
}

function de_MKNOD3args(r: XdrReader): MKNOD3args {
  return {
    where: de_diropargs3(r),
    what: de_mknoddata3(r),
  };
}

export const xdr_MKNOD3args: Codec<MKNOD3args> = { size: sz_MKNOD3args, encode: en_MKNOD3args, decode: de_MKNOD3args };

export interface MKNOD3resok {
  obj: post_op_fh3;
  obj_attributes: post_op_attr;
  dir_wcc: wcc_data;
}

function sz_MKNOD3resok(v: MKNOD3resok): number {
  return sz_post_op_fh3(v.obj) + sz_post_op_attr(v.obj_attributes) + sz_wcc_data(v.dir_wcc);
}

function en_MKNOD3resok(w: XdrWriter, v: MKNOD3resok): void {
  en_post_op_fh3(w, v.obj);
  en_post_op_attr(w, v.obj_attributes);
  en_wcc_data(w, v.dir_wcc);
}

function de_MKNOD3resok(r: XdrReader): MKNOD3resok {
  return {
    obj: de_post_op_fh3(r),
    obj_attributes: de_post_op_attr(r),
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_MKNOD3resok: Codec<MKNOD3resok> = { size: sz_MKNOD3resok, encode: en_MKNOD3resok, decode: de_MKNOD3resok };

export interface MKNOD3resfail {
  dir_wcc: wcc_data;
}

function sz_MKNOD3resfail(v: MKNOD3resfail): number {
  return sz_wcc_data(v.dir_wcc);
}

function en_MKNOD3resfail(w: XdrWriter, v: MKNOD3resfail): void {
  en_wcc_data(w, v.dir_wcc);
}

function de_MKNOD3resfail(r: XdrReader): MKNOD3resfail {
  return {
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_MKNOD3resfail: Codec<MKNOD3resfail> = { size: sz_MKNOD3resfail, encode: en_MKNOD3resfail, decode: de_MKNOD3resfail };

export type MKNOD3res =
  | { status: nfsstat3.NFS3_OK; resok: MKNOD3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: MKNOD3resfail };

function sz_MKNOD3res(v: MKNOD3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_MKNOD3resok((v as { resok: MKNOD3resok }).resok);
    default:
      return 4 + sz_MKNOD3resfail((v as { resfail: MKNOD3resfail }).resfail);
  }
}

function en_MKNOD3res(w: XdrWriter, v: MKNOD3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_MKNOD3resok(w, (v as { resok: MKNOD3resok }).resok);
      return;
    default:
      en_MKNOD3resfail(w, (v as { resfail: MKNOD3resfail }).resfail);
      return;
  }
}

function de_MKNOD3res(r: XdrReader): MKNOD3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_MKNOD3resok(r) } as MKNOD3res;
    default:
      return { status: d, resfail: de_MKNOD3resfail(r) } as MKNOD3res;
  }
}

export const xdr_MKNOD3res: Codec<MKNOD3res> = { size: sz_MKNOD3res, encode: en_MKNOD3res, decode: de_MKNOD3res };

export interface REMOVE3args {
  object: diropargs3;
}

function sz_REMOVE3args(v: REMOVE3args): number {
  return sz_diropargs3(v.object);
}

function en_REMOVE3args(w: XdrWriter, v: REMOVE3args): void {
  en_diropargs3(w, v.object);
}

function de_REMOVE3args(r: XdrReader): REMOVE3args {
  return {
    object: de_diropargs3(r),
  };
}

export const xdr_REMOVE3args: Codec<REMOVE3args> = { size: sz_REMOVE3args, encode: en_REMOVE3args, decode: de_REMOVE3args };

export interface REMOVE3resok {
  dir_wcc: wcc_data;
}

function sz_REMOVE3resok(v: REMOVE3resok): number {
  return sz_wcc_data(v.dir_wcc);
}

function en_REMOVE3resok(w: XdrWriter, v: REMOVE3resok): void {
  en_wcc_data(w, v.dir_wcc);
}

function de_REMOVE3resok(r: XdrReader): REMOVE3resok {
  return {
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_REMOVE3resok: Codec<REMOVE3resok> = { size: sz_REMOVE3resok, encode: en_REMOVE3resok, decode: de_REMOVE3resok };

export interface REMOVE3resfail {
  dir_wcc: wcc_data;
}

function sz_REMOVE3resfail(v: REMOVE3resfail): number {
  return sz_wcc_data(v.dir_wcc);
}

function en_REMOVE3resfail(w: XdrWriter, v: REMOVE3resfail): void {
  en_wcc_data(w, v.dir_wcc);
}

function de_REMOVE3resfail(r: XdrReader): REMOVE3resfail {
  return {
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_REMOVE3resfail: Codec<REMOVE3resfail> = { size: sz_REMOVE3resfail, encode: en_REMOVE3resfail, decode: de_REMOVE3resfail };

export type REMOVE3res =
  | { status: nfsstat3.NFS3_OK; resok: REMOVE3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: REMOVE3resfail };

function sz_REMOVE3res(v: REMOVE3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_REMOVE3resok((v as { resok: REMOVE3resok }).resok);
    default:
      return 4 + sz_REMOVE3resfail((v as { resfail: REMOVE3resfail }).resfail);
  }
}

function en_REMOVE3res(w: XdrWriter, v: REMOVE3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_REMOVE3resok(w, (v as { resok: REMOVE3resok }).resok);
      return;
    default:
      en_REMOVE3resfail(w, (v as { resfail: REMOVE3resfail }).resfail);
      return;
  }
}

function de_REMOVE3res(r: XdrReader): REMOVE3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_REMOVE3resok(r) } as REMOVE3res;
    default:
      return { status: d, resfail: de_REMOVE3resfail(r) } as REMOVE3res;
  }
}

export const xdr_REMOVE3res: Codec<REMOVE3res> = { size: sz_REMOVE3res, encode: en_REMOVE3res, decode: de_REMOVE3res };

export interface RMDIR3args {
  object: diropargs3;
}

function sz_RMDIR3args(v: RMDIR3args): number {
  return sz_diropargs3(v.object);
}

function en_RMDIR3args(w: XdrWriter, v: RMDIR3args): void {
  en_diropargs3(w, v.object);
}

function de_RMDIR3args(r: XdrReader): RMDIR3args {
  return {
    object: de_diropargs3(r),
  };
}

export const xdr_RMDIR3args: Codec<RMDIR3args> = { size: sz_RMDIR3args, encode: en_RMDIR3args, decode: de_RMDIR3args };

export interface RMDIR3resok {
  dir_wcc: wcc_data;
}

function sz_RMDIR3resok(v: RMDIR3resok): number {
  return sz_wcc_data(v.dir_wcc);
}

function en_RMDIR3resok(w: XdrWriter, v: RMDIR3resok): void {
  en_wcc_data(w, v.dir_wcc);
}

function de_RMDIR3resok(r: XdrReader): RMDIR3resok {
  return {
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_RMDIR3resok: Codec<RMDIR3resok> = { size: sz_RMDIR3resok, encode: en_RMDIR3resok, decode: de_RMDIR3resok };

export interface RMDIR3resfail {
  dir_wcc: wcc_data;
}

function sz_RMDIR3resfail(v: RMDIR3resfail): number {
  return sz_wcc_data(v.dir_wcc);
}

function en_RMDIR3resfail(w: XdrWriter, v: RMDIR3resfail): void {
  en_wcc_data(w, v.dir_wcc);
}

function de_RMDIR3resfail(r: XdrReader): RMDIR3resfail {
  return {
    dir_wcc: de_wcc_data(r),
  };
}

export const xdr_RMDIR3resfail: Codec<RMDIR3resfail> = { size: sz_RMDIR3resfail, encode: en_RMDIR3resfail, decode: de_RMDIR3resfail };

export type RMDIR3res =
  | { status: nfsstat3.NFS3_OK; resok: RMDIR3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: RMDIR3resfail };

function sz_RMDIR3res(v: RMDIR3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_RMDIR3resok((v as { resok: RMDIR3resok }).resok);
    default:
      return 4 + sz_RMDIR3resfail((v as { resfail: RMDIR3resfail }).resfail);
  }
}

function en_RMDIR3res(w: XdrWriter, v: RMDIR3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_RMDIR3resok(w, (v as { resok: RMDIR3resok }).resok);
      return;
    default:
      en_RMDIR3resfail(w, (v as { resfail: RMDIR3resfail }).resfail);
      return;
  }
}

function de_RMDIR3res(r: XdrReader): RMDIR3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_RMDIR3resok(r) } as RMDIR3res;
    default:
      return { status: d, resfail: de_RMDIR3resfail(r) } as RMDIR3res;
  }
}

export const xdr_RMDIR3res: Codec<RMDIR3res> = { size: sz_RMDIR3res, encode: en_RMDIR3res, decode: de_RMDIR3res };

export interface RENAME3args {
  from: diropargs3;
  to: diropargs3;
}

function sz_RENAME3args(v: RENAME3args): number {
  return sz_diropargs3(v.from) + sz_diropargs3(v.to);
}

function en_RENAME3args(w: XdrWriter, v: RENAME3args): void {
  en_diropargs3(w, v.from);
  en_diropargs3(w, v.to);
}

function de_RENAME3args(r: XdrReader): RENAME3args {
  return {
    from: de_diropargs3(r),
    to: de_diropargs3(r),
  };
}

export const xdr_RENAME3args: Codec<RENAME3args> = { size: sz_RENAME3args, encode: en_RENAME3args, decode: de_RENAME3args };

export interface RENAME3resok {
  fromdir_wcc: wcc_data;
  todir_wcc: wcc_data;
}

function sz_RENAME3resok(v: RENAME3resok): number {
  return sz_wcc_data(v.fromdir_wcc) + sz_wcc_data(v.todir_wcc);
}

function en_RENAME3resok(w: XdrWriter, v: RENAME3resok): void {
  en_wcc_data(w, v.fromdir_wcc);
  en_wcc_data(w, v.todir_wcc);
}

function de_RENAME3resok(r: XdrReader): RENAME3resok {
  return {
    fromdir_wcc: de_wcc_data(r),
    todir_wcc: de_wcc_data(r),
  };
}

export const xdr_RENAME3resok: Codec<RENAME3resok> = { size: sz_RENAME3resok, encode: en_RENAME3resok, decode: de_RENAME3resok };

export interface RENAME3resfail {
  fromdir_wcc: wcc_data;
  todir_wcc: wcc_data;
}

function sz_RENAME3resfail(v: RENAME3resfail): number {
  return sz_wcc_data(v.fromdir_wcc) + sz_wcc_data(v.todir_wcc);
}

function en_RENAME3resfail(w: XdrWriter, v: RENAME3resfail): void {
  en_wcc_data(w, v.fromdir_wcc);
  en_wcc_data(w, v.todir_wcc);
}

function de_RENAME3resfail(r: XdrReader): RENAME3resfail {
  return {
    fromdir_wcc: de_wcc_data(r),
    todir_wcc: de_wcc_data(r),
  };
}

export const xdr_RENAME3resfail: Codec<RENAME3resfail> = { size: sz_RENAME3resfail, encode: en_RENAME3resfail, decode: de_RENAME3resfail };

export type RENAME3res =
  | { status: nfsstat3.NFS3_OK; resok: RENAME3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: RENAME3resfail };

function sz_RENAME3res(v: RENAME3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_RENAME3resok((v as { resok: RENAME3resok }).resok);
    default:
      return 4 + sz_RENAME3resfail((v as { resfail: RENAME3resfail }).resfail);
  }
}

function en_RENAME3res(w: XdrWriter, v: RENAME3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_RENAME3resok(w, (v as { resok: RENAME3resok }).resok);
      return;
    default:
      en_RENAME3resfail(w, (v as { resfail: RENAME3resfail }).resfail);
      return;
  }
}

function de_RENAME3res(r: XdrReader): RENAME3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_RENAME3resok(r) } as RENAME3res;
    default:
      return { status: d, resfail: de_RENAME3resfail(r) } as RENAME3res;
  }
}

export const xdr_RENAME3res: Codec<RENAME3res> = { size: sz_RENAME3res, encode: en_RENAME3res, decode: de_RENAME3res };

export interface LINK3args {
  file: nfs_fh3;
  link: diropargs3;
}

function sz_LINK3args(v: LINK3args): number {
  return sz_nfs_fh3(v.file) + sz_diropargs3(v.link);
}

function en_LINK3args(w: XdrWriter, v: LINK3args): void {
  en_nfs_fh3(w, v.file);
  en_diropargs3(w, v.link);
}

function de_LINK3args(r: XdrReader): LINK3args {
  return {
    file: de_nfs_fh3(r),
    link: de_diropargs3(r),
  };
}

export const xdr_LINK3args: Codec<LINK3args> = { size: sz_LINK3args, encode: en_LINK3args, decode: de_LINK3args };

export interface LINK3resok {
  file_attributes: post_op_attr;
  linkdir_wcc: wcc_data;
}

function sz_LINK3resok(v: LINK3resok): number {
  return sz_post_op_attr(v.file_attributes) + sz_wcc_data(v.linkdir_wcc);
}

function en_LINK3resok(w: XdrWriter, v: LINK3resok): void {
  en_post_op_attr(w, v.file_attributes);
  en_wcc_data(w, v.linkdir_wcc);
}

function de_LINK3resok(r: XdrReader): LINK3resok {
  return {
    file_attributes: de_post_op_attr(r),
    linkdir_wcc: de_wcc_data(r),
  };
}

export const xdr_LINK3resok: Codec<LINK3resok> = { size: sz_LINK3resok, encode: en_LINK3resok, decode: de_LINK3resok };

export interface LINK3resfail {
  file_attributes: post_op_attr;
  linkdir_wcc: wcc_data;
}

function sz_LINK3resfail(v: LINK3resfail): number {
  return sz_post_op_attr(v.file_attributes) + sz_wcc_data(v.linkdir_wcc);
}

function en_LINK3resfail(w: XdrWriter, v: LINK3resfail): void {
  en_post_op_attr(w, v.file_attributes);
  en_wcc_data(w, v.linkdir_wcc);
}

function de_LINK3resfail(r: XdrReader): LINK3resfail {
  return {
    file_attributes: de_post_op_attr(r),
    linkdir_wcc: de_wcc_data(r),
  };
}

export const xdr_LINK3resfail: Codec<LINK3resfail> = { size: sz_LINK3resfail, encode: en_LINK3resfail, decode: de_LINK3resfail };

export type LINK3res =
  | { status: nfsstat3.NFS3_OK; resok: LINK3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: LINK3resfail };

function sz_LINK3res(v: LINK3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_LINK3resok((v as { resok: LINK3resok }).resok);
    default:
      return 4 + sz_LINK3resfail((v as { resfail: LINK3resfail }).resfail);
  }
}

function en_LINK3res(w: XdrWriter, v: LINK3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_LINK3resok(w, (v as { resok: LINK3resok }).resok);
      return;
    default:
      en_LINK3resfail(w, (v as { resfail: LINK3resfail }).resfail);
      return;
  }
}

function de_LINK3res(r: XdrReader): LINK3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_LINK3resok(r) } as LINK3res;
    default:
      return { status: d, resfail: de_LINK3resfail(r) } as LINK3res;
  }
}

export const xdr_LINK3res: Codec<LINK3res> = { size: sz_LINK3res, encode: en_LINK3res, decode: de_LINK3res };

export interface READDIR3args {
  dir: nfs_fh3;
  cookie: cookie3;
  cookieverf: cookieverf3;
  count: count3;
}

function sz_READDIR3args(v: READDIR3args): number {
  return 20 + sz_nfs_fh3(v.dir);
}

function en_READDIR3args(w: XdrWriter, v: READDIR3args): void {
  en_nfs_fh3(w, v.dir);
  w.u64(v.cookie);
  w.opaqueFixed(v.cookieverf, 8);
  w.u32(v.count);
}

function de_READDIR3args(r: XdrReader): READDIR3args {
  return {
    dir: de_nfs_fh3(r),
    cookie: r.u64(),
    cookieverf: r.opaqueFixed(8),
    count: r.u32(),
  };
}

export const xdr_READDIR3args: Codec<READDIR3args> = { size: sz_READDIR3args, encode: en_READDIR3args, decode: de_READDIR3args };

/** A list node; the link field 'nextentry' is not here: lists of entry3 are entry3[]. xdr_entry3 codes one node's fields. */
export interface entry3 {
  fileid: fileid3;
  name: filename3;
  cookie: cookie3;
}

function sz_entry3(v: entry3): number {
  return 16 + stringSize(v.name);
}

function en_entry3(w: XdrWriter, v: entry3): void {
  w.u64(v.fileid);
  w.string(v.name);
  w.u64(v.cookie);
}

function de_entry3(r: XdrReader): entry3 {
  return {
    fileid: r.u64(),
    name: r.string(),
    cookie: r.u64(),
  };
}

export const xdr_entry3: Codec<entry3> = { size: sz_entry3, encode: en_entry3, decode: de_entry3 };

export interface dirlist3 {
  entries: entry3[];
  eof: boolean;
}

function sz_dirlist3(v: dirlist3): number {
  return 4 + sz_list_entry3(v.entries);
}

function en_dirlist3(w: XdrWriter, v: dirlist3): void {
  en_list_entry3(w, v.entries);
  w.bool(v.eof);
}

function de_dirlist3(r: XdrReader): dirlist3 {
  return {
    entries: de_list_entry3(r),
    eof: r.bool(),
  };
}

export const xdr_dirlist3: Codec<dirlist3> = { size: sz_dirlist3, encode: en_dirlist3, decode: de_dirlist3 };

/** entry3 nodes as an array: each is preceded by TRUE, the list ends with FALSE. */
function sz_list_entry3(v: entry3[]): number {
  let n = 4;
  for (let i = 0; i < v.length; i++) n += 4 + sz_entry3(v[i]!);
  return n;
}

function en_list_entry3(w: XdrWriter, v: entry3[]): void {
  for (let i = 0; i < v.length; i++) {
    w.u32(1);
    en_entry3(w, v[i]!);
  }
  w.u32(0);
}

function de_list_entry3(r: XdrReader): entry3[] {
  const out: entry3[] = [];
  while (r.bool()) out.push(de_entry3(r));
  return out;
}

export interface READDIR3resok {
  dir_attributes: post_op_attr;
  cookieverf: cookieverf3;
  reply: dirlist3;
}

function sz_READDIR3resok(v: READDIR3resok): number {
  return 8 + sz_post_op_attr(v.dir_attributes) + sz_dirlist3(v.reply);
}

function en_READDIR3resok(w: XdrWriter, v: READDIR3resok): void {
  en_post_op_attr(w, v.dir_attributes);
  w.opaqueFixed(v.cookieverf, 8);
  en_dirlist3(w, v.reply);
}

function de_READDIR3resok(r: XdrReader): READDIR3resok {
  return {
    dir_attributes: de_post_op_attr(r),
    cookieverf: r.opaqueFixed(8),
    reply: de_dirlist3(r),
  };
}

export const xdr_READDIR3resok: Codec<READDIR3resok> = { size: sz_READDIR3resok, encode: en_READDIR3resok, decode: de_READDIR3resok };

export interface READDIR3resfail {
  dir_attributes: post_op_attr;
}

function sz_READDIR3resfail(v: READDIR3resfail): number {
  return sz_post_op_attr(v.dir_attributes);
}

function en_READDIR3resfail(w: XdrWriter, v: READDIR3resfail): void {
  en_post_op_attr(w, v.dir_attributes);
}

function de_READDIR3resfail(r: XdrReader): READDIR3resfail {
  return {
    dir_attributes: de_post_op_attr(r),
  };
}

export const xdr_READDIR3resfail: Codec<READDIR3resfail> = { size: sz_READDIR3resfail, encode: en_READDIR3resfail, decode: de_READDIR3resfail };

export type READDIR3res =
  | { status: nfsstat3.NFS3_OK; resok: READDIR3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: READDIR3resfail };

function sz_READDIR3res(v: READDIR3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_READDIR3resok((v as { resok: READDIR3resok }).resok);
    default:
      return 4 + sz_READDIR3resfail((v as { resfail: READDIR3resfail }).resfail);
  }
}

function en_READDIR3res(w: XdrWriter, v: READDIR3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_READDIR3resok(w, (v as { resok: READDIR3resok }).resok);
      return;
    default:
      en_READDIR3resfail(w, (v as { resfail: READDIR3resfail }).resfail);
      return;
  }
}

function de_READDIR3res(r: XdrReader): READDIR3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_READDIR3resok(r) } as READDIR3res;
    default:
      return { status: d, resfail: de_READDIR3resfail(r) } as READDIR3res;
  }
}

export const xdr_READDIR3res: Codec<READDIR3res> = { size: sz_READDIR3res, encode: en_READDIR3res, decode: de_READDIR3res };

export interface READDIRPLUS3args {
  dir: nfs_fh3;
  cookie: cookie3;
  cookieverf: cookieverf3;
  dircount: count3;
  maxcount: count3;
}

function sz_READDIRPLUS3args(v: READDIRPLUS3args): number {
  return 24 + sz_nfs_fh3(v.dir);
}

function en_READDIRPLUS3args(w: XdrWriter, v: READDIRPLUS3args): void {
  en_nfs_fh3(w, v.dir);
  w.u64(v.cookie);
  w.opaqueFixed(v.cookieverf, 8);
  w.u32(v.dircount);
  w.u32(v.maxcount);
}

function de_READDIRPLUS3args(r: XdrReader): READDIRPLUS3args {
  return {
    dir: de_nfs_fh3(r),
    cookie: r.u64(),
    cookieverf: r.opaqueFixed(8),
    dircount: r.u32(),
    maxcount: r.u32(),
  };
}

export const xdr_READDIRPLUS3args: Codec<READDIRPLUS3args> = { size: sz_READDIRPLUS3args, encode: en_READDIRPLUS3args, decode: de_READDIRPLUS3args };

/** A list node; the link field 'nextentry' is not here: lists of entryplus3 are entryplus3[]. xdr_entryplus3 codes one node's fields. */
export interface entryplus3 {
  fileid: fileid3;
  name: filename3;
  cookie: cookie3;
  name_attributes: post_op_attr;
  name_handle: post_op_fh3;
}

function sz_entryplus3(v: entryplus3): number {
  return 16 + stringSize(v.name) + sz_post_op_attr(v.name_attributes) + sz_post_op_fh3(v.name_handle);
}

function en_entryplus3(w: XdrWriter, v: entryplus3): void {
  w.u64(v.fileid);
  w.string(v.name);
  w.u64(v.cookie);
  en_post_op_attr(w, v.name_attributes);
  en_post_op_fh3(w, v.name_handle);
}

function de_entryplus3(r: XdrReader): entryplus3 {
  return {
    fileid: r.u64(),
    name: r.string(),
    cookie: r.u64(),
    name_attributes: de_post_op_attr(r),
    name_handle: de_post_op_fh3(r),
  };
}

export const xdr_entryplus3: Codec<entryplus3> = { size: sz_entryplus3, encode: en_entryplus3, decode: de_entryplus3 };

export interface dirlistplus3 {
  entries: entryplus3[];
  eof: boolean;
}

function sz_dirlistplus3(v: dirlistplus3): number {
  return 4 + sz_list_entryplus3(v.entries);
}

function en_dirlistplus3(w: XdrWriter, v: dirlistplus3): void {
  en_list_entryplus3(w, v.entries);
  w.bool(v.eof);
}

function de_dirlistplus3(r: XdrReader): dirlistplus3 {
  return {
    entries: de_list_entryplus3(r),
    eof: r.bool(),
  };
}

export const xdr_dirlistplus3: Codec<dirlistplus3> = { size: sz_dirlistplus3, encode: en_dirlistplus3, decode: de_dirlistplus3 };

/** entryplus3 nodes as an array: each is preceded by TRUE, the list ends with FALSE. */
function sz_list_entryplus3(v: entryplus3[]): number {
  let n = 4;
  for (let i = 0; i < v.length; i++) n += 4 + sz_entryplus3(v[i]!);
  return n;
}

function en_list_entryplus3(w: XdrWriter, v: entryplus3[]): void {
  for (let i = 0; i < v.length; i++) {
    w.u32(1);
    en_entryplus3(w, v[i]!);
  }
  w.u32(0);
}

function de_list_entryplus3(r: XdrReader): entryplus3[] {
  const out: entryplus3[] = [];
  while (r.bool()) out.push(de_entryplus3(r));
  return out;
}

export interface READDIRPLUS3resok {
  dir_attributes: post_op_attr;
  cookieverf: cookieverf3;
  reply: dirlistplus3;
}

function sz_READDIRPLUS3resok(v: READDIRPLUS3resok): number {
  return 8 + sz_post_op_attr(v.dir_attributes) + sz_dirlistplus3(v.reply);
}

function en_READDIRPLUS3resok(w: XdrWriter, v: READDIRPLUS3resok): void {
  en_post_op_attr(w, v.dir_attributes);
  w.opaqueFixed(v.cookieverf, 8);
  en_dirlistplus3(w, v.reply);
}

function de_READDIRPLUS3resok(r: XdrReader): READDIRPLUS3resok {
  return {
    dir_attributes: de_post_op_attr(r),
    cookieverf: r.opaqueFixed(8),
    reply: de_dirlistplus3(r),
  };
}

export const xdr_READDIRPLUS3resok: Codec<READDIRPLUS3resok> = { size: sz_READDIRPLUS3resok, encode: en_READDIRPLUS3resok, decode: de_READDIRPLUS3resok };

export interface READDIRPLUS3resfail {
  dir_attributes: post_op_attr;
}

function sz_READDIRPLUS3resfail(v: READDIRPLUS3resfail): number {
  return sz_post_op_attr(v.dir_attributes);
}

function en_READDIRPLUS3resfail(w: XdrWriter, v: READDIRPLUS3resfail): void {
  en_post_op_attr(w, v.dir_attributes);
}

function de_READDIRPLUS3resfail(r: XdrReader): READDIRPLUS3resfail {
  return {
    dir_attributes: de_post_op_attr(r),
  };
}

export const xdr_READDIRPLUS3resfail: Codec<READDIRPLUS3resfail> = { size: sz_READDIRPLUS3resfail, encode: en_READDIRPLUS3resfail, decode: de_READDIRPLUS3resfail };

export type READDIRPLUS3res =
  | { status: nfsstat3.NFS3_OK; resok: READDIRPLUS3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: READDIRPLUS3resfail };

function sz_READDIRPLUS3res(v: READDIRPLUS3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_READDIRPLUS3resok((v as { resok: READDIRPLUS3resok }).resok);
    default:
      return 4 + sz_READDIRPLUS3resfail((v as { resfail: READDIRPLUS3resfail }).resfail);
  }
}

function en_READDIRPLUS3res(w: XdrWriter, v: READDIRPLUS3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_READDIRPLUS3resok(w, (v as { resok: READDIRPLUS3resok }).resok);
      return;
    default:
      en_READDIRPLUS3resfail(w, (v as { resfail: READDIRPLUS3resfail }).resfail);
      return;
  }
}

function de_READDIRPLUS3res(r: XdrReader): READDIRPLUS3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_READDIRPLUS3resok(r) } as READDIRPLUS3res;
    default:
      return { status: d, resfail: de_READDIRPLUS3resfail(r) } as READDIRPLUS3res;
  }
}

export const xdr_READDIRPLUS3res: Codec<READDIRPLUS3res> = { size: sz_READDIRPLUS3res, encode: en_READDIRPLUS3res, decode: de_READDIRPLUS3res };

export interface FSSTAT3args {
  fsroot: nfs_fh3;
}

function sz_FSSTAT3args(v: FSSTAT3args): number {
  return sz_nfs_fh3(v.fsroot);
}

function en_FSSTAT3args(w: XdrWriter, v: FSSTAT3args): void {
  en_nfs_fh3(w, v.fsroot);
}

function de_FSSTAT3args(r: XdrReader): FSSTAT3args {
  return {
    fsroot: de_nfs_fh3(r),
  };
}

export const xdr_FSSTAT3args: Codec<FSSTAT3args> = { size: sz_FSSTAT3args, encode: en_FSSTAT3args, decode: de_FSSTAT3args };

export interface FSSTAT3resok {
  obj_attributes: post_op_attr;
  tbytes: size3;
  fbytes: size3;
  abytes: size3;
  tfiles: size3;
  ffiles: size3;
  afiles: size3;
  invarsec: uint32;
}

function sz_FSSTAT3resok(v: FSSTAT3resok): number {
  return 52 + sz_post_op_attr(v.obj_attributes);
}

function en_FSSTAT3resok(w: XdrWriter, v: FSSTAT3resok): void {
  en_post_op_attr(w, v.obj_attributes);
  w.u64(v.tbytes);
  w.u64(v.fbytes);
  w.u64(v.abytes);
  w.u64(v.tfiles);
  w.u64(v.ffiles);
  w.u64(v.afiles);
  w.u32(v.invarsec);
}

function de_FSSTAT3resok(r: XdrReader): FSSTAT3resok {
  return {
    obj_attributes: de_post_op_attr(r),
    tbytes: r.u64(),
    fbytes: r.u64(),
    abytes: r.u64(),
    tfiles: r.u64(),
    ffiles: r.u64(),
    afiles: r.u64(),
    invarsec: r.u32(),
  };
}

export const xdr_FSSTAT3resok: Codec<FSSTAT3resok> = { size: sz_FSSTAT3resok, encode: en_FSSTAT3resok, decode: de_FSSTAT3resok };

export interface FSSTAT3resfail {
  obj_attributes: post_op_attr;
}

function sz_FSSTAT3resfail(v: FSSTAT3resfail): number {
  return sz_post_op_attr(v.obj_attributes);
}

function en_FSSTAT3resfail(w: XdrWriter, v: FSSTAT3resfail): void {
  en_post_op_attr(w, v.obj_attributes);
}

function de_FSSTAT3resfail(r: XdrReader): FSSTAT3resfail {
  return {
    obj_attributes: de_post_op_attr(r),
  };
}

export const xdr_FSSTAT3resfail: Codec<FSSTAT3resfail> = { size: sz_FSSTAT3resfail, encode: en_FSSTAT3resfail, decode: de_FSSTAT3resfail };

export type FSSTAT3res =
  | { status: nfsstat3.NFS3_OK; resok: FSSTAT3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: FSSTAT3resfail };

function sz_FSSTAT3res(v: FSSTAT3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_FSSTAT3resok((v as { resok: FSSTAT3resok }).resok);
    default:
      return 4 + sz_FSSTAT3resfail((v as { resfail: FSSTAT3resfail }).resfail);
  }
}

function en_FSSTAT3res(w: XdrWriter, v: FSSTAT3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_FSSTAT3resok(w, (v as { resok: FSSTAT3resok }).resok);
      return;
    default:
      en_FSSTAT3resfail(w, (v as { resfail: FSSTAT3resfail }).resfail);
      return;
  }
}

function de_FSSTAT3res(r: XdrReader): FSSTAT3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_FSSTAT3resok(r) } as FSSTAT3res;
    default:
      return { status: d, resfail: de_FSSTAT3resfail(r) } as FSSTAT3res;
  }
}

export const xdr_FSSTAT3res: Codec<FSSTAT3res> = { size: sz_FSSTAT3res, encode: en_FSSTAT3res, decode: de_FSSTAT3res };

export interface FSINFO3args {
  fsroot: nfs_fh3;
}

function sz_FSINFO3args(v: FSINFO3args): number {
  return sz_nfs_fh3(v.fsroot);
}

function en_FSINFO3args(w: XdrWriter, v: FSINFO3args): void {
  en_nfs_fh3(w, v.fsroot);
}

function de_FSINFO3args(r: XdrReader): FSINFO3args {
  return {
    fsroot: de_nfs_fh3(r),
  };
}

export const xdr_FSINFO3args: Codec<FSINFO3args> = { size: sz_FSINFO3args, encode: en_FSINFO3args, decode: de_FSINFO3args };

export interface FSINFO3resok {
  obj_attributes: post_op_attr;
  rtmax: uint32;
  rtpref: uint32;
  rtmult: uint32;
  wtmax: uint32;
  wtpref: uint32;
  wtmult: uint32;
  dtpref: uint32;
  maxfilesize: size3;
  time_delta: nfstime3;
  properties: uint32;
}

function sz_FSINFO3resok(v: FSINFO3resok): number {
  return 48 + sz_post_op_attr(v.obj_attributes);
}

function en_FSINFO3resok(w: XdrWriter, v: FSINFO3resok): void {
  en_post_op_attr(w, v.obj_attributes);
  w.u32(v.rtmax);
  w.u32(v.rtpref);
  w.u32(v.rtmult);
  w.u32(v.wtmax);
  w.u32(v.wtpref);
  w.u32(v.wtmult);
  w.u32(v.dtpref);
  w.u64(v.maxfilesize);
  en_nfstime3(w, v.time_delta);
  w.u32(v.properties);
}

function de_FSINFO3resok(r: XdrReader): FSINFO3resok {
  return {
    obj_attributes: de_post_op_attr(r),
    rtmax: r.u32(),
    rtpref: r.u32(),
    rtmult: r.u32(),
    wtmax: r.u32(),
    wtpref: r.u32(),
    wtmult: r.u32(),
    dtpref: r.u32(),
    maxfilesize: r.u64(),
    time_delta: de_nfstime3(r),
    properties: r.u32(),
  };
}

export const xdr_FSINFO3resok: Codec<FSINFO3resok> = { size: sz_FSINFO3resok, encode: en_FSINFO3resok, decode: de_FSINFO3resok };

export interface FSINFO3resfail {
  obj_attributes: post_op_attr;
}

function sz_FSINFO3resfail(v: FSINFO3resfail): number {
  return sz_post_op_attr(v.obj_attributes);
}

function en_FSINFO3resfail(w: XdrWriter, v: FSINFO3resfail): void {
  en_post_op_attr(w, v.obj_attributes);
}

function de_FSINFO3resfail(r: XdrReader): FSINFO3resfail {
  return {
    obj_attributes: de_post_op_attr(r),
  };
}

export const xdr_FSINFO3resfail: Codec<FSINFO3resfail> = { size: sz_FSINFO3resfail, encode: en_FSINFO3resfail, decode: de_FSINFO3resfail };

export type FSINFO3res =
  | { status: nfsstat3.NFS3_OK; resok: FSINFO3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: FSINFO3resfail };

function sz_FSINFO3res(v: FSINFO3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_FSINFO3resok((v as { resok: FSINFO3resok }).resok);
    default:
      return 4 + sz_FSINFO3resfail((v as { resfail: FSINFO3resfail }).resfail);
  }
}

function en_FSINFO3res(w: XdrWriter, v: FSINFO3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_FSINFO3resok(w, (v as { resok: FSINFO3resok }).resok);
      return;
    default:
      en_FSINFO3resfail(w, (v as { resfail: FSINFO3resfail }).resfail);
      return;
  }
}

function de_FSINFO3res(r: XdrReader): FSINFO3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_FSINFO3resok(r) } as FSINFO3res;
    default:
      return { status: d, resfail: de_FSINFO3resfail(r) } as FSINFO3res;
  }
}

export const xdr_FSINFO3res: Codec<FSINFO3res> = { size: sz_FSINFO3res, encode: en_FSINFO3res, decode: de_FSINFO3res };

export interface PATHCONF3args {
  object: nfs_fh3;
}

function sz_PATHCONF3args(v: PATHCONF3args): number {
  return sz_nfs_fh3(v.object);
}

function en_PATHCONF3args(w: XdrWriter, v: PATHCONF3args): void {
  en_nfs_fh3(w, v.object);
}

function de_PATHCONF3args(r: XdrReader): PATHCONF3args {
  return {
    object: de_nfs_fh3(r),
  };
}

export const xdr_PATHCONF3args: Codec<PATHCONF3args> = { size: sz_PATHCONF3args, encode: en_PATHCONF3args, decode: de_PATHCONF3args };

export interface PATHCONF3resok {
  obj_attributes: post_op_attr;
  linkmax: uint32;
  name_max: uint32;
  no_trunc: boolean;
  chown_restricted: boolean;
  case_insensitive: boolean;
  case_preserving: boolean;
}

function sz_PATHCONF3resok(v: PATHCONF3resok): number {
  return 24 + sz_post_op_attr(v.obj_attributes);
}

function en_PATHCONF3resok(w: XdrWriter, v: PATHCONF3resok): void {
  en_post_op_attr(w, v.obj_attributes);
  w.u32(v.linkmax);
  w.u32(v.name_max);
  w.bool(v.no_trunc);
  w.bool(v.chown_restricted);
  w.bool(v.case_insensitive);
  w.bool(v.case_preserving);
}

function de_PATHCONF3resok(r: XdrReader): PATHCONF3resok {
  return {
    obj_attributes: de_post_op_attr(r),
    linkmax: r.u32(),
    name_max: r.u32(),
    no_trunc: r.bool(),
    chown_restricted: r.bool(),
    case_insensitive: r.bool(),
    case_preserving: r.bool(),
  };
}

export const xdr_PATHCONF3resok: Codec<PATHCONF3resok> = { size: sz_PATHCONF3resok, encode: en_PATHCONF3resok, decode: de_PATHCONF3resok };

export interface PATHCONF3resfail {
  obj_attributes: post_op_attr;
}

function sz_PATHCONF3resfail(v: PATHCONF3resfail): number {
  return sz_post_op_attr(v.obj_attributes);
}

function en_PATHCONF3resfail(w: XdrWriter, v: PATHCONF3resfail): void {
  en_post_op_attr(w, v.obj_attributes);
}

function de_PATHCONF3resfail(r: XdrReader): PATHCONF3resfail {
  return {
    obj_attributes: de_post_op_attr(r),
  };
}

export const xdr_PATHCONF3resfail: Codec<PATHCONF3resfail> = { size: sz_PATHCONF3resfail, encode: en_PATHCONF3resfail, decode: de_PATHCONF3resfail };

export type PATHCONF3res =
  | { status: nfsstat3.NFS3_OK; resok: PATHCONF3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: PATHCONF3resfail };

function sz_PATHCONF3res(v: PATHCONF3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_PATHCONF3resok((v as { resok: PATHCONF3resok }).resok);
    default:
      return 4 + sz_PATHCONF3resfail((v as { resfail: PATHCONF3resfail }).resfail);
  }
}

function en_PATHCONF3res(w: XdrWriter, v: PATHCONF3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_PATHCONF3resok(w, (v as { resok: PATHCONF3resok }).resok);
      return;
    default:
      en_PATHCONF3resfail(w, (v as { resfail: PATHCONF3resfail }).resfail);
      return;
  }
}

function de_PATHCONF3res(r: XdrReader): PATHCONF3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_PATHCONF3resok(r) } as PATHCONF3res;
    default:
      return { status: d, resfail: de_PATHCONF3resfail(r) } as PATHCONF3res;
  }
}

export const xdr_PATHCONF3res: Codec<PATHCONF3res> = { size: sz_PATHCONF3res, encode: en_PATHCONF3res, decode: de_PATHCONF3res };

export interface COMMIT3args {
  file: nfs_fh3;
  offset: offset3;
  count: count3;
}

function sz_COMMIT3args(v: COMMIT3args): number {
  return 12 + sz_nfs_fh3(v.file);
}

function en_COMMIT3args(w: XdrWriter, v: COMMIT3args): void {
  en_nfs_fh3(w, v.file);
  w.u64(v.offset);
  w.u32(v.count);
}

function de_COMMIT3args(r: XdrReader): COMMIT3args {
  return {
    file: de_nfs_fh3(r),
    offset: r.u64(),
    count: r.u32(),
  };
}

export const xdr_COMMIT3args: Codec<COMMIT3args> = { size: sz_COMMIT3args, encode: en_COMMIT3args, decode: de_COMMIT3args };

export interface COMMIT3resok {
  file_wcc: wcc_data;
  verf: writeverf3;
}

function sz_COMMIT3resok(v: COMMIT3resok): number {
  return 8 + sz_wcc_data(v.file_wcc);
}

function en_COMMIT3resok(w: XdrWriter, v: COMMIT3resok): void {
  en_wcc_data(w, v.file_wcc);
  w.opaqueFixed(v.verf, 8);
}

function de_COMMIT3resok(r: XdrReader): COMMIT3resok {
  return {
    file_wcc: de_wcc_data(r),
    verf: r.opaqueFixed(8),
  };
}

export const xdr_COMMIT3resok: Codec<COMMIT3resok> = { size: sz_COMMIT3resok, encode: en_COMMIT3resok, decode: de_COMMIT3resok };

export interface COMMIT3resfail {
  file_wcc: wcc_data;
}

function sz_COMMIT3resfail(v: COMMIT3resfail): number {
  return sz_wcc_data(v.file_wcc);
}

function en_COMMIT3resfail(w: XdrWriter, v: COMMIT3resfail): void {
  en_wcc_data(w, v.file_wcc);
}

function de_COMMIT3resfail(r: XdrReader): COMMIT3resfail {
  return {
    file_wcc: de_wcc_data(r),
  };
}

export const xdr_COMMIT3resfail: Codec<COMMIT3resfail> = { size: sz_COMMIT3resfail, encode: en_COMMIT3resfail, decode: de_COMMIT3resfail };

export type COMMIT3res =
  | { status: nfsstat3.NFS3_OK; resok: COMMIT3resok }
  | { status: Exclude<nfsstat3, nfsstat3.NFS3_OK>; resfail: COMMIT3resfail };

function sz_COMMIT3res(v: COMMIT3res): number {
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      return 4 + sz_COMMIT3resok((v as { resok: COMMIT3resok }).resok);
    default:
      return 4 + sz_COMMIT3resfail((v as { resfail: COMMIT3resfail }).resfail);
  }
}

function en_COMMIT3res(w: XdrWriter, v: COMMIT3res): void {
  w.i32(v.status);
  switch (v.status) {
    case nfsstat3.NFS3_OK:
      en_COMMIT3resok(w, (v as { resok: COMMIT3resok }).resok);
      return;
    default:
      en_COMMIT3resfail(w, (v as { resfail: COMMIT3resfail }).resfail);
      return;
  }
}

function de_COMMIT3res(r: XdrReader): COMMIT3res {
  const d = r.enumValue(va_nfsstat3, 'nfsstat3') as nfsstat3;
  switch (d) {
    case nfsstat3.NFS3_OK:
      return { status: d, resok: de_COMMIT3resok(r) } as COMMIT3res;
    default:
      return { status: d, resfail: de_COMMIT3resfail(r) } as COMMIT3res;
  }
}

export const xdr_COMMIT3res: Codec<COMMIT3res> = { size: sz_COMMIT3res, encode: en_COMMIT3res, decode: de_COMMIT3res };

export const NFS_PROGRAM = 100003;

export const NFS_V3 = 3;

export const NFSPROC3_NULL = 0;

export const NFSPROC3_GETATTR = 1;

export const NFSPROC3_SETATTR = 2;

export const NFSPROC3_LOOKUP = 3;

export const NFSPROC3_ACCESS = 4;

export const NFSPROC3_READLINK = 5;

export const NFSPROC3_READ = 6;

export const NFSPROC3_WRITE = 7;

export const NFSPROC3_CREATE = 8;

export const NFSPROC3_MKDIR = 9;

export const NFSPROC3_SYMLINK = 10;

export const NFSPROC3_MKNOD = 11;

export const NFSPROC3_REMOVE = 12;

export const NFSPROC3_RMDIR = 13;

export const NFSPROC3_RENAME = 14;

export const NFSPROC3_LINK = 15;

export const NFSPROC3_READDIR = 16;

export const NFSPROC3_READDIRPLUS = 17;

export const NFSPROC3_FSSTAT = 18;

export const NFSPROC3_FSINFO = 19;

export const NFSPROC3_PATHCONF = 20;

export const NFSPROC3_COMMIT = 21;

/** Program NFS_PROGRAM (100003) version NFS_V3 (3): procedure number -> name and codecs. */
export const NFS_V3_PROCEDURES = {
  [NFSPROC3_NULL]: { proc: NFSPROC3_NULL, name: 'NULL', args: xdr_void, res: xdr_void },
  [NFSPROC3_GETATTR]: { proc: NFSPROC3_GETATTR, name: 'GETATTR', args: xdr_GETATTR3args, res: xdr_GETATTR3res },
  [NFSPROC3_SETATTR]: { proc: NFSPROC3_SETATTR, name: 'SETATTR', args: xdr_SETATTR3args, res: xdr_SETATTR3res },
  [NFSPROC3_LOOKUP]: { proc: NFSPROC3_LOOKUP, name: 'LOOKUP', args: xdr_LOOKUP3args, res: xdr_LOOKUP3res },
  [NFSPROC3_ACCESS]: { proc: NFSPROC3_ACCESS, name: 'ACCESS', args: xdr_ACCESS3args, res: xdr_ACCESS3res },
  [NFSPROC3_READLINK]: { proc: NFSPROC3_READLINK, name: 'READLINK', args: xdr_READLINK3args, res: xdr_READLINK3res },
  [NFSPROC3_READ]: { proc: NFSPROC3_READ, name: 'READ', args: xdr_READ3args, res: xdr_READ3res },
  [NFSPROC3_WRITE]: { proc: NFSPROC3_WRITE, name: 'WRITE', args: xdr_WRITE3args, res: xdr_WRITE3res },
  [NFSPROC3_CREATE]: { proc: NFSPROC3_CREATE, name: 'CREATE', args: xdr_CREATE3args, res: xdr_CREATE3res },
  [NFSPROC3_MKDIR]: { proc: NFSPROC3_MKDIR, name: 'MKDIR', args: xdr_MKDIR3args, res: xdr_MKDIR3res },
  [NFSPROC3_SYMLINK]: { proc: NFSPROC3_SYMLINK, name: 'SYMLINK', args: xdr_SYMLINK3args, res: xdr_SYMLINK3res },
  [NFSPROC3_MKNOD]: { proc: NFSPROC3_MKNOD, name: 'MKNOD', args: xdr_MKNOD3args, res: xdr_MKNOD3res },
  [NFSPROC3_REMOVE]: { proc: NFSPROC3_REMOVE, name: 'REMOVE', args: xdr_REMOVE3args, res: xdr_REMOVE3res },
  [NFSPROC3_RMDIR]: { proc: NFSPROC3_RMDIR, name: 'RMDIR', args: xdr_RMDIR3args, res: xdr_RMDIR3res },
  [NFSPROC3_RENAME]: { proc: NFSPROC3_RENAME, name: 'RENAME', args: xdr_RENAME3args, res: xdr_RENAME3res },
  [NFSPROC3_LINK]: { proc: NFSPROC3_LINK, name: 'LINK', args: xdr_LINK3args, res: xdr_LINK3res },
  [NFSPROC3_READDIR]: { proc: NFSPROC3_READDIR, name: 'READDIR', args: xdr_READDIR3args, res: xdr_READDIR3res },
  [NFSPROC3_READDIRPLUS]: { proc: NFSPROC3_READDIRPLUS, name: 'READDIRPLUS', args: xdr_READDIRPLUS3args, res: xdr_READDIRPLUS3res },
  [NFSPROC3_FSSTAT]: { proc: NFSPROC3_FSSTAT, name: 'FSSTAT', args: xdr_FSSTAT3args, res: xdr_FSSTAT3res },
  [NFSPROC3_FSINFO]: { proc: NFSPROC3_FSINFO, name: 'FSINFO', args: xdr_FSINFO3args, res: xdr_FSINFO3res },
  [NFSPROC3_PATHCONF]: { proc: NFSPROC3_PATHCONF, name: 'PATHCONF', args: xdr_PATHCONF3args, res: xdr_PATHCONF3res },
  [NFSPROC3_COMMIT]: { proc: NFSPROC3_COMMIT, name: 'COMMIT', args: xdr_COMMIT3args, res: xdr_COMMIT3res },
} as const;
