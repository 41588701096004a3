// Issue 9: an object whose absolute server path is longer than PATH_MAX (4,096 bytes) is
// reachable through every NFS procedure (the server resolves paths below its export root
// descriptor a piece at a time), and SETATTR keeps nanoseconds and leaves an omitted time
// untouched (utimensat with UTIME_OMIT). Our server, in process, and our client's raw calls.
import { mkdtempSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { connect, makeSattr, type NfsClient } from '@nfsts/client';
import { startServer } from '@nfsts/server';
import { createmode3, ftype3, stable_how, time_how, type sattr3 } from '@nfsts/xdr';

const LEVEL = 'd'.repeat(200);
const LEVELS = 24; // 24 × 201 bytes: the deepest directory's path is over 4,800 bytes

async function arena(t: { teardown(fn: () => unknown): void }): Promise<{ c: NfsClient; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-deep-'));
  const s = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
  const c = await connect(s.url);
  t.teardown(async () => {
    await c.close();
    await s.close();
    // fs.rmSync walks by absolute paths and fails past PATH_MAX; rm(1) works by descriptors
    spawnSync('rm', ['-rf', dir]);
  });
  return { c, dir };
}

const fhOf = (o: { handle_follows: boolean; handle?: { data: Buffer } }): Buffer => {
  if (!o.handle_follows || !o.handle) throw new Error('no handle');
  return Buffer.from(o.handle.data);
};

t.test('every procedure works on objects deeper than PATH_MAX', async (t) => {
  const { c, dir } = await arena(t);
  const raw = c.raw;
  let d = c.rootFh;
  for (let i = 0; i < LEVELS; i++) d = fhOf((await raw.mkdir({ where: { dir: { data: d }, name: LEVEL }, attributes: makeSattr({ mode: 0o755 }) })).obj);
  t.ok(Buffer.byteLength(dir) + LEVELS * (LEVEL.length + 1) > 4096, `the deepest directory's server path is ${Buffer.byteLength(dir) + LEVELS * (LEVEL.length + 1)} bytes`);
  const D = { data: d };
  const f = { data: fhOf((await raw.create({ where: { dir: D, name: 'f' }, how: { mode: createmode3.GUARDED, obj_attributes: makeSattr({ mode: 0o644 }) } })).obj) };
  const data = Buffer.from('deeper than PATH_MAX');
  t.equal((await raw.write({ file: f, offset: 0n, count: data.length, stable: stable_how.UNSTABLE, data })).count, data.length, 'WRITE');
  await raw.commit({ file: f, offset: 0n, count: 0 });
  const rd = await raw.read({ file: f, offset: 0n, count: 100 });
  t.equal(Buffer.from(rd.data).toString(), data.toString(), 'READ');
  t.equal((await raw.getattr({ object: f })).obj_attributes.size, BigInt(data.length), 'GETATTR');
  await raw.setattr({ object: f, new_attributes: makeSattr({ mode: 0o600, size: 5 }), guard: { check: false } });
  const ga = (await raw.getattr({ object: f })).obj_attributes;
  t.same([ga.mode, ga.size], [0o600, 5n], 'SETATTR mode and size');
  t.ok((await raw.access({ object: f, access: 0x1f })).access > 0, 'ACCESS');
  const lk = await raw.lookup({ what: { dir: D, name: 'f' } });
  t.same(Buffer.from(lk.object.data), f.data, 'LOOKUP gives the same handle');
  await raw.link({ file: f, link: { dir: D, name: 'g' } });
  t.equal((await raw.getattr({ object: f })).obj_attributes.nlink, 2, 'LINK');
  const sl = { data: fhOf((await raw.symlink({ where: { dir: D, name: 's' }, symlink: { symlink_attributes: makeSattr({}), symlink_data: 'f' } })).obj) };
  t.equal((await raw.readlink({ symlink: sl })).data, 'f', 'SYMLINK and READLINK');
  await raw.mknod({ where: { dir: D, name: 'p' }, what: { type: ftype3.NF3FIFO, pipe_attributes: makeSattr({ mode: 0o600 }) } } as never);
  await raw.rename({ from: { dir: D, name: 'g' }, to: { dir: D, name: 'h' } });
  const sub = { data: fhOf((await raw.mkdir({ where: { dir: D, name: 'sub' }, attributes: makeSattr({ mode: 0o755 }) })).obj) };
  await raw.rename({ from: { dir: D, name: 'h' }, to: { dir: sub, name: 'h' } });
  const names = (r: { reply: { entries: Array<{ name: string }> } }): string[] => r.reply.entries.map((e) => e.name).sort();
  t.same(names(await raw.readdir({ dir: D, cookie: 0n, cookieverf: Buffer.alloc(8), count: 8192 }) ), ['.', '..', 'f', 'p', 's', 'sub'], 'READDIR');
  const rdp = await raw.readdirplus({ dir: D, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 8192, maxcount: 32768 });
  t.same(names(rdp ), ['.', '..', 'f', 'p', 's', 'sub'], 'READDIRPLUS');
  const up = await raw.lookup({ what: { dir: D, name: '..' } });
  t.ok(up.object.data.length > 0, "LOOKUP '..'");
  await raw.remove({ object: { dir: sub, name: 'h' } });
  await raw.rmdir({ object: { dir: D, name: 'sub' } });
  for (const n of ['f', 'p', 's']) await raw.remove({ object: { dir: D, name: n } });
  t.ok((await raw.fsstat({ fsroot: D })).tbytes > 0n, 'FSSTAT');
  t.ok((await raw.fsinfo({ fsroot: D })).rtmax > 0, 'FSINFO');
  t.ok((await raw.pathconf({ object: D })).name_max > 0, 'PATHCONF');
  t.same(names(await raw.readdir({ dir: D, cookie: 0n, cookieverf: Buffer.alloc(8), count: 8192 }) ), ['.', '..'], 'all removed');
  // the client's path layer walks it too
  const deep = `/${Array.from({ length: LEVELS }, () => LEVEL).join('/')}/via-path`;
  await c.writeFile(deep, 'path layer');
  t.equal((await c.readFile(deep)).toString(), 'path layer', 'writeFile/readFile by a path over PATH_MAX');
});

t.test('SETATTR keeps nanoseconds, and a time not set stays as it was', async (t) => {
  const { c, dir } = await arena(t);
  await c.writeFile('/f', 'x');
  const f = { data: (await c.raw.lookup({ what: { dir: { data: c.rootFh }, name: 'f' } })).object.data };
  const times = (a: [number, number] | null, m: [number, number] | null): sattr3 => ({
    ...makeSattr({}),
    atime: a ? { set_it: time_how.SET_TO_CLIENT_TIME, atime: { seconds: a[0], nseconds: a[1] } } : { set_it: time_how.DONT_CHANGE },
    mtime: m ? { set_it: time_how.SET_TO_CLIENT_TIME, mtime: { seconds: m[0], nseconds: m[1] } } : { set_it: time_how.DONT_CHANGE },
  } as sattr3);
  await c.raw.setattr({ object: f, new_attributes: times([1_800_000_000, 123_456_789], [1_700_000_000, 987_654_321]), guard: { check: false } });
  await c.raw.setattr({ object: f, new_attributes: times([1_900_000_000, 100_000_000], null), guard: { check: false } });
  const a = (await c.raw.getattr({ object: f })).obj_attributes;
  t.same(a.atime, { seconds: 1_900_000_000, nseconds: 100_000_000 }, 'atime exact to the nanosecond');
  t.same(a.mtime, { seconds: 1_700_000_000, nseconds: 987_654_321 }, 'the omitted mtime keeps its nanoseconds');
  const st = statSync(join(dir, 'f'), { bigint: true });
  t.equal(st.atimeNs, 1_900_000_000_100_000_000n, 'as the local filesystem says');
  t.equal(st.mtimeNs, 1_700_000_000_987_654_321n);
  await c.raw.setattr({ object: f, new_attributes: times(null, [1_600_000_000, 1]), guard: { check: false } });
  const b = (await c.raw.getattr({ object: f })).obj_attributes;
  t.same([b.atime, b.mtime], [{ seconds: 1_900_000_000, nseconds: 100_000_000 }, { seconds: 1_600_000_000, nseconds: 1 }], 'and the other way round');
});
