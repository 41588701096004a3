// A small server for the LOCALIO tests: files in a temp dir, handle = the file's name.
// It serves READ/WRITE/COMMIT over a real RpcServer (with the generated NFSv3 codecs), the
// LOCALIO program, and a LocalioOps table whose opens come from a refcounted file cache
// with real descriptors, so both paths act on the same files with the same rules.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { RpcServer, RpcClient, type Credential, type Program, type Procedure } from '@nfsts/rpc';
import {
  NFS_PROGRAM, NFS_V3, NFSPROC3_READ, NFSPROC3_WRITE, NFSPROC3_COMMIT,
  xdr_READ3args, xdr_READ3res, xdr_WRITE3args, xdr_WRITE3res, xdr_COMMIT3args, xdr_COMMIT3res,
  type READ3res, type WRITE3res, type COMMIT3res, type READ3args, type WRITE3args, type COMMIT3args,
} from '@nfsts/xdr';
import { RefcountedFile, type LocalFile, type LocalFileMode } from '@nfsts/common';
import { LocalioServer, type LocalClient, type LocalioOps, type NfsTransport, type ReadResult, type WriteResult } from '../src/index.js';

export const STALE = 70;
export const ROFS = 30;
export const ACCES = 13;

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nfsts-localio-'));
}

