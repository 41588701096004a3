// Issue 9 1b: READDIR and READDIRPLUS skip a listed entry only when it is gone (ENOENT); any
// other failure to stat it is reported, never a successful reply with entries silently left
// out. The case the review found: a directory moved deep enough that its children's absolute
// paths pass PATH_MAX (4,096 bytes) — the listing itself works, each child's lstat fails with
// ENAMETOOLONG, and the reply was OK with only '.' and '..'. Such a reply must now either
// carry every child (a server that reaches them by descriptor) or be an error.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, NfsError, type NfsClient } from '@nfsts/client';
import { startLocalServer, type LocalServer } from '../src/localio-helpers.js';

const ls: LocalServer = await startLocalServer({ exports: { '/export': 'rw,no_root_squash' }, localio: false });
const c: NfsClient = await connect(ls.url(), { localio: false });
t.teardown(async () => {
  await c.close();
  await ls.close();
});
const root = ls.roots['/export']!;

async function lookupPath(names: string[]): Promise<Buffer> {
  let fh = c.rootFh;
  for (const name of names) fh = Buffer.from((await c.raw.lookup({ what: { dir: { data: fh }, name } })).object.data);
  return fh;
}

/** Entry names of a listing, or the error status it answered. */
async function list(fh: Buffer, plus: boolean): Promise<string[] | string> {
  const names: string[] = [];
  let cookie = 0n;
  let verf = Buffer.alloc(8);
  try {
    for (;;) {
      const r = plus
        ? await c.raw.readdirplus({ dir: { data: fh }, cookie, cookieverf: verf, dircount: 65536, maxcount: 65536 })
        : await c.raw.readdir({ dir: { data: fh }, cookie, cookieverf: verf, count: 65536 });
      for (const e of r.reply.entries) {
        names.push(e.name);
        cookie = e.cookie;
      }
      verf = Buffer.from(r.cookieverf);
      if (r.reply.eof) return names;
    }
  } catch (err) {
    if (err instanceof NfsError) return String(err.code);
    throw err;
  }
}

t.test('children whose paths pass PATH_MAX are listed or the listing fails, never dropped', async (tt) => {
  // a chain of directories just short of PATH_MAX, then children of 245 bytes
  const parts: string[] = [];
  let path = root;
  while (path.length + 251 < 4080) {
    const name = `${String(parts.length).padStart(3, '0')}${'d'.repeat(247)}`;
    parts.push(name);
    path = join(path, name);
  }
  mkdirSync(path, { recursive: true });
  const children = ['file', 'dir', 'link'].map((k) => `${k}-${'c'.repeat(240)}`);
  // the children's own paths are too long for absolute-path calls: make them from inside
  const made = spawnSync('sh', ['-c', `cd '${path}' && : > '${children[0]}' && mkdir '${children[1]}' && ln -s target '${children[2]}'`]);
  tt.equal(made.status, 0, `made the children (${made.stderr.toString().trim() || 'ok'})`);
  tt.ok(path.length + 1 + children[0]!.length > 4096, `their paths are ${path.length + 1 + children[0]!.length} bytes, past PATH_MAX`);
  // rm(1) walks by descriptor; rmSync's absolute paths would fail past PATH_MAX
  tt.teardown(() => { spawnSync('rm', ['-rf', join(root, parts[0]!)]); });
  const fh = await lookupPath(parts);
  for (const plus of [false, true]) {
    const what = plus ? 'READDIRPLUS' : 'READDIR';
    const r = await list(fh, plus);
    if (typeof r === 'string') {
      tt.pass(`${what}: the failure is reported (${r})`);
    } else {
      tt.strictSame([...r].sort(), ['.', '..', ...children].sort(), `${what}: every child is listed`);
    }
  }
});

t.test('entries removed between two replies of one listing are skipped and the listing still succeeds', async (tt) => {
  const dir = join(root, 'many');
  mkdirSync(dir);
  const names = Array.from({ length: 60 }, (_, i) => `entry-${String(i).padStart(2, '0')}-${'n'.repeat(100)}`);
  for (const n of names) writeFileSync(join(dir, n), '');
  const fh = await lookupPath(['many']);
  for (const plus of [false, true]) {
    const what = plus ? 'READDIRPLUS' : 'READDIR';
    // a first small reply starts the listing (kept under its verifier by the server) ...
    const first = plus
      ? await c.raw.readdirplus({ dir: { data: fh }, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 1024, maxcount: 2048 })
      : await c.raw.readdir({ dir: { data: fh }, cookie: 0n, cookieverf: Buffer.alloc(8), count: 1024 });
    tt.notOk(first.reply.eof, `${what}: the first reply is partial`);
    const seen = first.reply.entries.map((e) => e.name);
    // ... then half of the names it has not returned yet are removed
    const rest = names.filter((n) => !seen.includes(n));
    const removed = rest.filter((_, i) => i % 2 === 0);
    for (const n of removed) rmSync(join(dir, n));
    let cookie = first.reply.entries.at(-1)!.cookie;
    const verf = Buffer.from(first.cookieverf);
    for (;;) {
      const r = plus
        ? await c.raw.readdirplus({ dir: { data: fh }, cookie, cookieverf: verf, dircount: 65536, maxcount: 65536 })
        : await c.raw.readdir({ dir: { data: fh }, cookie, cookieverf: verf, count: 65536 });
      for (const e of r.reply.entries) {
        seen.push(e.name);
        cookie = e.cookie;
      }
      if (r.reply.eof) break;
    }
    const want = ['.', '..', ...names.filter((n) => !removed.includes(n))];
    tt.strictSame([...seen].sort(), want.sort(), `${what}: the removed entries are skipped, the others all listed`);
    // put them back for the other procedure
    for (const n of removed) writeFileSync(join(dir, n), '');
  }
});
