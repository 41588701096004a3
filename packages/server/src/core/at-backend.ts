/**
 * Backend on the Linux descriptor-relative system calls (through @nfsts/sys): the default
 * on Linux, and the only race-safe one.
 *
 * Every Loc is resolved by the kernel with openat2(root fd, rel, RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS): it cannot leave the export root and follows no symlink in any
 * component, whatever renames or symlink swaps run concurrently (the kernel retries or fails
 * with EAGAIN / EXDEV / ELOOP instead). Calls on an existing object act on an O_PATH
 * descriptor of it checked by dev/ino (fchownat/utimensat with AT_EMPTY_PATH, chmod and
 * truncate through its /proc/self/fd magic link, which names the inode, not a path); calls
 * that create or remove act on ONE name in a checked directory descriptor (mkdirat,
 * unlinkat, renameat2, linkat, symlinkat, mknodat, openat with O_CREAT|O_EXCL|O_NOFOLLOW).
 *
 * Metadata calls run synchronously on the calling thread (1-3 µs each on cached dentries,
 * less than one thread-pool round trip); unlinking a file over 64 MiB and truncate, which may
 * free many blocks, and all data I/O run on worker threads.
 */
import fs from 'node:fs';
import { at, sysError } from '@nfsts/sys';
import type { Backend, BackendRoot, ChildRemoval, BackendStatFs, DirEntry, Loc, MknodSupport, Node, Stats } from './backend.js';
import { DescriptorIo } from './descriptor-io.js';
import { direntKind } from './dirent-kind.js';

const {
  O_PATH, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_CREAT, O_EXCL, O_RDONLY, AT_FDCWD, AT_EMPTY_PATH, AT_REMOVEDIR,
  AT_SYMLINK_NOFOLLOW, AT_SYMLINK_FOLLOW, RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS,
} = at;

/** RESOLVE_NO_SYMLINKS implies RESOLVE_NO_MAGICLINKS. */
const RESOLVE = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
/** A rel longer than this (bytes) is walked in pieces (openat2 takes at most PATH_MAX). */
const PIECE_BYTES = 3072;
/** Files larger than this are unlinked on a worker thread. */
const LARGE_UNLINK_BYTES = 64n * 1024n * 1024n;
/** openat2 says EAGAIN when a concurrent rename made a RESOLVE_BENEATH walk unprovable. */
const EAGAIN_RETRIES = 8;

class AtRoot implements BackendRoot {
  constructor(readonly path: string, readonly fd: number) {}
}

function rootOf(at_: Loc): AtRoot {
  const r = at_.root;
  if (!(r instanceof AtRoot)) throw new TypeError('AtBackend: a Loc whose root another backend opened');
  return r;
}

const EAGAIN = 11;
const EINVAL = 22;

/** openat2 beneath dirfd with no symlink: the descriptor, or the errno as a negative number. */
function walkOrErrno(dirfd: number, path: string, flags: number): number {
  for (let i = 0; ; i++) {
    const fd = at.openat2OrErrno(dirfd, path, flags, RESOLVE);
    if (fd !== -EAGAIN || i >= EAGAIN_RETRIES) return fd;
  }
}

function walk(dirfd: number, path: string, flags: number): number {
  const fd = walkOrErrno(dirfd, path, flags);
  if (fd < 0) throw sysError(-fd, 'openat2', path);
  return fd;
}

/** Whether `rel` may be longer than one openat2 takes (then it is walked in pieces). */
function long(rel: string): boolean {
  return rel.length * 3 >= PIECE_BYTES && Buffer.byteLength(rel) >= PIECE_BYTES;
}

/**
 * A new descriptor of root/rel opened with `flags`, resolved beneath the root with no
 * symlink anywhere. A rel over PATH_MAX is walked a piece at a time, each piece beneath the
 * directory the previous one reached (which was beneath the root when reached).
 */
function openBelow(root: AtRoot, rel: string, flags: number): number {
  if (rel === '') return walk(root.fd, '.', flags);
  if (!long(rel)) return walk(root.fd, rel, flags);
  const parts = rel.split('/');
  let fd = root.fd;
  let i = 0;
  try {
    for (;;) {
      let piece = parts[i++]!;
      let bytes = Buffer.byteLength(piece);
      while (i < parts.length && bytes + 1 + Buffer.byteLength(parts[i]!) < PIECE_BYTES) {
        bytes += 1 + Buffer.byteLength(parts[i]!);
        piece += `/${parts[i++]!}`;
      }
      const last = i >= parts.length;
      const next = walk(fd, piece, last ? flags : O_PATH | O_DIRECTORY);
      if (fd !== root.fd) at.close(fd);
      fd = next;
      if (last) return fd;
    }
  } catch (err) {
    if (fd !== root.fd) at.close(fd);
    throw err;
  }
}


