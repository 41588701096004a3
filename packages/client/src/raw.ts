import {
  type Codec, xdr_void,
  NFS_PROGRAM, NFS_V3, MOUNT_PROGRAM, MOUNT_V3,
  NFSPROC3_NULL, NFSPROC3_GETATTR, NFSPROC3_SETATTR, NFSPROC3_LOOKUP, NFSPROC3_ACCESS, NFSPROC3_READLINK,
  NFSPROC3_READ, NFSPROC3_WRITE, NFSPROC3_CREATE, NFSPROC3_MKDIR, NFSPROC3_SYMLINK, NFSPROC3_MKNOD,
  NFSPROC3_REMOVE, NFSPROC3_RMDIR, NFSPROC3_RENAME, NFSPROC3_LINK, NFSPROC3_READDIR, NFSPROC3_READDIRPLUS,
  NFSPROC3_FSSTAT, NFSPROC3_FSINFO, NFSPROC3_PATHCONF, NFSPROC3_COMMIT,
  MOUNTPROC3_NULL, MOUNTPROC3_MNT, MOUNTPROC3_DUMP, MOUNTPROC3_UMNT, MOUNTPROC3_UMNTALL, MOUNTPROC3_EXPORT,
  xdr_GETATTR3args, xdr_GETATTR3res, xdr_SETATTR3args, xdr_SETATTR3res, xdr_LOOKUP3args, xdr_LOOKUP3res,
  xdr_ACCESS3args, xdr_ACCESS3res, xdr_READLINK3args, xdr_READLINK3res, xdr_READ3args, xdr_READ3res,
  xdr_WRITE3args, xdr_WRITE3res, xdr_CREATE3args, xdr_CREATE3res, xdr_MKDIR3args, xdr_MKDIR3res,
  xdr_SYMLINK3args, xdr_SYMLINK3res, xdr_MKNOD3args, xdr_MKNOD3res, xdr_REMOVE3args, xdr_REMOVE3res,
  xdr_RMDIR3args, xdr_RMDIR3res, xdr_RENAME3args, xdr_RENAME3res, xdr_LINK3args, xdr_LINK3res,
  xdr_READDIR3args, xdr_READDIR3res, xdr_READDIRPLUS3args, xdr_READDIRPLUS3res, xdr_FSSTAT3args, xdr_FSSTAT3res,
  xdr_FSINFO3args, xdr_FSINFO3res, xdr_PATHCONF3args, xdr_PATHCONF3res, xdr_COMMIT3args, xdr_COMMIT3res,
  xdr_dirpath, xdr_mountres3, xdr_mountlist, xdr_exports,
  type GETATTR3args, type GETATTR3res, type SETATTR3args, type SETATTR3res, type LOOKUP3args, type LOOKUP3res,
  type ACCESS3args, type ACCESS3res, type READLINK3args, type READLINK3res, type READ3args, type READ3res,
  type WRITE3args, type WRITE3res, type CREATE3args, type CREATE3res, type MKDIR3args, type MKDIR3res,
  type SYMLINK3args, type SYMLINK3res, type MKNOD3args, type MKNOD3res, type REMOVE3args, type REMOVE3res,
  type RMDIR3args, type RMDIR3res, type RENAME3args, type RENAME3res, type LINK3args, type LINK3res,
  type READDIR3args, type READDIR3res, type READDIRPLUS3args, type READDIRPLUS3res, type FSSTAT3args, type FSSTAT3res,
  type FSINFO3args, type FSINFO3res, type PATHCONF3args, type PATHCONF3res, type COMMIT3args, type COMMIT3res,
  type mountres3, type mountlist, type exports,
} from '@nfsts/xdr';
import type { FinishingCodec } from '@nfsts/rpc';
import { NfsError } from './errors.js';
import type { RpcCaller } from './rpc-caller.js';

/** The resok arm of a result union. */
export type ResOk<R> = R extends { resok: infer O } ? O : never;
export type MountOk = Extract<mountres3, { mountinfo: unknown }>['mountinfo'];

export interface CallOptions { timeoutMs?: number; signal?: AbortSignal }

/**
 * A procedure's result codec that settles its call: resok, or NfsError for any other status.
 * Made once per procedure (the RPC client applies finish() when the reply is decoded), so a raw
 * call is one promise and no per-call closure. Codecs are called without `this`: plain fields.
 */
function okCodec<R extends { status: number }>(name: string, c: Codec<R>): FinishingCodec<R, ResOk<R>> {
  return {
    size: c.size,
    encode: c.encode,
    decode: c.decode,
    finish: (res: R): ResOk<R> => {
      if (res.status !== 0) throw new NfsError(name, res.status, res);
      return (res as unknown as { resok: ResOk<R> }).resok;
    },
  };
}

