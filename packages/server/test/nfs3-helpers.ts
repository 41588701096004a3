/**
 * Test helpers for the NFSv3 procedures: a real ServerCore over a temp dir, the program from
 * createNfs3Program(), and typed calls straight into its handlers (or through a real
 * RpcServer + RpcClient with `viaRpc`).
 *
 * The caller is a non-root user U: the process's own uid, or 4242 when the tests run as root
 * (then the export root is chowned to U so U owns what it creates, as on a real server).
 */
import { chownSync, lchownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Stats as BigIntStats } from '../src/core/index.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { authSys, RpcClient, RpcServer, type CallContext, type Credential } from '@nfsts/rpc';
import {
  nfsstat3, time_how, NFS_PROGRAM, NFS_V3_PROCEDURES,
  type ACCESS3args, type ACCESS3res, type COMMIT3args, type COMMIT3res, type CREATE3args, type CREATE3res,
  type FSINFO3args, type FSINFO3res, type FSSTAT3args, type FSSTAT3res, type GETATTR3args, type GETATTR3res,
  type LINK3args, type LINK3res, type LOOKUP3args, type LOOKUP3res, type MKDIR3args, type MKDIR3res,
  type MKNOD3args, type MKNOD3res, type PATHCONF3args, type PATHCONF3res, type READ3args, type READ3res,
  type READDIR3args, type READDIR3res, type READDIRPLUS3args, type READDIRPLUS3res, type READLINK3args,
  type READLINK3res, type REMOVE3args, type REMOVE3res, type RENAME3args, type RENAME3res, type RMDIR3args,
  type RMDIR3res, type SETATTR3args, type SETATTR3res, type SYMLINK3args, type SYMLINK3res, type WRITE3args,
  type WRITE3res, type nfs_fh3, type sattr3, type Codec,
} from '@nfsts/xdr';
import { MemoryBackend, ServerCore, type Backend, type ExportOptions, type MemoryBackendOptions, type SyncReadOptions } from '../src/core/index.js';
import { createNfs3Program, type Nfs3Program } from '../src/nfs3/index.js';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** The test user: owns the export root. */
export const U = isRoot ? 4242 : (process.getuid?.() ?? 1000);
export const G = isRoot ? 4242 : (process.getgid?.() ?? 1000);
export const me: Credential = authSys({ uid: U, gid: G, gids: [G] });
/** Another user in U's group. */
export const groupMate: Credential = authSys({ uid: 5555, gid: 7777, gids: [G] });
/** Someone else entirely. */
export const stranger: Credential = authSys({ uid: 6666, gid: 6666, gids: [] });

export function ctxFor(cred: Credential, proc = 0): CallContext {
  return {
    xid: 1, prog: NFS_PROGRAM, vers: 3, proc, cred,
    remoteAddress: '127.0.0.1', remotePort: 40000, localPort: 2049, connectionId: 1,
    logger: pino({ level: 'silent' }),
  };
}

export const NO_SATTR: sattr3 = {
  mode: { set_it: false }, uid: { set_it: false }, gid: { set_it: false }, size: { set_it: false },
  atime: { set_it: time_how.DONT_CHANGE }, mtime: { set_it: time_how.DONT_CHANGE },
};

type TimeArg = 'server' | [number, number] | undefined;

export function sattr(p: { mode?: number; uid?: number; gid?: number; size?: bigint; atime?: TimeArg; mtime?: TimeArg }): sattr3 {
  const a: sattr3['atime'] = p.atime === undefined ? { set_it: time_how.DONT_CHANGE }
    : p.atime === 'server' ? { set_it: time_how.SET_TO_SERVER_TIME }
      : { set_it: time_how.SET_TO_CLIENT_TIME, atime: { seconds: p.atime[0], nseconds: p.atime[1] } };
  const m: sattr3['mtime'] = p.mtime === undefined ? { set_it: time_how.DONT_CHANGE }
    : p.mtime === 'server' ? { set_it: time_how.SET_TO_SERVER_TIME }
      : { set_it: time_how.SET_TO_CLIENT_TIME, mtime: { seconds: p.mtime[0], nseconds: p.mtime[1] } };
  return {
    mode: p.mode === undefined ? { set_it: false } : { set_it: true, mode: p.mode },
    uid: p.uid === undefined ? { set_it: false } : { set_it: true, uid: p.uid },
    gid: p.gid === undefined ? { set_it: false } : { set_it: true, gid: p.gid },
    size: p.size === undefined ? { set_it: false } : { set_it: true, size: p.size },
    atime: a,
    mtime: m,
  };
}

