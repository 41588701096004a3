import { constants } from 'node:fs';
import { NfsClientError } from './errors.js';

export type OpenFlags = 'r' | 'rs' | 'sr' | 'r+' | 'rs+' | 'sr+' | 'w' | 'wx' | 'xw' | 'w+' | 'wx+' | 'xw+' | 'a' | 'ax' | 'xa' | 'as' | 'sa' | 'a+' | 'ax+' | 'xa+' | 'as+' | 'sa+';

/** What an open flag asks for. `sync` ('rs', 'as', O_SYNC): writes go FILE_SYNC. */
export interface ParsedFlags { read: boolean; write: boolean; create: boolean; exclusive: boolean; truncate: boolean; append: boolean; sync: boolean }

function flags(read: boolean, write: boolean, create: boolean, exclusive: boolean, truncate: boolean, append: boolean, sync = false): ParsedFlags {
  return { read, write, create, exclusive, truncate, append, sync };
}

/** The string flags node:fs knows, or a number built from `fs.constants` (O_RDONLY, O_CREAT, …). */
export function parseFlags(f: string | number): ParsedFlags {
  if (typeof f === 'number') return parseNumericFlags(f);
  switch (f) {
    case 'r': return flags(true, false, false, false, false, false);
    case 'rs': case 'sr': return flags(true, false, false, false, false, false, true);
    case 'r+': return flags(true, true, false, false, false, false);
    case 'rs+': case 'sr+': return flags(true, true, false, false, false, false, true);
    case 'w': case 'w+': return flags(f === 'w+', true, true, false, true, false);
    case 'wx': case 'wx+': case 'xw': case 'xw+': return flags(f.endsWith('+'), true, true, true, true, false);
    case 'a': case 'a+': return flags(f === 'a+', true, true, false, false, true);
    case 'as': case 'sa': case 'as+': case 'sa+': return flags(f.endsWith('+'), true, true, false, false, true, true);
    case 'ax': case 'ax+': case 'xa': case 'xa+': return flags(f.endsWith('+'), true, true, true, false, true);
    default: throw new NfsClientError('ERR_NFS_INVALID_OPTION', `unknown open flags '${String(f)}'`);
  }
}

function parseNumericFlags(n: number): ParsedFlags {
  if (!Number.isInteger(n) || n < 0) throw new NfsClientError('ERR_NFS_INVALID_OPTION', `open flags must be a non-negative integer, got ${n}`);
  const acc = n & 3; // O_ACCMODE
  if (acc === 3) throw new NfsClientError('ERR_NFS_INVALID_OPTION', `open flags ${n}: O_RDONLY|O_WRONLY|O_RDWR is no access mode`);
  const has = (bit: number | undefined): boolean => bit !== undefined && (n & bit) !== 0;
  return {
    read: acc === constants.O_RDONLY || acc === constants.O_RDWR,
    write: acc === constants.O_WRONLY || acc === constants.O_RDWR,
    create: has(constants.O_CREAT),
    exclusive: has(constants.O_CREAT) && has(constants.O_EXCL),
    truncate: has(constants.O_TRUNC),
    append: has(constants.O_APPEND),
    sync: has(constants.O_SYNC) || has(constants.O_DSYNC),
  };
}
