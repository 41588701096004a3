/**
 * One FUSE connection served by an NfsClient: decodes each request, does the NFS calls for it
 * with the caller's credential, and replies. Requests run concurrently; INTERRUPT aborts the
 * NFS call of the request it names.
 */
import { constants } from 'node:os';
import { SYS_AVAILABLE, fuseBackingOpen, fuseBackingClose } from '@nfsts/sys';
import type { NfsClient } from '@nfsts/client';
import { ftype3, time_how, createmode3, type fattr3, type sattr3, type post_op_attr, type entryplus3 } from '@nfsts/xdr';
import {
  Op, FUSE_KERNEL_VERSION, FUSE_MIN_MINOR, FUSE_OUR_MINOR, IN_HEADER, OUT_HEADER, ENTRY_OUT, ATTR_OUT, OPEN_OUT, INIT_OUT, STATFS_OUT,
  FUSE_ASYNC_READ, FUSE_BIG_WRITES, FUSE_AUTO_INVAL_DATA, FUSE_DO_READDIRPLUS, FUSE_READDIRPLUS_AUTO, FUSE_ASYNC_DIO,
  FUSE_PARALLEL_DIROPS, FUSE_MAX_PAGES, FUSE_CACHE_SYMLINKS, FOPEN_KEEP_CACHE, FOPEN_PASSTHROUGH,
  FUSE_INIT_EXT, FUSE_PASSTHROUGH_FLAGS2, PASSTHROUGH_MAX_STACK_DEPTH,
  FATTR_MODE, FATTR_UID, FATTR_GID, FATTR_SIZE, FATTR_ATIME, FATTR_MTIME, FATTR_ATIME_NOW, FATTR_MTIME_NOW,
  readInHeader, writeEntry, writeAttrOut, writeDirent, direntSize, cstring, type Attr, type InHeader,
} from './abi.js';
import { FuseChannel } from './channel.js';
import { Credentials, type Caller } from './creds.js';
import { errnoOf, isTransportFailure } from './errno.js';
import { NodeTable, type Node } from './nodes.js';
import { DEFAULT_HARD_RETRY_MS, type ResolvedFuseOptions } from './options.js';

const E = constants.errno;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000, S_IFDIR = 0o040000, S_IFLNK = 0o120000, S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFIFO = 0o010000, S_IFSOCK = 0o140000;
const TYPE_BITS: Record<number, number> = { 1: S_IFREG, 2: S_IFDIR, 3: S_IFBLK, 4: S_IFCHR, 5: S_IFLNK, 6: S_IFSOCK, 7: S_IFIFO };
const O_ACCMODE = 3, O_WRONLY = 1, O_RDWR = 2, O_EXCL = 0o200, O_APPEND = 0o2000;
const NO_ATTRS: sattr3 = { mode: { set_it: false }, uid: { set_it: false }, gid: { set_it: false }, size: { set_it: false }, atime: { set_it: time_how.DONT_CHANGE }, mtime: { set_it: time_how.DONT_CHANGE } };
const BLKSIZE = 128 * 1024;
/** READDIRPLUS reply size asked of the server per batch */
const DIR_BATCH = 64 * 1024;
/** LOCALIO read buffers kept for reuse (each rsize bytes) */
const READ_BUFS_KEPT = 8;
/** a READ over RPC is split into this many concurrent NFS READs */
const RPC_READ_PIECES = 4;

class Interrupted extends Error {
  readonly code = 'ERR_FUSE_INTERRUPTED';
}
class SoftTimeout extends Error {
  readonly code = 'ERR_FUSE_SOFT_TIMEOUT';
}

interface Pending {
  offset: bigint;
  data: Buffer;
  verf: Buffer;
}

interface OpenFile {
  node: Node;
  caller: Caller;
  append: boolean;
  /** the kernel does this open's reads and writes on the server's file (node.backing) */
  passthrough: boolean;
  /** UNSTABLE writes not yet committed, kept to resend if the server's verifier changes */
  pending: Pending[];
  pendingBytes: number;
}

interface OpenDir {
  node: Node;
  caller: Caller;
  cookieverf: Buffer;
  /** the last batch from the server, served from while the kernel reads on from its cookies */
  batch: entryplus3[];
  eof: boolean;
}

function toAttr(a: fattr3): Attr {
  const major = a.rdev.specdata1, minor = a.rdev.specdata2;
  return {
    ino: a.fileid,
    size: a.size,
    blocks: (a.used + 511n) / 512n,
    atime: a.atime.seconds, atimensec: a.atime.nseconds,
    mtime: a.mtime.seconds, mtimensec: a.mtime.nseconds,
    ctime: a.ctime.seconds, ctimensec: a.ctime.nseconds,
    mode: (TYPE_BITS[a.type] ?? 0) | (a.mode & 0o7777),
    nlink: a.nlink,
    uid: a.uid,
    gid: a.gid,
    // the kernel's 32-bit dev_t encoding (new_encode_dev)
    rdev: ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0,
    blksize: BLKSIZE,
  };
}

function stampOf(a: fattr3): string {
  return `${a.size}:${a.mtime.seconds}.${a.mtime.nseconds}:${a.ctime.seconds}.${a.ctime.nseconds}`;
}

