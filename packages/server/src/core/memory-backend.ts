/**
 * A Backend that keeps the whole tree in this process's memory, for tests that want no disk:
 * `startServer({ exports: [{ path: '/export', backend: 'memory' }] })`.
 *
 * It behaves as a POSIX filesystem (tmpfs is the model) for every call of the contract:
 * inode numbers never reused, nlink of files and directories, hard links, symlinks, FIFOs,
 * sockets and device nodes, modes and owners, nanosecond times with the POSIX update rules,
 * sparse files, rename's replacement rules, and ENOSPC once `maxBytes` (data plus a charge
 * per object and name) is used. It checks no permissions itself, as the kernel does not for
 * a server running as root: the server's own checks, above the backend, decide.
 *
 * Its descriptors are not the process's: they are numbers from MEMORY_FD_BASE up, above any
 * real descriptor, so a stray `fs` call on one fails with EBADF instead of touching a real
 * file. `osDescriptors` is false: the server then declines LOCALIO opens on its exports
 * (clients use RPC) and keeps NLM locks in its table alone.
 */
import { sysError } from '@nfsts/sys';
import type { Backend, BackendRoot, BackendStatFs, DirEntry, Loc, MknodSupport, Node, Stats } from './backend.js';
import { NfsError } from './nfsstat.js';
import { MAX_FILE_BYTES, Space } from './memory-data.js';
import {
  DIRENT_BYTES, INODE_BYTES, MemInode, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
} from './memory-inode.js';

/** The byte budget when none is given: data plus per-object charges. */
export const DEFAULT_MEMORY_MAX_BYTES = 256 * 1024 * 1024;
/** Mode of a new tree's root directory: world-writable and sticky, as a fresh tmpfs. */
export const DEFAULT_MEMORY_ROOT_MODE = 0o1777;
/** The first descriptor number; real descriptors stay below it (Linux caps fs.nr_open below 2^30). */
export const MEMORY_FD_BASE = 2 ** 30;
const NAME_MAX = 255;
const SYMLINK_MAX = 4095;
const S_ISGID = 0o2000;
const MAX_POSITION = BigInt(MAX_FILE_BYTES);

export interface MemoryBackendOptions {
  /** bytes of file data plus per-object charges (256 per object, 64 + name per entry) before ENOSPC; default 256 MiB */
  maxBytes?: number;
  /** owner of the root and of objects created without an owner; default this process's uid/gid */
  uid?: number;
  gid?: number;
  /** permission bits of a new tree's root directory; default 0o1777 (as tmpfs) */
  rootMode?: number;
}

function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new NfsError('ERR_NFS_BAD_OPTION', `memory backend option "${name}": expected an integer ${min}..${max}, got ${String(v)}`);
  }
  return v;
}

/** Validates MemoryBackendOptions and fills in defaults; errors name the bad property. */
export function parseMemoryBackendOptions(o: MemoryBackendOptions = {}): Required<MemoryBackendOptions> {
  if (typeof o !== 'object' || o === null) throw new NfsError('ERR_NFS_BAD_OPTION', 'memory backend options: expected an object');
  for (const k of Object.keys(o)) {
    if (!['maxBytes', 'uid', 'gid', 'rootMode'].includes(k)) throw new NfsError('ERR_NFS_BAD_OPTION', `memory backend option "${k}": unknown option`);
  }
  return {
    maxBytes: o.maxBytes === undefined ? DEFAULT_MEMORY_MAX_BYTES : checkInt('maxBytes', o.maxBytes, INODE_BYTES, Number.MAX_SAFE_INTEGER),
    uid: o.uid === undefined ? (process.getuid?.() ?? 0) : checkInt('uid', o.uid, 0, 0xffffffff),
    gid: o.gid === undefined ? (process.getgid?.() ?? 0) : checkInt('gid', o.gid, 0, 0xffffffff),
    rootMode: o.rootMode === undefined ? DEFAULT_MEMORY_ROOT_MODE : checkInt('rootMode', o.rootMode, 0, 0o7777),
  };
}

