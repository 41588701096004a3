/**
 * HandleSearch: finds objects whose handles the index does not know by walking the export,
 * one pass at a time per export, each pass serving every handle waiting when it starts.
 */
import type { Logger } from 'pino';
import type { Backend, DirEntry, Stats } from './backend.js';
import type { ExportState, SearchResult } from './export-table.js';
import type { GatedIo } from './gated-io.js';
import { inodeKey } from './handles.js';
import { indexRel } from './object-locations.js';

/** Entries looked at between yields to other calls */
const SEARCH_BATCH = 64;

export class HandleSearch {
  private closed = false;

  constructor(
    private readonly backend: Backend,
    private readonly io: GatedIo,
    private readonly counters: { searches: number },
    private readonly logger: Logger | undefined,
    /** entries one pass visits at most */
    private readonly maxSearchEntries: number,
  ) {}

  /**
   * Waits for a search pass to find key. Passes run one at a time per export, and one pass
   * looks for every key waiting when it starts, so N distinct unknown handles cost one walk
   * of the export, not N; a key arriving during a pass is also matched by what that pass
   * still sees, and otherwise waits for the next pass.
   */
  searchFor(s: ExportState, key: string): Promise<SearchResult> {
    return new Promise((resolve) => {
      const w = s.wanted.get(key);
      if (w) w.push(resolve);
      else s.wanted.set(key, [resolve]);
      if (!s.searching) void this.runSearches(s);
    });
  }

  private async runSearches(s: ExportState): Promise<void> {
    s.searching = true;
    try {
      while (s.wanted.size > 0 && !this.closed) {
        const keys = new Set(s.wanted.keys());
        let complete = false;
        try {
          complete = await this.searchPass(s);
        } catch (err) {
          this.logger?.warn({ err, export: s.exp.path }, 'handle search failed');
        }
        // a key that arrived during the pass may have moved behind the walk: it waits for
        // the next pass, which serves every key waiting by then
        for (const k of keys) {
          const waiters = s.wanted.get(k);
          if (waiters === undefined) continue; // found during the pass
          s.wanted.delete(k);
          for (const w of waiters) w(complete ? 'gone' : 'gaveup');
        }
      }
    } finally {
      s.searching = false;
    }
  }

  /**
   * One breadth-first walk of the export (never following symlinks), indexing everything it
   * sees and answering every waiting key it meets. True when it covered the whole export,
   * false when it stopped at maxSearchEntries.
   */
  private async searchPass(s: ExportState): Promise<boolean> {
    let visited = 0;
    this.counters.searches++;
    this.logger?.debug({ export: s.exp.path, wanted: s.wanted.size }, 'handles not in index, searching the export');
    const queue: Array<{ rel: string; key: string }> = [{ rel: '', key: s.rootKey }];
    for (let qi = 0; qi < queue.length; qi++) {
      if (s.wanted.size === 0 || this.closed) return true;
      const dir = queue[qi]!;
      queue[qi] = undefined as unknown as { rel: string; key: string };
      let list: DirEntry[];
      try {
        list = await this.backend.readdir({ root: s.root, rel: dir.rel });
      } catch {
        continue;
      }
      for (let i = 0; i < list.length; i += SEARCH_BATCH) {
        const batch = list.slice(i, i + SEARCH_BATCH);
        for (const d of batch) {
          const rel = dir.rel === '' ? d.name : `${dir.rel}/${d.name}`;
          let st: Stats;
          try {
            st = await this.io.lstat({ root: s.root, rel });
          } catch {
            continue;
          }
          const k = inodeKey(st.dev, st.ino);
          const isDir = st.isDirectory();
          indexRel(s, rel, st, dir.key);
          const waiters = s.wanted.get(k);
          if (waiters !== undefined) {
            s.wanted.delete(k);
            for (const w of waiters) w(rel);
          }
          if (isDir) queue.push({ rel, key: k });
        }
        visited += batch.length;
        if (visited >= this.maxSearchEntries) {
          this.logger?.warn({ export: s.exp.path, visited }, 'handle search stopped at maxSearchEntries');
          return false;
        }
        // let other calls run between batches: a search must not starve well-behaved clients
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    return true;
  }

  /** Ends running passes at their next step (the core is closing). */
  close(): void {
    this.closed = true;
  }
}
