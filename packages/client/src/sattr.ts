import { time_how, type sattr3 } from '@nfsts/xdr';
import { NfsClientError } from './errors.js';

/** Attributes to set with SETATTR (and on CREATE/MKDIR); absent fields stay unchanged. */
export interface SetAttrs {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: bigint | number;
  /** a Date, seconds since the epoch, or 'server' for the server's clock */
  atime?: Date | number | 'server';
  mtime?: Date | number | 'server';
}

function toNfsTime(t: Date | number): { seconds: number; nseconds: number } {
  const ms = typeof t === 'number' ? t * 1000 : t.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: Math.max(0, seconds), nseconds: Math.round((ms - seconds * 1000) * 1e6) % 1e9 };
}

/** Builds an sattr3 from the fields given; absent fields stay unchanged. */
export function makeSattr(a: SetAttrs = {}): sattr3 {
  // set_atime and set_mtime differ only in the name of the SET_TO_CLIENT_TIME arm's field
  const time = <K extends 'atime' | 'mtime'>(key: K, t: Date | number | 'server' | undefined): sattr3[K] =>
    t === undefined ? { set_it: time_how.DONT_CHANGE }
      : t === 'server' ? { set_it: time_how.SET_TO_SERVER_TIME }
        : { set_it: time_how.SET_TO_CLIENT_TIME, [key]: toNfsTime(t) } as sattr3[K];
  return {
    mode: a.mode !== undefined ? { set_it: true, mode: a.mode & 0o7777 } : { set_it: false },
    uid: a.uid !== undefined ? { set_it: true, uid: a.uid } : { set_it: false },
    gid: a.gid !== undefined ? { set_it: true, gid: a.gid } : { set_it: false },
    size: a.size !== undefined ? { set_it: true, size: BigInt(a.size) } : { set_it: false },
    atime: time('atime', a.atime),
    mtime: time('mtime', a.mtime),
  };
}

/** A mode as node:fs takes it: a number, or a string of octal digits ('644', '0o755'). */
export function parseMode(mode: number | string, property = 'mode'): number {
  if (typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o7777_7777) return mode;
  if (typeof mode === 'string' && /^(0o)?[0-7]+$/i.test(mode)) return parseInt(mode.replace(/^0o/i, ''), 8);
  throw new NfsClientError('ERR_NFS_INVALID_OPTION', `${property} must be an integer or a string of octal digits, got ${JSON.stringify(mode)}`);
}

/** A time as node:fs takes it: a Date, seconds since the epoch, or a numeric string of seconds. */
export function parseTime(t: Date | number | string, property: string): Date | number {
  if (t instanceof Date) return t;
  if (typeof t === 'number' && Number.isFinite(t)) return t;
  if (typeof t === 'string' && t.trim() !== '' && Number.isFinite(Number(t))) return Number(t);
  throw new NfsClientError('ERR_NFS_INVALID_OPTION', `${property} must be a Date, a number of seconds or a numeric string, got ${JSON.stringify(t)}`);
}
