/**
 * NFSPROC3_MKNOD (11): FIFOs and sockets wherever the backend can make them; character and
 * block devices only when the server runs as root, the backend can, and the caller is root
 * after squashing (else PERM); unsupported kinds are NOTSUPP. Regular files, directories and
 * symlinks are BADTYPE (they have their own procedures).
 */
import type { Procedure } from '@nfsts/rpc';
import { ftype3, nfsstat3, xdr_MKNOD3args, xdr_MKNOD3res, type MKNOD3args, type MKNOD3res, type sattr3 } from '@nfsts/xdr';
import { createTarget, errStatus, finishCreate, modeOr, wcc, wccPath, NO_WCC, type Nfs3Env, type NfsErr } from './common.js';

export function mknod(env: Nfs3Env): Procedure<MKNOD3args, MKNOD3res> {
  const { core } = env;
  return {
    name: 'MKNOD',
    args: xdr_MKNOD3args,
    res: xdr_MKNOD3res,
    async handler(args, ctx) {
      const c = await createTarget(env, args.where, ctx);
      if ('status' in c) return { status: c.status, resfail: { dir_wcc: c.dir ? wcc(env, c.dir.stats, c.dir.stats) : NO_WCC } };
      const fail = (status: NfsErr): MKNOD3res => ({ status, resfail: { dir_wcc: wcc(env, c.dir.stats, c.dir.stats) } });
      const what = args.what;
      const sup = core.backend.mknodSupport();
      let kind: 'fifo' | 'socket' | 'chr' | 'blk';
      let attrs: sattr3;
      let major = 0;
      let minor = 0;
      switch (what.type) {
        case ftype3.NF3FIFO:
        case ftype3.NF3SOCK:
          kind = what.type === ftype3.NF3FIFO ? 'fifo' : 'socket';
          attrs = what.pipe_attributes;
          break;
        case ftype3.NF3CHR:
        case ftype3.NF3BLK:
          kind = what.type === ftype3.NF3CHR ? 'chr' : 'blk';
          attrs = what.device.dev_attributes;
          major = what.device.spec.specdata1;
          minor = what.device.spec.specdata2;
          if (!core.runningAsRoot || !sup[kind]) return fail(nfsstat3.NFS3ERR_NOTSUPP);
          if (c.dir.cred.uid !== 0) return fail(nfsstat3.NFS3ERR_PERM);
          break;
        default:
          return fail(nfsstat3.NFS3ERR_BADTYPE);
      }
      if (!sup[kind]) return fail(nfsstat3.NFS3ERR_NOTSUPP);
      try {
        await core.backend.mknod(c.dir, c.name, kind, modeOr(attrs, 0o644), major, minor);
      } catch (err) {
        return { status: errStatus(env, err, 'MKNOD'), resfail: { dir_wcc: await wccPath(env, c.dir.stats, c.dir) } };
      }
      return finishCreate(env, c, { ...attrs, size: { set_it: false } });
    },
  };
}
