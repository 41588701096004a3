import { NfsFsError } from './errors.js';
import type { Session } from './session.js';
import { NF3DIR, type NfsDirent } from './stats.js';

function isDir(s: Session, parent: Buffer, d: NfsDirent): Promise<Buffer | undefined> | Buffer | undefined {
  if (d.fh !== undefined && d.stats !== undefined) return d.isDirectory() ? d.fh : undefined;
  return s.paths.lookupChild(parent, d.name).then((c) => (c.attr.type === NF3DIR ? c.fh : undefined));
}

/**
 * `readdir(p, { recursive: true })`: every entry below `root`, a directory's entries after
 * it (names relative to `root`, Dirents with their own `parentPath`), as node:fs.
 */
export async function readdirRecursive(s: Session, rootFh: Buffer, root: string, withFileTypes: boolean, stop: () => boolean): Promise<string[] | NfsDirent[]> {
  const names: string[] = [];
  const dirents: NfsDirent[] = [];
  const walk = async (fh: Buffer, rel: string): Promise<void> => {
    const parentPath = rel === '' ? root : `${root.replace(/\/+$/, '')}/${rel}`;
    const entries = await s.dirs.list(fh, parentPath);
    const subdirs: Array<[Buffer, string]> = [];
    for (const d of entries) {
      const name = rel === '' ? d.name : `${rel}/${d.name}`;
      if (withFileTypes) dirents.push(d);
      else names.push(name);
      const sub = await isDir(s, fh, d);
      if (sub !== undefined) subdirs.push([sub, name]);
    }
    for (const [sub, name] of subdirs) {
      if (stop()) return;
      await walk(sub, name);
    }
  };
  await walk(rootFh, '');
  return withFileTypes ? dirents : names;
}

/**
 * `fs.Dir`-shaped: `read()` one entry at a time, or `for await`. Entries come a
 * READDIRPLUS reply at a time, so a huge directory is never held whole. `recursive` walks
 * subdirectories after their parent's entries (names stay relative to the opened path,
 * Dirents carry their own `parentPath`).
 */
export class NfsDir implements AsyncIterable<NfsDirent> {
  readonly path: string;
  private closed = false;
  private readonly gen: AsyncGenerator<NfsDirent, void, undefined>;

  /** @internal use `client.opendir()` */
  constructor(private readonly s: Session, fh: Buffer, path: string, private readonly recursive: boolean) {
    this.path = path;
    this.gen = this.entries(fh, path);
  }

  private async *entries(fh: Buffer, parentPath: string): AsyncGenerator<NfsDirent, void, undefined> {
    const subdirs: Array<[Buffer, string]> = [];
    for await (const page of this.s.dirs.pages(fh, parentPath)) {
      for (const d of page) {
        yield d;
        if (this.recursive) {
          const sub = await isDir(this.s, fh, d);
          if (sub !== undefined) subdirs.push([sub, `${parentPath.replace(/\/+$/, '')}/${d.name}`]);
        }
      }
    }
    for (const [sub, p] of subdirs) yield* this.entries(sub, p);
  }

  /** The next entry, or null at the end. */
  async read(): Promise<NfsDirent | null> {
    if (this.closed) throw new NfsFsError('EBADF', 'opendir', this.path); // node:fs: ERR_DIR_CLOSED
    const r = await this.gen.next();
    return r.done === true ? null : r.value;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.gen.return(undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<NfsDirent, void, undefined> {
    try {
      for (;;) {
        const d = await this.read();
        if (d === null) return;
        yield d;
      }
    } finally {
      await this.close();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