type Call<A, R> = (args: A, cred?: Credential) => Promise<R>;

export interface Nfs {
  null: Call<void, void>;
  getattr: Call<GETATTR3args, GETATTR3res>;
  setattr: Call<SETATTR3args, SETATTR3res>;
  lookup: Call<LOOKUP3args, LOOKUP3res>;
  access: Call<ACCESS3args, ACCESS3res>;
  readlink: Call<READLINK3args, READLINK3res>;
  read: Call<READ3args, READ3res>;
  write: Call<WRITE3args, WRITE3res>;
  create: Call<CREATE3args, CREATE3res>;
  mkdir: Call<MKDIR3args, MKDIR3res>;
  symlink: Call<SYMLINK3args, SYMLINK3res>;
  mknod: Call<MKNOD3args, MKNOD3res>;
  remove: Call<REMOVE3args, REMOVE3res>;
  rmdir: Call<RMDIR3args, RMDIR3res>;
  rename: Call<RENAME3args, RENAME3res>;
  link: Call<LINK3args, LINK3res>;
  readdir: Call<READDIR3args, READDIR3res>;
  readdirplus: Call<READDIRPLUS3args, READDIRPLUS3res>;
  fsstat: Call<FSSTAT3args, FSSTAT3res>;
  fsinfo: Call<FSINFO3args, FSINFO3res>;
  pathconf: Call<PATHCONF3args, PATHCONF3res>;
  commit: Call<COMMIT3args, COMMIT3res>;
}

const NAMES: Array<[keyof Nfs, number]> = [
  ['null', 0], ['getattr', 1], ['setattr', 2], ['lookup', 3], ['access', 4], ['readlink', 5], ['read', 6], ['write', 7],
  ['create', 8], ['mkdir', 9], ['symlink', 10], ['mknod', 11], ['remove', 12], ['rmdir', 13], ['rename', 14], ['link', 15],
  ['readdir', 16], ['readdirplus', 17], ['fsstat', 18], ['fsinfo', 19], ['pathconf', 20], ['commit', 21],
];

/** Typed calls straight into the handlers (every result is also checked to encode). */
export function direct(prog: Nfs3Program): Nfs {
  const procs = prog.versions[3]!.procedures;
  const out: Record<string, unknown> = {};
  for (const [name, n] of NAMES) {
    out[name] = async (args: unknown, cred: Credential = me) => {
      const p = procs[n]!;
      const r = await p.handler(args, ctxFor(cred, n));
      p.res.size(r); // a result the codec cannot size is a bug
      return r;
    };
  }
  return out as unknown as Nfs;
}

/** Typed calls through an RpcClient (the server's real wire path). */
export function viaRpc(client: RpcClient): Nfs {
  const out: Record<string, unknown> = {};
  for (const [name, n] of NAMES) {
    const info = (NFS_V3_PROCEDURES as unknown as Record<number, { args: Codec<unknown>; res: Codec<unknown> }>)[n]!;
    out[name] = (args: unknown, cred: Credential = me) => client.call(NFS_PROGRAM, 3, n, info.args, args, info.res, { cred });
  }
  return out as unknown as Nfs;
}

export interface Setup {
  dir: string;
  root: string;
  roRoot: string;
  core: ServerCore;
  prog: Nfs3Program;
  nfs: Nfs;
  rootFh: nfs_fh3;
  roFh: nfs_fh3;
  /** a handle for a path inside the export (lstat'ed now) */
  fh(rel: string): Promise<nfs_fh3>;
  stat(rel: string): Promise<BigIntStats>;
  /** makes U the owner of a path created by the test (when running as root) */
  own(path: string): void;
}

