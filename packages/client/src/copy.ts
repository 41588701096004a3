import { NfsError, NfsFsError, throwIfAborted } from './errors.js';
import { parseFlags } from './flags.js';
import type { Session } from './session.js';
import { makeSattr } from './sattr.js';
import type { WrittenRange } from './engine.js';
import { NF3DIR, NF3LNK, NF3REG } from './stats.js';
import { posix } from 'node:path';

/** Bytes copyFile reads per round (rsize pieces in parallel), then writes back. */
export const DEFAULT_COPY_CHUNK = 4 * 1024 * 1024;

export interface CpOptions {
  /** copy directories and their contents (else a directory source fails with EISDIR) */
  recursive?: boolean;
  /** return false (or a promise of it) to skip `src` (and, for a directory, all below it) */
  filter?: (src: string, dest: string) => boolean | Promise<boolean>;
  /** overwrite existing files (default true) */
  force?: boolean;
  /** with `force: false`, fail (EEXIST) instead of skipping an existing destination */
  errorOnExist?: boolean;
  /** give copies the source's atime and mtime */
  preserveTimestamps?: boolean;
  /** copy symbolic links' text as is (node:fs's `verbatimSymlinks`; here always so) */
  verbatimSymlinks?: boolean;
}

/** copyFile within one export: READ into a fresh chunk, WRITE it (UNSTABLE, by reference), one COMMIT at the end. */
export async function copyFile(s: Session, src: string, dest: string, mode: number, signal?: AbortSignal): Promise<void> {
  const from = await s.paths.resolve(src, true);
  const attr = await s.paths.getattr(from.fh, true);
  if (attr.type === NF3DIR) throw new NfsFsError('EISDIR', 'copyfile', src, { dest });
  const f = parseFlags((mode & 1) !== 0 ? 'wx' : 'w');
  const toFh = await s.openFh(dest, f, attr.mode & 0o7777);
  if (toFh.equals(from.fh)) throw new NfsFsError('EINVAL', 'copyfile', src, { dest }); // would truncate the source
  const stop = (): boolean => s.closed || signal?.aborted === true;
  // each chunk is fresh and kept (not copied) until COMMIT, which may have to resend it
  let pending: WrittenRange[] = [];
  let pendingBytes = 0;
  try {
    if ((attr.mode & 0o7777) !== ((await s.paths.getattr(toFh, true)).mode & 0o7777)) await s.setattr(toFh, { mode: attr.mode & 0o7777 });
    let pos = 0n;
    for (;;) {
      throwIfAborted(signal);
      const chunk = Buffer.allocUnsafe(Math.max(s.rsize, Math.min(DEFAULT_COPY_CHUNK, s.rsize * s.options.window)));
      const r = await s.read(from.fh, chunk, 0, chunk.length, pos, stop);
      if (r.bytesRead > 0) {
        for (const w of await s.write(toFh, chunk.subarray(0, r.bytesRead), pos, false, false, stop)) {
          pending.push(w);
          pendingBytes += w.data.length;
        }
      }
      pos += BigInt(r.bytesRead);
      if (pendingBytes > s.options.maxUncommitted) {
        await s.commit(toFh, pending);
        pending = [];
        pendingBytes = 0;
      }
      if (r.eof || r.bytesRead < chunk.length) break;
    }
    if (pending.length > 0) await s.commit(toFh, pending);
  } finally {
    s.releaseIfUnused(toFh);
    s.releaseIfUnused(from.fh);
  }
}

async function exists(s: Session, path: string): Promise<{ type: number } | undefined> {
  try {
    return (await s.paths.resolve(path, false)).attr;
  } catch (err) {
    if (err instanceof NfsError && err.code === 'NFS3ERR_NOENT') return undefined;
    throw err;
  }
}

/** `cp` as node:fs/promises within one export. */
export async function cp(s: Session, src: string, dest: string, o: CpOptions & { signal?: AbortSignal }): Promise<void> {
  const force = o.force !== false;
  const srcNorm = posix.normalize(`/${src}`);
  const destNorm = posix.normalize(`/${dest}`);
  if (destNorm === srcNorm || destNorm.startsWith(`${srcNorm.replace(/\/$/, '')}/`)) throw new NfsFsError('EINVAL', 'cp', src, { dest });
  const one = async (from: string, to: string): Promise<void> => {
    throwIfAborted(o.signal);
    if (o.filter !== undefined && !(await o.filter(from, to))) return;
    const a = (await s.paths.resolve(from, false)).attr;
    const there = await exists(s, to);
    if (a.type === NF3DIR) {
      if (o.recursive !== true) throw new NfsFsError('EISDIR', 'cp', from, { dest: to });
      if (there === undefined) {
        await mkdir(s, to, a.mode & 0o7777);
      } else if (there.type !== NF3DIR) {
        throw new NfsFsError('ENOTDIR', 'cp', from, { dest: to });
      }
      const { fh } = await s.paths.resolve(from, false);
      for (const d of await s.dirs.list(fh, from)) await one(`${from.replace(/\/+$/, '')}/${d.name}`, `${to.replace(/\/+$/, '')}/${d.name}`);
    } else {
      if (there !== undefined) {
        if (!force) {
          if (o.errorOnExist === true) throw new NfsFsError('EEXIST', 'cp', from, { dest: to });
          return;
        }
        if (there.type === NF3DIR) throw new NfsFsError('EISDIR', 'cp', from, { dest: to });
        if (a.type === NF3LNK || there.type === NF3LNK) await removeFile(s, to);
      }
      if (a.type === NF3LNK) {
        const { fh } = await s.paths.resolve(from, false);
        const text = (await s.raw.readlink({ symlink: { data: fh } })).data;
        const { dir, name } = await s.paths.resolveParent(to);
        const r = await s.raw.symlink({ where: { dir: { data: dir }, name }, symlink: { symlink_attributes: makeSattr({ mode: 0o777 }), symlink_data: text } });
        s.paths.noteWcc(dir, r.dir_wcc);
        return;
      }
      if (a.type !== NF3REG) throw new NfsFsError('EINVAL', 'cp', from, { dest: to }); // devices, FIFOs, sockets
      await copyFile(s, from, to, 0, o.signal);
    }
    if (o.preserveTimestamps === true) {
      const { fh } = await s.paths.resolve(to, false);
      const at = (await s.paths.getattr((await s.paths.resolve(from, false)).fh, true));
      await s.setattr(fh, { atime: new Date(at.atime.seconds * 1000 + at.atime.nseconds / 1e6), mtime: new Date(at.mtime.seconds * 1000 + at.mtime.nseconds / 1e6) });
    }
  };
  await one(src, dest);
}

async function mkdir(s: Session, path: string, mode: number): Promise<void> {
  const { dir, name } = await s.paths.resolveParent(path);
  const r = await s.raw.mkdir({ where: { dir: { data: dir }, name }, attributes: makeSattr({ mode }) });
  s.paths.noteWcc(dir, r.dir_wcc);
}

async function removeFile(s: Session, path: string): Promise<void> {
  const { dir, name } = await s.paths.resolveParent(path);
  const known = s.paths.cachedName(dir, name);
  s.paths.forgetName(dir, name);
  if (known !== undefined) s.paths.forgetAttr(known);
  const r = await s.raw.remove({ object: { dir: { data: dir }, name } });
  s.paths.noteWcc(dir, r.dir_wcc);
}