const OK = {
  GETATTR: okCodec('GETATTR', xdr_GETATTR3res), SETATTR: okCodec('SETATTR', xdr_SETATTR3res), LOOKUP: okCodec('LOOKUP', xdr_LOOKUP3res),
  ACCESS: okCodec('ACCESS', xdr_ACCESS3res), READLINK: okCodec('READLINK', xdr_READLINK3res), READ: okCodec('READ', xdr_READ3res),
  WRITE: okCodec('WRITE', xdr_WRITE3res), CREATE: okCodec('CREATE', xdr_CREATE3res), MKDIR: okCodec('MKDIR', xdr_MKDIR3res),
  SYMLINK: okCodec('SYMLINK', xdr_SYMLINK3res), MKNOD: okCodec('MKNOD', xdr_MKNOD3res), REMOVE: okCodec('REMOVE', xdr_REMOVE3res),
  RMDIR: okCodec('RMDIR', xdr_RMDIR3res), RENAME: okCodec('RENAME', xdr_RENAME3res), LINK: okCodec('LINK', xdr_LINK3res),
  READDIR: okCodec('READDIR', xdr_READDIR3res), READDIRPLUS: okCodec('READDIRPLUS', xdr_READDIRPLUS3res), FSSTAT: okCodec('FSSTAT', xdr_FSSTAT3res),
  FSINFO: okCodec('FSINFO', xdr_FSINFO3res), PATHCONF: okCodec('PATHCONF', xdr_PATHCONF3res), COMMIT: okCodec('COMMIT', xdr_COMMIT3res),
} as const;

/**
 * Every NFSv3 procedure (RFC 1813 §3) as a typed method: arguments and results are the
 * generated codec types; a non-OK status rejects with `NfsError` (`.status`, `.code`,
 * `.res` with the resfail body). Opaque data in results (READ data, handles) are views of
 * the reply record.
 */
export class Nfs3Raw {
  constructor(private readonly rpc: RpcCaller) {}

  private call<A, R extends { status: number }>(proc: number, ac: Codec<A>, a: A, rc: FinishingCodec<R, ResOk<R>>, o?: CallOptions): Promise<ResOk<R>> {
    // the RPC client resolves with rc.finish(result): resok, or rejects with its NfsError
    return this.rpc.call(NFS_PROGRAM, NFS_V3, proc, ac, a, rc, o) as unknown as Promise<ResOk<R>>;
  }

