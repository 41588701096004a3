// node:fs/promises and our client, case by case (test/src/fs-conformance.ts): the same
// calls against a local temp directory and against an export of our server must give the
// same values and the same errors (code, syscall, path, dest), except the differences
// listed there (and in the client README).
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { startServer } from '@nfsts/server';
import { connect } from '@nfsts/client';
import { FS_CASES, type PathFn } from '../src/fs-conformance.js';

const exportDir = mkdtempSync(join(tmpdir(), 'nfsts-conf-export-'));
const localDir = realpathSync(mkdtempSync(join(tmpdir(), 'nfsts-conf-local-')));
// root runs the tests: no_root_squash so root's writes are root's, as they are locally
const server = await startServer({ exports: [{ path: '/export', root: exportDir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
const client = await connect(server.url, { actimeoMs: 0 });
t.teardown(async () => {
  await client.close();
  await server.close();
  rmSync(exportDir, { recursive: true, force: true });
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

function paths(root: string, useFileUrlRoot: string): PathFn {
  return (rel, as = 'string') => {
    const s = rel === '' ? root : `${root}/${rel}`;
    if (as === 'buffer') return Buffer.from(s);
    if (as === 'url') return pathToFileURL(useFileUrlRoot === '' ? s : s);
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
  t.test(c.name, async (tt) => {
    const local = `${localDir}/c${i}`;
    const remote = `/c${i}`;
    await fsp.mkdir(local);
    await client.mkdir(remote);
    const want = await outcome(() => c.run(fsp, paths(local, local)));
    const got = await outcome(() => c.run(client, paths(remote, '')));
    if (c.differs === undefined) {
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
