/**
 * Every handler answers every well-typed argument with a status, never a throw: random
 * handles (valid, forged, stale, read-only, of every file type), names ('.', '..', '', '/',
 * 256 bytes, ...), sattr3, offsets up to 2^64-1, counts up to 2^32-1, cookies, credentials.
 * Each result must also encode with the procedure's result codec.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { AUTH_NONE_CRED, authSys, type Credential } from '@nfsts/rpc';
import { XdrWriter, createmode3, ftype3, nfsstat3, stable_how, time_how, type nfs_fh3, type sattr3, type Codec } from '@nfsts/xdr';
import { ctxFor, me, setup, stranger, type Setup } from './nfs3-helpers.js';

/** xorshift32: the same sequence on every run. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
  return {
    int: (n: number) => next() % n,
    pick: <T>(a: readonly T[]): T => a[next() % a.length]!,
    bool: () => (next() & 1) === 1,
  };
}

function restore(s: Setup): void {
  const ensure = (rel: string, kind: 'file' | 'dir' | 'link') => {
    const p = join(s.root, rel);
    if (existsSync(p)) return;
    try {
      if (kind === 'dir') mkdirSync(p);
      else if (kind === 'file') writeFileSync(p, 'some data\n');
      else symlinkSync('/etc', p);
      s.own(p);
    } catch { /* a parent went away: the next round restores it */ }
  };
  ensure('d', 'dir');
  ensure('d/f', 'file');
  ensure('d/sub', 'dir');
  ensure('f', 'file');
  ensure('l', 'link');
  if (!existsSync(join(s.roRoot, 'g'))) writeFileSync(join(s.roRoot, 'g'), 'ro');
}