/** One tree (an export root): its own device number, as a separate tmpfs would have. */
interface Tree {
  readonly dev: bigint;
  readonly root: MemInode;
  /** directories' parents (for rename's "not into itself" rule) */
  readonly parents: WeakMap<MemInode, MemInode>;
}

class MemRoot implements BackendRoot {
  constructor(readonly path: string, readonly tree: Tree) {}
}

interface OpenDesc {
  readonly n: MemInode;
  readonly dev: bigint;
  readonly write: boolean;
}

function treeOf(at: Loc): Tree {
  const r = at.root;
  if (!(r instanceof MemRoot)) throw new TypeError('MemoryBackend: a Loc whose root another backend opened');
  return r.tree;
}

/** Runs fn and turns a throw into a rejected promise (the Backend's methods are async). */
function now<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

function entryCost(name: string): number {
  return DIRENT_BYTES + Buffer.byteLength(name);
}

/** Linux's dev_t encoding (the core decodes rdev the same way). */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

let nextDev = 0x6d656d00n; // 'mem\0': apart from real device numbers

export class MemoryBackend implements Backend {
  readonly name = 'memory';
  /** nothing outside this process changes the tree, and every call runs to completion on one thread */
  readonly raceSafe = true;
  readonly osDescriptors = false;
  /** the byte budget (used / max / free), for tests and stats */
  readonly space: Space;
  private readonly opts: Required<MemoryBackendOptions>;
  private readonly trees = new Map<string, Tree>();
  private readonly fds = new Map<number, OpenDesc>();
  private nextIno = 2n;
  /** objects alive (named or open) in every tree */
  private inodes = 0;
  private nextFd = MEMORY_FD_BASE;

  constructor(options: MemoryBackendOptions = {}) {
    this.opts = parseMemoryBackendOptions(options);
    this.space = new Space(this.opts.maxBytes);
  }

  /** Descriptors open now (for tests: a leak shows here). */
  get openCount(): number {
    return this.fds.size;
  }

  /**
   * The tree named `path` (created empty on first use). Reopening a name finds the same tree,
   * so a server restarted on the same MemoryBackend serves the same files and handles.
   */
  openRoot(path: string): Promise<{ root: BackendRoot; stats: Stats }> {
    return now(() => {
      let tree = this.trees.get(path);
      if (tree === undefined) {
        this.space.take(INODE_BYTES, 'mkdir');
        const root = new MemInode(this.nextIno++, S_IFDIR | this.opts.rootMode, this.opts.uid, this.opts.gid);
        root.nlink = 2;
        this.inodes++;
        tree = { dev: nextDev++, root, parents: new WeakMap() };
        this.trees.set(path, tree);
      }
      return { root: new MemRoot(`memory:${path}`, tree), stats: tree.root.stats(tree.dev) };
    });
  }

  closeRoot(): void {
    // the tree stays: it is this backend's content, found again by the next openRoot
  }

  /** The object at root/rel: no symlink is followed in any component (ELOOP), as openat2 RESOLVE_NO_SYMLINKS. */
  private walk(at: Loc, syscall: string): MemInode {
    let n = treeOf(at).root;
    const rel = at.rel;
    if (rel === '') return n;
    let start = 0;
    for (;;) {
      const slash = rel.indexOf('/', start);
      const name = slash < 0 ? rel.slice(start) : rel.slice(start, slash);
      if (n.entries === null) throw sysError(20 /* ENOTDIR */, syscall);
      const c = n.entries.get(name);
      if (c === undefined) throw sysError(2 /* ENOENT */, syscall);
      if (slash < 0) return c;
      if (c.type === S_IFLNK) throw sysError(40 /* ELOOP */, syscall);
      n = c;
      start = slash + 1;
    }
  }