  null(o?: CallOptions): Promise<void> {
    return this.rpc.call(NFS_PROGRAM, NFS_V3, NFSPROC3_NULL, xdr_void, undefined, xdr_void, o);
  }
  getattr(a: GETATTR3args, o?: CallOptions): Promise<ResOk<GETATTR3res>> { return this.call(NFSPROC3_GETATTR, xdr_GETATTR3args, a, OK.GETATTR, o); }
  setattr(a: SETATTR3args, o?: CallOptions): Promise<ResOk<SETATTR3res>> { return this.call(NFSPROC3_SETATTR, xdr_SETATTR3args, a, OK.SETATTR, o); }
  lookup(a: LOOKUP3args, o?: CallOptions): Promise<ResOk<LOOKUP3res>> { return this.call(NFSPROC3_LOOKUP, xdr_LOOKUP3args, a, OK.LOOKUP, o); }
  access(a: ACCESS3args, o?: CallOptions): Promise<ResOk<ACCESS3res>> { return this.call(NFSPROC3_ACCESS, xdr_ACCESS3args, a, OK.ACCESS, o); }
  readlink(a: READLINK3args, o?: CallOptions): Promise<ResOk<READLINK3res>> { return this.call(NFSPROC3_READLINK, xdr_READLINK3args, a, OK.READLINK, o); }
  read(a: READ3args, o?: CallOptions): Promise<ResOk<READ3res>> { return this.call(NFSPROC3_READ, xdr_READ3args, a, OK.READ, o); }
  write(a: WRITE3args, o?: CallOptions): Promise<ResOk<WRITE3res>> { return this.call(NFSPROC3_WRITE, xdr_WRITE3args, a, OK.WRITE, o); }
  create(a: CREATE3args, o?: CallOptions): Promise<ResOk<CREATE3res>> { return this.call(NFSPROC3_CREATE, xdr_CREATE3args, a, OK.CREATE, o); }
  mkdir(a: MKDIR3args, o?: CallOptions): Promise<ResOk<MKDIR3res>> { return this.call(NFSPROC3_MKDIR, xdr_MKDIR3args, a, OK.MKDIR, o); }
  symlink(a: SYMLINK3args, o?: CallOptions): Promise<ResOk<SYMLINK3res>> { return this.call(NFSPROC3_SYMLINK, xdr_SYMLINK3args, a, OK.SYMLINK, o); }
  mknod(a: MKNOD3args, o?: CallOptions): Promise<ResOk<MKNOD3res>> { return this.call(NFSPROC3_MKNOD, xdr_MKNOD3args, a, OK.MKNOD, o); }
  remove(a: REMOVE3args, o?: CallOptions): Promise<ResOk<REMOVE3res>> { return this.call(NFSPROC3_REMOVE, xdr_REMOVE3args, a, OK.REMOVE, o); }
  rmdir(a: RMDIR3args, o?: CallOptions): Promise<ResOk<RMDIR3res>> { return this.call(NFSPROC3_RMDIR, xdr_RMDIR3args, a, OK.RMDIR, o); }
  rename(a: RENAME3args, o?: CallOptions): Promise<ResOk<RENAME3res>> { return this.call(NFSPROC3_RENAME, xdr_RENAME3args, a, OK.RENAME, o); }
  link(a: LINK3args, o?: CallOptions): Promise<ResOk<LINK3res>> { return this.call(NFSPROC3_LINK, xdr_LINK3args, a, OK.LINK, o); }
  readdir(a: READDIR3args, o?: CallOptions): Promise<ResOk<READDIR3res>> { return this.call(NFSPROC3_READDIR, xdr_READDIR3args, a, OK.READDIR, o); }
  readdirplus(a: READDIRPLUS3args, o?: CallOptions): Promise<ResOk<READDIRPLUS3res>> { return this.call(NFSPROC3_READDIRPLUS, xdr_READDIRPLUS3args, a, OK.READDIRPLUS, o); }
  fsstat(a: FSSTAT3args, o?: CallOptions): Promise<ResOk<FSSTAT3res>> { return this.call(NFSPROC3_FSSTAT, xdr_FSSTAT3args, a, OK.FSSTAT, o); }
  fsinfo(a: FSINFO3args, o?: CallOptions): Promise<ResOk<FSINFO3res>> { return this.call(NFSPROC3_FSINFO, xdr_FSINFO3args, a, OK.FSINFO, o); }
  pathconf(a: PATHCONF3args, o?: CallOptions): Promise<ResOk<PATHCONF3res>> { return this.call(NFSPROC3_PATHCONF, xdr_PATHCONF3args, a, OK.PATHCONF, o); }
  commit(a: COMMIT3args, o?: CallOptions): Promise<ResOk<COMMIT3res>> { return this.call(NFSPROC3_COMMIT, xdr_COMMIT3args, a, OK.COMMIT, o); }
}

/** The MOUNT v3 procedures (RFC 1813 §5). MNT's failure statuses reject with `NfsError` (`'MNT3ERR_ACCES'`…). */
export class Mount3Raw {
  constructor(private readonly rpc: () => Promise<RpcCaller>) {}

  private async call<A, R>(proc: number, ac: Codec<A>, a: A, rc: Codec<R>, o?: CallOptions): Promise<R> {
    return (await this.rpc()).call(MOUNT_PROGRAM, MOUNT_V3, proc, ac, a, rc, o);
  }

  null(o?: CallOptions): Promise<void> { return this.call(MOUNTPROC3_NULL, xdr_void, undefined, xdr_void, o); }
  async mnt(dirpath: string, o?: CallOptions): Promise<MountOk> {
    const res = await this.call(MOUNTPROC3_MNT, xdr_dirpath, dirpath, xdr_mountres3, o);
    if (res.fhs_status !== 0) throw new NfsError('MNT', res.fhs_status, res, true);
    return (res as Extract<mountres3, { mountinfo: unknown }>).mountinfo;
  }
  dump(o?: CallOptions): Promise<mountlist> { return this.call(MOUNTPROC3_DUMP, xdr_void, undefined, xdr_mountlist, o); }
  umnt(dirpath: string, o?: CallOptions): Promise<void> { return this.call(MOUNTPROC3_UMNT, xdr_dirpath, dirpath, xdr_void, o); }
  umntall(o?: CallOptions): Promise<void> { return this.call(MOUNTPROC3_UMNTALL, xdr_void, undefined, xdr_void, o); }
  export(o?: CallOptions): Promise<exports> { return this.call(MOUNTPROC3_EXPORT, xdr_void, undefined, xdr_exports, o); }
}
