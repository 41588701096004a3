/**
 * FUSE passthrough (Linux >= 6.9): registering a backing file with the kernel through ioctls on
 * the /dev/fuse descriptor, so the kernel reads and writes that file itself for a FUSE open
 * (include/uapi/linux/fuse.h, Documentation/filesystems/fuse-passthrough.rst). Needs
 * CAP_SYS_ADMIN in the initial user namespace. Linux (LP64) only; callers without it (off
 * Linux, no koffi, an older kernel) simply do not use passthrough: there is no portable
 * equivalent, the plain FUSE path is the fallback.
 */
import { libc, sysError } from './libc.js';

// _IOW(229, nr, size): direction write (1 << 30) | size << 16 | magic << 8 | nr
const FUSE_DEV_IOC_MAGIC = 229;
/** struct fuse_backing_map { int32 fd; uint32 flags; uint64 padding; } */
const BACKING_MAP_SIZE = 16;
const FUSE_DEV_IOC_BACKING_OPEN = ((1 << 30) | (BACKING_MAP_SIZE << 16) | (FUSE_DEV_IOC_MAGIC << 8) | 1) >>> 0;
const FUSE_DEV_IOC_BACKING_CLOSE = ((1 << 30) | (4 << 16) | (FUSE_DEV_IOC_MAGIC << 8) | 2) >>> 0;

type IoctlFn = (fd: number, request: number, arg: Buffer) => number;
let fn: IoctlFn | null = null;

function ioctl(): IoctlFn {
  // declared with a pointer third argument: on the LP64 ABIs the variadic call passes it the same way
  fn ??= libc().libc.func('int ioctl(int fd, unsigned long request, void *arg)') as IoctlFn;
  return fn;
}

/**
 * FUSE_DEV_IOC_BACKING_OPEN: registers `fd` as a backing file on the FUSE connection `devFd`
 * and returns its backing id (for fuse_open_out.backing_id). The kernel takes its own
 * reference on the open file: `fd` may be closed afterwards. Throws an fs-shaped error: EPERM
 * (no CAP_SYS_ADMIN, or passthrough not agreed in INIT), ELOOP (the backing file system is
 * stacked too deep), EOPNOTSUPP/ENOTTY (no passthrough in this kernel), EBADF, EINVAL.
 */
export function fuseBackingOpen(devFd: number, fd: number): number {
  const map = Buffer.alloc(BACKING_MAP_SIZE);
  map.writeInt32LE(fd, 0);
  const r = ioctl()(devFd, FUSE_DEV_IOC_BACKING_OPEN, map);
  if (r < 0) throw sysError(libc().koffi.errno(), 'ioctl(FUSE_DEV_IOC_BACKING_OPEN)');
  return r;
}

/** FUSE_DEV_IOC_BACKING_CLOSE: gives back a backing id (open files using it keep their file). */
export function fuseBackingClose(devFd: number, backingId: number): void {
  const id = Buffer.alloc(4);
  id.writeUInt32LE(backingId, 0);
  if (ioctl()(devFd, FUSE_DEV_IOC_BACKING_CLOSE, id) < 0) throw sysError(libc().koffi.errno(), 'ioctl(FUSE_DEV_IOC_BACKING_CLOSE)');
}
