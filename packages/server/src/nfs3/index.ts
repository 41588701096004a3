/**
 * The NFSv3 program (100003 v3, RFC 1813): a per-instance procedure table over a ServerCore,
 * one file per procedure. Register the result on an RpcServer:
 *
 *   rpc.register(createNfs3Program(core, { logger }));
 *
 * Every handler answers NFS errors as data (status + resfail); backend errors map through the
 * core's errnoToNfsStat only. A throw would be a bug (the RPC layer answers SYSTEM_ERR).
 */
import type { Procedure, Program } from '@nfsts/rpc';
import {
  NFS_PROGRAM, NFS_V3, NFSPROC3_NULL, NFSPROC3_GETATTR, NFSPROC3_SETATTR, NFSPROC3_LOOKUP, NFSPROC3_ACCESS,
  NFSPROC3_READLINK, NFSPROC3_READ, NFSPROC3_WRITE, NFSPROC3_CREATE, NFSPROC3_MKDIR, NFSPROC3_SYMLINK, NFSPROC3_MKNOD,
  NFSPROC3_REMOVE, NFSPROC3_RMDIR, NFSPROC3_RENAME, NFSPROC3_LINK, NFSPROC3_READDIR, NFSPROC3_READDIRPLUS,
  NFSPROC3_FSSTAT, NFSPROC3_FSINFO, NFSPROC3_PATHCONF, NFSPROC3_COMMIT,
} from '@nfsts/xdr';
import type { Logger } from 'pino';
import { silentLogger } from '@nfsts/rpc';
import { StaleWatch } from './stale-watch.js';
import type { ServerCore } from '../core/index.js';
import type { Nfs3Env } from './common.js';
import { DirListings, DEFAULT_MAX_LISTINGS, DEFAULT_MAX_LISTED_ENTRIES } from './dircache.js';
import { BufferPool } from './buffer-pool.js';
import { RTMAX } from './fsinfo.js';
import { nfsNull } from './null.js';
import { getattr } from './getattr.js';
import { setattr } from './setattr.js';
import { lookup } from './lookup.js';
import { access } from './access.js';
import { readlink } from './readlink.js';
import { read } from './read.js';
import { write } from './write.js';
import { create } from './create.js';
import { mkdir } from './mkdir.js';
import { symlink } from './symlink.js';
import { mknod } from './mknod.js';
import { remove } from './remove.js';
import { rmdir } from './rmdir.js';
import { rename } from './rename.js';
import { link } from './link.js';
import { readdir } from './readdir.js';
import { readdirplus } from './readdirplus.js';
import { fsstat } from './fsstat.js';
import { fsinfo } from './fsinfo.js';
import { pathconf } from './pathconf.js';
import { commit } from './commit.js';

export { RTMAX, WTMAX, DTPREF, MAX_FILE_SIZE, FSINFO_PROPERTIES } from './fsinfo.js';
export { LINK_MAX, NAME_MAX } from './pathconf.js';
export { DirListings, DEFAULT_MAX_LISTINGS, DEFAULT_MAX_LISTED_ENTRIES, COOKIE_DOT, COOKIE_DOTDOT } from './dircache.js';
export type { Nfs3Env } from './common.js';
export { BufferPool } from './buffer-pool.js';

export interface Nfs3ProgramOptions {
  logger?: Logger;
  /** READDIR listings kept under cookie verifiers (default DEFAULT_MAX_LISTINGS) */
  maxListings?: number;
  /** names those listings hold at most in total (default DEFAULT_MAX_LISTED_ENTRIES) */
  maxListedEntries?: number;
}

/** The NFSv3 program over `core`, plus its shared state (for tests and stats). */
export interface Nfs3Program extends Program {
  env: Nfs3Env;
}

function positiveInt(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new TypeError(`NFSv3 option "${name}": expected an integer >= 1, got ${String(v)}`);
  return v;
}

/** Idle 1 MiB READ buffers kept per program (16 MiB at most). */
export const READ_BUFFERS_KEPT = 16;
/**
 * 1 MiB READ buffers lent at once (160 MiB): a READ that needs one while all are lent waits
 * undispatched in the RPC server until one comes back (the procedure's bufferPool hook). As
 * many as the RPC server's default reply budgets let be charged (128 MiB plus the quarter
 * reserved for light connections), so those budgets, which still serve light clients, act
 * before the pool does.
 */
export const READ_BUFFERS_MAX = 160;
/**
 * READs of up to 16 KiB (the synchronous-read limit) fill a pooled buffer of this size instead
 * of a fresh allocation per call (a 4 KiB Buffer is too large for Node's shared slab and costs an
 * ArrayBuffer, external-memory accounting and GC work each time). Not bounded: the RPC server's
 * reply budgets bound the READs in flight; at most SMALL_READ_BUFFERS_KEPT idle ones are kept.
 */
export const SMALL_READ_BUFFER_BYTES = 16 * 1024;
export const SMALL_READ_BUFFERS_KEPT = 256;

export function createNfs3Program(core: ServerCore, opts: Nfs3ProgramOptions = {}): Nfs3Program {
  const env: Nfs3Env = {
    core,
    logger: opts.logger ?? silentLogger(),
    dirs: new DirListings(
      positiveInt('maxListings', opts.maxListings, DEFAULT_MAX_LISTINGS),
      positiveInt('maxListedEntries', opts.maxListedEntries, DEFAULT_MAX_LISTED_ENTRIES),
    ),
    verdicts: new Map(),
    readBuffers: new BufferPool(RTMAX, READ_BUFFERS_KEPT, READ_BUFFERS_MAX),
    smallReadBuffers: new BufferPool(SMALL_READ_BUFFER_BYTES, SMALL_READ_BUFFERS_KEPT),
    staleWatch: new StaleWatch(),
  };
  const procedures: Record<number, Procedure> = {
    [NFSPROC3_NULL]: nfsNull(),
    [NFSPROC3_GETATTR]: getattr(env),
    [NFSPROC3_SETATTR]: setattr(env),
    [NFSPROC3_LOOKUP]: lookup(env),
    [NFSPROC3_ACCESS]: access(env),
    [NFSPROC3_READLINK]: readlink(env),
    [NFSPROC3_READ]: read(env),
    [NFSPROC3_WRITE]: write(env),
    [NFSPROC3_CREATE]: create(env),
    [NFSPROC3_MKDIR]: mkdir(env),
    [NFSPROC3_SYMLINK]: symlink(env),
    [NFSPROC3_MKNOD]: mknod(env),
    [NFSPROC3_REMOVE]: remove(env),
    [NFSPROC3_RMDIR]: rmdir(env),
    [NFSPROC3_RENAME]: rename(env),
    [NFSPROC3_LINK]: link(env),
    [NFSPROC3_READDIR]: readdir(env),
    [NFSPROC3_READDIRPLUS]: readdirplus(env),
    [NFSPROC3_FSSTAT]: fsstat(env),
    [NFSPROC3_FSINFO]: fsinfo(env),
    [NFSPROC3_PATHCONF]: pathconf(env),
    [NFSPROC3_COMMIT]: commit(env),
  };
  return { prog: NFS_PROGRAM, name: 'NFS', versions: { [NFS_V3]: { procedures } }, env };
}
