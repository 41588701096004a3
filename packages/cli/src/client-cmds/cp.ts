/**
 * `nfsts cp [-r] SRC DST`: either side a local path or an nfs:// URL. Files are streamed
 * (both on one export: the client's copyFile, READ+WRITE on the server's side of LOCALIO
 * when it can); -r copies trees. On a terminal a progress bar, then bytes and MB/s; piped,
 * nothing.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { posix, basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import type { NfsClient } from '@nfsts/client';
import { NfsFsError } from '@nfsts/client';
import { Progress, UsageError, args, isNfsUrl, open, type ClientCommand } from './common.js';

/** One side of the copy: the calls cp needs, on node:fs or on the client. */
interface End {
  path: string;
  join(a: string, b: string): string;
  stat(p: string): Promise<{ isDirectory(): boolean; size: number; mode: number } | undefined>;
  readdir(p: string): Promise<string[]>;
  mkdir(p: string, mode: number): Promise<void>;
  reader(p: string): Readable;
  writer(p: string, mode: number): Writable;
  client?: NfsClient;
  close(): Promise<void>;
}

async function missingIsUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  }
}

function localEnd(path: string): End {
  return {
    path,
    join: (a, b) => `${a.replace(/\/+$/, '')}/${b}`,
    stat: (p) => missingIsUndefined(fsp.stat(p)),
    readdir: (p) => fsp.readdir(p),
    mkdir: async (p, mode) => { await fsp.mkdir(p, { mode }); },
    reader: (p) => createReadStream(p),
    writer: (p, mode) => createWriteStream(p, { mode }),
    close: async () => {},
  };
}

async function nfsEnd(spec: string): Promise<End> {
  const { client, path } = await open(spec);
  return {
    path,
    client,
    join: (a, b) => posix.join(a, b),
    stat: (p) => missingIsUndefined(client.stat(p)),
    readdir: (p) => client.readdir(p),
    mkdir: async (p, mode) => { await client.mkdir(p, { mode }); },
    reader: (p) => client.createReadStream(p),
    writer: (p, mode) => client.createWriteStream(p, { mode }),
    close: () => client.close(),
  };
}

function sameExport(a: End, b: End): boolean {
  const x = a.client, y = b.client;
  return x !== undefined && y !== undefined && x.options.host === y.options.host && x.nfsPort === y.nfsPort && x.rootFh.equals(y.rootFh);
}

async function copyTree(from: End, to: End, src: string, dst: string, recursive: boolean, progress: Progress): Promise<void> {
  const st = await from.stat(src);
  if (st === undefined) throw new NfsFsError('ENOENT', 'stat', src);
  if (st.isDirectory()) {
    if (!recursive) throw new NfsFsError('EISDIR', 'cp', src, { dest: dst });
    const there = await to.stat(dst);
    if (there === undefined) await to.mkdir(dst, st.mode & 0o7777);
    else if (!there.isDirectory()) throw new NfsFsError('ENOTDIR', 'cp', src, { dest: dst });
    for (const name of (await from.readdir(src)).sort()) await copyTree(from, to, from.join(src, name), to.join(dst, name), recursive, progress);
    return;
  }
  if (sameExport(from, to)) {
    await from.client!.copyFile(src, dst);
    progress.add(st.size);
    return;
  }
  await pipeline(from.reader(src), async function* (chunks: AsyncIterable<Buffer | string>) {
    for await (const c of chunks) {
      progress.add(c.length);
      yield c;
    }
  }, to.writer(dst, st.mode & 0o7777));
}

export const cp: ClientCommand = async (argv, io) => {
  const { values, positionals } = args(argv, { recursive: { type: 'boolean', short: 'r' } });
  if (positionals.length !== 2) throw new UsageError('usage: nfsts cp [-r] SRC DST (each a local path or an nfs:// URL)');
  const [srcSpec, dstSpec] = positionals as [string, string];
  if (!isNfsUrl(srcSpec) && !isNfsUrl(dstSpec)) throw new UsageError('cp: one side must be an nfs:// URL (use cp(1) for local copies)');
  const from = isNfsUrl(srcSpec) ? await nfsEnd(srcSpec) : localEnd(srcSpec);
  let to: End | undefined;
  try {
    to = isNfsUrl(dstSpec) ? await nfsEnd(dstSpec) : localEnd(dstSpec);
    const st = await from.stat(from.path);
    let dst = to.path;
    // into an existing directory (or one named with a trailing slash), as cp(1)
    const d = await to.stat(dst);
    if (d?.isDirectory() === true || dstSpec.split('?')[0]!.endsWith('/')) dst = to.join(dst, basename(from.path.replace(/\/+$/, '')));
    const progress = new Progress(io, st !== undefined && !st.isDirectory() ? st.size : undefined);
    await copyTree(from, to, from.path, dst, values.recursive === true, progress);
    progress.done();
  } finally {
    await Promise.allSettled([from.close(), to?.close()]);
  }
  return 0;
};
