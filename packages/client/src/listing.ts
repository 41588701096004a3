import type { READDIRPLUS3res } from '@nfsts/xdr';
import { NfsClientError, NfsError } from './errors.js';
import type { Nfs3Raw, ResOk } from './raw.js';
import { fhKey, type PathResolver } from './paths.js';
import { NfsDirent, NfsStats } from './stats.js';

const ZERO_VERF = Buffer.alloc(8);

/**
 * Directory listing: READDIRPLUS one reply at a time, following cookies (filling the
 * lookup and attribute caches as it goes), or READDIR + LOOKUP when the server has no
 * READDIRPLUS. `pages()` is what `opendir()` iterates; `list()` gathers them.
 */
export class DirLister {
  private noReaddirPlus = false;

  constructor(private readonly raw: Nfs3Raw, private readonly paths: PathResolver, private readonly readdirSize: number) {}

  async list(dir: Buffer, parentPath: string): Promise<NfsDirent[]> {
    const out: NfsDirent[] = [];
    for await (const page of this.pages(dir, parentPath)) for (const d of page) out.push(d);
    return out;
  }

  /** One array of entries per server reply ('.' and '..' left out). */
  async *pages(dir: Buffer, parentPath: string): AsyncGenerator<NfsDirent[], void, undefined> {
    if (this.noReaddirPlus) {
      yield* this.plainPages(dir, parentPath);
      return;
    }
    let cookie = 0n;
    let verf = ZERO_VERF;
    const dirKey = fhKey(dir);
    for (;;) {
      let r: ResOk<READDIRPLUS3res>;
      try {
        r = await this.raw.readdirplus({
          dir: { data: dir }, cookie, cookieverf: verf,
          dircount: Math.max(1024, this.readdirSize >> 2), maxcount: this.readdirSize,
        });
      } catch (err) {
        if (cookie === 0n && err instanceof NfsError && err.code === 'NFS3ERR_NOTSUPP') {
          this.noReaddirPlus = true;
          yield* this.plainPages(dir, parentPath);
          return;
        }
        throw err;
      }
      this.paths.noteAttr(dir, r.dir_attributes);
      verf = Buffer.from(r.cookieverf);
      const page: NfsDirent[] = [];
      for (const e of r.reply.entries) {
        cookie = e.cookie;
        if (e.name === '.' || e.name === '..') continue;
        const attr = e.name_attributes.attributes_follow ? e.name_attributes.attributes : undefined;
        const efh = e.name_handle.handle_follows ? Buffer.from(e.name_handle.handle.data) : undefined;
        if (efh !== undefined) this.paths.rememberEntry(dirKey, e.name, efh, attr);
        page.push(new NfsDirent(e.name, parentPath, attr?.type ?? 0, attr !== undefined ? new NfsStats(attr) : undefined, efh));
      }
      if (page.length > 0) yield page;
      if (r.reply.eof) return;
      if (r.reply.entries.length === 0) throw new NfsClientError('ERR_NFS_NO_PROGRESS', 'READDIRPLUS returned no entries and no EOF');
    }
  }

  private async *plainPages(dir: Buffer, parentPath: string): AsyncGenerator<NfsDirent[], void, undefined> {
    let cookie = 0n;
    let verf = ZERO_VERF;
    for (;;) {
      const r = await this.raw.readdir({ dir: { data: dir }, cookie, cookieverf: verf, count: this.readdirSize });
      this.paths.noteAttr(dir, r.dir_attributes);
      verf = Buffer.from(r.cookieverf);
      const page: NfsDirent[] = [];
      for (const e of r.reply.entries) {
        cookie = e.cookie;
        if (e.name === '.' || e.name === '..') continue;
        try {
          const c = await this.paths.lookupChild(dir, e.name);
          page.push(new NfsDirent(e.name, parentPath, c.attr.type, new NfsStats(c.attr), c.fh));
        } catch (err) {
          if (!(err instanceof NfsError && err.code === 'NFS3ERR_NOENT')) throw err;
          // removed while listing
        }
      }
      if (page.length > 0) yield page;
      if (r.reply.eof) return;
      if (r.reply.entries.length === 0) throw new NfsClientError('ERR_NFS_NO_PROGRESS', 'READDIR returned no entries and no EOF');
    }
  }
}
