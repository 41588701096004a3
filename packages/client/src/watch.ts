import { setTimeout as sleep } from 'node:timers/promises';
import { posix } from 'node:path';
import type { fattr3 } from '@nfsts/xdr';
import { AbortError, toFsError } from './errors.js';
import type { Session } from './session.js';
import { NF3DIR } from './stats.js';

/** Milliseconds between polls when `interval` is not given. */
export const DEFAULT_WATCH_INTERVAL_MS = 1000;

export interface WatchOptions {
  /** ms between polls (default 1000) */
  interval?: number;
  signal?: AbortSignal;
}

export interface WatchEvent {
  eventType: 'change' | 'rename';
  filename: string;
}

/** What "changed" means: NFSv3 has no change attribute, so ctime, mtime and size together. */
function stamp(a: fattr3): string {
  return `${a.ctime.seconds}.${a.ctime.nseconds}/${a.mtime.seconds}.${a.mtime.nseconds}/${a.size}`;
}

/**
 * Polls `path`: a file's attributes (fresh GETATTR), or a directory's entries
 * (READDIRPLUS, whose attributes say which entries changed). One poll at a time; the
 * first poll sets the baseline and reports nothing.
 */
export async function* watch(s: Session, path: string, o: WatchOptions): AsyncGenerator<WatchEvent, void, undefined> {
  const interval = o.interval ?? DEFAULT_WATCH_INTERVAL_MS;
  const signal = o.signal;
  const base = posix.basename(path);
  let prev: Map<string, string> | undefined;
  for (;;) {
    if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason });
    let now: Map<string, string>;
    let isDir: boolean;
    try {
      const r = await s.paths.resolve(path, true);
      const attr = await s.paths.getattr(r.fh, true);
      isDir = attr.type === NF3DIR;
      now = new Map();
      if (isDir) {
        for (const d of await s.dirs.list(r.fh, path)) now.set(d.name, d.stats !== undefined ? stamp(d.stats.attr) : '');
      } else {
        now.set(base, stamp(attr));
      }
    } catch (err) {
      throw toFsError(err, 'watch', path);
    }
    if (prev !== undefined) {
      for (const [name, st] of now) {
        const before = prev.get(name);
        if (before === undefined) yield { eventType: 'rename', filename: name };
        else if (before !== st) yield { eventType: 'change', filename: name };
      }
      for (const name of prev.keys()) if (!now.has(name)) yield { eventType: 'rename', filename: name };
    }
    prev = now;
    try {
      await sleep(interval, undefined, signal !== undefined ? { signal } : {});
    } catch {
      throw new AbortError(undefined, { cause: signal?.reason });
    }
  }
}
