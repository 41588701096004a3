/**
 * mount(url, mountpoint, options): connects the NFS client, mounts a FUSE file system on
 * `mountpoint` and serves it until unmount() (or an outside `umount`).
 *
 * As root the /dev/fuse descriptor is opened here and passed to mount(2) (`fd=N`); requests are
 * read only after mount(2) returns.
 */
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { connect, type NfsClient, type NfsClientOptions } from '@nfsts/client';
import { setReadahead } from './readahead.js';
import { mountSync, umount2Sync, MNT_DETACH, MS_NOSUID, MS_NODEV, MS_RDONLY } from '@nfsts/sys';
import { fusermountMount, fusermountUnmount } from './fusermount.js';
import { parseOptions, type FuseMountOptions } from './options.js';
import { FuseSession } from './session.js';

import { FuseMountError } from './errors.js';

export { FuseMountError };

export interface FuseMount {
  readonly mountpoint: string;
  readonly client: NfsClient;
  readonly session: FuseSession;
  /** resolves with the reason when the kernel ends the connection (our unmount() or someone's umount) */
  readonly ended: Promise<string>;
  /**
   * Unmounts (lazily when busy: the mount leaves the namespace at once and goes when its last
   * user does) and closes the client. Idempotent.
   */
  unmount(): Promise<void>;
}

function checkMountpoint(mountpoint: string): void {
  let st;
  try {
    st = statSync(mountpoint);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    if (code === 'ENOENT') throw new FuseMountError('ERR_FUSE_MOUNTPOINT', `mount point ${mountpoint} does not exist`);
    if (code === 'ENOTCONN') throw new FuseMountError('ERR_FUSE_MOUNTPOINT', `mount point ${mountpoint} is a stale FUSE mount (nfsts umount ${mountpoint})`);
    throw new FuseMountError('ERR_FUSE_MOUNTPOINT', `mount point ${mountpoint}: ${code}`);
  }
  if (!st.isDirectory()) throw new FuseMountError('ERR_FUSE_MOUNTPOINT', `mount point ${mountpoint} is not a directory`);
  if (isMountPoint(mountpoint)) throw new FuseMountError('ERR_FUSE_MOUNTPOINT', `mount point ${mountpoint} is busy: something is mounted there already`);
}

/** whether `path` (absolute) is a mount point in this namespace (mountinfo escapes space, tab, newline, backslash as octal) */
export function isMountPoint(path: string): boolean {
  const esc = path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === esc);
  } catch {
    return false;
  }
}

function openDevice(): number {
  try {
    return openSync('/dev/fuse', 'r+');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FuseMountError('ERR_FUSE_NO_DEVICE', 'no /dev/fuse: the kernel has no FUSE (modprobe fuse), or this container was started without --device /dev/fuse');
    throw new FuseMountError('ERR_FUSE_NO_DEVICE', `cannot open /dev/fuse: ${code ?? (err as Error).message}`);
  }
}

/** Unmounts `mountpoint`, lazily when it is busy (as root; others through fusermount3). */
export async function unmount(mountpoint: string): Promise<void> {
  if (process.getuid?.() === 0) unmountPath(mountpoint);
  else await fusermountUnmount(resolve(mountpoint));
}

/** Unmounts `mountpoint` as root, lazily when it is busy. */
export function unmountPath(mountpoint: string): void {
  try {
    umount2Sync(mountpoint, 0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EBUSY') umount2Sync(mountpoint, MNT_DETACH);
    else if (code === 'EINVAL') throw new FuseMountError('ERR_FUSE_NOT_MOUNTED', `${mountpoint} is not a mount point`);
    else if (code === 'ENOENT') throw new FuseMountError('ERR_FUSE_NOT_MOUNTED', `${mountpoint} does not exist`);
    else throw err;
  }
}

export async function mount(url: string | NfsClientOptions, mountpoint: string, options: FuseMountOptions = {}, clientOptions: Partial<NfsClientOptions> = {}): Promise<FuseMount> {
  const opts = parseOptions(options);
  const asRoot = process.getuid?.() === 0;
  mountpoint = resolve(mountpoint);
  checkMountpoint(mountpoint);
  const client = await connect(url, {
    ...clientOptions,
    localio: opts.localio,
    // the kernel caches attributes for us (entry/attr validity); the client's own cache would
    // make them older still
    actimeoMs: 0,
    ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    ...(opts.soft ? { timeoutMs: opts.timeoutMs } : {}),
  });
  let fd = -1;
  try {
    const rootAttr = (await client.raw.getattr({ object: { data: client.rootFh } })).obj_attributes;
    const common = [
      `rootmode=${(0o040000 | (rootAttr.mode & 0o7777)).toString(8)}`,
      `user_id=${process.getuid!()}`,
      `group_id=${process.getgid!()}`,
      ...(opts.allowOther ? ['allow_other'] : []),
      ...(opts.defaultPermissions ? ['default_permissions'] : []),
      `max_read=${client.rsize}`,
    ];
    if (!asRoot) {
      // unprivileged: the setuid fusermount3 opens /dev/fuse, mounts, and hands us the descriptor
      fd = await fusermountMount(mountpoint, [...common, `fsname=${opts.fsname}`, 'subtype=nfsts', ...(opts.ro ? ['ro'] : [])].join(','));
    } else {
      fd = openDevice();
      try {
        mountSync(opts.fsname, mountpoint, 'fuse.nfsts', MS_NOSUID | MS_NODEV | (opts.ro ? MS_RDONLY : 0), [`fd=${fd}`, ...common].join(','));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EBUSY') throw new FuseMountError('ERR_FUSE_MOUNTPOINT', `mount point ${mountpoint} is busy`);
        if (code === 'ERR_SYS_UNAVAILABLE') throw new FuseMountError('ERR_FUSE_MOUNT', 'cannot call mount(2): the koffi package could not be loaded');
        throw new FuseMountError('ERR_FUSE_MOUNT', `mount ${mountpoint}: ${code ?? (err as Error).message}`);
      }
    }
  } catch (err) {
    if (fd >= 0) closeSync(fd);
    await client.close().catch(() => {});
    throw err;
  }
  const session = new FuseSession(client, opts);
  session.start(fd);
  // after INIT: answering it sets the window to at most what the kernel offered (128 KiB)
  if (opts.readaheadKb > 0) {
    void session.initialized.then(() => {
      const why = setReadahead(mountpoint, opts.readaheadKb);
      if (why !== undefined) opts.logger?.debug({ why }, 'readahead left at the kernel default');
    });
  }
  let done: Promise<void> | null = null;
  const finish = async (): Promise<void> => {
    await session.ended;
    closeSync(fd);
    await client.close().catch(() => {});
  };
  void session.ended.then(() => { if (done === null) done = finish(); });
  return {
    mountpoint,
    client,
    session,
    ended: session.ended,
    unmount: () => {
      if (done === null) {
        session.stop();
        done = (async () => {
          try {
            if (asRoot) unmountPath(mountpoint);
            else await fusermountUnmount(mountpoint);
          } catch (err) {
            // someone unmounted it already: the connection ends on its own
            if (!(err instanceof FuseMountError && err.code === 'ERR_FUSE_NOT_MOUNTED')) throw err;
          }
          await finish();
        })();
      }
      return done;
    },
  };
}
