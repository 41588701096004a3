/**
 * Replacing a state file so that a crash at any moment leaves either the old or the new
 * version, whole: write a temporary file beside it, fsync it, rename it over the old one,
 * fsync the directory (so the rename itself survives a power cut).
 */
import fs from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  let dfd: number | undefined;
  try {
    dfd = fs.openSync(dirname(file), 'r');
    fs.fsyncSync(dfd);
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic
  } finally {
    if (dfd !== undefined) fs.closeSync(dfd);
  }
}