export class FuseSession {
  readonly nodes: NodeTable;
  private readonly creds: Credentials;
  private channel: FuseChannel | null = null;
  private readonly files = new Map<bigint, OpenFile>();
  private readonly dirs = new Map<bigint, OpenDir>();
  private nextFh = 1n;
  /** LOCALIO read buffers of rsize bytes, reused from one READ to the next */
  private readonly readBufs: Buffer[] = [];
  private sillyCount = 0;
  private readonly inflight = new Map<bigint, AbortController>();
  private readonly entryMs: number;
  private readonly attrMs: number;
  private closing = false;
  /** protocol minor agreed in INIT */
  minor = 0;
  /** FUSE passthrough agreed in INIT and not turned off since (by a refused ioctl) */
  passthrough = false;
  /** why passthrough is on or off (logged once; the bench labels its rows with it) */
  passthroughWhy = 'not negotiated yet';
  /** opens answered with FOPEN_PASSTHROUGH (for tests and diagnostics) */
  passthroughOpens = 0;
  private fd = -1;
  maxWrite = 0;
  private readonly rsize: number;
  private readonly wsize: number;
  /** resolves when the kernel has ended the connection (unmounted or aborted) */
  readonly ended: Promise<string>;
  private endedResolve!: (r: string) => void;
  /** resolves once INIT is answered (the kernel has then applied what it says) */
  readonly initialized: Promise<void>;
  private initializedResolve!: () => void;
  /** requests received, by opcode (for tests and diagnostics) */
  readonly counts = new Map<number, number>();
  /** the most requests this session has had in flight at once */
  maxInflight = 0;

  constructor(readonly client: NfsClient, readonly opts: ResolvedFuseOptions) {
    this.nodes = new NodeTable(client.rootFh);
    this.creds = new Credentials(client, opts.identity);
    this.entryMs = opts.actimeoMs;
    this.attrMs = opts.actimeoMs;
    this.rsize = client.rsize;
    this.wsize = Math.min(client.wsize, 1024 * 1024);
    this.ended = new Promise((r) => { this.endedResolve = r; });
    this.initialized = new Promise((r) => { this.initializedResolve = r; });
  }

  /** starts reading the device (only after mount(2) has returned) */
  start(fd: number): void {
    this.fd = fd;
    this.channel = new FuseChannel(fd, this.wsize + 4096 + IN_HEADER, (req) => this.onRequest(req), (reason) => {
      this.closing = true;
      for (const ac of this.inflight.values()) ac.abort(new Interrupted('connection ended'));
      this.endedResolve(reason);
    });
  }

  unref(): void {
    this.channel?.unref();
  }

  /** stops hard-mount retries (unmounting) */
  stop(): void {
    this.closing = true;
    for (const ac of this.inflight.values()) ac.abort(new Interrupted('unmounting'));
  }

