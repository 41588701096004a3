// The traffic the golden capture records: libnfs's tools and our client's raw layer (every
// NFSv3 and MOUNT procedure, and a few error replies) against one server URL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url);
const { connect } = await import(new URL('packages/client/dist/src/index.js', root).href);
const { run } = await import(new URL('test/dist/src/run.js', root).href);

// asynchronous: the server under test may live in this process
async function tool(cmd, args) {
  const r = await run(cmd, args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.code ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

/** libnfs 4/5 tools: list, copy in and out, cat; one missing file for an error reply. */
export async function libnfsTraffic(url) {
  const u = (path) => `nfs://127.0.0.1${url.exportPath}${path}?version=3&nfsport=${url.nfsPort}&mountport=${url.mountPort}`;
  const local = mkdtempSync(join(tmpdir(), 'nfsts-golden-libnfs-'));
  try {
    writeFileSync(join(local, 'in.bin'), randomBytes(10_000));
    await tool('nfs-cp', [join(local, 'in.bin'), u('/libnfs.bin')]);
    await tool('nfs-cp', [u('/libnfs.bin'), join(local, 'out.bin')]);
    await tool('nfs-cat', [u('/libnfs.bin')]);
    await tool('nfs-ls', ['-R', u('/')]);
    await run('nfs-cat', [u('/no-such-file')], { timeoutMs: 60_000 }); // NFS3ERR_NOENT
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
}

const NO = { set_it: false };
const sattr = (mode) => ({
  mode: mode === undefined ? NO : { set_it: true, mode }, uid: NO, gid: NO, size: NO, atime: { set_it: 0 }, mtime: { set_it: 0 },
});

/** Every NFSv3 procedure and every MOUNT v3 procedure through our client's raw layer. */
export async function clientTraffic(url) {
  const c = await connect(`nfs://127.0.0.1${url.exportPath}?version=3&nfsport=${url.nfsPort}&mountport=${url.mountPort}`, { localio: false, machinename: 'nfsts-golden' });
  try {
    const raw = c.raw;
    await raw.null();
    await c.mount.null();
    const top = { data: c.rootFh };
    const dir = (await raw.mkdir({ where: { dir: top, name: 'golden' }, attributes: sattr(0o755) })).obj;
    const d = { data: dir.handle.data };
    const where = (name) => ({ dir: d, name });
    await raw.getattr({ object: d });
    const f = (await raw.create({ where: where('f'), how: { mode: 0, obj_attributes: sattr(0o644) } })).obj.handle.data;
    await raw.create({ where: where('x'), how: { mode: 2, verf: Buffer.from('golden!!') } }); // EXCLUSIVE
    await raw.lookup({ what: where('f') });
    await raw.lookup({ what: where('missing') }).catch(() => {});
    await raw.access({ object: { data: f }, access: 0x3f });
    const data = randomBytes(6000);
    await raw.write({ file: { data: f }, offset: 0n, count: data.length, stable: 0, data });
    await raw.write({ file: { data: f }, offset: 0n, count: 100, stable: 2, data: data.subarray(0, 100) });
    await raw.commit({ file: { data: f }, offset: 0n, count: 0 });
    await raw.read({ file: { data: f }, offset: 0n, count: 4096 });
    await raw.read({ file: { data: f }, offset: 4096n, count: 4096 }); // a short read at eof
    await raw.setattr({ object: { data: f }, new_attributes: { ...sattr(0o600), size: { set_it: true, size: 1000n } }, guard: { check: false } });
    const l = (await raw.symlink({ where: where('l'), symlink: { symlink_attributes: sattr(0o777), symlink_data: 'f' } })).obj.handle.data;
    await raw.readlink({ symlink: { data: l } });
    await raw.mknod({ where: where('fifo'), what: { type: 7, pipe_attributes: sattr(0o644) } }).catch(() => {});
    await raw.link({ file: { data: f }, link: where('hard') });
    await raw.readdir({ dir: d, cookie: 0n, cookieverf: Buffer.alloc(8), count: 8192 });
    await raw.readdirplus({ dir: d, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 4096, maxcount: 32768 });
    await raw.rename({ from: where('hard'), to: where('moved') });
    await raw.remove({ object: where('moved') });
    await raw.remove({ object: where('missing') }).catch(() => {});
    await raw.mkdir({ where: where('sub'), attributes: sattr(0o755) });
    await raw.rmdir({ object: where('sub') });
    await raw.rmdir({ object: where('f') }).catch(() => {}); // NOTDIR
    await raw.fsstat({ fsroot: top });
    await raw.fsinfo({ fsroot: top });
    await raw.pathconf({ object: top });
    await c.mount.export();
    await c.mount.dump();
    await c.mount.mnt('/definitely/not/exported').catch(() => {});
    await c.mount.umnt(url.exportPath);
    await c.mount.umntall();
    for (const name of ['f', 'x', 'l', 'fifo']) await raw.remove({ object: where(name) }).catch(() => {});
    await raw.rmdir({ object: { dir: top, name: 'golden' } });
  } finally {
    await c.close();
  }
}