  /** The object a Node names, which must still be it (else ESTALE). */
  private node(obj: Node, syscall: string): MemInode {
    const n = this.walk(obj, syscall);
    if (n.ino !== obj.stats.ino || treeOf(obj).dev !== obj.stats.dev) throw sysError(116 /* ESTALE */, syscall);
    return n;
  }

  private dir(d: Node, syscall: string): MemInode & { entries: Map<string, MemInode> } {
    const n = this.node(d, syscall);
    if (n.entries === null) throw sysError(20 /* ENOTDIR */, syscall);
    return n as MemInode & { entries: Map<string, MemInode> };
  }

  private desc(fd: number, syscall: string): OpenDesc {
    const e = this.fds.get(fd);
    if (e === undefined) throw sysError(9 /* EBADF */, syscall);
    return e;
  }

  /** A name for a new entry: too long → ENAMETOOLONG, taken → EEXIST. */
  private checkNew(dir: MemInode & { entries: Map<string, MemInode> }, name: string, syscall: string): void {
    if (Buffer.byteLength(name) > NAME_MAX) throw sysError(36 /* ENAMETOOLONG */, syscall);
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw sysError(22 /* EINVAL */, syscall);
    if (dir.entries.has(name)) throw sysError(17 /* EEXIST */, syscall);
  }

  /** A new object named `name` in dir; charged first (ENOSPC changes nothing). */
  private add(dir: MemInode & { entries: Map<string, MemInode> }, name: string, mode: number, uid: number, gid: number, syscall: string, rdev = 0n, target: string | null = null): MemInode {
    this.checkNew(dir, name, syscall);
    this.space.take(INODE_BYTES + entryCost(name) + (target === null ? 0 : Buffer.byteLength(target)), syscall);
    const n = new MemInode(this.nextIno++, mode, uid, gid, rdev, target);
    n.nlink = 1;
    this.inodes++;
    dir.entries.set(name, n);
    dir.modified();
    return n;
  }

  /** Owner of an object created without one: this process, with the group of a set-group-ID directory. */
  private defaultGid(dir: MemInode): number {
    return dir.mode & S_ISGID ? dir.gid : this.opts.gid;
  }

  /** A name went away: its charge back; the object freed once no name and no descriptor holds it. */
  private dropLink(n: MemInode, name: string): void {
    this.space.give(entryCost(name));
    n.nlink = n.type === S_IFDIR ? 0 : n.nlink - 1;
    n.changed();
    this.freeIfUnused(n);
  }

  private freeIfUnused(n: MemInode): void {
    if (n.nlink > 0 || n.opens > 0) return;
    this.inodes--;
    n.data?.release(this.space);
    this.space.give(INODE_BYTES + (n.target === null ? 0 : Buffer.byteLength(n.target)));
  }

  lstatSync(at: Loc): Stats {
    return this.walk(at, 'lstat').stats(treeOf(at).dev);
  }

  lstat(at: Loc): Promise<Stats> {
    return now(() => this.lstatSync(at));
  }

  lstatChildrenSync(d: Node, names: readonly string[]): Array<Stats | undefined> {
    const dir = this.dir(d, 'statx');
    const dev = treeOf(d).dev;
    return names.map((name) => dir.entries.get(name)?.stats(dev));
  }

  fstatSync(fd: number): Stats {
    const e = this.desc(fd, 'fstat');
    return e.n.stats(e.dev);
  }

  fstat(fd: number): Promise<Stats> {
    return now(() => this.fstatSync(fd));
  }

  statfs(at: Loc): Promise<BackendStatFs> {
    return now(() => {
      this.walk(at, 'statfs');
      const s = this.space;
      const bsize = 4096;
      const free = Math.max(0, s.free);
      const ffree = Math.floor(free / INODE_BYTES);
      return {
        bsize: BigInt(bsize),
        blocks: BigInt(Math.floor(s.max / bsize)),
        bfree: BigInt(Math.floor(free / bsize)),
        bavail: BigInt(Math.floor(free / bsize)),
        files: BigInt(this.inodes + ffree),
        ffree: BigInt(ffree),
      };
    });
  }