export interface SetupOptions {
  options?: Partial<ExportOptions>;
  /** the core's backend (default: NodeFsBackend); tests wrap the real one to watch its calls */
  backend?: Backend;
  /** the core's SyncReadGate options (tests of the synchronous paths open it wide) */
  syncReads?: SyncReadOptions;
  /**
   * serve the exports from a MemoryBackend (roots owned by U, mode 0755, as the disk ones)
   * instead of the disk; `root` and `roRoot` are then the names of its trees
   */
  memory?: MemoryBackendOptions;
}

/** A SyncReadGate that a loaded machine never closes: tests see which path the code takes, not the scheduler. */
export const GATE_WIDE_OPEN: SyncReadOptions = { perTurn: 1_000_000, budgetUs: 1_000_000_000, slowUs: 1_000_000_000 };

export async function setup(t: { teardown(fn: () => unknown): void }, o: SetupOptions = {}): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-nfs3-'));
  const root = join(dir, 'root');
  const roRoot = join(dir, 'ro');
  mkdirSync(root, { mode: 0o755 });
  mkdirSync(roRoot, { mode: 0o755 });
  const own = (p: string) => {
    if (isRoot) lchownSync(p, U, G);
  };
  if (isRoot) {
    chownSync(root, U, G);
    chownSync(roRoot, U, G);
  }
  const memory = o.memory === undefined ? undefined : new MemoryBackend({ uid: U, gid: G, rootMode: 0o755, ...o.memory });
  const backend = memory ?? o.backend;
  const core = await ServerCore.open({
    ...(backend !== undefined ? { backend } : {}),
    ...(o.syncReads !== undefined ? { syncReads: o.syncReads } : {}),
    stateDir: join(dir, 'state'),
    exports: [
      { path: '/export', root: memory ? '/export' : root, options: { squash: 'none', ...o.options } },
      { path: '/ro', root: memory ? '/ro' : roRoot, options: { squash: 'none', ro: true } },
    ],
  });
  const prog = createNfs3Program(core);
  t.teardown(async () => {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const exp = core.table.findExport('/export')!;
  const ro = core.table.findExport('/ro')!;
  return {
    dir, root, roRoot, core, prog, nfs: direct(prog),
    rootFh: { data: exp.rootHandle },
    roFh: { data: ro.rootHandle },
    async fh(rel: string) {
      const st = await core.backend.lstat(core.table.loc(exp, rel));
      return { data: core.handles.handleFor(exp, { rel }, st) };
    },
    stat: (rel: string) => core.backend.lstat(core.table.loc(exp, rel)),
    own,
  };
}

/** Starts an RpcServer with the program and an RpcClient to it; closed at teardown. */
export async function rpcPair(t: { teardown(fn: () => unknown): void }, prog: Nfs3Program): Promise<{ client: RpcClient; nfs: Nfs }> {
  const server = new RpcServer();
  server.register(prog);
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new RpcClient({ host: '127.0.0.1', port, timeoutMs: 10_000 });
  await client.connect();
  t.teardown(async () => {
    await client.close();
    await server.close();
  });
  return { client, nfs: viaRpc(client) };
}

/** Narrows a result to its resok, throwing with the status name otherwise. */
export function ok<R extends { status: nfsstat3 }>(r: R): R extends { status: nfsstat3.NFS3_OK; resok: infer X } ? X : never {
  if (r.status !== nfsstat3.NFS3_OK) throw new Error(`expected NFS3_OK, got ${nfsstat3[r.status]} (${r.status})`);
  return (r as unknown as { resok: never }).resok;
}

/** The name of a status, for readable assertions. */
export function st(r: { status: nfsstat3 }): string {
  return nfsstat3[r.status] ?? String(r.status);
}

export { nfsstat3 };
