/**
 * Starts nfs-ganesha (FSAL_VFS, NFSv3 over TCP on 127.0.0.1) over a temporary directory, for
 * interop tests. ganesha exits at start unless a portmapper answers on 127.0.0.1:111, so the
 * harness uses one that already answers there (rpcbind, or this project's own portmapper
 * run by another test) or starts `rpcbind -w -f` itself and stops it when the last ganesha
 * it served is stopped. When anything is missing it returns `{ skip: reason }` instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcClient } from '@nfsts/rpc';
import { xdr_void } from '@nfsts/xdr';

export const GANESHA_BIN = '/usr/bin/ganesha.nfsd';
export const RPCBIND_BIN = '/usr/sbin/rpcbind';
const PLUGIN_DIRS = ['/usr/lib/x86_64-linux-gnu/ganesha', '/usr/lib/aarch64-linux-gnu/ganesha', '/usr/lib64/ganesha', '/usr/lib/ganesha'];

export interface Ganesha {
  /** the exported directory on disk (also the MNT path, as ganesha v3 mounts by Path) */
  dir: string;
  exportPath: string;
  nfsPort: number;
  mountPort: number;
  /** `nfs://127.0.0.1/<dir>?version=3&nfsport=N&mountport=M` */
  url: string;
  /**
   * stop the server process and start it again on the same ports; waits past the next
   * second in between, as ganesha's write verifier is its boot time in seconds
   */
  restart(): Promise<void>;
  /** stop the server process only (for reconnect tests); `start()` brings it back */
  stopProcess(): Promise<void>;
  start(): Promise<void>;
  /** stop everything this harness started and remove the temp dir */
  stop(): Promise<void>;
  logTail(): string;
  /** the running ganesha.nfsd's process id (undefined while stopped), e.g. to read its CPU time */
  pid(): number | undefined;
}

export type GaneshaResult = Ganesha | { skip: string };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function tcpOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ port, host });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => { s.destroy(); resolve(false); });
  });
}

/** Whether a portmapper (program 100000 v2) answers NULL on 127.0.0.1:111. */
export async function portmapperAnswers(): Promise<boolean> {
  if (!(await tcpOpen(111))) return false;
  const c = new RpcClient({ host: '127.0.0.1', port: 111, timeoutMs: 2000, reconnect: { retries: 0 } });
  try {
    await c.connect();
    await c.call(100000, 2, 0, xdr_void, undefined, xdr_void);
    return true;
  } catch {
    return false;
  } finally {
    await c.close();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function waitExit(p: ChildProcess, ms: number): Promise<boolean> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.once('exit', () => { clearTimeout(t); resolve(true); });
  });
}

async function kill(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  if (!(await waitExit(p, 10_000))) {
    p.kill('SIGKILL');
    await waitExit(p, 5_000);
  }
}

// rpcbind started by this process, shared by every ganesha this process runs
let rpcbind: ChildProcess | undefined;
let rpcbindUsers = 0;

async function acquirePortmapper(): Promise<string | undefined> {
  rpcbindUsers++;
  if (await portmapperAnswers()) return undefined;
  if (rpcbind !== undefined && rpcbind.exitCode === null) {
    for (let i = 0; i < 50; i++) { if (await portmapperAnswers()) return undefined; await sleep(100); }
  }
  if (await tcpOpen(111)) return 'port 111 is taken by something that does not answer portmap calls';
  if (!existsSync(RPCBIND_BIN)) return `no portmapper on 127.0.0.1:111 and ${RPCBIND_BIN} is not installed`;
  if (process.getuid?.() !== 0) return 'no portmapper on 127.0.0.1:111 and not root, so rpcbind cannot start';
  const p = spawn(RPCBIND_BIN, ['-w', '-f'], { stdio: 'ignore' });
  p.on('error', () => {});
  rpcbind = p;
  for (let i = 0; i < 50; i++) {
    if (p.exitCode !== null) break;
    if (await portmapperAnswers()) return undefined;
    await sleep(100);
  }
  await kill(p);
  rpcbind = undefined;
  // another process may have won the race for port 111 with its own portmapper: use that
  if (await portmapperAnswers()) return undefined;
  return 'rpcbind did not start answering on 127.0.0.1:111';
}

async function releasePortmapper(): Promise<void> {
  rpcbindUsers--;
  if (rpcbindUsers <= 0 && rpcbind !== undefined) {
    const p = rpcbind;
    rpcbind = undefined;
    rpcbindUsers = 0;
    await kill(p);
  }
}

