/**
 * PORTABLE, NOT RACE-SAFE: the backend for systems without the Linux *at() calls (the server
 * picks AtBackend on Linux). It joins root and rel into an absolute path and checks it
 * (realpath of the parent, lstat of the object) before each call, so a concurrent rename of a
 * directory into a symlink between check and use can make a call act outside the export.
 * Serve only trees nobody else can change with it. Paths over PATH_MAX are unreachable.
 *
 * Hot paths use the callback API wrapped in promises (fs.promises' FileHandle is about 2.5x
 * slower here); stats are BigInt; nothing follows a final symlink.
 */
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { basename, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Backend, BackendRoot, BackendStatFs, DirEntry, Loc, MknodSupport, Node, Stats } from './backend.js';
import { DescriptorIo } from './descriptor-io.js';
import { direntKind } from './dirent-kind.js';

const { O_NOFOLLOW, O_RDONLY, O_DIRECTORY, O_NONBLOCK } = fs.constants;

function errno(code: string, message: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: ${message}`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
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

/** Absolute path of a Loc (the root path as opened, then rel). */
function pathOf(a: Loc): string {
  return a.rel === '' ? a.root.path : `${a.root.path}/${a.rel}`;
}

function stale(what: string): NodeJS.ErrnoException {
  return errno('ESTALE', what);
}

export class NodeFsBackend extends DescriptorIo implements Backend {
  readonly name = 'node-fs';
  readonly raceSafe = false;
  readonly osDescriptors = true;

  async openRoot(path: string): Promise<{ root: BackendRoot; stats: Stats }> {
    const real = await this.realpath(path);
    return { root: { path: real }, stats: await this.lstat({ root: { path: real }, rel: '' }) };
  }

  closeRoot(): void { /* nothing held */ }

  /** The object's path after checking that no directory component is a symlink and the object is obj. */
  private async checked(obj: Node, what: string): Promise<string> {
    const path = pathOf(obj);
    if (obj.rel.includes('/')) {
      const parent = path.slice(0, path.lastIndexOf('/'));
      if ((await this.realpath(parent)) !== parent) throw stale(what);
    }
    const st = await this.lstatPath(path);
    if (st.dev !== obj.stats.dev || st.ino !== obj.stats.ino) throw stale(what);
    return path;
  }

  private async dirPath(dir: Node, name: string, what: string): Promise<string> {
    const d = await this.checked(dir, what);
    if (d !== dir.root.path && (await this.realpath(d)) !== d) throw stale(what);
    return `${d}/${name}`;
  }

  private lstatPath(path: string): Promise<fs.BigIntStats> {
    return new Promise((res, rej) => fs.lstat(path, { bigint: true }, (e, s) => (e ? rej(e) : res(s))));
  }

  lstat(a: Loc): Promise<fs.BigIntStats> {
    return this.lstatPath(pathOf(a));
  }

  fstat(fd: number): Promise<fs.BigIntStats> {
    return new Promise((res, rej) => fs.fstat(fd, { bigint: true }, (e, s) => (e ? rej(e) : res(s))));
  }

  lstatSync(a: Loc): fs.BigIntStats {
    return fs.lstatSync(pathOf(a), { bigint: true });
  }

  fstatSync(fd: number): fs.BigIntStats {
    return fs.fstatSync(fd, { bigint: true });
  }

  statfs(a: Loc): Promise<BackendStatFs> {
    return new Promise((res, rej) =>
      fs.statfs(pathOf(a), { bigint: true }, (e, s) =>
        e ? rej(e) : res({ bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree }),
      ),
    );
  }

  private realpath(path: string): Promise<string> {
    return new Promise((res, rej) => fs.realpath.native(path, (e, p) => (e ? rej(e) : res(p))));
  }

  readdir(dir: Loc): Promise<DirEntry[]> {
    return new Promise((res, rej) =>
      fs.readdir(pathOf(dir), { withFileTypes: true }, (e, list) =>
        e ? rej(e) : res(list.map((d) => ({ name: d.name, kind: direntKind(d) }))),
      ),
    );
  }

  private openPath(path: string, flags: number, mode = 0o666): Promise<number> {
    return new Promise((res, rej) => fs.open(path, flags | O_NOFOLLOW, mode, (e, fd) => (e ? rej(e) : res(fd))));
  }

  async open(obj: Node, flags: number): Promise<number> {
    const fd = await this.openPath(await this.checked(obj, 'open'), flags | O_NONBLOCK);
    try {
      const st = await this.fstat(fd);
      if (st.dev !== obj.stats.dev || st.ino !== obj.stats.ino || !st.isFile() || st.nlink === 0n) throw stale('open');
    } catch (err) {
      await this.close(fd).catch(() => {});
      throw err;
    }
    return fd;
  }

  async create(dir: Node, name: string, mode: number, owner?: { uid: number; gid: number } | null): Promise<fs.BigIntStats> {
    const fd = await this.openPath(await this.dirPath(dir, name, 'create'), fs.constants.O_CREAT | fs.constants.O_EXCL | O_RDONLY | O_NONBLOCK, mode);
    try {
      if (owner) await new Promise<void>((res, rej) => fs.fchown(fd, owner.uid, owner.gid, (e) => (e ? rej(e) : res())));
      return await this.fstat(fd);
    } finally {
      await this.close(fd);
    }
  }

  async truncate(obj: Node, size: bigint | number): Promise<void> {
    // O_NONBLOCK so a FIFO never blocks the open; ftruncate then fails with EINVAL for it
    const fd = await this.openPath(await this.checked(obj, 'truncate'), fs.constants.O_WRONLY | O_NONBLOCK);
    try {
      await this.ftruncate(fd, size);
    } finally {
      await this.close(fd);
    }
  }

  async mkdir(dir: Node, name: string, mode: number): Promise<void> {
    const path = await this.dirPath(dir, name, 'mkdir');
    return new Promise((res, rej) => fs.mkdir(path, { mode }, (e) => (e ? rej(e) : res())));
  }

  async rmdir(dir: Node, name: string): Promise<void> {
    const path = await this.dirPath(dir, name, 'rmdir');
    return new Promise((res, rej) => fs.rmdir(path, (e) => (e ? rej(e) : res())));
  }

  async unlink(dir: Node, name: string): Promise<void> {
    const path = await this.dirPath(dir, name, 'unlink');
    return new Promise((res, rej) => fs.unlink(path, (e) => (e ? rej(e) : res())));
  }

  async rename(fromDir: Node, fromName: string, toDir: Node, toName: string): Promise<void> {
    const from = await this.dirPath(fromDir, fromName, 'rename');
    const to = await this.dirPath(toDir, toName, 'rename');
    return new Promise((res, rej) => fs.rename(from, to, (e) => (e ? rej(e) : res())));
  }

  async link(obj: Node, dir: Node, name: string): Promise<void> {
    const existing = await this.checked(obj, 'link');
    const newPath = await this.dirPath(dir, name, 'link');
    return this.linkPath(existing, newPath);
  }

  private linkPath(existing: string, newPath: string): Promise<void> {
    // link(2) does not follow a symlink given as `existing` on Linux (linkat without AT_SYMLINK_FOLLOW)
    return new Promise((res, rej) => fs.link(existing, newPath, (e) => (e ? rej(e) : res())));
  }

  async symlink(dir: Node, name: string, target: string): Promise<void> {
    const path = await this.dirPath(dir, name, 'symlink');
    return new Promise((res, rej) => fs.symlink(target, path, (e) => (e ? rej(e) : res())));
  }

  readlink(obj: Loc): Promise<string> {
    return new Promise((res, rej) => fs.readlink(pathOf(obj), (e, s) => (e ? rej(e) : res(s))));
  }

  async chmod(obj: Node, mode: number): Promise<void> {
    // Linux has no lchmod: open the object itself with O_NOFOLLOW|O_NONBLOCK (O_PATH is not
    // exposed by Node) and fchmod it. A symlink (ELOOP) keeps its mode, as on Linux.
    const path = await this.checked(obj, 'chmod');
    const st = await this.lstatPath(path);
    if (st.isSymbolicLink()) return;
    if (st.isSocket()) {
      // sockets cannot be opened; chmod by path (the last component was just seen not to be a link)
      return new Promise((res, rej) => fs.chmod(path, mode, (e) => (e ? rej(e) : res())));
    }
    let fd: number;
    try {
      fd = await this.openPath(path, O_RDONLY | O_NONBLOCK);
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

  async chown(obj: Node, uid: number, gid: number): Promise<void> {
    const path = await this.checked(obj, 'chown');
    return new Promise((res, rej) => fs.lchown(path, uid, gid, (e) => (e ? rej(e) : res())));
  }

  async utimes(obj: Node, atimeNs: bigint | null, mtimeNs: bigint | null): Promise<void> {
    const path = await this.checked(obj, 'utimes');
    // Node sets both times: an omitted one is read back first (microsecond precision only)
    const cur = atimeNs === null || mtimeNs === null ? await this.lstatPath(path) : undefined;
    const a = atimeNs ?? cur!.atimeNs;
    const m = mtimeNs ?? cur!.mtimeNs;
    return new Promise((res, rej) => fs.lutimes(path, nsToDate(a), nsToDate(m), (e) => (e ? rej(e) : res())));
  }

  mknodSupport(): MknodSupport {
    if (mkfifoPath === undefined) mkfifoPath = findTool('mkfifo');
    if (mknodPath === undefined) mknodPath = findTool('mknod');
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    return { fifo: mkfifoPath !== null, socket: true, chr: root && mknodPath !== null, blk: root && mknodPath !== null };
  }

  async mknod(dir: Node, name: string, kind: 'fifo' | 'socket' | 'chr' | 'blk', mode: number, major = 0, minor = 0): Promise<void> {
    const path = await this.dirPath(dir, name, 'mknod');
    const sup = this.mknodSupport();
    if (!sup[kind]) throw errno('ENOTSUP', `cannot create ${kind} nodes here`);
    // an existing name is EEXIST whatever the tool would say
    try {
      await this.lstatPath(path);
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
      await this.linkPath(tmp, path);
      await new Promise<void>((res, rej) => fs.chmod(path, mode, (e) => (e ? rej(e) : res())));
    } finally {
      await new Promise<void>((res) => server.close(() => res()));
      // the server unlinks its path on close; make sure in case it did not
      await new Promise<void>((res) => fs.unlink(tmp, () => res()));
      await this.close(dirFd);
    }
  }
}
