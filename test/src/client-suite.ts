/**
 * The client's path-layer suite, parameterised by a server factory so the same checks run
 * against nfs-ganesha and against this project's server. Each call of `clientSuite`
 * registers a few top-level tap tests that share one server.
 */
import t, { type Test } from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync, lstatSync, readlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connect, NfsError, NfsFsError, R_OK, W_OK, type NfsClient } from '@nfsts/client';

export interface TestServer {
  url: string;
  /** the exported directory on disk, when the test can see it */
  dir?: string;
  close(): Promise<void>;
}

export type ServerFactory = () => Promise<TestServer | { skip: string }>;

/**
 * Starts a server for a test file (call with top-level await): the result is either the
 * server, closed when the file's tests end, or `{ skip }` when the factory found an external
 * tool missing (it names which). Any other failure to start is our failure: it propagates,
 * and the file fails.
 */
export async function startForFile(factory: ServerFactory): Promise<TestServer | { skip: string }> {
  let s: TestServer | { skip: string };
  try {
    s = await factory();
  } catch (err) {
    throw new Error(`the server under test did not start: ${(err as Error).message}`, { cause: err });
  }
  if (!('skip' in s)) {
    const server = s;
    t.teardown(() => server.close());
  }
  return s;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function expectCode(tt: T, p: Promise<unknown>, codes: string[], what: string): Promise<void> {
  try {
    await p;
    tt.fail(`${what}: expected ${codes.join('/')}, but it succeeded`);
  } catch (err) {
    tt.ok(err instanceof NfsFsError, `${what}: NfsFsError (${(err as Error).message})`);
    tt.ok(codes.includes((err as NfsFsError).code), `${what}: code ${(err as NfsFsError).code} in ${codes.join('/')}`);
    if (err instanceof NfsFsError && err.status !== undefined) tt.ok(err.nfsCode?.startsWith('NFS3ERR_'), `${what}: carries the NFS status ${err.nfsCode}`);
  }
}

type T = Test;

/** Runs fn with a fresh client and a fresh scratch directory, closing the client after. */
async function withClient(tt: T, server: TestServer, fn: (c: NfsClient, base: string) => Promise<void>, extra: Record<string, unknown> = {}): Promise<void> {
  const c = await connect(server.url, { actimeoMs: 1000, ...extra });
  const base = `/t-${randomBytes(4).toString('hex')}`;
  try {
    await c.mkdir(base);
    await fn(c, base);
  } finally {
    try { await c.rm(base, { recursive: true, force: true }); } catch (err) { tt.error(err, 'cleanup'); }
    await c.close();
    tt.equal(c.rpcClient.pendingCount, 0, 'no pending RPC calls after close');
  }
}

export function clientSuite(label: string, server: TestServer | { skip: string }): void {
  const run = (name: string, fn: (tt: T, s: TestServer) => Promise<void>): void => {
    if ('skip' in server) t.test(`${label}: ${name}`, { skip: server.skip }, () => {});
    else t.test(`${label}: ${name}`, (tt) => fn(tt, server));
  };

  run('raw layer: every NFSv3 and MOUNT procedure', async (tt, s) => {
    await withClient(tt, s, async (c, base) => {
      const raw = c.raw;
      await raw.null();
      await c.mount.null();
      const root = (await raw.getattr({ object: { data: c.rootFh } })).obj_attributes;
      tt.equal(root.type, 2, 'GETATTR: root is a directory');
      const dir = (await c.resolve(base)).fh;
      const where = (name: string) => ({ dir: { data: dir }, name });
      const sattr = (mode?: number) => ({
        mode: mode !== undefined ? { set_it: true as const, mode } : { set_it: false as const },
        uid: { set_it: false as const }, gid: { set_it: false as const }, size: { set_it: false as const },
        atime: { set_it: 0 as const }, mtime: { set_it: 0 as const },
      });
      const cr = await raw.create({ where: where('f'), how: { mode: 1, obj_attributes: sattr(0o640) } } as never);
      tt.ok(cr.obj.handle_follows, 'CREATE returns a handle');
      const fh = cr.obj.handle_follows ? Buffer.from(cr.obj.handle.data) : Buffer.alloc(0);
      const lk = await raw.lookup({ what: where('f') });
      tt.ok(Buffer.from(lk.object.data).equals(fh), 'LOOKUP finds the created handle');
      const data = randomBytes(10_000);
      const w = await raw.write({ file: { data: fh }, offset: 0n, count: data.length, stable: 0, data });
      tt.equal(w.count, data.length, 'WRITE count');
      tt.equal(w.verf.length, 8, 'WRITE verifier');
      const cm = await raw.commit({ file: { data: fh }, offset: 0n, count: 0 });
      tt.equal(cm.verf.length, 8, 'COMMIT verifier');
      const rd = await raw.read({ file: { data: fh }, offset: 0n, count: 20_000 });
      tt.ok(rd.eof, 'READ eof');
      tt.ok(Buffer.from(rd.data).equals(data), 'READ data');
      const sa = await raw.setattr({ object: { data: fh }, new_attributes: { ...sattr(0o600), size: { set_it: true, size: 5000n } }, guard: { check: false } } as never);
      tt.ok(sa.obj_wcc.after.attributes_follow && sa.obj_wcc.after.attributes.size === 5000n, 'SETATTR size');
      const ac = await raw.access({ object: { data: fh }, access: 0x3f });
      tt.ok((ac.access & 1) === 1, 'ACCESS grants read to the owner');
      const md = await raw.mkdir({ where: where('d'), attributes: sattr(0o755) });
      tt.ok(md.obj.handle_follows, 'MKDIR returns a handle');
      const sl = await raw.symlink({ where: where('l'), symlink: { symlink_attributes: sattr(0o777), symlink_data: 'f' } });
      tt.ok(sl.obj.handle_follows, 'SYMLINK returns a handle');
      const slfh = sl.obj.handle_follows ? sl.obj.handle.data : Buffer.alloc(0);
      tt.equal((await raw.readlink({ symlink: { data: slfh } })).data, 'f', 'READLINK');
      try {
        const mk = await raw.mknod({ where: where('fifo'), what: { type: 7, pipe_attributes: sattr(0o644) } } as never);
        tt.ok(mk.obj.handle_follows, 'MKNOD fifo');
      } catch (err) {
        tt.ok(err instanceof NfsError && ['NFS3ERR_NOTSUPP', 'NFS3ERR_PERM', 'NFS3ERR_ACCES'].includes(err.code), `MKNOD refused cleanly: ${(err as Error).message}`);
      }
      const ln = await raw.link({ file: { data: fh }, link: where('hard') });
      tt.ok(ln.file_attributes.attributes_follow && ln.file_attributes.attributes.nlink === 2, 'LINK: nlink 2');
      const rdd = await raw.readdir({ dir: { data: dir }, cookie: 0n, cookieverf: Buffer.alloc(8), count: 8192 });
      const names = rdd.reply.entries.map((e) => e.name).filter((n) => n !== '.' && n !== '..').sort();
      tt.ok(names.includes('f') && names.includes('d') && names.includes('l') && names.includes('hard'), `READDIR lists the entries (${names.join(',')})`);
      const rdp = await raw.readdirplus({ dir: { data: dir }, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 4096, maxcount: 32768 });
      const plus = rdp.reply.entries.find((e) => e.name === 'f');
      tt.ok(plus?.name_handle.handle_follows, 'READDIRPLUS returns handles');
      await raw.rename({ from: where('f'), to: where('g') });
      await expectNfs(tt, raw.lookup({ what: where('f') }), 'NFS3ERR_NOENT', 'RENAME moved f away');
      await raw.remove({ object: where('g') });
      await raw.rmdir({ object: where('d') });
      await expectNfs(tt, raw.rmdir({ object: where('nope') }), 'NFS3ERR_NOENT', 'RMDIR of a missing name');
      const st = await raw.fsstat({ fsroot: { data: c.rootFh } });
      tt.ok(st.tbytes > 0n, 'FSSTAT total bytes');
      const fi = await raw.fsinfo({ fsroot: { data: c.rootFh } });
      tt.ok(fi.rtmax > 0 && fi.wtmax > 0, `FSINFO rtmax ${fi.rtmax} wtmax ${fi.wtmax}`);
      const pc = await raw.pathconf({ object: { data: c.rootFh } });
      tt.ok(pc.name_max >= 255, 'PATHCONF name_max');
      const ex = await c.mount.export();
      tt.ok(Array.isArray(ex) && ex.length >= 1, 'MOUNT EXPORT lists an export');
      const mi = await c.mount.mnt(new URL(s.url).pathname);
      tt.ok(Buffer.from(mi.fhandle).equals(c.rootFh), 'MNT again gives the same root handle');
      const dump = await c.mount.dump();
      tt.ok(Array.isArray(dump), 'MOUNT DUMP answers a list');
      await c.mount.umnt(new URL(s.url).pathname);
      await c.mount.umntall();
      await expectNfs(tt, c.mount.mnt('/definitely/not/exported'), 'MNT3ERR_', 'MNT of an unexported path');
    });
  });

  run('path layer: every fs/promises-shaped call', async (tt, s) => {
    await withClient(tt, s, async (c, base) => {
      tt.equal(await c.mkdir(`${base}/a/b/c`, { recursive: true }), `${base}/a`, 'mkdir recursive returns the first created');
      tt.ok((await c.stat(`${base}/a/b/c`)).isDirectory(), 'stat: directory');
      await c.mkdir(`${base}/a/b/c`, { recursive: true });
      const text = 'hello, nfs\n';
      await c.writeFile(`${base}/a/f.txt`, text);
      tt.equal(await c.readFile(`${base}/a/f.txt`, 'utf8'), text, 'writeFile/readFile round trip');
      await c.writeFile(`${base}/a/f.txt`, 'more\n', { flag: 'a' });
      tt.equal(await c.readFile(`${base}/a/f.txt`, 'utf8'), `${text}more\n`, 'writeFile append');
      const st = await c.stat(`${base}/a/f.txt`);
      tt.ok(st.isFile() && st.size === text.length + 5, 'stat: file and size');
      await c.symlink('f.txt', `${base}/a/ln`);
      tt.equal(await c.readlink(`${base}/a/ln`), 'f.txt', 'readlink');
      tt.ok((await c.lstat(`${base}/a/ln`)).isSymbolicLink(), 'lstat sees the link');
      tt.ok((await c.stat(`${base}/a/ln`)).isFile(), 'stat follows the link');
      tt.equal(await c.readFile(`${base}/a/ln`, 'utf8'), `${text}more\n`, 'readFile through a symlink');
      await c.symlink('a', `${base}/la`);
      tt.equal(await c.readFile(`${base}/la/ln`, 'utf8'), `${text}more\n`, 'symlinks followed in the middle of a path too');
      tt.ok((await c.stat(`${base}/a/b/../f.txt`)).isFile(), "'..' components");
      await c.unlink(`${base}/la`);
      await c.link(`${base}/a/f.txt`, `${base}/a/hard`);
      tt.equal((await c.stat(`${base}/a/hard`)).nlink, 2, 'link: nlink 2');
      await c.chmod(`${base}/a/f.txt`, 0o600);
      tt.equal((await c.stat(`${base}/a/f.txt`)).mode & 0o777, 0o600, 'chmod');
      await c.chown(`${base}/a/f.txt`, 1234, 5678);
      const own = await c.stat(`${base}/a/f.txt`);
      tt.same([own.uid, own.gid], [1234, 5678], 'chown');
      const when = new Date('2001-02-03T04:05:06Z');
      await c.utimes(`${base}/a/f.txt`, when, when);
      tt.equal((await c.stat(`${base}/a/f.txt`)).mtimeMs, when.getTime(), 'utimes');
      await c.truncate(`${base}/a/f.txt`, 3);
      tt.equal(await c.readFile(`${base}/a/f.txt`, 'utf8'), 'hel', 'truncate');
      await c.access(`${base}/a/f.txt`);
      await c.access(`${base}/a/f.txt`, R_OK | W_OK);
      const list = await c.readdir(`${base}/a`, { withFileTypes: true });
      const byName = new Map(list.map((d) => [d.name, d]));
      tt.same([...byName.keys()].sort(), ['b', 'f.txt', 'hard', 'ln'], 'readdir names');
      tt.ok(byName.get('b')?.isDirectory() && byName.get('ln')?.isSymbolicLink() && byName.get('f.txt')?.isFile(), 'readdir withFileTypes');
      tt.same((await c.readdir(`${base}/a`)).sort(), ['b', 'f.txt', 'hard', 'ln'], 'readdir plain');
      await c.rename(`${base}/a/f.txt`, `${base}/a/b/g.txt`);
      tt.notOk(await c.exists(`${base}/a/f.txt`), 'rename: old name gone');
      tt.equal(await c.readFile(`${base}/a/b/g.txt`, 'utf8'), 'hel', 'rename: new name has the data');
      // file handle
      const h = await c.open(`${base}/h.bin`, 'w+');
      const block = randomBytes(3 * c.wsize + 123);
      tt.equal((await h.write(block)).bytesWritten, block.length, 'handle write (several wsize pieces)');
      await h.write(Buffer.from('XY'), 0, 2, 1);
      block[1] = 0x58; block[2] = 0x59;
      await h.sync();
      tt.equal(h.pendingBytes, 0, 'sync commits everything');
      const back = Buffer.alloc(block.length + 10);
      const r = await h.read(back, 0, back.length, 0);
      tt.equal(r.bytesRead, block.length, 'handle read: exact length at EOF');
      tt.ok(back.subarray(0, r.bytesRead).equals(block), 'handle read data');
      tt.equal((await h.stat()).size, block.length, 'handle stat');
      await h.truncate(10);
      tt.equal((await h.stat()).size, 10, 'handle truncate');
      await h.close();
      await expectCode(tt, h.read(Buffer.alloc(1), 0, 1, 0), ['EBADF'], 'read after close');
      if (s.dir !== undefined) {
        tt.ok(block.subarray(0, 10).equals(readFileSync(join(s.dir, base, 'h.bin'))), 'on disk: handle writes');
        tt.equal(readlinkSync(join(s.dir, base, 'a/ln')), 'f.txt', 'on disk: symlink');
        tt.ok(lstatSync(join(s.dir, base, 'a/b/g.txt')).isFile(), 'on disk: renamed file');
      }
      await c.unlink(`${base}/a/ln`);
      await c.unlink(`${base}/a/hard`);
      await c.rmdir(`${base}/a/b/c`);
      await c.rm(`${base}/a`, { recursive: true });
      tt.notOk(await c.exists(`${base}/a`), 'rm recursive');
      await c.rm(`${base}/nothing`, { force: true });
      tt.pass('rm force on a missing path');
    });
  });

  run('caches: own changes seen at once, others\' after actimeo', async (tt, s) => {
    await withClient(tt, s, async (c, base) => {
      await c.writeFile(`${base}/f`, 'one');
      tt.equal((await c.stat(`${base}/f`)).size, 3);
      await c.writeFile(`${base}/f`, 'three');
      tt.equal((await c.stat(`${base}/f`)).size, 5, 'own write: new size at once');
      await c.truncate(`${base}/f`, 1);
      tt.equal((await c.stat(`${base}/f`)).size, 1, 'own truncate: at once');
      await c.rename(`${base}/f`, `${base}/g`);
      await expectCode(tt, c.stat(`${base}/f`), ['ENOENT'], 'own rename: old name gone at once');
      tt.equal((await c.stat(`${base}/g`)).size, 1, 'own rename: new name at once');
      await c.unlink(`${base}/g`);
      await expectCode(tt, c.stat(`${base}/g`), ['ENOENT'], 'own unlink: gone at once');
      if (s.dir === undefined) return;
      await c.writeFile(`${base}/h`, 'abc');
      const slow = await connect(s.url, { actimeoMs: 60_000 });
      const quick = await connect(s.url, { actimeoMs: 50 });
      try {
        tt.equal((await slow.stat(`${base}/h`)).size, 3);
        tt.equal((await quick.stat(`${base}/h`)).size, 3);
        writeFileSync(join(s.dir, base, 'h'), 'abcdefgh'); // someone else
        tt.equal((await slow.stat(`${base}/h`)).size, 3, 'another writer: cached size within actimeo');
        slow.dropCaches();
        tt.equal((await slow.stat(`${base}/h`)).size, 8, 'another writer: seen after dropCaches()');
        await new Promise((r) => setTimeout(r, 100));
        tt.equal((await quick.stat(`${base}/h`)).size, 8, 'another writer: seen once actimeo has passed');
      } finally {
        await slow.close();
        await quick.close();
      }
      tt.equal(await c.readFile(`${base}/h`, 'utf8'), 'abcdefgh', 'readFile revalidates (close-to-open)');
    });
  });

  run('write modes: FILE_SYNC, UNSTABLE with COMMIT on sync/close, bounded uncommitted memory', async (tt, s) => {
    await withClient(tt, s, async (c, base) => {
      const data = randomBytes(3 * 1024 * 1024 + 5);
      const st = await c.open(`${base}/sync.bin`, 'w', 0o644, { stable: true });
      await st.write(data);
      tt.equal(st.pendingBytes, 0, 'stable: nothing awaits COMMIT');
      await st.close();
      tt.ok((await c.readFile(`${base}/sync.bin`)).equals(data), 'stable: data');
      const commits = c.counters.commits;
      const un = await c.open(`${base}/unstable.bin`, 'w');
      await un.write(data.subarray(0, 1000));
      // by RPC a copy awaits COMMIT (to resend after a verifier change); LOCALIO keeps none
      // (its bytes are in the page cache of the server's file in this process: packages/localio/README.md)
      if (c.isLocal) tt.equal(un.pendingBytes, 0, 'unstable over LOCALIO: no copy kept');
      else tt.ok(un.pendingBytes > 0, 'unstable: bytes await COMMIT');
      await un.sync();
      tt.equal(un.pendingBytes, 0, 'sync() commits');
      tt.equal(c.counters.commits, commits + 1, 'one COMMIT');
      await un.write(data.subarray(1000), 0, data.length - 1000, 1000);
      await un.close();
      tt.equal(c.counters.commits, commits + 2, 'close() commits');
      tt.ok((await c.readFile(`${base}/unstable.bin`)).equals(data), 'unstable: data');
      if (s.dir !== undefined) tt.ok(readFileSync(join(s.dir, base, 'unstable.bin')).equals(data), 'on disk');
      const small = await connect(s.url, { maxUncommitted: 1024 * 1024 });
      try {
        const h = await small.open(`${base}/bounded.bin`, 'w');
        let maxPending = 0;
        for (let off = 0; off < data.length; off += 256 * 1024) {
          await h.write(data.subarray(off, Math.min(data.length, off + 256 * 1024)));
          maxPending = Math.max(maxPending, h.pendingBytes);
        }
        tt.ok(maxPending <= 1024 * 1024, `uncommitted copies stay within maxUncommitted (max ${maxPending})`);
        if (small.isLocal) tt.equal(maxPending, 0, 'LOCALIO: nothing kept, so no COMMIT forced by memory');
        else tt.ok(small.counters.commits >= 2, `the handle committed by itself (${small.counters.commits} COMMITs)`);
        await h.close();
        tt.ok((await small.readFile(`${base}/bounded.bin`)).equals(data), 'bounded: data');
      } finally {
        await small.close();
      }
    });
  });

  run('errno codes for the error cases', async (tt, s) => {
    await withClient(tt, s, async (c, base) => {
      await c.mkdir(`${base}/d`);
      await c.writeFile(`${base}/d/f`, 'x');
      await expectCode(tt, c.stat(`${base}/missing`), ['ENOENT'], 'stat missing');
      await expectCode(tt, c.readFile(`${base}/missing/deeper`), ['ENOENT'], 'readFile under a missing dir');
      await expectCode(tt, c.mkdir(`${base}/d`), ['EEXIST'], 'mkdir existing');
      await expectCode(tt, c.open(`${base}/d/f`, 'wx'), ['EEXIST'], "open 'wx' existing");
      await expectCode(tt, c.rmdir(`${base}/d`), ['ENOTEMPTY', 'EEXIST'], 'rmdir non-empty');
      await expectCode(tt, c.readdir(`${base}/d/f`), ['ENOTDIR'], 'readdir on a file');
      await expectCode(tt, c.stat(`${base}/d/f/x`), ['ENOTDIR'], 'path through a file');
      await expectCode(tt, c.rmdir(`${base}/d/f`), ['ENOTDIR'], 'rmdir a file');
      await expectCode(tt, c.unlink(`${base}/d`), ['EISDIR', 'EPERM', 'EACCES'], 'unlink a directory');
      await expectCode(tt, c.rm(`${base}/d`), ['EISDIR'], 'rm a directory without recursive');
      await expectCode(tt, c.readlink(`${base}/d/f`), ['EINVAL'], 'readlink a file');
      await expectCode(tt, c.readFile(`${base}/d`), ['EISDIR'], 'readFile a directory');
      await expectCode(tt, c.writeFile(`${base}/${'n'.repeat(300)}`, 'x'), ['ENAMETOOLONG'], 'name too long');
      await c.chmod(`${base}/d`, 0o755);
      await c.writeFile(`${base}/d/private`, 'secret', { mode: 0o600 });
      await c.chmod(`${base}/d/private`, 0o600);
      const other = await connect(s.url, { uid: 4321, gid: 4321, actimeoMs: 0 });
      try {
        await expectCode(tt, other.readFile(`${base}/d/private`), ['EACCES', 'EPERM'], 'read another user\'s 0600 file');
        await expectCode(tt, other.access(`${base}/d/private`, R_OK), ['EACCES'], 'access R_OK denied');
        await expectCode(tt, other.writeFile(`${base}/d/new`, 'x'), ['EACCES', 'EPERM'], 'create in a directory not writable');
      } finally {
        await other.close();
      }
    });
  });

  run('streams: 100 MiB through createWriteStream and createReadStream, checksums exact', async (tt, s) => {
    await withClient(tt, s, async (c, base) => {
      const total = 100 * 1024 * 1024;
      const piece = randomBytes(1024 * 1024 + 7);
      const hw = createHash('sha256');
      let sent = 0;
      let k = 0;
      const src = new Readable({
        read() {
          if (sent >= total) { this.push(null); return; }
          const n = Math.min(total - sent, 256 * 1024 + (k++ % 5) * 1000);
          const off = sent % (piece.length - n);
          const chunk = piece.subarray(off, off + n);
          hw.update(chunk);
          sent += n;
          this.push(chunk);
        },
      });
      const ws = c.createWriteStream(`${base}/big.bin`);
      await pipeline(src, ws);
      const want = hw.digest('hex');
      tt.equal(ws.bytesWritten, total, 'write stream wrote 100 MiB');
      tt.equal((await c.stat(`${base}/big.bin`)).size, total, 'size after the write stream');
      const hr = createHash('sha256');
      let got = 0;
      await pipeline(c.createReadStream(`${base}/big.bin`), new Writable({
        highWaterMark: 1 << 20,
        write(chunk: Buffer, _e, cb) { hr.update(chunk); got += chunk.length; setImmediate(cb); }, // slow consumer: backpressure
      }));
      tt.equal(got, total, 'read stream read 100 MiB');
      tt.equal(hr.digest('hex'), want, 'read stream checksum');
      if (s.dir !== undefined) tt.equal(sha256(readFileSync(join(s.dir, base, 'big.bin'))), want, 'on-disk checksum');
      const part: Buffer[] = [];
      for await (const ch of c.createReadStream(`${base}/big.bin`, { start: 1000, end: 1999, chunkSize: 300 })) part.push(ch as Buffer);
      tt.equal(Buffer.concat(part).length, 1000, 'ranged read stream: exact length');
      const whole = await c.readFile(`${base}/big.bin`);
      tt.equal(sha256(whole), want, 'readFile checksum (concurrent rsize pieces)');
      tt.ok(whole.subarray(1000, 2000).equals(Buffer.concat(part)), 'ranged read stream data');
      const patch = c.createWriteStream(`${base}/big.bin`, { flags: 'r+', start: 10 });
      await pipeline(Readable.from([Buffer.from('PATCHED')]), patch);
      const head = Buffer.alloc(20);
      const ph = await c.open(`${base}/big.bin`);
      await ph.read(head, 0, 20, 0);
      await ph.close();
      tt.equal(head.subarray(10, 17).toString(), 'PATCHED', "write stream with flags 'r+' and start modifies in place");
      tt.equal((await c.stat(`${base}/big.bin`)).size, total, 'and keeps the size');
      Buffer.from('PATCHED').copy(whole, 10);
      tt.equal(sha256(await c.readFile(`${base}/big.bin`)), sha256(whole), 'nothing else changed');
    });
  });

  run('readdir of 10k entries follows cookies across replies', async (tt, s) => {
    await withClient(tt, s, async (c, base) => {
      const n = 10_000;
      const names: string[] = [];
      for (let i = 0; i < n; i++) names.push(`entry-${String(i).padStart(5, '0')}-${'x'.repeat(i % 40)}`);
      if (s.dir !== undefined && existsSync(join(s.dir, base))) {
        mkdirSync(join(s.dir, base, 'big'));
        for (const name of names) writeFileSync(join(s.dir, base, 'big', name), '');
      } else {
        await c.mkdir(`${base}/big`);
        let i = 0;
        await Promise.all(Array.from({ length: 16 }, async () => {
          while (i < names.length) await c.writeFile(`${base}/big/${names[i++]!}`, '');
        }));
      }
      const got = await c.readdir(`${base}/big`, { withFileTypes: true });
      tt.equal(got.length, n, 'every entry listed once');
      tt.same(got.map((d) => d.name).sort(), [...names].sort(), 'the names match');
      tt.ok(got.every((d) => d.isFile()), 'types from READDIRPLUS attributes');
      if (s.dir !== undefined) tt.equal(statSync(join(s.dir, base, 'big')).isDirectory(), true, 'on disk');
    });
  });
}

async function expectNfs(tt: T, p: Promise<unknown>, codePrefix: string, what: string): Promise<void> {
  try {
    await p;
    tt.fail(`${what}: expected ${codePrefix}, but it succeeded`);
  } catch (err) {
    tt.ok(err instanceof NfsError && err.code.startsWith(codePrefix), `${what}: ${(err as Error).message}`);
  }
}
