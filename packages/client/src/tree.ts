/**
 * Whole-tree and single-name directory operations of NfsClient: mkdir with its missing
 * parents, rm of a file or a whole tree (8 removals at once), and the one-name MKDIR and
 * REMOVE/RMDIR both are made of, keeping the path cache right.
 */
import { NfsError, NfsFsError } from './errors.js';
import { pathString, type PathLike, type Resolved } from './paths.js';
import type { Session } from './session.js';
import { makeSattr } from './sattr.js';
import { NF3DIR } from './stats.js';
import { runWindowed } from './engine.js';

/** MKDIR of one directory (mode less the umask); its handle. */
export async function mkdirOne(s: Session, path: PathLike, mode: number): Promise<Buffer> {
  const paths = s.paths;
  const { dir, name } = await paths.resolveParent(path);
  const r = await s.raw.mkdir({ where: { dir: { data: dir }, name }, attributes: makeSattr({ mode: mode & ~s.options.umask }) });
  paths.noteWcc(dir, r.dir_wcc);
  return paths.learnCreated(dir, name, r.obj, r.obj_attributes);
}

/** mkdir -p: creates every missing directory of `path`; the first one created, if any. */
export async function mkdirRecursive(s: Session, path: PathLike, mode: number): Promise<string | undefined> {
  const parts = s.paths.components(path);
  let first: string | undefined;
  let cur = '';
  for (const part of parts) {
    cur = `${cur}/${part}`;
    if (part === '..') continue;
    try {
      const r = await s.paths.resolve(cur, true);
      if (r.attr.type !== NF3DIR) throw new NfsFsError('ENOTDIR', 'mkdir', pathString(path));
    } catch (err) {
      if (!(err instanceof NfsError && err.code === 'NFS3ERR_NOENT')) throw err;
      try {
        await mkdirOne(s, cur, mode);
        first ??= cur;
      } catch (e2) {
        if (!(e2 instanceof NfsError && e2.code === 'NFS3ERR_EXIST')) throw e2;
      }
    }
  }
  return first;
}

/** REMOVE (or RMDIR with `isDir`) of dir/name, forgetting its cached lookup and attributes first. */
export async function removeName(s: Session, dir: Buffer, name: string, isDir = false): Promise<void> {
  const paths = s.paths;
  const known = paths.cachedName(dir, name);
  paths.forgetName(dir, name);
  if (known) paths.forgetAttr(known);
  const args = { object: { dir: { data: dir }, name } };
  const r = await (isDir ? s.raw.rmdir(args) : s.raw.remove(args));
  paths.noteWcc(dir, r.dir_wcc);
}

/** rm: a file, or (with `recursive`) a whole tree; `force` ignores a missing path. */
export async function rm(s: Session, path: string, options: { recursive?: boolean; force?: boolean; signal?: AbortSignal }): Promise<void> {
  const paths = s.paths;
  let target: Resolved;
  let parent: { dir: Buffer; name: string };
  try {
    parent = await paths.resolveParent(path);
    target = await paths.lookupChild(parent.dir, parent.name);
  } catch (err) {
    if (options.force === true && err instanceof NfsError && err.code === 'NFS3ERR_NOENT') return;
    throw err;
  }
  if (target.attr.type !== NF3DIR) {
    await removeName(s, parent.dir, parent.name);
    return;
  }
  if (options.recursive !== true) throw new NfsFsError('EISDIR', 'rm', path);
  await rmTree(s, target.fh, path, () => options.signal?.aborted === true);
  try {
    await removeName(s, parent.dir, parent.name, true);
  } catch (err) {
    if (!(options.force === true && err instanceof NfsError && err.code === 'NFS3ERR_NOENT')) throw err;
  }
}

/** Removes everything below directory `dir` (its path is `path`), depth first. */
async function rmTree(s: Session, dir: Buffer, path: string, stop: () => boolean): Promise<void> {
  const entries = await s.dirs.list(dir, path);
  // 8 at once; after a failure no further entry is started, and rm() settles only once
  // the removals in progress have
  await runWindowed(entries.length, 8, async (i) => {
    if (stop()) return;
    const e = entries[i]!;
    let isDir = e.isDirectory();
    let fh = e.fh;
    if (e.stats === undefined || fh === undefined) {
      const c = await s.paths.lookupChild(dir, e.name);
      isDir = c.attr.type === NF3DIR;
      fh = c.fh;
    }
    if (isDir) await rmTree(s, fh, `${path}/${e.name}`, stop);
    await removeName(s, dir, e.name, isDir);
  });
}
