/**
 * The server's LOCALIO ops table (Linux's `nfsd_localio_operations`): how a client bound by
 * UUID_IS_LOCAL opens a file of this server by handle, with exactly the checks an RPC READ
 * ('r') or WRITE/COMMIT ('rw') makes on the same handle and credential:
 *
 *  1. the server's own handle resolution (BADHANDLE for a forged/malformed handle, STALE for
 *     a removed object or an export no longer served);
 *  2. the export's host rules (allow-list, `secure`) for the connection that probed;
 *  3. squashing of the client's AUTH_SYS credential (`root_squash`, `all_squash`, anon ids);
 *  4. ISDIR/INVAL for anything but a regular file;
 *  5. `ro` → ROFS for 'rw';
 *  6. nfsd's permission rules (`mayReadFile` / `mayWriteFile`: the owner always, else the mode bits);
 *  7. for 'rw', no set-id bits that this caller's write must clear (NOTSUPP: such writes go by RPC);
 *
 * and then `core.fileCache.get()`: the client shares the very `OpenFile` the RPC path uses,
 * holding one reference on it, through a `LocalGrant` that re-checks 6 and 7 whenever the
 * file's ctime, mode or owner changed: LOCALIO never keeps a right RPC would now refuse.
 */
import { nfsstat3 } from '@nfsts/xdr';
import { AUTH_NONE_CRED, type CallContext, type Credential, type Program } from '@nfsts/rpc';
import { pino } from 'pino';
import type { ClientEntry, LocalFile, LocalFileMode } from '@nfsts/common';
import type { LocalClient, LocalioOps } from '@nfsts/localio';
import { squash, type ServerCore } from './core/index.js';
import { mayReadFile, mayWriteFile, modeAfterWrite, notRegular } from './nfs3/common.js';
import { LocalGrant } from './localio-grant.js';

/** What the server's LOCALIO opens did (for `server.localio.stats()`). */
export interface LocalioOpsStats {
  /** local opens granted (a LocalFile handed out) */
  opens: number;
  /** local opens refused with an nfsstat3 (the client sent that I/O by RPC) */
  refused: number;
  /** refusals by status: e.g. `{ 13: 2, 30: 1 }` (ACCES, ROFS) */
  refusedByStatus: Record<number, number>;
}

export interface ServerLocalioOps extends LocalioOps {
  readonly stats: LocalioOpsStats;
  /** Serves a program's procedures to bound clients in-process (NLM: local and remote clients share one lock table). */
  serveLocally(program: Program): void;
  /** the connection a bound client probed on, once it has opened a file */
  peerOf(entry: ClientEntry): LocalClient | undefined;
}

/** The LOCALIO ops of one `ServerCore`. */
export function localioOps(core: ServerCore): ServerLocalioOps {
  const stats: LocalioOpsStats = { opens: 0, refused: 0, refusedByStatus: {} };
  const refuse = (st: number): number => {
    stats.refused++;
    stats.refusedByStatus[st] = (stats.refusedByStatus[st] ?? 0) + 1;
    return st;
  };
  const peers = new WeakMap<ClientEntry, LocalClient>();
  const programs = new Map<number, Program>();
  const silent = pino({ level: 'silent' });
  return {
    verifier: core.writeVerifier,
    stats,
    peerOf: (entry) => peers.get(entry),
    serveLocally(program: Program): void {
      programs.set(program.prog, program);
    },
    callLocal(client: LocalClient, prog: number, vers: number, proc: number, args: unknown): Promise<unknown> | undefined {
      const p = programs.get(prog)?.versions[vers]?.procedures[proc];
      if (p === undefined) return undefined;
      // the connection that probed stands in for the caller, as an RPC on it would
      const ctx: CallContext = {
        xid: 0, prog, vers, proc, cred: AUTH_NONE_CRED,
        remoteAddress: client.remoteAddress, remotePort: client.remotePort, localPort: client.localPort, connectionId: client.connectionId, logger: silent,
      };
      return Promise.resolve().then(() => p.handler(args, ctx));
    },
    async openLocalFh(client: LocalClient, cred: Credential, fh: Buffer, mode: LocalFileMode): Promise<LocalFile | number> {
      peers.set(client.entry, client);
      // descriptors that are not the process's cannot be shared (startServer does not offer
      // LOCALIO then; this covers an ops table built by hand)
      if (core.backend.osDescriptors !== true) return refuse(nfsstat3.NFS3ERR_NOTSUPP);
      const r = await core.handles.resolve(fh);
      if (typeof r === 'number') return refuse(r);
      if (!(await core.table.clientAllowedResolve(r.exp, client.remoteAddress, client.remotePort))) return refuse(nfsstat3.NFS3ERR_ACCES);
      const c = squash(cred, r.exp.options);
      const bad = notRegular(r.stats);
      if (bad !== 0) return refuse(bad);
      if (mode === 'rw') {
        if (r.exp.options.ro) return refuse(nfsstat3.NFS3ERR_ROFS);
        if (!mayWriteFile(r.stats, c)) return refuse(nfsstat3.NFS3ERR_ACCES);
        // a write by this caller must clear set-id bits, which a local pwrite (by root) would
        // not: such writes go by RPC, which clears them (the client falls back on any status)
        if (modeAfterWrite(r.stats, c) >= 0) return refuse(nfsstat3.NFS3ERR_NOTSUPP);
      } else if (!mayReadFile(r.stats, c)) {
        return refuse(nfsstat3.NFS3ERR_ACCES);
      }
      const f = await core.fileCache.get(r.exp.id, r, r.stats, mode);
      stats.opens++;
      // root (after squashing) passes mayReadFile/mayWriteFile for any mode and owner and
      // keeps set-id bits (modeAfterWrite): its grant has nothing to re-check per use
      return new LocalGrant(f, mode === 'rw' ? (st) => mayWriteFile(st, c) && modeAfterWrite(st, c) < 0 : (st) => mayReadFile(st, c), c.uid === 0);
    },
  };
}