/** Descriptors of this process open on files under `dir` (from /proc/self/fd). */
export function fdsUnder(dir: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${name}`).startsWith(dir + path.sep)) out.push(Number(name));
    } catch { /* the readdir's own descriptor, or closed meanwhile */ }
  }
  return out;
}

export interface TestServerOptions {
  dir: string;
  readOnly?: boolean;
  /** names whose writes are refused with ACCES */
  denyWrite?: Set<string>;
  /** AUTH_SYS uid whose writes are refused with ACCES (reads allowed) */
  denyWriteUid?: number;
  localio?: boolean;
  port?: number;
}

const NO_ATTR = { attributes_follow: false } as const;
const NO_WCC = { before: { attributes_follow: false }, after: { attributes_follow: false } } as const;

/** A cache of RefcountedFiles (the role of the server's OpenFile cache). */
class TestFileCache {
  private readonly entries = new Map<string, RefcountedFile>();
  private readonly all = new Set<RefcountedFile>();
  private closing = false;
  opens = 0;

  async get(p: string, mode: LocalFileMode): Promise<RefcountedFile> {
    if (this.closing) throw Object.assign(new Error('cache closed'), { code: 'ERR_TEST_CLOSED' });
    const key = `${p}:${mode}`;
    const rw = this.entries.get(`${p}:rw`);
    if (rw && !rw.dropped) return rw.get(); // like the server's cache: a read-write entry also serves reads
    const hit = this.entries.get(key);
    if (hit && !hit.dropped) return hit.get();
    const fd = await new Promise<number>((resolve, reject) => fs.open(p, mode === 'rw' ? 'r+' : 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
    this.opens++;
    const f = new RefcountedFile(fd, mode, { keepWhenIdle: true });
    if (this.closing) {
      f.drop();
      return f;
    }
    this.entries.set(key, f);
    this.all.add(f);
    void f.whenClosed.then(() => this.all.delete(f));
    return f;
  }

  forget(p: string): void {
    for (const mode of ['r', 'rw'] as const) {
      const f = this.entries.get(`${p}:${mode}`);
      if (f) { this.entries.delete(`${p}:${mode}`); f.drop(); }
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.all];
    this.entries.clear();
    for (const f of all) f.drop();
    await Promise.all(all.map((f) => f.whenClosed));
  }
}

export class TestServer {
  readonly rpc: RpcServer;
  readonly files = new TestFileCache();
  readonly verifier = randomBytes(8);
  readonly localio: LocalioServer;
  port = 0;
  localOpens = 0;
  private closed = false;

  constructor(readonly opts: TestServerOptions) {
    this.rpc = new RpcServer();
    const ops: LocalioOps = {
      verifier: this.verifier,
      openLocalFh: (client: LocalClient, cred: Credential, fh: Buffer, mode: LocalFileMode) => this.openLocal(client, cred, fh, mode),
    };
    this.localio = new LocalioServer({ ops, enabled: opts.localio ?? true });
    this.rpc.register(this.nfsProgram());
    if (this.localio.program) this.rpc.register(this.localio.program);
  }

  async listen(): Promise<this> {
    const a = await this.rpc.listen(this.opts.port ?? 0, '127.0.0.1');
    this.port = a.port;
    this.localio.publish();
    return this;
  }

  /** The order a real server's close() follows: the interlock, then RPC, then the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.localio.shutdown();
    await this.rpc.close();
    await this.files.close();
  }

  private pathOf(fh: Buffer): string | null {
    const name = fh.toString('utf8');
    if (name === '' || name.includes('/') || name.includes('\0') || name === '.' || name === '..') return null;
    const p = path.join(this.opts.dir, name);
    return fs.existsSync(p) ? p : null;
  }

  /** The checks an RPC READ/WRITE/COMMIT makes: handle, export ro, permission. */
  private check(fh: Buffer, write: boolean, cred: Credential): { p: string } | number {
    const p = this.pathOf(fh);
    if (!p) return STALE;
    if (write && this.opts.readOnly) return ROFS;
    if (write && this.opts.denyWrite?.has(fh.toString('utf8'))) return ACCES;
    if (write && cred.flavor === 1 && cred.sys.uid === this.opts.denyWriteUid) return ACCES;
    return { p };
  }

  private async openLocal(_client: LocalClient, cred: Credential, fh: Buffer, mode: LocalFileMode): Promise<LocalFile | number> {
    const c = this.check(fh, mode === 'rw', cred);
    if (typeof c === 'number') return c;
    this.localOpens++;
    return this.files.get(c.p, mode);
  }

  private nfsProgram(): Program {
    const read: Procedure<READ3args, READ3res> = {
      name: 'READ', args: xdr_READ3args, res: xdr_READ3res,
      handler: async (a, ctx) => {
        const c = this.check(a.file.data, false, ctx.cred);
        if (typeof c === 'number') return { status: c, resfail: { file_attributes: NO_ATTR } } as READ3res;
        const f = await this.files.get(c.p, 'r');
        try {
          const buf = Buffer.alloc(a.count);
          let n = 0;
          while (n < a.count) {
            const got = fs.readSync(f.fd, buf, n, a.count - n, Number(a.offset) + n);
            if (got === 0) break;
            n += got;
          }
          const size = fs.fstatSync(f.fd).size;
          const eof = n < a.count || Number(a.offset) + n >= size;
          return { status: 0, resok: { file_attributes: NO_ATTR, count: n, eof, data: buf.subarray(0, n) } } as READ3res;
        } finally {
          f.put();
        }
      },
    };
    const write: Procedure<WRITE3args, WRITE3res> = {
      name: 'WRITE', args: xdr_WRITE3args, res: xdr_WRITE3res,
      handler: async (a, ctx) => {
        const c = this.check(a.file.data, true, ctx.cred);
        if (typeof c === 'number') return { status: c, resfail: { file_wcc: NO_WCC } } as WRITE3res;
        const f = await this.files.get(c.p, 'rw');
        try {
          fs.writeSync(f.fd, a.data, 0, a.data.length, Number(a.offset));
          if (a.stable === 2) fs.fsyncSync(f.fd);
          else if (a.stable === 1) fs.fdatasyncSync(f.fd);
          return { status: 0, resok: { file_wcc: NO_WCC, count: a.data.length, committed: a.stable, verf: this.verifier } } as WRITE3res;
        } finally {
          f.put();
        }
      },
    };
    const commit: Procedure<COMMIT3args, COMMIT3res> = {
      name: 'COMMIT', args: xdr_COMMIT3args, res: xdr_COMMIT3res,
      handler: async (a, ctx) => {
        const c = this.check(a.file.data, true, ctx.cred);
        if (typeof c === 'number') return { status: c, resfail: { file_wcc: NO_WCC } } as COMMIT3res;
        const f = await this.files.get(c.p, 'rw');
        try {
          fs.fsyncSync(f.fd);
        } finally {
          f.put();
        }
        return { status: 0, resok: { file_wcc: NO_WCC, verf: this.verifier } } as COMMIT3res;
      },
    };
    return {
      prog: NFS_PROGRAM, name: 'nfs-test',
      versions: { [NFS_V3]: { procedures: { [NFSPROC3_READ]: read, [NFSPROC3_WRITE]: write, [NFSPROC3_COMMIT]: commit } } },
    };
  }
}

/** An NFS error as the RPC transport raises it. */
export class TestNfsError extends Error {
  constructor(readonly op: string, readonly status: number) {
    super(`${op} failed: ${status}`);
  }
  get code(): string {
    return `NFS3ERR_${this.status}`;
  }
}

/** READ/WRITE/COMMIT over RPC (the role of the client's RpcTransport). */
export class TestRpcTransport implements NfsTransport {
  constructor(readonly rpc: RpcClient) {}

  async read(fh: Buffer, offset: bigint, dest: Buffer): Promise<ReadResult> {
    const res = await this.rpc.call(NFS_PROGRAM, NFS_V3, NFSPROC3_READ, xdr_READ3args, { file: { data: fh }, offset, count: dest.length }, xdr_READ3res);
    if (res.status !== 0) throw new TestNfsError('READ', res.status);
    const ok = (res as Extract<READ3res, { resok: unknown }>).resok;
    ok.data.copy(dest, 0);
    return { count: ok.count, eof: ok.eof };
  }

  async write(fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult> {
    const res = await this.rpc.call(NFS_PROGRAM, NFS_V3, NFSPROC3_WRITE, xdr_WRITE3args, { file: { data: fh }, offset, count: data.length, stable, data }, xdr_WRITE3res);
    if (res.status !== 0) throw new TestNfsError('WRITE', res.status);
    const ok = (res as Extract<WRITE3res, { resok: unknown }>).resok;
    return { count: ok.count, committed: ok.committed, verf: Buffer.from(ok.verf) };
  }

  async commit(fh: Buffer, offset: bigint, count: number): Promise<Buffer> {
    const res = await this.rpc.call(NFS_PROGRAM, NFS_V3, NFSPROC3_COMMIT, xdr_COMMIT3args, { file: { data: fh }, offset, count }, xdr_COMMIT3res);
    if (res.status !== 0) throw new TestNfsError('COMMIT', res.status);
    return Buffer.from((res as Extract<COMMIT3res, { resok: unknown }>).resok.verf);
  }
}

export function client(port: number, extra: { retries?: number; cred?: Credential } = {}): RpcClient {
  return new RpcClient({
    host: '127.0.0.1', port, timeoutMs: 5_000, reconnect: { retries: extra.retries ?? 0, minDelayMs: 10, maxDelayMs: 50 },
    ...(extra.cred ? { cred: extra.cred } : {}),
  });
}

export const fhOf = (name: string): Buffer => Buffer.from(name, 'utf8');

/**
 * A seeded random source for the storms: the seed comes from NFSTS_SEED when set, else is
 * drawn now; it is printed (as a tap comment) so a failing schedule can be rerun exactly.
 */
export function seededRandom(t: { comment(...m: unknown[]): void }): (n: number) => number {
  const env = process.env.NFSTS_SEED;
  const seed = env !== undefined && env !== '' ? Number(env) >>> 0 : randomInt(2 ** 31);
  t.comment(`seed ${seed} (rerun with NFSTS_SEED=${seed})`);
  let x = seed;
  // mulberry32
  return (n: number): number => {
    x = (x + 0x6d2b79f5) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (((z ^ (z >>> 14)) >>> 0) / 2 ** 32) * n | 0;
  };
}
