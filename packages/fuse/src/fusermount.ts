/**
 * Unprivileged mounts: the setuid `fusermount3` (Debian package fuse3) opens /dev/fuse, mounts
 * it on a mount point the user owns, and sends the descriptor back over the socket named by
 * `_FUSE_COMMFD` (SCM_RIGHTS, received with @nfsts/sys's recvmsg binding).
 *
 * Children are spawned asynchronously: fusermount3 may look at the mount point, and this
 * process is the one that answers for it.
 */
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { recvFdSync, socketpairSync } from '@nfsts/sys';
import { FuseMountError } from './errors.js';

export const FUSERMOUNT = 'fusermount3';

function run(args: string[], extra: { fd?: number } = {}): Promise<{ code: number; err: string }> {
  return new Promise((resolve, reject) => {
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'ignore', 'pipe'];
    if (extra.fd !== undefined) stdio.push(extra.fd);
    const child = spawn(FUSERMOUNT, args, {
      stdio,
      env: { ...process.env, ...(extra.fd !== undefined ? { _FUSE_COMMFD: '3' } : {}) },
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(new FuseMountError('ERR_FUSE_NO_FUSERMOUNT', `no ${FUSERMOUNT}: unprivileged mounts need it (Debian: apt install fuse3), or mount as root`));
      else reject(e);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, err: err.trim().split('\n').pop() ?? '' }));
  });
}

/** Mounts through fusermount3; returns the /dev/fuse descriptor of the new mount. */
export async function fusermountMount(mountpoint: string, options: string): Promise<number> {
  const [ours, theirs] = socketpairSync();
  try {
    const r = await run(['-o', options, '--', mountpoint], { fd: theirs });
    if (r.code !== 0) throw new FuseMountError('ERR_FUSE_MOUNT', `${FUSERMOUNT}: ${r.err.replace(/^fusermount3: /, '')}`);
    return recvFdSync(ours);
  } finally {
    closeSync(theirs);
    closeSync(ours);
  }
}

/** `fusermount3 -u -z`: unmounts (lazily when busy) a mount this user made. */
export async function fusermountUnmount(mountpoint: string): Promise<void> {
  const r = await run(['-u', '-z', '--', mountpoint]);
  if (r.code !== 0) {
    if (/not found in|not mounted|entry for .* not found/i.test(r.err)) throw new FuseMountError('ERR_FUSE_NOT_MOUNTED', `${mountpoint} is not mounted`);
    throw new FuseMountError('ERR_FUSE_UNMOUNT', `${FUSERMOUNT} -u: ${r.err.replace(/^fusermount3: /, '')}`);
  }
}
