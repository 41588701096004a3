import type { CallContext } from '@nfsts/rpc';
import { mountstat3 } from '@nfsts/xdr';
import { refusalReason, type Export } from '../core/index.js';
import type { MountContext } from './context.js';

export interface MountGrant {
  exp: Export;
  /** The normalized path that was mounted (what DUMP reports). */
  path: string;
  /** The export-relative directory mounted ('' for the export root). */
  sub: string;
  /** nfs_fh3 data for the mounted directory. */
  handle: Buffer;
}

/** `/export/`, `//export` → `/export`; null for something that is not an absolute path. */
export function normalizeDirpath(dirpath: string): string | null {
  if (!dirpath.startsWith('/') || dirpath.includes('\0')) return null;
  const parts = dirpath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return null;
  return `/${parts.join('/')}`;
}

/**
 * The MNT decision shared by v1 and v3: find the export holding `dirpath` (the export
 * itself or a directory below it, reached without following symlinks), check the client
 * against its allow-list (host names by reverse DNS, as NFS calls are) and `secure`, and produce the handle. Refusals are mountstat3
 * values: unknown path → NOENT, client not allowed → ACCES, not a directory → NOTDIR.
 */
export async function authorizeMount(m: MountContext, dirpath: string, ctx: CallContext): Promise<MountGrant | mountstat3> {
  const path = normalizeDirpath(dirpath);
  if (path === null) return mountstat3.MNT3ERR_NOENT;
  // Longest export name that is the path or a prefix of it at a component boundary.
  let exp: Export | undefined;
  for (const e of m.core.exports) {
    if (path === e.path || (path.startsWith(e.path === '/' ? '/' : `${e.path}/`) && path.length > e.path.length)) {
      if (exp === undefined || e.path.length > exp.path.length) exp = e;
    }
  }
  if (exp === undefined) {
    ctx.logger.warn({ client: ctx.remoteAddress, port: ctx.remotePort, dirpath: path, reason: 'no export holds this path' }, 'mount refused');
    return mountstat3.MNT3ERR_NOENT;
  }
  if (!(await m.core.table.clientAllowedResolve(exp, ctx.remoteAddress, ctx.remotePort))) {
    ctx.logger.warn({ client: ctx.remoteAddress, port: ctx.remotePort, export: exp.path, dirpath: path, reason: refusalReason(exp.options, ctx.remotePort) }, 'mount refused');
    return mountstat3.MNT3ERR_ACCES;
  }
  if (path === exp.path) return { exp, path, sub: '', handle: exp.rootHandle };
  const sub = path.slice(exp.path === '/' ? 1 : exp.path.length + 1);
  let dir = await m.core.handles.resolve(exp.rootHandle);
  if (typeof dir === 'number') return mountstat3.MNT3ERR_SERVERFAULT;
  for (const name of sub.split('/')) {
    if (!dir.stats.isDirectory()) return mountstat3.MNT3ERR_NOTDIR;
    const next = await m.core.children.lookupChild(dir, name);
    if (typeof next === 'number') return next === 13 ? mountstat3.MNT3ERR_ACCES : mountstat3.MNT3ERR_NOENT;
    dir = next;
  }
  if (!dir.stats.isDirectory()) return mountstat3.MNT3ERR_NOTDIR;
  return { exp, path, sub, handle: m.core.handles.handleFor(exp, dir, dir.stats) };
}
