/** The FileKind of a directory entry, from its d_type (both node:fs-based backends list with it). */
import type fs from 'node:fs';
import type { FileKind } from './backend.js';

export function direntKind(d: fs.Dirent): FileKind {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isFIFO()) return 'fifo';
  if (d.isSocket()) return 'socket';
  if (d.isCharacterDevice()) return 'chr';
  if (d.isBlockDevice()) return 'blk';
  return 'unknown';
}
