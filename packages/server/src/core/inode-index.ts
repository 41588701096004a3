/**
 * Per-export inode → path index, so a handle (dev, ino) resolves in O(1) once warm.
 * Each entry keeps the path relative to the export root and, when known, the key of the
 * directory it was found in, so that after a directory is renamed on disk its children are
 * repaired through their parent instead of a search of the whole tree.
 */
import fs from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';

/** What load() found: the index, no file, or a file that is not a valid index. */
export type IndexLoad = 'loaded' | 'missing' | 'corrupt';

export interface IndexEntry {
  /** path relative to the export root ('' for the root itself) */
  rel: string;
  /** key of the parent directory when known */
  parent: string | null;
}

export class InodeIndex {
  readonly entries = new Map<string, IndexEntry>();
  /** rel path → key, directories only (to find a new entry's parent) */
  private readonly dirs = new Map<string, string>();
  dirty = false;

  get size(): number {
    return this.entries.size;
  }

  get(key: string): IndexEntry | undefined {
    return this.entries.get(key);
  }

  set(key: string, rel: string, isDir: boolean, parent?: string | null): void {
    const old = this.entries.get(key);
    let p = parent ?? null;
    if (p === null) {
      const slash = rel.lastIndexOf('/');
      p = this.dirs.get(slash < 0 ? '' : rel.slice(0, slash)) ?? null;
    }
    if (old && old.rel === rel && (old.parent === p || p === null)) return;
    if (old && isDir && this.dirs.get(old.rel) === key) this.dirs.delete(old.rel);
    this.entries.set(key, { rel, parent: p ?? old?.parent ?? null });
    if (isDir) this.dirs.set(rel, key);
    this.dirty = true;
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    if (this.dirs.get(old.rel) === key) this.dirs.delete(old.rel);
    this.dirty = true;
  }

  /** Writes the index atomically (tmp file, fsync, rename): a crash leaves the old or the new one. */
  save(file: string): void {
    const rows: Array<[string, string, string | null, 0 | 1]> = [];
    const dirKeys = new Set(this.dirs.values());
    for (const [k, e] of this.entries) rows.push([k, e.rel, e.parent, dirKeys.has(k) ? 1 : 0]);
    writeFileAtomic(file, JSON.stringify({ version: 1, rows }));
    this.dirty = false;
  }

  /**
   * Loads a saved index. A missing file or one that is not a valid index leaves the index
   * empty (it fills lazily); the caller moves a corrupt one aside.
   */
  load(file: string): IndexLoad {
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'corrupt';
    }
    const rows = (data as { version?: unknown; rows?: unknown } | null)?.rows;
    if ((data as { version?: unknown } | null)?.version !== 1 || !Array.isArray(rows)) return 'corrupt';
    for (const r of rows) {
      if (!Array.isArray(r) || typeof r[0] !== 'string' || typeof r[1] !== 'string') continue;
      const rel = r[1];
      if (rel.split('/').some((c: string) => c === '..' || c === '.' || (c === '' && rel !== '')) || rel.includes('\0')) continue;
      this.entries.set(r[0], { rel, parent: typeof r[2] === 'string' ? r[2] : null });
      if (r[3] === 1) this.dirs.set(rel, r[0]);
    }
    this.dirty = false;
    return 'loaded';
  }
}
