/**
 * mount(2) and umount2(2), for the FUSE shim: as root it mounts its /dev/fuse descriptor
 * itself (no util-linux child needed to hold the descriptor) and unmounts with the same calls.
 * Linux only; there is no portable fallback (FUSE mounts exist only here).
 */
import { check, libc } from './libc.js';

/** umount2 flags (linux/fs.h) */
export const MNT_FORCE = 1;
export const MNT_DETACH = 2;
/** mount flags (linux/mount.h) */
export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;

type MountFn = (source: string, target: string, fstype: string, flags: number, data: string) => number;
type Umount2Fn = (target: string, flags: number) => number;

let fns: { mount: MountFn; umount2: Umount2Fn } | null = null;

function bind(): { mount: MountFn; umount2: Umount2Fn } {
  if (fns === null) {
    const { libc: lib } = libc();
    fns = {
      mount: lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)') as MountFn,
      umount2: lib.func('int umount2(const char *target, int flags)') as Umount2Fn,
    };
  }
  return fns;
}

/** mount(2); throws a node:fs-shaped error (ENOENT, EBUSY, EPERM…) on failure. */
export function mountSync(source: string, target: string, fstype: string, flags: number, data: string): void {
  check(bind().mount(source, target, fstype, flags, data), 'mount', target);
}

/** umount2(2); throws a node:fs-shaped error (EBUSY, EINVAL when not a mount point…). */
export function umount2Sync(target: string, flags = 0): void {
  check(bind().umount2(target, flags), 'umount2', target);
}