function stale(what: string): NodeJS.ErrnoException {
  return sysError(116 /* ESTALE */, what);
}

/** Stats of fd, which must be `want` (else ESTALE: the name now holds another object). */
function verify(fd: number, want: Node['stats'], what: string): Stats {
  const st = at.fstatx(fd);
  if (st.dev !== want.dev || st.ino !== want.ino) throw stale(what);
  return st;
}

/** An O_PATH descriptor of obj itself (a final symlink included), checked to be obj. */
function openNode(obj: Node, what: string): { fd: number; st: Stats } {
  const fd = openBelow(rootOf(obj), obj.rel, O_PATH | O_NOFOLLOW);
  try {
    return { fd, st: verify(fd, obj.stats, what) };
  } catch (err) {
    at.close(fd);
    throw err;
  }
}

/** An O_PATH descriptor of the directory dir, checked to be dir. */
function openDir(dir: Node, what: string): number {
  const fd = openBelow(rootOf(dir), dir.rel, O_PATH | O_DIRECTORY);
  try {
    verify(fd, dir.stats, what);
    return fd;
  } catch (err) {
    at.close(fd);
    throw err;
  }
}

/** Runs fn and turns a throw into a rejected promise (the Backend's methods are async). */
function now<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFSOCK = 0o140000;

export class AtBackend extends DescriptorIo implements Backend {
  readonly name = 'linux-at';
  readonly raceSafe = true;
  readonly osDescriptors = true;
  private readonly root = typeof process.getuid === 'function' && process.getuid() === 0;

  /** Whether this backend can run here (Linux 5.8+ with koffi: openat2 and AT_EMPTY_PATH utimensat). */
  static available(): boolean {
    return at.openat2Available();
  }

  /** Our descriptors come from openat2, not fs.open: closing them with fs.close makes Node warn in a worker thread. */
  override close(fd: number): Promise<void> {
    return at.closeAsync(fd);
  }

  closeSync(fd: number): void {
    at.close(fd);
  }

  async openRoot(path: string): Promise<{ root: BackendRoot; stats: Stats }> {
    const real = await fs.promises.realpath(path);
    const fd = at.openat2(AT_FDCWD, real, O_PATH | O_DIRECTORY, 0);
    return { root: new AtRoot(real, fd), stats: at.fstatx(fd) };
  }

  closeRoot(root: BackendRoot): void {
    if (root instanceof AtRoot) at.close(root.fd);
  }

  lstatSync(a: Loc): Stats {
    const root = rootOf(a);
    const rel = a.rel;
    if (rel === '') return at.fstatx(root.fd);
    // one name directly in the root: statx of it relative to the root descriptor
    if (!rel.includes('/')) return at.statx(root.fd, rel, AT_SYMLINK_NOFOLLOW);
    const fd = openBelow(root, rel, O_PATH | O_NOFOLLOW);
    try {
      return at.fstatx(fd);
    } finally {
      at.close(fd);
    }
  }

  lstatOrErrnoSync(a: Loc): Stats | number {
    const root = rootOf(a);
    const rel = a.rel;
    if (rel === '') return at.fstatx(root.fd);
    if (!rel.includes('/')) return at.statxOrErrno(root.fd, rel, AT_SYMLINK_NOFOLLOW);
    // a path walked in pieces is rare: it may throw, as lstatSync does
    if (long(rel)) return this.lstatSync(a);
    const fd = walkOrErrno(root.fd, rel, O_PATH | O_NOFOLLOW);
    if (fd < 0) return -fd;
    try {
      return at.fstatx(fd);
    } finally {
      at.close(fd);
    }
  }

  lstat(a: Loc): Promise<Stats> {
    return now(() => this.lstatSync(a));
  }

  lstatChildrenSync(dir: Node, names: readonly string[]): Array<Stats | undefined> {
    const dfd = openDir(dir, 'readdirplus');
    try {
      const out: Array<Stats | undefined> = new Array<Stats | undefined>(names.length);
      for (let i = 0; i < names.length; i++) {
        // LeanStats: Numbers until a BigInt field is read (READDIRPLUS encodes from the Numbers)
        const st = at.statxLeanOrErrno(dfd, names[i]!, AT_SYMLINK_NOFOLLOW);
        if (typeof st !== 'number') out[i] = st;
        else if (st === 2 /* ENOENT */) out[i] = undefined;
        else throw sysError(st, 'statx', names[i]);
      }
      return out;
    } finally {
      at.close(dfd);
    }
  }

  fstatSync(fd: number): Stats {
    return at.fstatx(fd);
  }

  fstat(fd: number): Promise<Stats> {
    return now(() => at.fstatx(fd));
  }

