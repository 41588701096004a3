/**
 * ChildLookup: names in directories: LOOKUP of a name (never following a symlink, indexing
 * what it finds) and the checks of a name for a new entry.
 */
import { performance } from 'node:perf_hooks';
import type { Backend, Loc, Stats } from './backend.js';
import { mayLookup, type Cred } from './auth.js';
import type { ExportState, ExportTable, Resolved } from './export-table.js';
import type { GatedIo } from './gated-io.js';
import { inodeKey } from './handles.js';
import { indexRel } from './object-locations.js';
import { errnoStatus, errnoToNfsStat, type NfsStat, NFS3ERR_ACCES, NFS3ERR_EXIST, NFS3ERR_NAMETOOLONG, NFS3ERR_NOENT, NFS3ERR_NOTDIR } from './nfsstat.js';

/** A name checked for creating an entry in a directory: the new entry's Loc. */
export interface ChildLoc extends Loc {
  name: string;
}

const MAX_NAME_BYTES = 255;

/** Checks a name from a client: 0 when usable as a directory entry name, else an nfsstat3. */
export function checkName(name: string): NfsStat {
  if (name === '') return NFS3ERR_NOENT;
  if (name.includes('/') || name.includes('\0')) return NFS3ERR_ACCES;
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return NFS3ERR_NAMETOOLONG;
  return 0;
}

export class ChildLookup {
  constructor(private readonly table: ExportTable, private readonly backend: Backend, private readonly io: GatedIo) {}

  /**
   * A name in a directory → object (never follows a symlink). '.' is the directory itself,
   * '..' its parent but NFS3ERR_ACCES at the export root; '' → NFS3ERR_NOENT, '/' or NUL in a
   * name → NFS3ERR_ACCES, over 255 bytes → NFS3ERR_NAMETOOLONG, dir not a directory →
   * NFS3ERR_NOTDIR. With `cred`, search permission on dir is checked (NFS3ERR_ACCES).
   */
  async lookupChild(dir: Resolved, name: string, cred?: Cred): Promise<Resolved | NfsStat> {
    const rel = this.childRel(dir, name, cred);
    if (typeof rel !== 'string') return rel;
    const s = this.table.stateOf(dir.exp);
    try {
      const st = await this.io.lstat({ root: s.root, rel });
      return this.foundChild(s, dir, name, rel, st);
    } catch (err) {
      return errnoToNfsStat(err);
    }
  }

  /**
   * lookupChild() without a promise: the same checks and answers, the lstat on the calling
   * thread under the SyncReadGate. null when the gate is closed or the backend has no lstatSync
   * (the caller then awaits lookupChild()).
   */
  lookupChildSync(dir: Resolved, name: string, cred?: Cred): Resolved | NfsStat | null {
    const rel = this.childRel(dir, name, cred);
    if (typeof rel !== 'string') return rel;
    const backend = this.backend;
    if (backend.lstatSync === undefined || !this.io.gate.allowStat()) return null;
    const s = this.table.stateOf(dir.exp);
    const t0 = performance.now();
    let st: Stats | number;
    try {
      // a missing name is the expected answer before a create: as a number, without building an Error
      st = backend.lstatOrErrnoSync !== undefined ? backend.lstatOrErrnoSync({ root: s.root, rel }) : backend.lstatSync({ root: s.root, rel });
    } catch (err) {
      return errnoToNfsStat(err);
    } finally {
      this.io.gate.done(t0, performance.now());
    }
    return typeof st === 'number' ? errnoStatus(st) : this.foundChild(s, dir, name, rel, st);
  }

  /** The checks of a lookup and the child's path; `dir` itself for '.', else an nfsstat3. */
  private childRel(dir: Resolved, name: string, cred: Cred | undefined): string | Resolved | NfsStat {
    if (!dir.stats.isDirectory()) return NFS3ERR_NOTDIR;
    const bad = checkName(name);
    if (bad !== 0) return bad;
    if (cred && !mayLookup(dir.stats, cred)) return NFS3ERR_ACCES;
    if (name === '.') return dir;
    if (name === '..') {
      if (dir.rel === '') return NFS3ERR_ACCES;
      const slash = dir.rel.lastIndexOf('/');
      return slash < 0 ? '' : dir.rel.slice(0, slash);
    }
    return dir.rel === '' ? name : `${dir.rel}/${name}`;
  }

  private foundChild(s: ExportState, dir: Resolved, name: string, rel: string, st: Stats): Resolved {
    indexRel(s, rel, st, name === '..' ? null : inodeKey(dir.stats.dev, dir.stats.ino));
    return { exp: dir.exp, root: s.root, rel, stats: st };
  }

  /**
   * Checks a name for creating an entry in dir: '' / '/' / NUL / too long as checkName,
   * '.' and '..' → NFS3ERR_EXIST; returns the new entry's Loc or an nfsstat3.
   */
  childPath(dir: Resolved, name: string): ChildLoc | NfsStat {
    if (!dir.stats.isDirectory()) return NFS3ERR_NOTDIR;
    const bad = checkName(name);
    if (bad !== 0) return bad;
    if (name === '.' || name === '..') return NFS3ERR_EXIST;
    return { root: dir.root, rel: dir.rel === '' ? name : `${dir.rel}/${name}`, name };
  }
}
