import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { fattr3, post_op_attr, wcc_data } from '@nfsts/xdr';
import { NfsClientError, NfsError, NfsFsError } from './errors.js';
import type { Nfs3Raw } from './raw.js';
import { TtlCache } from './cache.js';
import { NF3DIR, NF3LNK } from './stats.js';

const MAX_SYMLINK_DEPTH = 40;

/** What the path layer takes for a path, as node:fs does: a string, a Buffer (UTF-8) or a `file:` URL. */
export type PathLike = string | Buffer | URL;

export function fhKey(fh: Buffer): string {
  return fh.toString('latin1');
}

/** The lookup cache's key for `name` in directory `dir`. */
export function nameKey(dir: Buffer, name: string): string {
  return `${fhKey(dir)}\0${name}`;
}

/** A path argument as a string (relative to the export root); a `file:` URL's path is taken as is. */
export function pathString(p: PathLike): string {
  if (typeof p === 'string') return p;
  if (Buffer.isBuffer(p)) return p.toString('utf8');
  if (p instanceof URL) {
    if (p.protocol !== 'file:') throw new NfsClientError('ERR_NFS_INVALID_OPTION', `path URL must use file:, got ${p.protocol}`);
    return fileURLToPath(p);
  }
  throw new NfsClientError('ERR_NFS_INVALID_OPTION', 'path must be a string, a Buffer or a file: URL');
}

export interface Resolved {
  fh: Buffer;
  attr: fattr3;
}

/**
 * Path resolution and the two caches it feeds (attributes by handle, handles by
 * directory + name, both living actimeo): every path method starts here, and every reply
 * carrying post-op attributes or wcc data updates them.
 */
export class PathResolver {
  private readonly attrs: TtlCache<fattr3>;
  private readonly lookups: TtlCache<Buffer>;
  /** the cache keys of open files' handles, made once (see pinKey) */
  private readonly keys = new WeakMap<Buffer, string>();

  constructor(private readonly raw: Nfs3Raw, readonly rootFh: Buffer, actimeoMs: number) {
    this.attrs = new TtlCache(actimeoMs);
    this.lookups = new TtlCache(actimeoMs);
  }

  /**
   * An open file's handle: its attribute-cache key is made now, not on every READ/WRITE
   * reply. Only for a Buffer the client owns and never writes (handles it copied from
   * replies), as the key is looked up by the Buffer's identity.
   */
  pinKey(fh: Buffer): void {
    this.keys.set(fh, fhKey(fh));
  }

  private key(fh: Buffer): string {
    return this.keys.get(fh) ?? fhKey(fh);
  }

  setAttr(fh: Buffer, attr: fattr3): void {
    this.attrs.set(this.key(fh), attr);
  }

  noteAttr(fh: Buffer, a: post_op_attr | undefined): fattr3 | undefined {
    if (a !== undefined && a.attributes_follow) {
      this.attrs.set(this.key(fh), a.attributes);
      return a.attributes;
    }
    this.attrs.delete(this.key(fh));
    return undefined;
  }

  noteWcc(fh: Buffer, w: wcc_data): void {
    this.noteAttr(fh, w.after);
  }

  forgetAttr(fh: Buffer): void {
    this.attrs.delete(this.key(fh));
  }

  /** the cached handle of dir/name, if any */
  cachedName(dir: Buffer, name: string): Buffer | undefined {
    return this.lookups.get(nameKey(dir, name));
  }

  rememberName(dir: Buffer, name: string, fh: Buffer): void {
    this.lookups.set(nameKey(dir, name), fh);
  }

  /** For a directory listing: the key prefix is built once per reply, not per entry. */
  rememberEntry(dirKey: string, name: string, fh: Buffer, attr: fattr3 | undefined): void {
    this.lookups.set(`${dirKey}\0${name}`, fh);
    if (attr !== undefined) this.attrs.set(fhKey(fh), attr);
  }

  forgetName(dir: Buffer, name: string): void {
    this.lookups.delete(nameKey(dir, name));
  }

  clear(): void {
    this.attrs.clear();
    this.lookups.clear();
  }