  private onRequest(b: Buffer): void {
    const h = readInHeader(b);
    this.counts.set(h.opcode, (this.counts.get(h.opcode) ?? 0) + 1);
    const body = b.subarray(IN_HEADER, h.len);
    switch (h.opcode) {
      case Op.FORGET:
        this.nodes.forget(h.nodeid, Number(body.readBigUInt64LE(0)));
        return;
      case Op.BATCH_FORGET: {
        const count = body.readUInt32LE(0);
        for (let i = 0, o = 8; i < count; i++, o += 16) this.nodes.forget(body.readBigUInt64LE(o), Number(body.readBigUInt64LE(o + 8)));
        return;
      }
      case Op.INTERRUPT:
        this.inflight.get(body.readBigUInt64LE(0))?.abort(new Interrupted('interrupted'));
        return;
      case Op.INIT:
        this.init(h, body);
        return;
      case Op.DESTROY:
        this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER));
        return;
    }
    const ac = new AbortController();
    this.inflight.set(h.unique, ac);
    if (this.inflight.size > this.maxInflight) this.maxInflight = this.inflight.size;
    this.handle(h, body, ac.signal).then(
      () => { this.inflight.delete(h.unique); },
      (err: unknown) => {
        this.inflight.delete(h.unique);
        const errno = errnoOf(err);
        if (errno === E.EIO || errno === E.ETIMEDOUT) this.opts.logger?.warn({ op: h.opcode, err: (err as Error)?.message }, 'fuse request failed');
        else this.opts.logger?.debug({ op: h.opcode, uid: h.uid, pid: h.pid, errno }, 'fuse request refused');
        this.ch.error(h.unique, errno);
      },
    );
  }

  private get ch(): FuseChannel {
    return this.channel!;
  }

  private init(h: InHeader, body: Buffer): void {
    const major = body.readUInt32LE(0), minor = body.readUInt32LE(4);
    const readahead = body.readUInt32LE(8), flags = body.readUInt32LE(12);
    const out = Buffer.alloc(OUT_HEADER + INIT_OUT);
    if (major !== FUSE_KERNEL_VERSION) {
      // an older or newer major: say ours; a newer kernel asks again with 7
      out.writeUInt32LE(FUSE_KERNEL_VERSION, OUT_HEADER);
      out.writeUInt32LE(FUSE_OUR_MINOR, OUT_HEADER + 4);
      if (major < FUSE_KERNEL_VERSION) { this.ch.error(h.unique, E.EPROTO); return; }
      this.ch.reply(h.unique, out.subarray(0, OUT_HEADER + 8));
      return;
    }
    if (minor < FUSE_MIN_MINOR) {
      this.opts.logger?.error({ minor }, `FUSE protocol 7.${minor} is older than 7.${FUSE_MIN_MINOR}`);
      this.ch.error(h.unique, E.EPROTO);
      return;
    }
    this.minor = Math.min(minor, FUSE_OUR_MINOR);
    const want = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_AUTO_INVAL_DATA | FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO | FUSE_ASYNC_DIO | FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES | FUSE_CACHE_SYMLINKS;
    this.maxWrite = this.wsize;
    const o = OUT_HEADER;
    out.writeUInt32LE(FUSE_KERNEL_VERSION, o);
    out.writeUInt32LE(this.minor, o + 4);
    out.writeUInt32LE(Math.min(readahead, this.rsize), o + 8);
    out.writeUInt32LE((flags & want) >>> 0, o + 12);
    out.writeUInt16LE(64, o + 16); // max_background
    out.writeUInt16LE(48, o + 18); // congestion_threshold
    out.writeUInt32LE(this.maxWrite, o + 20);
    out.writeUInt32LE(1, o + 24); // time_gran: nanoseconds
    out.writeUInt16LE(Math.max(1, Math.floor(this.maxWrite / 4096)), o + 28); // max_pages
    const why = this.passthroughRefusal(flags, body.length >= 20 ? body.readUInt32LE(16) : 0);
    if (why === null) {
      out.writeUInt32LE((out.readUInt32LE(o + 12) | FUSE_INIT_EXT) >>> 0, o + 12);
      out.writeUInt32LE(FUSE_PASSTHROUGH_FLAGS2, o + 32); // flags2
      out.writeUInt32LE(PASSTHROUGH_MAX_STACK_DEPTH, o + 36);
      this.passthrough = true;
      this.passthroughWhy = 'on: LOCALIO files are read and written by the kernel (FUSE passthrough)';
      this.opts.logger?.info('FUSE passthrough on for LOCALIO files');
    } else {
      this.passthroughWhy = `off: ${why}`;
      if (this.opts.passthrough === 'on') this.opts.logger?.warn({ why }, 'FUSE passthrough unavailable');
      else this.opts.logger?.debug({ why }, 'FUSE passthrough off');
    }
    this.ch.reply(h.unique, out);
    this.initializedResolve();
  }

  /** null when INIT may agree on passthrough, else why not */
  private passthroughRefusal(flags: number, flags2: number): string | null {
    if (this.opts.passthrough === 'off') return 'turned off by option';
    if (!this.client.isLocal) return 'the client is not local (I/O goes by RPC)';
    if (!(flags & FUSE_INIT_EXT) || !(flags2 & FUSE_PASSTHROUGH_FLAGS2)) return 'the kernel does not offer FUSE_PASSTHROUGH (needs Linux >= 6.9 with CONFIG_FUSE_PASSTHROUGH)';
    if (process.getuid?.() !== 0) return 'needs CAP_SYS_ADMIN (root)';
    if (!SYS_AVAILABLE) return 'no ioctl (koffi did not load)';
    return null;
  }

  /**
   * The backing id for an open of `n` in passthrough, or -1 for a plain open. The caller's
   * permission was checked already (ACCESS); this takes the server's LocalFile with LOCALIO's
   * own checks for `mode` and registers its descriptor with the kernel (which takes its own
   * reference: ours is put at once). One backing file per node, shared by its opens: the kernel
   * refuses a second backing file, and a mix of plain and passthrough opens, on one inode. A
   * refused ioctl declines (a plain open), never fails the open; EPERM/ENOTTY/EOPNOTSUPP turn
   * passthrough off for the mount.
   */
  private async backingFor(n: Node, mode: 'r' | 'rw'): Promise<number> {
    // a node with passthrough opens keeps them passthrough (even if it was turned off since)
    if (n.backing === null && (!this.passthrough || n.opens > 0)) return -1; // plain opens on it: this one must be plain too
    const f = this.client.isLocal ? await this.client.localio.localFile(n.fh, mode) : null;
    if (f === null) {
      // passthrough opens on it: a plain one would be refused by the kernel (EIO); say why instead
      if (n.backing !== null) throw Object.assign(new Error('no local file for a passthrough node'), { code: 'EACCES' });
      return -1;
    }
    try {
      if (n.backing !== null) {
        n.backing.refs++;
        return n.backing.id;
      }
      if (n.opens > 0) return -1;
      const id = fuseBackingOpen(this.fd, f.fd);
      n.backing = { id, refs: 1 };
      return id;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPERM' || code === 'ENOTTY' || code === 'EOPNOTSUPP') {
        this.passthrough = false;
        this.passthroughWhy = `off: the kernel refused a backing file (${code})`;
        this.opts.logger?.info({ code }, 'FUSE passthrough off: the kernel refused a backing file');
      } else {
        this.opts.logger?.debug({ code }, 'FUSE passthrough declined for a file');
      }
      return -1;
    } finally {
      f.put();
    }
  }

  /** an open of `n` in passthrough ended: the last one gives the backing id back */
  private releaseBacking(n: Node): void {
    const b = n.backing;
    if (b === null || --b.refs > 0) return;
    n.backing = null;
    try {
      fuseBackingClose(this.fd, b.id);
    } catch (err) {
      this.opts.logger?.debug({ code: (err as NodeJS.ErrnoException).code }, 'FUSE backing close failed');
    }
  }

  /**
   * An NFS call for a request: a hard mount tries again while the server is away (until the
   * caller is interrupted or the mount goes); a soft one fails with ETIMEDOUT after timeoutMs.
   */
  private async nfs<T>(signal: AbortSignal, fn: (o: { signal: AbortSignal; timeoutMs: number }) => Promise<T>): Promise<T> {
    const started = Date.now();
    for (;;) {
      try {
        return await fn({ signal, timeoutMs: this.opts.timeoutMs });
      } catch (err) {
        if (signal.aborted) throw new Interrupted('interrupted');
        if (!isTransportFailure(err)) throw err;
        if (this.opts.soft) {
          if (Date.now() - started >= this.opts.timeoutMs) throw new SoftTimeout(`server not answering: ${(err as Error).message}`);
        } else if (this.closing) {
          throw err;
        }
        this.opts.logger?.warn({ err: (err as Error).message }, 'server not responding, still trying');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, DEFAULT_HARD_RETRY_MS);
          signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
        });
        if (signal.aborted) throw new Interrupted('interrupted');
      }
    }
  }

  private node(id: bigint): Node {
    const n = this.nodes.get(id);
    if (n === undefined) throw Object.assign(new Error(`unknown nodeid ${id}`), { code: 'ESTALE' });
    return n;
  }

  private async attrsOf(c: Caller, fh: Buffer, a: post_op_attr, signal: AbortSignal): Promise<fattr3> {
    if (a.attributes_follow) return a.attributes;
    return (await this.nfs(signal, (o) => c.raw.getattr({ object: { data: fh } }, o))).obj_attributes;
  }

  /** an entry reply for a handle the server gave (counting one lookup) */
  private entryReply(unique: bigint, fh: Buffer, a: fattr3, extra = 0): Buffer {
    const n = this.nodes.lookup(fh, a.type === ftype3.NF3DIR);
    const out = Buffer.allocUnsafe(OUT_HEADER + ENTRY_OUT + extra);
    writeEntry(out, OUT_HEADER, n.id, toAttr(a), this.entryMs, this.attrMs);
    if (extra === 0) this.ch.reply(unique, out);
    return out;
  }

  /** a new object's handle and attributes, looked up when the reply left them out */
  private async created(c: Caller, dir: Buffer, name: string, r: { obj: { handle_follows: boolean; handle?: { data: Buffer } }; obj_attributes: post_op_attr }, signal: AbortSignal): Promise<{ fh: Buffer; attr: fattr3 }> {
    if (r.obj.handle_follows) {
      const fh = r.obj.handle!.data;
      return { fh, attr: await this.attrsOf(c, fh, r.obj_attributes, signal) };
    }
    const l = await this.nfs(signal, (o) => c.raw.lookup({ what: { dir: { data: dir }, name } }, o));
    return { fh: l.object.data, attr: await this.attrsOf(c, l.object.data, l.obj_attributes, signal) };
  }

  private readonlyCheck(): void {
    if (this.opts.ro) throw Object.assign(new Error('read-only mount'), { code: 'EROFS' });
  }

  private async handle(h: InHeader, b: Buffer, signal: AbortSignal): Promise<void> {
    const c = this.creds.of(h.uid, h.gid, h.pid);
    switch (h.opcode) {
      case Op.LOOKUP: {
        const [name] = cstring(b, 0);
        const dir = this.node(h.nodeid);
        const r = await this.nfs(signal, (o) => c.raw.lookup({ what: { dir: { data: dir.fh }, name } }, o));
        this.entryReply(h.unique, r.object.data, await this.attrsOf(c, r.object.data, r.obj_attributes, signal));
        return;
      }
      case Op.GETATTR: {
        const n = this.node(h.nodeid);
        const r = await this.nfs(signal, (o) => c.raw.getattr({ object: { data: n.fh } }, o));
        this.attrReply(h.unique, r.obj_attributes);
        return;
      }
      case Op.SETATTR: return this.setattr(h, b, c, signal);
      case Op.READLINK: {
        const n = this.node(h.nodeid);
        const r = await this.nfs(signal, (o) => c.raw.readlink({ symlink: { data: n.fh } }, o));
        const data = Buffer.from(r.data, 'utf8');
        this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER), data);
        return;
      }
      case Op.SYMLINK: {
        this.readonlyCheck();
        const [name, o1] = cstring(b, 0);
        const [target] = cstring(b, o1);
        const dir = this.node(h.nodeid);
        const r = await this.nfs(signal, (o) => c.raw.symlink({ where: { dir: { data: dir.fh }, name }, symlink: { symlink_attributes: NO_ATTRS, symlink_data: target } }, o));
        const { fh, attr } = await this.created(c, dir.fh, name, r, signal);
        this.entryReply(h.unique, fh, attr);
        return;
      }
      case Op.MKNOD: return this.mknod(h, b, c, signal);
      case Op.MKDIR: {
        this.readonlyCheck();
        const mode = b.readUInt32LE(0);
        const [name] = cstring(b, 8);
        const dir = this.node(h.nodeid);
        const r = await this.nfs(signal, (o) => c.raw.mkdir({ where: { dir: { data: dir.fh }, name }, attributes: { ...NO_ATTRS, mode: { set_it: true, mode: mode & 0o7777 } } }, o));
        const { fh, attr } = await this.created(c, dir.fh, name, r, signal);
        this.entryReply(h.unique, fh, attr);
        return;
      }
      case Op.UNLINK:
      case Op.RMDIR: {
        this.readonlyCheck();
        const [name] = cstring(b, 0);
        const dir = this.node(h.nodeid);
        const object = { dir: { data: dir.fh }, name };
        if (h.opcode === Op.UNLINK && await this.setAside(c, dir.fh, name, signal)) {
          this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER));
          return;
        }
        if (h.opcode === Op.UNLINK) await this.nfs(signal, (o) => c.raw.remove({ object }, o));
        else await this.nfs(signal, (o) => c.raw.rmdir({ object }, o));
        this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER));
        return;
      }
      case Op.RENAME:
      case Op.RENAME2: {
        this.readonlyCheck();
        const newdir = this.node(b.readBigUInt64LE(0));
        let off = 8;
        if (h.opcode === Op.RENAME2) {
          // RENAME_NOREPLACE and RENAME_EXCHANGE: NFSv3 RENAME has no such modes, and a
          // lookup-then-rename would not be atomic; say so as local file systems without them do
          if (b.readUInt32LE(8) !== 0) throw Object.assign(new Error('rename flags'), { code: 'EINVAL' });
          off = 16;
        }
        const [from, o1] = cstring(b, off);
        const [to] = cstring(b, o1);
        const dir = this.node(h.nodeid);
        await this.setAside(c, newdir.fh, to, signal);
        await this.nfs(signal, (o) => c.raw.rename({ from: { dir: { data: dir.fh }, name: from }, to: { dir: { data: newdir.fh }, name: to } }, o));
        this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER));
        return;
      }
      case Op.LINK: {
        this.readonlyCheck();
        const target = this.node(b.readBigUInt64LE(0));
        const [name] = cstring(b, 8);
        const dir = this.node(h.nodeid);
        const r = await this.nfs(signal, (o) => c.raw.link({ file: { data: target.fh }, link: { dir: { data: dir.fh }, name } }, o));
        this.entryReply(h.unique, target.fh, await this.attrsOf(c, target.fh, r.file_attributes, signal));
        return;
      }
      case Op.OPEN: return this.open(h, b, c, signal);
      case Op.CREATE: return this.create(h, b, c, signal);
      case Op.READ: return this.read(h, b, signal);
      case Op.WRITE: return this.write(h, b, signal);
      case Op.FLUSH:
      case Op.FSYNC: {
        const f = this.files.get(b.readBigUInt64LE(0));
        if (f !== undefined) await this.commit(f, signal);
        // passthrough: the kernel wrote the server's file without us; fsync it as COMMIT does
        if (f?.passthrough === true && h.opcode === Op.FSYNC) await this.nfs(signal, (o) => f.caller.raw.commit({ file: { data: f.node.fh }, offset: 0n, count: 0 }, o));
        this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER));
        return;
      }
      case Op.RELEASE: {
        const id = b.readBigUInt64LE(0);
        const f = this.files.get(id);
        if (f !== undefined) {
          try {
            await this.commit(f, signal);
          } finally {
            this.files.delete(id);
            f.node.opens--;
            if (f.passthrough) this.releaseBacking(f.node);
          }
          const silly = f.node.silly;
          if (f.node.opens === 0 && silly !== null) {
            f.node.silly = null;
            await this.nfs(signal, (o) => f.caller.raw.remove({ object: { dir: { data: silly.dir }, name: silly.name } }, o)).catch(() => {});
          }
          if (f.node.opens === 0 && f.node.nlookup <= 0) this.nodes.forget(f.node.id, 0);
        }
        this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER));
        return;
      }
      case Op.STATFS: {
        const r = await this.nfs(signal, (o) => c.raw.fsstat({ fsroot: { data: this.client.rootFh } }, o));
        const out = Buffer.alloc(OUT_HEADER + STATFS_OUT);
        const bs = 4096n;
        const o = OUT_HEADER;
        out.writeBigUInt64LE(r.tbytes / bs, o);
        out.writeBigUInt64LE(r.fbytes / bs, o + 8);
        out.writeBigUInt64LE(r.abytes / bs, o + 16);
        out.writeBigUInt64LE(r.tfiles, o + 24);
        out.writeBigUInt64LE(r.afiles, o + 32);
        out.writeUInt32LE(4096, o + 40); // bsize
        out.writeUInt32LE(255, o + 44); // namelen
        out.writeUInt32LE(4096, o + 48); // frsize
        this.ch.reply(h.unique, out);
        return;
      }
      case Op.ACCESS: {
        const mask = b.readUInt32LE(0);
        const n = this.node(h.nodeid);
        let want = 0;
        if (mask & 4) want |= 0x1; // R_OK: ACCESS3_READ
        if (mask & 2) want |= n.isDir ? 0x4 | 0x8 | 0x10 : 0x4 | 0x8; // W_OK: MODIFY|EXTEND(|DELETE)
        if (mask & 1) want |= n.isDir ? 0x2 : 0x20; // X_OK: LOOKUP / EXECUTE
        if (want !== 0) {
          if ((mask & 2) && this.opts.ro) throw Object.assign(new Error('ro'), { code: 'EROFS' });
          const r = await this.nfs(signal, (o) => c.raw.access({ object: { data: n.fh }, access: want }, o));
          if ((r.access & want) !== want) throw Object.assign(new Error('access'), { code: 'EACCES' });
        } else {
          await this.nfs(signal, (o) => c.raw.getattr({ object: { data: n.fh } }, o));
        }
        this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER));
        return;
      }
      case Op.OPENDIR: {
        const n = this.node(h.nodeid);
        const id = this.nextFh++;
        this.dirs.set(id, { node: n, caller: c, cookieverf: Buffer.alloc(8), batch: [], eof: false });
        const out = Buffer.alloc(OUT_HEADER + OPEN_OUT);
        out.writeBigUInt64LE(id, OUT_HEADER);
        this.ch.reply(h.unique, out);
        return;
      }
      case Op.READDIR:
      case Op.READDIRPLUS: return this.readdir(h, b, signal);
      case Op.RELEASEDIR:
        this.dirs.delete(b.readBigUInt64LE(0));
        this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER));
        return;
      case Op.FSYNCDIR:
        // directory operations are synchronous in NFSv3: nothing is left to write
        this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER));
        return;
      default:
        // xattrs, locks, ioctl, poll, fallocate, lseek, copy_file_range, tmpfile…: NFSv3 has
        // none of them (locks belong to NLM, which this client does not speak)
        throw Object.assign(new Error('not supported'), { code: 'ENOSYS' });
    }
  }

  /**
   * Before `name` in `dir` is removed or renamed over: a file some process still has open is
   * renamed aside (.nfsts-…) instead and removed at its last close, so the open descriptor
   * keeps working as on a local file system (what NFS clients call a silly rename).
   * Returns whether it was renamed aside.
   */
  private async setAside(c: Caller, dir: Buffer, name: string, signal: AbortSignal): Promise<boolean> {
    if (this.files.size === 0) return false;
    let fh: Buffer;
    try {
      fh = (await this.nfs(signal, (o) => c.raw.lookup({ what: { dir: { data: dir }, name } }, o))).object.data;
    } catch {
      return false;
    }
    const n = this.nodes.find(fh);
    if (n === undefined || n.opens === 0 || n.silly !== null) return false;
    const silly = `.nfsts-${n.id.toString(16)}-${(this.sillyCount++).toString(16)}`;
    await this.nfs(signal, (o) => c.raw.rename({ from: { dir: { data: dir }, name }, to: { dir: { data: dir }, name: silly } }, o));
    n.silly = { dir: Buffer.from(dir), name: silly };
    return true;
  }

  private attrReply(unique: bigint, a: fattr3): void {
    const out = Buffer.allocUnsafe(OUT_HEADER + ATTR_OUT);
    writeAttrOut(out, OUT_HEADER, toAttr(a), this.attrMs);
    this.ch.reply(unique, out);
  }

  private async setattr(h: InHeader, b: Buffer, c: Caller, signal: AbortSignal): Promise<void> {
    this.readonlyCheck();
    const valid = b.readUInt32LE(0);
    const n = this.node(h.nodeid);
    const s: sattr3 = {
      mode: valid & FATTR_MODE ? { set_it: true, mode: b.readUInt32LE(68) & 0o7777 } : { set_it: false },
      uid: valid & FATTR_UID ? { set_it: true, uid: b.readUInt32LE(76) } : { set_it: false },
      gid: valid & FATTR_GID ? { set_it: true, gid: b.readUInt32LE(80) } : { set_it: false },
      size: valid & FATTR_SIZE ? { set_it: true, size: b.readBigUInt64LE(16) } : { set_it: false },
      atime: valid & FATTR_ATIME_NOW ? { set_it: time_how.SET_TO_SERVER_TIME }
        : valid & FATTR_ATIME ? { set_it: time_how.SET_TO_CLIENT_TIME, atime: { seconds: Number(b.readBigUInt64LE(32) & 0xffffffffn), nseconds: b.readUInt32LE(56) } }
          : { set_it: time_how.DONT_CHANGE },
      mtime: valid & FATTR_MTIME_NOW ? { set_it: time_how.SET_TO_SERVER_TIME }
        : valid & FATTR_MTIME ? { set_it: time_how.SET_TO_CLIENT_TIME, mtime: { seconds: Number(b.readBigUInt64LE(40) & 0xffffffffn), nseconds: b.readUInt32LE(60) } }
          : { set_it: time_how.DONT_CHANGE },
    };
    // a truncate after writes we still hold: commit them first, or a resend would undo it
    if (valid & FATTR_SIZE) for (const f of this.files.values()) if (f.node === n && f.pending.length > 0) await this.commit(f, signal);
    const r = await this.nfs(signal, (o) => c.raw.setattr({ object: { data: n.fh }, new_attributes: s, guard: { check: false } }, o));
    this.attrReply(h.unique, await this.attrsOf(c, n.fh, r.obj_wcc.after, signal));
  }

  private async mknod(h: InHeader, b: Buffer, c: Caller, signal: AbortSignal): Promise<void> {
    this.readonlyCheck();
    const mode = b.readUInt32LE(0), rdev = b.readUInt32LE(4);
    const [name] = cstring(b, 16);
    const dir = this.node(h.nodeid);
    const attrs: sattr3 = { ...NO_ATTRS, mode: { set_it: true, mode: mode & 0o7777 } };
    const where = { dir: { data: dir.fh }, name };
    const type = mode & S_IFMT;
    let r;
    if (type === S_IFREG || type === 0) {
      r = await this.nfs(signal, (o) => c.raw.create({ where, how: { mode: createmode3.GUARDED, obj_attributes: attrs } }, o));
    } else if (type === S_IFIFO || type === S_IFSOCK) {
      r = await this.nfs(signal, (o) => c.raw.mknod({ where, what: { type: type === S_IFIFO ? ftype3.NF3FIFO : ftype3.NF3SOCK, pipe_attributes: attrs } }, o));
    } else if (type === S_IFCHR || type === S_IFBLK) {
      const spec = { specdata1: (rdev >>> 8) & 0xfff, specdata2: (rdev & 0xff) | ((rdev >>> 12) & 0xfff00) };
      r = await this.nfs(signal, (o) => c.raw.mknod({ where, what: { type: type === S_IFCHR ? ftype3.NF3CHR : ftype3.NF3BLK, device: { dev_attributes: attrs, spec } } }, o));
    } else {
      throw Object.assign(new Error('mknod type'), { code: 'EINVAL' });
    }
    const { fh, attr } = await this.created(c, dir.fh, name, r, signal);
    this.entryReply(h.unique, fh, attr);
  }

  /** fuse_open_out: fh, open_flags, backing_id (-1: a plain open) */
  private openReply(unique: bigint, out: Buffer, at: number, id: bigint, keep: boolean, backing: number): void {
    out.writeBigUInt64LE(id, at);
    // the kernel refuses FOPEN_KEEP_CACHE with FOPEN_PASSTHROUGH (EIO to the caller); the
    // FUSE inode's page cache is not used then anyway
    out.writeUInt32LE(backing >= 0 ? FOPEN_PASSTHROUGH : keep ? FOPEN_KEEP_CACHE : 0, at + 8);
    out.writeInt32LE(backing >= 0 ? backing : 0, at + 12);
    if (backing >= 0) this.passthroughOpens++;
    this.ch.reply(unique, out);
  }

  private async open(h: InHeader, b: Buffer, c: Caller, signal: AbortSignal): Promise<void> {
    const flags = b.readUInt32LE(0);
    const n = this.node(h.nodeid);
    const acc = flags & O_ACCMODE;
    if (acc !== 0 && this.opts.ro) throw Object.assign(new Error('ro'), { code: 'EROFS' });
    // close-to-open: fresh attributes at every open; the permission check is the server's,
    // for this caller (LOCALIO I/O later runs on the mount's credential)
    let want = 0;
    if (acc === 0 || acc === O_RDWR) want |= 0x1;
    if (acc === O_WRONLY || acc === O_RDWR) want |= 0x4;
    const r = await this.nfs(signal, (o) => c.raw.access({ object: { data: n.fh }, access: want }, o));
    if ((r.access & want) !== want) throw Object.assign(new Error('access'), { code: 'EACCES' });
    const attr = await this.attrsOf(c, n.fh, r.obj_attributes, signal);
    const backing = await this.backingFor(n, acc === 0 ? 'r' : 'rw');
    const stamp = stampOf(attr);
    const keep = n.openStamp === stamp;
    n.openStamp = stamp;
    const id = this.nextFh++;
    this.files.set(id, { node: n, caller: c, append: (flags & O_APPEND) !== 0, passthrough: backing >= 0, pending: [], pendingBytes: 0 });
    n.opens++;
    this.openReply(h.unique, Buffer.allocUnsafe(OUT_HEADER + OPEN_OUT), OUT_HEADER, id, keep, backing);
  }

  private async create(h: InHeader, b: Buffer, c: Caller, signal: AbortSignal): Promise<void> {
    this.readonlyCheck();
    const flags = b.readUInt32LE(0), mode = b.readUInt32LE(4);
    const [name] = cstring(b, 16);
    const dir = this.node(h.nodeid);
    const attrs: sattr3 = { ...NO_ATTRS, mode: { set_it: true, mode: mode & 0o7777 } };
    const how = { mode: flags & O_EXCL ? createmode3.GUARDED : createmode3.UNCHECKED, obj_attributes: attrs } as const;
    const r = await this.nfs(signal, (o) => c.raw.create({ where: { dir: { data: dir.fh }, name }, how }, o));
    const { fh, attr } = await this.created(c, dir.fh, name, r, signal);
    const out = this.entryReply(h.unique, fh, attr, OPEN_OUT);
    const n = this.nodes.get(out.readBigUInt64LE(OUT_HEADER))!;
    n.openStamp = stampOf(attr);
    let backing: number;
    try {
      backing = await this.backingFor(n, (flags & O_ACCMODE) === 0 ? 'r' : 'rw');
    } catch (err) {
      // the kernel never sees this entry: give back the lookup it counted
      this.nodes.forget(n.id, 1);
      throw err;
    }
    const id = this.nextFh++;
    this.files.set(id, { node: n, caller: c, append: (flags & O_APPEND) !== 0, passthrough: backing >= 0, pending: [], pendingBytes: 0 });
    n.opens++;
    this.openReply(h.unique, out, OUT_HEADER + ENTRY_OUT, id, false, backing);
  }

  private file(id: bigint): OpenFile {
    const f = this.files.get(id);
    if (f === undefined) throw Object.assign(new Error(`unknown fh ${id}`), { code: 'EBADF' });
    return f;
  }

  private async read(h: InHeader, b: Buffer, signal: AbortSignal): Promise<void> {
    const f = this.file(b.readBigUInt64LE(0));
    let offset = b.readBigUInt64LE(8);
    const size = b.readUInt32LE(16);
    if (this.client.isLocal) {
      // the reply is written synchronously, so the buffer is free again right after it
      const pooled = size <= this.rsize;
      const dest = pooled ? (this.readBufs.pop() ?? Buffer.allocUnsafeSlow(this.rsize)) : Buffer.allocUnsafe(size);
      try {
        let got = 0;
        while (got < size) {
          const r = await this.nfs(signal, () => this.client.transport.read(f.node.fh, offset, dest.subarray(got, size)));
          got += r.count;
          offset += BigInt(r.count);
          if (r.eof || r.count === 0) break;
        }
        this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER), dest.subarray(0, got));
      } finally {
        if (pooled && this.readBufs.length < READ_BUFS_KEPT) this.readBufs.push(dest);
      }
      return;
    }
    // by RPC, as the opener: a large READ goes as RPC_READ_PIECES concurrent READs, so the
    // server reads and sends one piece while we receive another (one 1 MiB READ at a time
    // halved sequential throughput against 128 KiB READs in flight together); the data are
    // views of the reply records, written on without a copy
    const piece = Math.max(4096, Math.min(this.rsize, Math.ceil(size / RPC_READ_PIECES / 4096) * 4096));
    const parts: Buffer[] = [];
    let got = 0;
    for (let done = false; !done && got < size;) {
      const calls: Array<Promise<{ data: Buffer; eof: boolean }>> = [];
      for (let at = got; at < size; at += piece) {
        const off = offset + BigInt(at), count = Math.min(piece, size - at);
        calls.push(this.nfs(signal, (o) => f.caller.raw.read({ file: { data: f.node.fh }, offset: off, count }, o)));
      }
      const results = await Promise.all(calls);
      for (let i = 0, at = got; i < results.length; i++, at += piece) {
        const r = results[i]!;
        parts.push(r.data);
        got += r.data.length;
        // end of file: nothing follows; a piece shorter than asked: ask again from there
        if (r.eof || r.data.length === 0) { done = true; break; }
        if (r.data.length < Math.min(piece, size - at)) break;
      }
    }
    this.ch.reply(h.unique, Buffer.allocUnsafe(OUT_HEADER), parts);
  }

  private async write(h: InHeader, b: Buffer, signal: AbortSignal): Promise<void> {
    this.readonlyCheck();
    const f = this.file(b.readBigUInt64LE(0));
    let offset = b.readBigUInt64LE(8);
    const size = b.readUInt32LE(16);
    // fuse_write_in is 40 bytes from 7.9 on
    let data = b.subarray(40, 40 + size);
    if (f.append) {
      // O_APPEND: the kernel passes its idea of the end; the server's is the one that counts
      const a = await this.nfs(signal, (o) => f.caller.raw.getattr({ object: { data: f.node.fh } }, o));
      offset = a.obj_attributes.size;
    }
    while (data.length > 0) {
      let count: number, verf: Buffer, committed: number;
      if (this.client.isLocal) {
        const r = await this.nfs(signal, () => this.client.transport.write(f.node.fh, offset, data, 0));
        ({ count, verf, committed } = r);
      } else {
        const chunk = data.subarray(0, this.wsize);
        const r = await this.nfs(signal, (o) => f.caller.raw.write({ file: { data: f.node.fh }, offset, count: chunk.length, stable: 0, data: chunk }, o));
        ({ count, verf, committed } = r);
      }
      if (count === 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
      if (committed === 0) {
        f.pending.push({ offset, data: data.subarray(0, count), verf: Buffer.from(verf) });
        f.pendingBytes += count;
      }
      data = data.subarray(count);
      offset += BigInt(count);
    }
    const out = Buffer.alloc(OUT_HEADER + 8);
    out.writeUInt32LE(size, OUT_HEADER);
    this.ch.reply(h.unique, out);
    if (f.pendingBytes > this.opts.maxUncommitted) await this.commit(f, signal).catch(() => {});
  }

  /**
   * COMMIT the file's UNSTABLE writes; any written under another verifier than COMMIT's (the
   * server restarted in between and may have lost them) is written again FILE_SYNC.
   */
  private async commit(f: OpenFile, signal: AbortSignal): Promise<void> {
    if (f.pending.length === 0) return;
    const pending = f.pending;
    f.pending = [];
    f.pendingBytes = 0;
    try {
      const verf = this.client.isLocal
        ? await this.nfs(signal, () => this.client.transport.commit(f.node.fh, 0n, 0))
        : (await this.nfs(signal, (o) => f.caller.raw.commit({ file: { data: f.node.fh }, offset: 0n, count: 0 }, o))).verf;
      for (const p of pending) {
        if (p.verf.equals(verf)) continue;
        this.opts.logger?.warn({ offset: String(p.offset), bytes: p.data.length }, 'server verifier changed: writing again');
        let d = p.data, off = p.offset;
        while (d.length > 0) {
          const r = await this.nfs(signal, (o) => f.caller.raw.write({ file: { data: f.node.fh }, offset: off, count: Math.min(d.length, this.wsize), stable: 2, data: d.subarray(0, this.wsize) }, o));
          if (r.count === 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
          d = d.subarray(r.count);
          off += BigInt(r.count);
        }
      }
    } catch (err) {
      // keep them for the next try (fsync again, or release)
      f.pending = pending.concat(f.pending);
      f.pendingBytes = f.pending.reduce((s, p) => s + p.data.length, 0);
      throw err;
    }
  }

  private async readdir(h: InHeader, b: Buffer, signal: AbortSignal): Promise<void> {
    const plus = h.opcode === Op.READDIRPLUS;
    const d = this.dirs.get(b.readBigUInt64LE(0));
    if (d === undefined) throw Object.assign(new Error('bad dir fh'), { code: 'EBADF' });
    const cookie = b.readBigUInt64LE(8);
    const size = b.readUInt32LE(16);
    // serve from the batch in hand when the kernel continues where it stopped
    let start = -1;
    if (cookie !== 0n) {
      const i = d.batch.findIndex((e) => e.cookie === cookie);
      if (i >= 0 && (i + 1 < d.batch.length || d.eof)) start = i + 1;
    }
    if (start < 0) {
      if (cookie === 0n) d.cookieverf = Buffer.alloc(8);
      const r = await this.nfs(signal, (o) => d.caller.raw.readdirplus({ dir: { data: d.node.fh }, cookie, cookieverf: d.cookieverf, dircount: DIR_BATCH, maxcount: DIR_BATCH * 2 }, o));
      d.cookieverf = Buffer.from(r.cookieverf);
      d.batch = r.reply.entries;
      d.eof = r.reply.eof;
      start = 0;
    }
    const out = Buffer.allocUnsafe(OUT_HEADER + size);
    let o = OUT_HEADER;
    for (let i = start; i < d.batch.length; i++) {
      const e = d.batch[i]!;
      const name = Buffer.from(e.name, 'utf8');
      const need = (plus ? ENTRY_OUT : 0) + direntSize(name.length);
      if (o + need > out.length) break;
      const a = e.name_attributes.attributes_follow ? e.name_attributes.attributes : null;
      const type = a === null ? 0 : (TYPE_BITS[a.type] ?? 0) >> 12;
      if (plus) {
        const dot = e.name === '.' || e.name === '..';
        if (!dot && a !== null && e.name_handle.handle_follows) {
          const n = this.nodes.lookup(e.name_handle.handle.data, a.type === ftype3.NF3DIR);
          writeEntry(out, o, n.id, toAttr(a), this.entryMs, this.attrMs);
        } else {
          writeEntry(out, o, 0n, null, 0, 0);
        }
        o += ENTRY_OUT;
      }
      o = writeDirent(out, o, e.fileid, e.cookie, name, type);
    }
    this.ch.reply(h.unique, out.subarray(0, o));
  }
}
