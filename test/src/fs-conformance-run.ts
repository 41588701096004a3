/**
 * Runs the node:fs/promises conformance table (fs-conformance.ts) against a client of
 * `url`: each case once through node:fs/promises on a local temp dir, once through the
 * client, and the outcomes compared.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { connect, type NfsClient } from '@nfsts/client';
import { FS_CASES, type PathFn } from './fs-conformance.js';

export async function runConformance(label: string, url: string): Promise<void> {
  const localDir = realpathSync(mkdtempSync(join(tmpdir(), 'nfsts-conf-local-')));
  const client: NfsClient = await connect(url, { actimeoMs: 0 });
  const run = `${process.pid}-${Date.now()}`;
  await client.mkdir(`/conf-${run}`);
  t.teardown(async () => {
    await client.rm(`/conf-${run}`, { recursive: true, force: true }).catch(() => {});
    await client.close();
    rmSync(localDir, { recursive: true, force: true });
  });
function normalise(v: unknown): unknown {
  if (typeof v === 'string') return v.split(localDir).join('');
  if (Buffer.isBuffer(v)) return { buffer: v.toString('latin1') };
  if (v instanceof Error) {
    const e = v as Error & { code?: unknown; syscall?: string; path?: unknown; dest?: unknown };
    const out: Record<string, unknown> = { code: e.code };
    if (e.name === 'AbortError') out.name = 'AbortError';
    if (e.syscall !== undefined) out.syscall = e.syscall;
    if (e.path !== undefined) out.path = normalise(String(e.path));
    if (e.dest !== undefined) out.dest = normalise(String(e.dest));
    return { error: out };
  }
  if (Array.isArray(v)) return v.map(normalise);
  if (typeof v === 'bigint') return `${v}n`;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}

function paths(root: string): PathFn {
  return (rel, as = 'string') => {
    const s = rel === '' ? root : `${root}/${rel}`;
    if (as === 'buffer') return Buffer.from(s);
    if (as === 'url') return pathToFileURL(s);
    return s;
  };
}

async function outcome(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return normalise(await fn());
  } catch (err) {
    return normalise(err);
  }
}

  for (const [i, c] of FS_CASES.entries()) {
  t.test(`${label}: ${c.name}`, async (tt) => {
    const local = `${localDir}/conf-${run}/c${i}`;
    const remote = `/conf-${run}/c${i}`;
    await fsp.mkdir(local, { recursive: true });
    await client.mkdir(remote);
    const want = await outcome(() => c.run(fsp, paths(local)));
    const got = await outcome(() => c.run(client, paths(remote)));
    const quirk = c.quirks?.[label];
    if (quirk !== undefined) {
      tt.match(got, quirk.nfs, `${label} differs (${quirk.why}): ${JSON.stringify(got)}`);
    } else if (c.differs === undefined) {
      // the one general difference (see fs-conformance.ts): a path where node's error has none
      const w = (want ?? {}) as { error?: Record<string, unknown> };
      const g = (got ?? {}) as { error?: Record<string, unknown> };
      if (w.error !== undefined && g.error !== undefined && w.error.path === undefined) delete g.error.path;
      tt.same(got, want, `client agrees with node:fs (${JSON.stringify(want)})`);
    } else {
      tt.match(want, normalise(c.differs.node), `node:fs: ${JSON.stringify(want)}`);
      tt.match(got, c.differs.nfs, `client, known difference (${c.differs.why}): ${JSON.stringify(got)}`);
    }
  });
  }
}
