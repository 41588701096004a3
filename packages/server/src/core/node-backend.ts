/**
 * Backend on node:fs. Hot paths use the callback API wrapped in promises (fs.promises'
 * FileHandle is about 2.5x slower here); stats are BigInt; nothing follows a final symlink.
 */
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { basename, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Backend, BackendStatFs, DirEntry, FileKind, MknodSupport } from './backend.js';

const { O_NOFOLLOW, O_RDONLY, O_DIRECTORY, O_NONBLOCK } = fs.constants;

function errno(code: string, message: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: ${message}`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

function direntKind(d: fs.Dirent): FileKind {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isFIFO()) return 'fifo';
  if (d.isSocket()) return 'socket';
  if (d.isCharacterDevice()) return 'chr';
  if (d.isBlockDevice()) return 'blk';
  return 'unknown';
}

function nsToDate(ns: bigint): number {
  // fs.lutimes takes seconds as a number; a double keeps about microsecond precision for
  // current dates, which is the best Node offers (no utimensat with nanoseconds).
  return Number(ns / 1000n) / 1e6;
}

/** Maps the strerror text a coreutils tool prints to an errno code. */
function errnoFromMessage(msg: string): string {
  const table: Array<[RegExp, string]> = [
    [/File exists/i, 'EEXIST'],
    [/Operation not permitted/i, 'EPERM'],
    [/Permission denied/i, 'EACCES'],
    [/No such file or directory/i, 'ENOENT'],
    [/Not a directory/i, 'ENOTDIR'],
    [/No space left/i, 'ENOSPC'],
    [/Read-only file system/i, 'EROFS'],
    [/quota exceeded/i, 'EDQUOT'],
    [/File name too long/i, 'ENAMETOOLONG'],
    [/Operation not supported/i, 'ENOTSUP'],
  ];
  for (const [re, code] of table) if (re.test(msg)) return code;
  return 'EIO';
}

let mkfifoPath: string | null | undefined;
let mknodPath: string | null | undefined;
function findTool(name: string): string | null {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    try {
      fs.accessSync(`${dir}/${name}`, fs.constants.X_OK);
      return `${dir}/${name}`;
    } catch { /* next */ }
  }
  return null;
}

export class NodeFsBackend implements Backend {
  readonly name = 'node-fs';

  lstat(path: string): Promise<fs.BigIntStats> {
    return new Promise((res, rej) => fs.lstat(path, { bigint: true }, (e, s) => (e ? rej(e) : res(s))));
  }

  fstat(fd: number): Promise<fs.BigIntStats> {
    return new Promise((res, rej) => fs.fstat(fd, { bigint: true }, (e, s) => (e ? rej(e) : res(s))));
  }

  lstatSync(path: string): fs.BigIntStats {
    return fs.lstatSync(path, { bigint: true });
  }

  fstatSync(fd: number): fs.BigIntStats {
    return fs.fstatSync(fd, { bigint: true });
  }

  statfs(path: string): Promise<BackendStatFs> {
    return new Promise((res, rej) =>
      fs.statfs(path, { bigint: true }, (e, s) =>
        e ? rej(e) : res({ bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree }),
      ),
    );
  }

  realpath(path: string): Promise<string> {
    return new Promise((res, rej) => fs.realpath.native(path, (e, p) => (e ? rej(e) : res(p))));
  }

  readdir(path: string): Promise<DirEntry[]> {
    return new Promise((res, rej) =>
      fs.readdir(path, { withFileTypes: true }, (e, list) =>
        e ? rej(e) : res(list.map((d) => ({ name: d.name, kind: direntKind(d) }))),
      ),
    );
  }

  open(path: string, flags: number, mode = 0o666): Promise<number> {
    return new Promise((res, rej) => fs.open(path, flags | O_NOFOLLOW, mode, (e, fd) => (e ? rej(e) : res(fd))));
  }

  close(fd: number): Promise<void> {
    return new Promise((res, rej) => fs.close(fd, (e) => (e ? rej(e) : res())));
  }

  read(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number> {
    return new Promise((res, rej) => fs.read(fd, buf, off, len, position, (e, n) => (e ? rej(e) : res(n))));
  }

  readSync(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): number {
    return fs.readSync(fd, buf, off, len, position);
  }

  write(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number> {
    return new Promise((res, rej) => fs.write(fd, buf, off, len, Number(position), (e, n) => (e ? rej(e) : res(n))));
  }

  fsync(fd: number): Promise<void> {
    return new Promise((res, rej) => fs.fsync(fd, (e) => (e ? rej(e) : res())));
  }

  fdatasync(fd: number): Promise<void> {
    return new Promise((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res())));
  }

  ftruncate(fd: number, size: bigint | number): Promise<void> {
    return new Promise((res, rej) => fs.ftruncate(fd, Number(size), (e) => (e ? rej(e) : res())));
  }

  async truncate(path: string, size: bigint | number): Promise<void> {
    // O_NONBLOCK so a FIFO never blocks the open; ftruncate then fails with EINVAL for it
    const fd = await this.open(path, fs.constants.O_WRONLY | O_NONBLOCK);
    try {
      await this.ftruncate(fd, size);
    } finally {
      await this.close(fd);
    }
  }

  mkdir(path: string, mode: number): Promise<void> {
    return new Promise((res, rej) => fs.mkdir(path, { mode }, (e) => (e ? rej(e) : res())));
  }

  rmdir(path: string): Promise<void> {
    return new Promise((res, rej) => fs.rmdir(path, (e) => (e ? rej(e) : res())));
  }

  unlink(path: string): Promise<void> {
    return new Promise((res, rej) => fs.unlink(path, (e) => (e ? rej(e) : res())));
  }

  rename(from: string, to: string): Promise<void> {
    return new Promise((res, rej) => fs.rename(from, to, (e) => (e ? rej(e) : res())));
  }

  link(existing: string, newPath: string): Promise<void> {
    // link(2) does not follow a symlink given as `existing` on Linux (linkat without AT_SYMLINK_FOLLOW)
    return new Promise((res, rej) => fs.link(existing, newPath, (e) => (e ? rej(e) : res())));
  }

  symlink(target: string, path: string): Promise<void> {
    return new Promise((res, rej) => fs.symlink(target, path, (e) => (e ? rej(e) : res())));
  }

  readlink(path: string): Promise<string> {
    return new Promise((res, rej) => fs.readlink(path, (e, s) => (e ? rej(e) : res(s))));
  }

  async chmod(path: string, mode: number): Promise<void> {
    // Linux has no lchmod: open the object itself with O_NOFOLLOW|O_NONBLOCK (O_PATH is not
    // exposed by Node) and fchmod it. A symlink (ELOOP) keeps its mode, as on Linux.
    const st = await this.lstat(path);
    if (st.isSymbolicLink()) return;
    if (st.isSocket()) {
      // sockets cannot be opened; chmod by path (the last component was just seen not to be a link)
      return new Promise((res, rej) => fs.chmod(path, mode, (e) => (e ? rej(e) : res())));
    }
    let fd: number;
    try {
      fd = await this.open(path, O_RDONLY | O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'ENXIO' || code === 'EPERM') {
        return new Promise((res, rej) => fs.chmod(path, mode, (e) => (e ? rej(e) : res())));
      }
      throw err;
    }
    try {
      await new Promise<void>((res, rej) => fs.fchmod(fd, mode, (e) => (e ? rej(e) : res())));
    } finally {
      await this.close(fd);
    }
  }

  lchown(path: string, uid: number, gid: number): Promise<void> {
    return new Promise((res, rej) => fs.lchown(path, uid, gid, (e) => (e ? rej(e) : res())));
  }

  lutimes(path: string, atimeNs: bigint, mtimeNs: bigint): Promise<void> {
    return new Promise((res, rej) => fs.lutimes(path, nsToDate(atimeNs), nsToDate(mtimeNs), (e) => (e ? rej(e) : res())));
  }

  mknodSupport(): MknodSupport {
    if (mkfifoPath === undefined) mkfifoPath = findTool('mkfifo');
    if (mknodPath === undefined) mknodPath = findTool('mknod');
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    return { fifo: mkfifoPath !== null, socket: true, chr: root && mknodPath !== null, blk: root && mknodPath !== null };
  }

  async mknod(path: string, kind: 'fifo' | 'socket' | 'chr' | 'blk', mode: number, major = 0, minor = 0): Promise<void> {
    const sup = this.mknodSupport();
    if (!sup[kind]) throw errno('ENOTSUP', `cannot create ${kind} nodes here`);
    // an existing name is EEXIST whatever the tool would say
    try {
      await this.lstat(path);
      throw errno('EEXIST', path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const perm = (mode & 0o7777).toString(8);
    if (kind === 'socket') return this.mksock(path, mode & 0o7777);
    const args = kind === 'fifo' ? ['-m', perm, '--', path] : ['-m', perm, '--', path, kind === 'chr' ? 'c' : 'b', String(major), String(minor)];
    const tool = kind === 'fifo' ? (mkfifoPath as string) : (mknodPath as string);
    await new Promise<void>((res, rej) =>
      execFile(tool, args, { timeout: 10_000, env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' } }, (e, _out, stderr) => {
        if (!e) return res();
        rej(errno(errnoFromMessage(String(stderr)), `${basename(tool)} failed: ${String(stderr).trim()}`));
      }),
    );
  }

  /**
   * Node has no mknod(S_IFSOCK): bind a listening Unix socket under a short temporary name in
   * the target directory (reached through /proc/self/fd so sun_path's 108 bytes suffice), hard
   * link the socket inode to the wanted name, then close the server (which unlinks the
   * temporary name).
   */
  private async mksock(path: string, mode: number): Promise<void> {
    const dirFd = await new Promise<number>((res, rej) => fs.open(dirname(path), O_RDONLY | O_DIRECTORY, (e, fd) => (e ? rej(e) : res(fd))));
    const tmp = `/proc/self/fd/${dirFd}/.nfsts-sock-${randomBytes(6).toString('hex')}`;
    const server = net.createServer();
    try {
      await new Promise<void>((res, rej) => {
        server.once('error', rej);
        server.listen(tmp, () => res());
      });
      await this.link(tmp, path);
      await new Promise<void>((res, rej) => fs.chmod(path, mode, (e) => (e ? rej(e) : res())));
    } finally {
      await new Promise<void>((res) => server.close(() => res()));
      // the server unlinks its path on close; make sure in case it did not
      await new Promise<void>((res) => fs.unlink(tmp, () => res()));
      await this.close(dirFd);
    }
  }
}
