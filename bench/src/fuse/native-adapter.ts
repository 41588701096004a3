/**
 * The reference the FUSE shim is measured against: `fuse-native` (libfuse 2's path-based
 * high-level API) over our same NFS client's path layer, in a process of its own.
 *
 *   node native-adapter.js URL MNT   → prints `{"mounted":true}` once mounted; SIGTERM unmounts
 *
 * A thin, straightforward adapter, as a user of fuse-native would write it: every call takes
 * a path, open files are our client's file handles kept in a table, errors map by code.
 * fuse-native is an optional dependency of the bench; without it (or without the system's
 * libfuse2) this exits with `{"skip": reason}`.
 */
import { createRequire } from 'node:module';
import { constants } from 'node:fs';
import { connect, type NfsClient, type NfsFileHandle } from '@nfsts/client';

type Cb = (err: number, ...rest: unknown[]) => void;
interface FuseCtor {
  new (mnt: string, ops: Record<string, unknown>, opts: Record<string, unknown>): { mount(cb: (err?: Error) => void): void; unmount(cb: (err?: Error) => void): void };
  [errno: string]: unknown;
}

function loadFuse(): FuseCtor | string {
  try {
    return createRequire(import.meta.url)('fuse-native') as FuseCtor;
  } catch (err) {
    return `fuse-native does not load: ${(err as Error).message.split('\n')[0]} (it needs Debian's libfuse2)`;
  }
}

function adapter(Fuse: FuseCtor, nfs: NfsClient): Record<string, unknown> {
  const files = new Map<number, NfsFileHandle>();
  let next = 1;
  const errno = (err: unknown): number => {
    const code = (err as { code?: string }).code;
    const n = code !== undefined ? Fuse[code] : undefined;
    return typeof n === 'number' ? n : (Fuse.EIO as number);
  };
  const done = (p: Promise<unknown>, cb: Cb, ok: (v: never) => unknown[] = () => []): void => {
    p.then((v) => cb(0, ...ok(v as never)), (err: unknown) => cb(errno(err)));
  };
  const opened = (cb: Cb) => (h: NfsFileHandle): void => {
    const fd = next++;
    files.set(fd, h);
    cb(0, fd);
  };
  return {
    getattr: (path: string, cb: Cb) => done(nfs.lstat(path), cb, (s: unknown) => [s]),
    fgetattr: (path: string, _fd: number, cb: Cb) => done(nfs.lstat(path), cb, (s: unknown) => [s]),
    readdir: (path: string, cb: Cb) => done(nfs.readdir(path) as Promise<string[]>, cb, (names: string[]) => [names]),
    readlink: (path: string, cb: Cb) => done(nfs.readlink(path), cb, (t: string) => [t]),
    statfs: (_path: string, cb: Cb) => done(nfs.statfs(), cb, (s: { bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number }) => [{
      bsize: s.bsize, frsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree, favail: s.ffree, fsid: 0, flag: 0, namemax: 255,
    }]),
    open: (path: string, flags: number, cb: Cb) => { nfs.open(path, flags & ~constants.O_CREAT).then(opened(cb), (err: unknown) => cb(errno(err))); },
    create: (path: string, mode: number, cb: Cb) => { nfs.open(path, constants.O_CREAT | constants.O_RDWR, mode & 0o7777).then(opened(cb), (err: unknown) => cb(errno(err))); },
    read: (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Cb) => {
      const h = files.get(fd);
      if (h === undefined) return cb(Fuse.EBADF as number);
      h.read(buf, 0, len, pos).then((r) => cb(r.bytesRead), (err: unknown) => cb(errno(err)));
    },
    write: (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Cb) => {
      const h = files.get(fd);
      if (h === undefined) return cb(Fuse.EBADF as number);
      h.write(buf, 0, len, pos).then((r) => cb(r.bytesWritten), (err: unknown) => cb(errno(err)));
    },
    // as our shim does: COMMIT at every close (close-to-open), and at fsync
    flush: (_path: string, fd: number, cb: Cb) => { const h = files.get(fd); if (h === undefined) return cb(0); done(h.datasync(), cb); },
    fsync: (_path: string, _datasync: boolean, fd: number, cb: Cb) => { const h = files.get(fd); if (h === undefined) return cb(0); done(h.sync(), cb); },
    release: (_path: string, fd: number, cb: Cb) => {
      const h = files.get(fd);
      files.delete(fd);
      if (h === undefined) return cb(0);
      done(h.close(), cb);
    },
    truncate: (path: string, size: number, cb: Cb) => done(nfs.truncate(path, size), cb),
    ftruncate: (path: string, _fd: number, size: number, cb: Cb) => done(nfs.truncate(path, size), cb),
    chmod: (path: string, mode: number, cb: Cb) => done(nfs.chmod(path, mode & 0o7777), cb),
    chown: (path: string, uid: number, gid: number, cb: Cb) => done(nfs.lchown(path, uid, gid), cb),
    utimens: (path: string, atime: number, mtime: number, cb: Cb) => done(nfs.lutimes(path, new Date(atime), new Date(mtime)), cb),
    mkdir: (path: string, mode: number, cb: Cb) => done(nfs.mkdir(path, { mode: mode & 0o7777 }), cb),
    rmdir: (path: string, cb: Cb) => done(nfs.rmdir(path), cb),
    unlink: (path: string, cb: Cb) => done(nfs.unlink(path), cb),
    rename: (src: string, dest: string, cb: Cb) => done(nfs.rename(src, dest), cb),
    link: (src: string, dest: string, cb: Cb) => done(nfs.link(src, dest), cb),
    symlink: (target: string, path: string, cb: Cb) => done(nfs.symlink(target, path), cb),
  };
}

async function main(url: string, mnt: string): Promise<void> {
  const Fuse = loadFuse();
  if (typeof Fuse === 'string') {
    process.stdout.write(`${JSON.stringify({ skip: Fuse })}\n`);
    process.exit(0);
  }
  const nfs = await connect(url, { uid: 0, gid: 0 });
  // the same entry/attribute validity as our shim's default (actimeo 1 s)
  const fuse = new Fuse(mnt, adapter(Fuse, nfs), { entryTimeout: 1, attrTimeout: 1, acAttrTimeout: 1, fsname: 'fuse-native-nfsts' });
  await new Promise<void>((res, rej) => fuse.mount((err) => (err ? rej(err) : res())));
  process.stdout.write(`${JSON.stringify({ mounted: true })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    fuse.unmount(() => void nfs.close().finally(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.stdin.resume();
  process.stdin.once('end', stop);
}

const [url, mnt] = process.argv.slice(2);
if (url === undefined || mnt === undefined) {
  process.stderr.write('usage: native-adapter.js URL MNT\n');
  process.exit(2);
}
main(url, mnt).catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: (err as Error).message })}\n`);
  process.exit(1);
});