t.test('random well-typed arguments never make a handler throw', async (t) => {
  const s = await setup(t);
  restore(s);
  const r = rng(0x5eed);
  const procs = s.prog.versions[3]!.procedures;
  // a stale handle: a file that existed once
  writeFileSync(join(s.root, 'gone'), '');
  const stale = await s.fh('gone');
  const { unlinkSync } = await import('node:fs');
  unlinkSync(join(s.root, 'gone'));
  const roFile = { data: Buffer.alloc(0) } as nfs_fh3;
  const handles = async (): Promise<nfs_fh3[]> => {
    restore(s);
    const out: nfs_fh3[] = [s.rootFh, s.roFh, stale, { data: Buffer.alloc(0) }, { data: Buffer.alloc(64, 7) }];
    for (const rel of ['d', 'd/f', 'd/sub', 'f', 'l']) {
      try { out.push(await s.fh(rel)); } catch { /* removed by an earlier call */ }
    }
    if (roFile.data.length === 0) {
      const ro = s.core.table.findExport('/ro')!;
      const st = await s.core.backend.lstat(s.core.table.loc(ro, 'g'));
      roFile.data = s.core.handles.handleFor(ro, { rel: 'g' }, st);
    }
    out.push(roFile);
    return out;
  };
  const names = ['a', 'b', 'd', 'f', 'l', 'sub', '.', '..', '', 'x/y', 'n'.repeat(256), 'ünï', 'gone'];
  const creds: Credential[] = [me, stranger, authSys({ uid: 0, gid: 0 }), AUTH_NONE_CRED];
  const offsets = [0n, 1n, 4096n, 1n << 40n, (1n << 63n) - 1n, (1n << 64n) - 1n];
  const counts = [0, 1, 4096, 1 << 20, 0xffffffff];
  const time = () => ({ seconds: r.pick([0, 1, 0xffffffff]), nseconds: r.pick([0, 999_999_999]) });
  const sattr = (): sattr3 => ({
    mode: r.bool() ? { set_it: true, mode: r.int(0o10000) } : { set_it: false },
    uid: r.bool() ? { set_it: true, uid: r.pick([0, 4242, 6666, 0xffffffff]) } : { set_it: false },
    gid: r.bool() ? { set_it: true, gid: r.pick([0, 4242, 6666]) } : { set_it: false },
    size: r.bool() ? { set_it: true, size: r.pick(offsets) } : { set_it: false },
    atime: r.pick([{ set_it: time_how.DONT_CHANGE }, { set_it: time_how.SET_TO_SERVER_TIME }, { set_it: time_how.SET_TO_CLIENT_TIME, atime: time() }] as const),
    mtime: r.pick([{ set_it: time_how.DONT_CHANGE }, { set_it: time_how.SET_TO_SERVER_TIME }, { set_it: time_how.SET_TO_CLIENT_TIME, mtime: time() }] as const),
  });
  const data = () => Buffer.alloc(r.pick([0, 1, 10, 5000]), 0x41);
  const verf = () => r.pick([Buffer.alloc(8), Buffer.from('12345678'), Buffer.from('abcdefgh')]);
  let calls = 0;
  let thrown = 0;
  const statuses = new Set<number>();
  for (let round = 0; round < 120; round++) {
    const fhs = await handles();
    const fh = () => r.pick(fhs);
    const where = () => ({ dir: fh(), name: r.pick(names) });
    const gens: Record<number, () => unknown> = {
      1: () => ({ object: fh() }),
      2: () => ({ object: fh(), new_attributes: sattr(), guard: r.bool() ? { check: true, obj_ctime: time() } : { check: false } }),
      3: () => ({ what: where() }),
      4: () => ({ object: fh(), access: r.int(0x100) }),
      5: () => ({ symlink: fh() }),
      6: () => ({ file: fh(), offset: r.pick(offsets), count: r.pick(counts) }),
      7: () => ({ file: fh(), offset: r.pick(offsets), count: r.pick(counts), stable: r.pick([stable_how.UNSTABLE, stable_how.DATA_SYNC, stable_how.FILE_SYNC]), data: data() }),
      8: () => ({ where: where(), how: r.pick([createmode3.UNCHECKED, createmode3.GUARDED, createmode3.EXCLUSIVE]) === createmode3.EXCLUSIVE ? { mode: createmode3.EXCLUSIVE, verf: verf() } : { mode: r.pick([createmode3.UNCHECKED, createmode3.GUARDED]), obj_attributes: sattr() } }),
      9: () => ({ where: where(), attributes: sattr() }),
      10: () => ({ where: where(), symlink: { symlink_attributes: sattr(), symlink_data: r.pick(['x', '', '/etc', '../..']) } }),
      11: () => {
        const type = 1 + r.int(7);
        if (type === ftype3.NF3CHR || type === ftype3.NF3BLK) return { where: where(), what: { type, device: { dev_attributes: sattr(), spec: { specdata1: 1, specdata2: 3 } } } };
        if (type === ftype3.NF3FIFO || type === ftype3.NF3SOCK) return { where: where(), what: { type, pipe_attributes: sattr() } };
        return { where: where(), what: { type } };
      },
      12: () => ({ object: where() }),
      13: () => ({ object: where() }),
      14: () => ({ from: where(), to: where() }),
      15: () => ({ file: fh(), link: where() }),
      16: () => ({ dir: fh(), cookie: r.pick([0n, 1n, 2n, 5n, 1n << 62n, (1n << 64n) - 1n]), cookieverf: verf(), count: r.pick(counts) }),
      17: () => ({ dir: fh(), cookie: r.pick([0n, 1n, 2n, 5n, 1n << 62n, (1n << 64n) - 1n]), cookieverf: verf(), dircount: r.pick(counts), maxcount: r.pick(counts) }),
      18: () => ({ fsroot: fh() }),
      19: () => ({ fsroot: fh() }),
      20: () => ({ object: fh() }),
      21: () => ({ file: fh(), offset: r.pick(offsets), count: r.pick(counts) }),
    };
    for (let proc = 1; proc <= 21; proc++) {
      const p = procs[proc]!;
      const args = gens[proc]!();
      calls++;
      try {
        const res = (await p.handler(args, ctxFor(r.pick(creds), proc))) as { status: number };
        statuses.add(res.status);
        const codec = p.res as Codec<unknown>;
        const w = new XdrWriter(codec.size(res));
        codec.encode(w, res);
      } catch (err) {
        thrown++;
        t.fail(`proc ${proc} threw ${(err as Error).stack ?? String(err)} for ${JSON.stringify(args, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
      }
    }
  }
  t.equal(thrown, 0, `${calls} calls, none threw`);
  t.notOk(statuses.has(nfsstat3.NFS3ERR_SERVERFAULT), 'no SERVERFAULT (every failure mapped to a meaningful status)');
  t.ok(statuses.has(nfsstat3.NFS3_OK) && statuses.has(nfsstat3.NFS3ERR_BADHANDLE) && statuses.has(nfsstat3.NFS3ERR_STALE) && statuses.has(nfsstat3.NFS3ERR_ROFS), `varied outcomes: ${[...statuses].map((x) => nfsstat3[x]).join(', ')}`);
});