  readdir(d: Loc): Promise<DirEntry[]> {
    return now(() => {
      const n = this.walk(d, 'scandir');
      if (n.entries === null) throw sysError(20 /* ENOTDIR */, 'scandir');
      n.accessed();
      const out: DirEntry[] = [];
      for (const [name, c] of n.entries) out.push({ name, kind: c.kind });
      return out;
    });
  }

  open(obj: Node, flags: number): Promise<number> {
    return now(() => {
      const n = this.node(obj, 'open');
      if (n.type === S_IFDIR && (flags & 3) !== 0) throw sysError(21 /* EISDIR */, 'open');
      // as AtBackend: the handle's object must be a linked regular file
      if (n.type !== S_IFREG || n.nlink === 0) throw sysError(116 /* ESTALE */, 'open');
      const fd = this.nextFd++;
      if (this.nextFd >= 2 ** 31) this.nextFd = MEMORY_FD_BASE; // after 2^30 opens; live ones are skipped below
      if (this.fds.has(fd)) throw sysError(24 /* EMFILE */, 'open');
      this.fds.set(fd, { n, dev: treeOf(obj).dev, write: (flags & 3) !== 0 });
      n.opens++;
      return fd;
    });
  }

  close(fd: number): Promise<void> {
    return now(() => {
      const e = this.desc(fd, 'close');
      this.fds.delete(fd);
      e.n.opens--;
      this.freeIfUnused(e.n);
    });
  }

  create(d: Node, name: string, mode: number, owner?: { uid: number; gid: number } | null): Promise<Stats> {
    return now(() => {
      const dir = this.dir(d, 'open');
      const n = this.add(dir, name, S_IFREG | (mode & 0o7777), owner?.uid ?? this.opts.uid, owner?.gid ?? this.defaultGid(dir), 'open');
      return n.stats(treeOf(d).dev);
    });
  }

