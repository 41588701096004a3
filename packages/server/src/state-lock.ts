/**
 * One server per state directory: an advisory lock (flock) on `<stateDir>/lock`, which also
 * holds the owner's pid so a second server can say who is in the way. The kernel drops the
 * lock when its holder exits or is killed, so a stale lock file never blocks a restart.
 */
import fs from 'node:fs';
import { join } from 'node:path';

export const STATE_LOCK_FILE = 'lock';

export interface StateLock {
  readonly path: string;
  release(): void;
}

/** Why the state directory cannot be used, as one sentence. */
export class StateDirError extends Error {
  readonly code: 'ERR_NFS_STATE' | 'ERR_NFS_STATE_LOCKED';
  /** the pid holding the lock (ERR_NFS_STATE_LOCKED), when known */
  readonly pid: number | undefined;

  constructor(code: 'ERR_NFS_STATE' | 'ERR_NFS_STATE_LOCKED', message: string, pid?: number) {
    super(message);
    this.name = 'StateDirError';
    this.code = code;
    this.pid = pid;
  }
}

/** Creates the state directory if needed; failures are said in words, naming the directory. */
export function ensureStateDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new StateDirError('ERR_NFS_STATE', `state directory ${dir}: ${pathBlocker(dir)} is a file, not a directory`);
    }
    if (code === 'EACCES' || code === 'EPERM') throw new StateDirError('ERR_NFS_STATE', `state directory ${dir}: no permission to create it`);
    if (code === 'EROFS') throw new StateDirError('ERR_NFS_STATE', `state directory ${dir}: on a read-only file system`);
    throw new StateDirError('ERR_NFS_STATE', `state directory ${dir}: cannot create it (${code ?? (err as Error).message})`);
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new StateDirError('ERR_NFS_STATE', `state directory ${dir}: not writable by this process`);
  }
}

/** The first component of `dir` that exists and is not a directory. */
function pathBlocker(dir: string): string {
  const parts = dir.split('/');
  for (let i = 2; i <= parts.length; i++) {
    const p = parts.slice(0, i).join('/');
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (st === undefined) break;
    if (!st.isDirectory()) return p === dir ? 'it' : p;
  }
  return 'a component of it';
}

function readPid(fd: number): number | undefined {
  const buf = Buffer.alloc(32);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  const pid = Number.parseInt(buf.subarray(0, n).toString('utf8'), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function lockedError(dir: string, pid: number | undefined): StateDirError {
  const who = pid === undefined ? 'another nfsts server' : `another nfsts server (pid ${pid}${pid === process.pid ? ', this process' : ''})`;
  return new StateDirError('ERR_NFS_STATE_LOCKED', `state directory ${dir} is in use by ${who}; give each server its own --state-dir`, pid);
}

/**
 * Takes the state directory's lock or throws ERR_NFS_STATE_LOCKED naming the holder's pid.
 * @nfsts/sys (koffi, libc) is loaded here, at start, not when the package is imported.
 */
export async function lockStateDir(dir: string): Promise<StateLock> {
  const { FLOCK_AVAILABLE, tryLockExclusive } = await import('@nfsts/sys');
  const path = join(dir, STATE_LOCK_FILE);
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    if (FLOCK_AVAILABLE) {
      if (!tryLockExclusive(fd, path)) throw lockedError(dir, readPid(fd));
    } else {
      // portable path (no flock here): trust a recorded pid that is still alive
      const pid = readPid(fd);
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) throw lockedError(dir, pid);
    }
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, `${process.pid}\n`, 0);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  let held = true;
  return {
    path,
    release(): void {
      if (!held) return;
      held = false;
      try {
        fs.ftruncateSync(fd, 0);
      } finally {
        fs.closeSync(fd); // drops the flock
      }
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