function config(dir: string, nfsPort: number, mountPort: number, pluginDir: string, nlm = false): string {
  return `NFS_CORE_PARAM {
  Protocols = 3;
  Enable_UDP = false;
  Enable_NLM = ${nlm};
  Enable_RQUOTA = false;
  Bind_addr = 127.0.0.1;
  NFS_Port = ${nfsPort};
  MNT_Port = ${mountPort};
  Plugins_Dir = "${pluginDir}";
}
NFSV4 { Graceless = true; }
NFS_KRB5 { Active_krb5 = false; }
MDCACHE { Dir_Chunk = 0; }
EXPORT {
  Export_Id = 1;
  Path = ${dir};
  Pseudo = /export;
  Protocols = 3;
  Transports = TCP;
  Access_Type = RW;
  Squash = No_Root_Squash;
  SecType = sys;
  Attr_Expiration_Time = 0;
  FSAL { Name = VFS; }
}
`;
}

/** Starts ganesha over a fresh temp dir; `{ skip }` with the reason when it cannot. */
/** `nlm`: Enable_NLM = true (ganesha then registers nlockmgr with the portmapper and needs a statd). */
export async function startGanesha(opts: { nlm?: boolean } = {}): Promise<GaneshaResult> {
  if (!existsSync(GANESHA_BIN)) return { skip: `${GANESHA_BIN} is not installed (Debian nfs-ganesha)` };
  const pluginDir = PLUGIN_DIRS.find((d) => existsSync(join(d, 'libfsalvfs.so')));
  if (pluginDir === undefined) return { skip: 'FSAL_VFS (libfsalvfs.so, Debian nfs-ganesha-vfs) is not installed' };
  if (process.getuid?.() !== 0) return { skip: 'ganesha with FSAL_VFS needs root' };
  const pmReason = await acquirePortmapper();
  if (pmReason !== undefined) {
    await releasePortmapper();
    return { skip: pmReason };
  }
  const base = mkdtempSync(join(tmpdir(), 'nfsts-ganesha-'));
  const dir = join(base, 'export');
  mkdirSync(dir);
  const nfsPort = await freePort();
  let mountPort = await freePort();
  while (mountPort === nfsPort) mountPort = await freePort();
  const conf = join(base, 'ganesha.conf');
  const log = join(base, 'ganesha.log');
  const pidFile = join(base, 'ganesha.pid');
  writeFileSync(conf, config(dir, nfsPort, mountPort, pluginDir, opts.nlm === true));
  let proc: ChildProcess | undefined;
  let stopped = false;

  const logTail = (): string => {
    try {
      return readFileSync(log, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  };

  const start = async (): Promise<void> => {
    if (!(await portmapperAnswers())) {
      const r = await acquirePortmapper();
      rpcbindUsers--; // the harness already holds one reference
      if (r !== undefined) throw new Error(`cannot restart ganesha: ${r}`);
    }
    const p = spawn(GANESHA_BIN, ['-F', '-p', pidFile, '-f', conf, '-L', log, '-N', 'NIV_EVENT'], { stdio: 'ignore' });
    p.on('error', () => {});
    proc = p;
    for (let i = 0; i < 200; i++) {
      if (p.exitCode !== null || p.signalCode !== null) throw new Error(`ganesha exited at start (code ${p.exitCode}):\n${logTail()}`);
      if ((await tcpOpen(nfsPort)) && (await tcpOpen(mountPort))) return;
      await sleep(100);
    }
    await kill(p);
    throw new Error(`ganesha did not listen on ${nfsPort} within 20 s:\n${logTail()}`);
  };

  const stopProcess = async (): Promise<void> => {
    if (proc !== undefined) await kill(proc);
    proc = undefined;
  };

  try {
    try {
      await start();
    } catch {
      // a portmapper that went away under us (another test process stopping its rpcbind)
      // makes ganesha exit at start: one more try, which finds or starts a portmapper again
      await stopProcess();
      await start();
    }
  } catch (err) {
    await stopProcess();
    await releasePortmapper();
    rmSync(base, { recursive: true, force: true });
    return { skip: `ganesha cannot start here: ${(err as Error).message}` };
  }

  return {
    dir,
    exportPath: dir,
    nfsPort,
    mountPort,
    url: `nfs://127.0.0.1${dir}?version=3&nfsport=${nfsPort}&mountport=${mountPort}`,
    restart: async () => { await stopProcess(); await sleep(1100); await start(); },
    pid: () => proc?.pid,
    stopProcess,
    start,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await stopProcess();
      await releasePortmapper();
      rmSync(base, { recursive: true, force: true });
    },
    logTail,
  };
}