  read(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number> {
    return now(() => this.readSync(fd, buf, off, len, position));
  }

  readSync(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): number {
    const e = this.desc(fd, 'read');
    const pos = Number(position);
    e.n.accessed();
    if (pos >= MAX_FILE_BYTES) return 0;
    return e.n.data!.read(pos, buf, off, len);
  }

  /** READ's copy-free path: a view of the chunk holding the whole range (atime as read()). */
  readView(fd: number, position: bigint, len: number): Buffer | null {
    const e = this.desc(fd, 'read');
    if (position >= MAX_POSITION) return null;
    const v = e.n.data!.view(Number(position), len);
    if (v !== null) e.n.accessed();
    return v;
  }

  write(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number> {
    return now(() => {
      const e = this.desc(fd, 'write');
      if (!e.write) throw sysError(9 /* EBADF */, 'write');
      if (len === 0) return 0;
      const pos = Number(position);
      if (pos + len > MAX_FILE_BYTES) throw sysError(27 /* EFBIG */, 'write');
      const n = e.n.data!.write(this.space, pos, buf, off, len);
      e.n.modified();
      return n;
    });
  }

  fsync(fd: number): Promise<void> {
    return now(() => void this.desc(fd, 'fsync'));
  }

  fdatasync(fd: number): Promise<void> {
    return now(() => void this.desc(fd, 'fdatasync'));
  }

  ftruncate(fd: number, size: bigint | number): Promise<void> {
    return now(() => {
      const e = this.desc(fd, 'ftruncate');
      if (!e.write) throw sysError(22 /* EINVAL */, 'ftruncate');
      this.resize(e.n, size, 'ftruncate');
    });
  }

  truncate(obj: Node, size: bigint | number): Promise<void> {
    return now(() => {
      const n = this.node(obj, 'truncate');
      if (n.type === S_IFDIR) throw sysError(21 /* EISDIR */, 'truncate');
      if (n.type !== S_IFREG) throw sysError(22 /* EINVAL */, 'truncate');
      this.resize(n, size, 'truncate');
    });
  }

  private resize(n: MemInode, size: bigint | number, syscall: string): void {
    if (size < 0) throw sysError(22 /* EINVAL */, syscall);
    if (size > MAX_FILE_BYTES) throw sysError(27 /* EFBIG */, syscall);
    n.data!.truncate(this.space, Number(size));
    // as Linux's do_truncate: mtime and ctime move even when the size does not
    n.modified();
  }

  mkdir(d: Node, name: string, mode: number): Promise<void> {
    return now(() => {
      const dir = this.dir(d, 'mkdir');
      // a directory made in a set-group-ID directory inherits the bit and the group
      const sgid = dir.mode & S_ISGID;
      const n = this.add(dir, name, S_IFDIR | (mode & 0o7777) | sgid, this.opts.uid, this.defaultGid(dir), 'mkdir');
      n.nlink = 2;
      dir.nlink++;
      treeOf(d).parents.set(n, dir);
    });
  }

  rmdir(d: Node, name: string): Promise<void> {
    return now(() => {
      const dir = this.dir(d, 'rmdir');
      if (name === '.') throw sysError(22 /* EINVAL */, 'rmdir');
      if (name === '..') throw sysError(39 /* ENOTEMPTY */, 'rmdir');
      const n = dir.entries.get(name);
      if (n === undefined) throw sysError(2 /* ENOENT */, 'rmdir');
      if (n.entries === null) throw sysError(20 /* ENOTDIR */, 'rmdir');
      if (n.entries.size > 0) throw sysError(39 /* ENOTEMPTY */, 'rmdir');
      dir.entries.delete(name);
      dir.nlink--;
      dir.modified();
      this.dropLink(n, name);
    });
  }

  unlink(d: Node, name: string): Promise<void> {
    return now(() => {
      const dir = this.dir(d, 'unlink');
      const n = dir.entries.get(name);
      if (n === undefined) throw sysError(2 /* ENOENT */, 'unlink');
      if (n.type === S_IFDIR) throw sysError(21 /* EISDIR */, 'unlink');
      dir.entries.delete(name);
      dir.modified();
      this.dropLink(n, name);
    });
  }

  rename(fromD: Node, fromName: string, toD: Node, toName: string): Promise<void> {
    return now(() => {
      const from = this.dir(fromD, 'rename');
      const to = this.dir(toD, 'rename');
      const tree = treeOf(fromD);
      if (treeOf(toD) !== tree) throw sysError(18 /* EXDEV */, 'rename');
      for (const nm of [fromName, toName]) if (nm === '' || nm === '.' || nm === '..') throw sysError(nm === '' ? 2 : 16 /* ENOENT / EBUSY */, 'rename');
      if (Buffer.byteLength(toName) > NAME_MAX) throw sysError(36 /* ENAMETOOLONG */, 'rename');
      const src = from.entries.get(fromName);
      if (src === undefined) throw sysError(2 /* ENOENT */, 'rename');
      const dst = to.entries.get(toName);
      // the same object under both names (or the very same name): POSIX says do nothing
      if (dst === src) return;
      const srcDir = src.type === S_IFDIR;
      if (srcDir) {
        // never into itself or below itself
        for (let p: MemInode | undefined = to; p !== undefined; p = tree.parents.get(p)) {
          if (p === src) throw sysError(22 /* EINVAL */, 'rename');
        }
      }
      if (dst !== undefined) {
        if (srcDir && dst.type !== S_IFDIR) throw sysError(20 /* ENOTDIR */, 'rename');
        if (!srcDir && dst.type === S_IFDIR) throw sysError(21 /* EISDIR */, 'rename');
        if (dst.entries !== null && dst.entries.size > 0) throw sysError(39 /* ENOTEMPTY */, 'rename');
      }
      // the new name is charged before anything changes; a replaced name is dropped below
      this.space.take(entryCost(toName), 'rename');
      from.entries.delete(fromName);
      this.space.give(entryCost(fromName));
      to.entries.set(toName, src);
      if (dst !== undefined) {
        if (dst.type === S_IFDIR) to.nlink--;
        this.dropLink(dst, toName);
      }
      if (srcDir && from !== to) {
        from.nlink--;
        to.nlink++;
        tree.parents.set(src, to);
      }
      src.changed();
      from.modified();
      if (to !== from) to.modified();
    });
  }

  link(obj: Node, d: Node, name: string): Promise<void> {
    return now(() => {
      const n = this.node(obj, 'link');
      if (n.type === S_IFDIR) throw sysError(1 /* EPERM */, 'link');
      const dir = this.dir(d, 'link');
      if (treeOf(obj) !== treeOf(d)) throw sysError(18 /* EXDEV */, 'link');
      this.checkNew(dir, name, 'link');
      this.space.take(entryCost(name), 'link');
      dir.entries.set(name, n);
      n.nlink++;
      n.changed();
      dir.modified();
    });
  }

  symlink(d: Node, name: string, target: string): Promise<void> {
    return now(() => {
      if (target === '') throw sysError(2 /* ENOENT */, 'symlink');
      if (Buffer.byteLength(target) > SYMLINK_MAX) throw sysError(36 /* ENAMETOOLONG */, 'symlink');
      const dir = this.dir(d, 'symlink');
      this.add(dir, name, S_IFLNK | 0o777, this.opts.uid, this.defaultGid(dir), 'symlink', 0n, target);
    });
  }

  readlink(obj: Loc): Promise<string> {
    return now(() => {
      const n = this.walk(obj, 'readlink');
      if (n.target === null) throw sysError(22 /* EINVAL */, 'readlink');
      n.accessed();
      return n.target;
    });
  }

  chmod(obj: Node, mode: number): Promise<void> {
    return now(() => {
      const n = this.node(obj, 'chmod');
      if (n.type === S_IFLNK) return; // a symlink's mode is left alone, as on Linux
      n.mode = (n.mode & S_IFMT) | (mode & 0o7777);
      n.changed();
    });
  }

  chown(obj: Node, uid: number, gid: number): Promise<void> {
    return now(() => {
      const n = this.node(obj, 'chown');
      n.chown(uid, gid);
    });
  }

  utimes(obj: Node, atimeNs: bigint | null, mtimeNs: bigint | null): Promise<void> {
    return now(() => {
      const n = this.node(obj, 'utimensat');
      if (atimeNs === null && mtimeNs === null) return;
      if (atimeNs !== null) n.atimeNs = atimeNs;
      if (mtimeNs !== null) n.mtimeNs = mtimeNs;
      n.changed();
    });
  }

  mknodSupport(): MknodSupport {
    // nothing here reaches a device: a device node is only a name with a number
    return { fifo: true, socket: true, chr: true, blk: true };
  }

  mknod(d: Node, name: string, kind: 'fifo' | 'socket' | 'chr' | 'blk', mode: number, major = 0, minor = 0): Promise<void> {
    return now(() => {
      const type = kind === 'fifo' ? S_IFIFO : kind === 'socket' ? S_IFSOCK : kind === 'chr' ? S_IFCHR : kind === 'blk' ? S_IFBLK : -1;
      if (type < 0) throw sysError(95 /* EOPNOTSUPP */, 'mknod');
      const dir = this.dir(d, 'mknod');
      const rdev = kind === 'chr' || kind === 'blk' ? makedev(major, minor) : 0n;
      this.add(dir, name, type | (mode & 0o7777), this.opts.uid, this.defaultGid(dir), 'mknod', rdev);
    });
  }
}