  async getattr(fh: Buffer, fresh = false): Promise<fattr3> {
    if (!fresh) {
      const a = this.attrs.get(this.key(fh));
      if (a !== undefined) return a;
    }
    const r = await this.raw.getattr({ object: { data: fh } });
    this.attrs.set(this.key(fh), r.obj_attributes);
    return r.obj_attributes;
  }

  async lookupChild(dir: Buffer, name: string): Promise<Resolved> {
    const key = nameKey(dir, name);
    const cached = this.lookups.get(key);
    if (cached !== undefined) {
      try {
        return { fh: cached, attr: await this.getattr(cached) };
      } catch (err) {
        this.lookups.delete(key);
        if (!(err instanceof NfsError && (err.code === 'NFS3ERR_STALE' || err.code === 'NFS3ERR_BADHANDLE'))) throw err;
      }
    }
    const r = await this.raw.lookup({ what: { dir: { data: dir }, name } });
    this.noteAttr(dir, r.dir_attributes);
    const fh = Buffer.from(r.object.data);
    this.lookups.set(key, fh);
    const attr = this.noteAttr(fh, r.obj_attributes) ?? (await this.getattr(fh, true));
    return { fh, attr };
  }

  components(path: PathLike): string[] {
    return posix.normalize(`/${pathString(path)}`).split('/').filter((c) => c !== '' && c !== '.');
  }

  /** Resolves a path (relative to the export root) to a handle and attributes, following symlinks. */
  async resolve(path: PathLike, followLast = true): Promise<Resolved> {
    return (await this.walk(path, followLast)).at(-1)!;
  }

  /** The canonical path (symlinks and '..' resolved) of what `path` names, as `realpath(3)`. */
  async realpath(path: PathLike): Promise<string> {
    const stack = await this.walk(path, true);
    return `/${stack.slice(1).map((r) => r.name).join('/')}`;
  }

  private async walk(path: PathLike, followLast: boolean): Promise<Array<Resolved & { name: string }>> {
    let todo = this.components(path);
    const stack: Array<Resolved & { name: string }> = [{ fh: this.rootFh, attr: await this.getattr(this.rootFh), name: '' }];
    let links = 0;
    while (todo.length > 0) {
      const name = todo[0]!;
      todo = todo.slice(1);
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const dir = stack[stack.length - 1]!;
      if (dir.attr.type !== NF3DIR) throw new NfsError('LOOKUP', 20, undefined); // NOTDIR
      const child = await this.lookupChild(dir.fh, name);
      if (child.attr.type === NF3LNK && (todo.length > 0 || followLast)) {
        if (++links > MAX_SYMLINK_DEPTH) throw new NfsFsError('ELOOP', 'lookup', pathString(path));
        const target = (await this.raw.readlink({ symlink: { data: child.fh } })).data;
        if (target.startsWith('/')) stack.length = 1;
        todo = [...target.split('/').filter((c) => c !== '' && c !== '.'), ...todo];
        continue;
      }
      stack.push({ ...child, name });
    }
    return stack;
  }

  /** The parent directory's handle and the last component. */
  async resolveParent(path: PathLike): Promise<{ dir: Buffer; name: string }> {
    const parts = this.components(path);
    const name = parts.pop();
    if (name === undefined || name === '..') throw new NfsFsError('EINVAL', 'resolve', pathString(path));
    const dir = await this.resolve(parts.join('/'), true);
    if (dir.attr.type !== NF3DIR) throw new NfsError('LOOKUP', 20, undefined);
    return { dir: dir.fh, name };
  }

  /** After CREATE/MKDIR/SYMLINK: the new object's handle, from the reply or by LOOKUP. */
  async learnCreated(dir: Buffer, name: string, obj: { handle_follows: boolean; handle?: { data: Buffer } }, attr: post_op_attr): Promise<Buffer> {
    if (obj.handle_follows && obj.handle !== undefined) {
      const fh = Buffer.from(obj.handle.data);
      this.lookups.set(nameKey(dir, name), fh);
      this.noteAttr(fh, attr);
      return fh;
    }
    this.forgetName(dir, name);
    return (await this.lookupChild(dir, name)).fh;
  }
}