  async statfs(a: Loc): Promise<BackendStatFs> {
    const fd = openBelow(rootOf(a), a.rel, O_PATH | O_NOFOLLOW);
    try {
      const s = await fs.promises.statfs(`/proc/self/fd/${fd}`, { bigint: true });
      return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree };
    } finally {
      at.close(fd);
    }
  }

  async readdir(dir: Loc): Promise<DirEntry[]> {
    const fd = openBelow(rootOf(dir), dir.rel, O_PATH | O_DIRECTORY);
    try {
      // the magic link reopens this very directory: no path is walked
      const list = await fs.promises.readdir(`/proc/self/fd/${fd}`, { withFileTypes: true });
      return list.map((d) => ({ name: d.name, kind: direntKind(d) }));
    } finally {
      at.close(fd);
    }
  }

  open(obj: Node, flags: number): Promise<number> {
    return now(() => this.openSync(obj, flags));
  }

  openSync(obj: Node, flags: number): number {
    // O_NONBLOCK: a FIFO swapped in under the name must not block the thread (a regular
    // file ignores it); the type is checked right after
    const fd = openBelow(rootOf(obj), obj.rel, (flags & 3) | O_NOFOLLOW | O_NONBLOCK);
    try {
      const st = verify(fd, obj.stats, 'open');
      if (!st.isFile() || st.nlink === 0n) throw stale('open');
    } catch (err) {
      at.close(fd);
      throw err;
    }
    return fd;
  }

  create(dir: Node, name: string, mode: number, owner?: { uid: number; gid: number } | null): Promise<Stats> {
    return now(() => this.createSync(dir, name, mode, owner).stats);
  }

  openDirSync(dir: Loc): number {
    return openBelow(rootOf(dir), dir.rel, O_PATH | O_DIRECTORY);
  }

  createSync(dir: Node, name: string, mode: number, owner?: { uid: number; gid: number } | null, times?: { atimeNs: bigint; mtimeNs: bigint } | null, dirFd?: number): { stats: Stats; dir: Stats } {
    // the caller's descriptor of dir (openDirSync, checked by it) or one of our own
    const dfd = dirFd ?? openDir(dir, 'create');
    try {
      const fd = at.openat(dfd, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, mode);
      let stats: Stats;
      try {
        if (owner) at.fchownat(fd, '', owner.uid, owner.gid, AT_EMPTY_PATH);
        stats = at.fstatx(fd);
        // the process umask took bits the client asked for (0664 under umask 022): set exactly
        // `mode` through the new descriptor now, after the chown (which clears set-id bits), as
        // the CREATE's attributes would, instead of a walk, a chmod and a stat on the awaited path
        const narrowed = (Number(stats.mode) & 0o7777) !== (mode & 0o7777);
        if (narrowed) at.fchmod(fd, mode & 0o7777);
        if (times) at.utimensat(fd, '', times.atimeNs, times.mtimeNs, AT_EMPTY_PATH);
        if (narrowed || times) stats = at.fstatx(fd);
      } finally {
        at.close(fd);
      }
      // the directory's attributes after the create, through the checked descriptor: no walk
      return { stats, dir: at.fstatx(dfd) };
    } finally {
      if (dirFd === undefined) at.close(dfd);
    }
  }

  async truncate(obj: Node, size: bigint | number): Promise<void> {
    const { fd, st } = openNode(obj, 'truncate');
    try {
      if (!st.isFile()) throw sysError(st.isDirectory() ? 21 /* EISDIR */ : 22 /* EINVAL */, 'truncate');
      await at.truncatePathAsync(fd, BigInt(size));
    } finally {
      at.close(fd);
    }
  }

  private inDir(dir: Node, what: string, fn: (dfd: number) => void): Promise<void> {
    return now(() => {
      const dfd = openDir(dir, what);
      try {
        fn(dfd);
      } finally {
        at.close(dfd);
      }
    });
  }

  mkdir(dir: Node, name: string, mode: number): Promise<void> {
    return this.inDir(dir, 'mkdir', (dfd) => at.mkdirat(dfd, name, mode));
  }

  rmdir(dir: Node, name: string): Promise<void> {
    return now(() => { this.removeSync(dir, name, true); });
  }

  async unlink(dir: Node, name: string): Promise<void> {
    if (this.removeSync(dir, name, false) !== null) return;
    // freeing a large file's blocks can take milliseconds: those go to a worker thread
    // (a koffi async call costs about 60 µs of CPU, a synchronous unlinkat about 10)
    const dfd = openDir(dir, 'unlink');
    try {
      await at.unlinkatAsync(dfd, name, 0);
    } finally {
      at.close(dfd);
    }
  }

  removeChildSync(dir: Node, name: string, directory: boolean, may: (obj: Stats) => boolean, dirFd?: number): ChildRemoval | number | null {
    // one name in the checked directory, never a path: nothing else is confined here
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw sysError(EINVAL, 'unlinkat', name);
    const dfd = dirFd ?? openDir(dir, directory ? 'rmdir' : 'unlink');
    try {
      const obj = at.statxOrErrno(dfd, name, AT_SYMLINK_NOFOLLOW);
      if (typeof obj === 'number') return obj;
      if (!may(obj)) return { obj, after: null };
      if (!directory && obj.size > LARGE_UNLINK_BYTES) return null;
      at.unlinkat(dfd, name, directory ? AT_REMOVEDIR : 0);
      // the directory's attributes after the removal, through the checked descriptor
      return { obj, after: at.fstatx(dfd) };
    } finally {
      if (dirFd === undefined) at.close(dfd);
    }
  }

  removeSync(dir: Node, name: string, directory: boolean): Stats | null {
    const dfd = openDir(dir, directory ? 'rmdir' : 'unlink');
    try {
      if (directory) {
        at.unlinkat(dfd, name, AT_REMOVEDIR);
      } else {
        let large = false;
        try {
          large = at.statx(dfd, name, AT_SYMLINK_NOFOLLOW).size > LARGE_UNLINK_BYTES;
        } catch { /* unlinkat says why */ }
        if (large) return null;
        at.unlinkat(dfd, name, 0);
      }
      // the directory's attributes after the removal, through the checked descriptor
      return at.fstatx(dfd);
    } finally {
      at.close(dfd);
    }
  }

  rename(fromDir: Node, fromName: string, toDir: Node, toName: string): Promise<void> {
    return now(() => {
      const from = openDir(fromDir, 'rename');
      try {
        const to = openDir(toDir, 'rename');
        try {
          at.renameat2(from, fromName, to, toName, 0);
        } finally {
          at.close(to);
        }
      } finally {
        at.close(from);
      }
    });
  }

  link(obj: Node, dir: Node, name: string): Promise<void> {
    return now(() => {
      const { fd } = openNode(obj, 'link');
      try {
        const dfd = openDir(dir, 'link');
        try {
          // linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the magic link names
          // the same inode and works for any user
          at.linkat(AT_FDCWD, `/proc/self/fd/${fd}`, dfd, name, AT_SYMLINK_FOLLOW);
        } finally {
          at.close(dfd);
        }
      } finally {
        at.close(fd);
      }
    });
  }

  symlink(dir: Node, name: string, target: string): Promise<void> {
    return this.inDir(dir, 'symlink', (dfd) => at.symlinkat(target, dfd, name));
  }

  readlink(obj: Loc): Promise<string> {
    return now(() => {
      const fd = openBelow(rootOf(obj), obj.rel, O_PATH | O_NOFOLLOW);
      try {
        return at.readlinkat(fd, '');
      } finally {
        at.close(fd);
      }
    });
  }

  chmod(obj: Node, mode: number): Promise<void> {
    return now(() => {
      const { fd, st } = openNode(obj, 'chmod');
      try {
        if (!st.isSymbolicLink()) at.fchmodPath(fd, mode);
      } finally {
        at.close(fd);
      }
    });
  }

  chown(obj: Node, uid: number, gid: number): Promise<void> {
    return now(() => {
      const { fd } = openNode(obj, 'chown');
      try {
        at.fchownat(fd, '', uid, gid, AT_EMPTY_PATH);
      } finally {
        at.close(fd);
      }
    });
  }

  utimes(obj: Node, atimeNs: bigint | null, mtimeNs: bigint | null): Promise<void> {
    return now(() => {
      const { fd } = openNode(obj, 'utimes');
      try {
        at.utimensat(fd, '', atimeNs, mtimeNs, AT_EMPTY_PATH);
      } finally {
        at.close(fd);
      }
    });
  }

  mknodSupport(): MknodSupport {
    return { fifo: true, socket: true, chr: this.root, blk: this.root };
  }

  mknod(dir: Node, name: string, kind: 'fifo' | 'socket' | 'chr' | 'blk', mode: number, major = 0, minor = 0): Promise<void> {
    if (!this.mknodSupport()[kind]) return Promise.reject(sysError(95 /* EOPNOTSUPP */, 'mknod'));
    const type = kind === 'fifo' ? S_IFIFO : kind === 'socket' ? S_IFSOCK : kind === 'chr' ? S_IFCHR : S_IFBLK;
    const dev = kind === 'chr' || kind === 'blk' ? at.deviceNumber(major, minor) : 0n;
    return this.inDir(dir, 'mknod', (dfd) => at.mknodat(dfd, name, type | (mode & 0o7777), dev));
  }
}

