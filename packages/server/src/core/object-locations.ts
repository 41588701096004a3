/**
 * Where the objects of an export are known to be: functions over an export's inode index,
 * the names of hard-linked objects (so removing the name the index followed moves it to
 * another), tombstones of objects known to be gone, and keys a search gave up on.
 */
import type { Stats } from './backend.js';
import type { ExportState } from './export-table.js';
import { inodeKey } from './handles.js';

/**
 * How long an object known to be gone is remembered: removed through this server (a
 * tombstone) or not found by a complete search. A client replaying stale handles costs a map
 * lookup, not a walk of the export.
 */
export const STALE_NEGATIVE_TTL_MS = 10 * 60_000;
/** How long a search that stopped at maxSearchEntries answers JUKEBOX (try later) without a new pass */
export const SEARCH_GAVE_UP_TTL_MS = 30_000;
/** Objects remembered as gone at most (oldest forgotten first) */
const MAX_GONE = 100_000;
/** Objects with several names whose names are remembered, and names per object */
const MAX_LINKED = 100_000;
const MAX_NAMES_PER_OBJECT = 8;

/** Index the object found at rel (and remember every name of a hard-linked one). */
export function indexRel(s: ExportState, rel: string, stats: Stats, parentKey: string | null, key = inodeKey(stats.dev, stats.ino)): void {
  if (key === s.rootKey) return;
  if (stats.nlink > 1n && !stats.isDirectory()) {
    let names = s.names.get(key);
    if (names === undefined) {
      const old = s.index.get(key);
      names = new Set(old !== undefined && old.rel !== rel ? [old.rel] : []);
      s.names.set(key, names);
      if (s.names.size > MAX_LINKED) s.names.delete(s.names.keys().next().value!);
    }
    if (!names.has(rel)) {
      if (names.size >= MAX_NAMES_PER_OBJECT) names.delete(names.values().next().value!);
      names.add(rel);
    }
  }
  if (s.gone.size > 0) s.gone.delete(key);
  s.index.set(key, rel, stats.isDirectory(), parentKey);
}

/**
 * The name rel of key went away (removed, or renamed over): the index moves to another
 * known name of a hard-linked object; an object with no name left becomes a tombstone.
 */
function dropName(s: ExportState, key: string, rel: string, stats: Stats): void {
  const names = s.names.get(key);
  if (names !== undefined) names.delete(rel);
  const e = s.index.get(key);
  if (stats.nlink > 1n && !stats.isDirectory()) {
    if (e !== undefined && e.rel === rel) {
      const other = names?.values().next().value;
      if (other !== undefined) s.index.set(key, other, false);
    }
    return;
  }
  s.names.delete(key);
  s.index.delete(key);
  markGone(s, key);
}

/** Remember that key is gone (bounded: the oldest is forgotten first). */
export function markGone(s: ExportState, key: string): void {
  s.gone.delete(key);
  s.gone.set(key, Date.now() + STALE_NEGATIVE_TTL_MS);
  if (s.gone.size > MAX_GONE) s.gone.delete(s.gone.keys().next().value!);
}

/** Remember that a search gave up on key (bounded: the oldest is forgotten first). */
export function markGaveUp(s: ExportState, key: string): void {
  s.gaveUp.set(key, Date.now() + SEARCH_GAVE_UP_TTL_MS);
  if (s.gaveUp.size > MAX_GONE) s.gaveUp.delete(s.gaveUp.keys().next().value!);
}

/** An object was removed from `rel` (or, without `rel`, from a name not known): see dropName. */
export function nameRemoved(s: ExportState, stats: Stats, rel: string | undefined): void {
  const key = inodeKey(stats.dev, stats.ino);
  if (rel !== undefined) dropName(s, key, rel, stats);
  else if (stats.nlink <= 1n || stats.isDirectory()) {
    s.index.delete(key);
    markGone(s, key);
  }
}

/**
 * An object now lives at `to` (RENAME or LINK; `fromRel` is the name a RENAME moved it from);
 * `replaced` is what the name `to` was before, if anything.
 */
export function nameMoved(s: ExportState, to: string, stats: Stats, replaced: Stats | undefined, fromRel: string | undefined): void {
  if (replaced && !(replaced.dev === stats.dev && replaced.ino === stats.ino)) dropName(s, inodeKey(replaced.dev, replaced.ino), to, replaced);
  if (fromRel !== undefined) s.names.get(inodeKey(stats.dev, stats.ino))?.delete(fromRel);
  indexRel(s, to, stats, null);
}
