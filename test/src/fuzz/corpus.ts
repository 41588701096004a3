/**
 * Well-formed ONC RPC call records for the fuzzer: the real calls of
 * /work/shared/fixtures/nfs3-wire.jsonl (Linux kernel and libnfs against nfs-ganesha: their
 * handles mean nothing to us, their layout is what real clients send), and calls of every
 * NFSv3 and MOUNT procedure built with our own codecs around handles of the server under test.
 * Records are without record marking; bytes 0..3 are the xid, which the sender rewrites.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  type Codec, encode, xdr_void, createmode3, ftype3, stable_how, time_how,
  NFS_PROGRAM, NFS_V3, MOUNT_PROGRAM, MOUNT_V3,
  xdr_GETATTR3args, xdr_SETATTR3args, xdr_LOOKUP3args, xdr_ACCESS3args, xdr_READLINK3args, xdr_READ3args,
  xdr_WRITE3args, xdr_CREATE3args, xdr_MKDIR3args, xdr_SYMLINK3args, xdr_MKNOD3args, xdr_REMOVE3args,
  xdr_RMDIR3args, xdr_RENAME3args, xdr_LINK3args, xdr_READDIR3args, xdr_READDIRPLUS3args, xdr_FSSTAT3args,
  xdr_FSINFO3args, xdr_PATHCONF3args, xdr_COMMIT3args, xdr_dirpath,
  type sattr3, type nfs_fh3,
} from '@nfsts/xdr';
import type { Rng } from './rng.js';

export const FIXTURES = '/work/shared/fixtures/nfs3-wire.jsonl';

/** A call record and what it is. */
export interface CallRecord {
  name: string;
  record: Buffer;
}

/** The call records of the wire fixtures (empty when the file is not there). */
export function fixtureCalls(path = FIXTURES): CallRecord[] {
  if (!existsSync(path)) return [];
  const out: CallRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const j = JSON.parse(line) as { client: string; name: string; prog: number; call: string };
    out.push({ name: `${j.client} ${j.prog} ${j.name}`, record: Buffer.from(j.call, 'hex') });
  }
  return out;
}

/** AUTH_SYS credentials the generated calls use (root is squashed by a root_squash export). */
const CREDS = [
  { uid: 0, gid: 0, gids: [] as number[] },
  { uid: 1000, gid: 1000, gids: [1000] },
  { uid: 65534, gid: 65534, gids: [] },
  { uid: 1001, gid: 1001, gids: Array.from({ length: 16 }, (_, i) => 2000 + i) },
];

/** The RPC call header (RFC 5531) with an AUTH_SYS credential and an AUTH_NONE verifier. */
export function callHeader(xid: number, prog: number, vers: number, proc: number, cred: { uid: number; gid: number; gids: number[] }): Buffer {
  const machine = Buffer.from('fuzz');
  const credBody = 4 + 4 + 4 + 4 + 4 + 4 + 4 * cred.gids.length; // stamp, name len+4 bytes, uid, gid, gids
  const b = Buffer.alloc(24 + 8 + credBody + 8);
  let o = 0;
  const u32 = (v: number): void => { b.writeUInt32BE(v >>> 0, o); o += 4; };
  u32(xid); u32(0); u32(2); u32(prog); u32(vers); u32(proc);
  u32(1); u32(credBody);
  u32(0x5eed); u32(machine.length); machine.copy(b, o); o += 4;
  u32(cred.uid); u32(cred.gid); u32(cred.gids.length);
  for (const g of cred.gids) u32(g);
  u32(0); u32(0);
  return b;
}

function call<A>(name: string, prog: number, vers: number, proc: number, codec: Codec<A>, args: A, rng: Rng): CallRecord {
  const head = callHeader(0, prog, vers, proc, rng.pick(CREDS));
  return { name, record: Buffer.concat([head, encode(codec, args)]) };
}

/** Handles of the server under test that generated calls aim at (any may be stale meanwhile). */
export interface Targets {
  root: Buffer;
  dir: Buffer;
  file: Buffer;
  link: Buffer;
  exportPath: string;
}

const NAMES = ['f', 'd', 'l', 'x', 'new', '.', '..', '', 'a/b', 'n'.repeat(255), 'n'.repeat(256), '\u00e9t\u00e9', 'f\u0000z'];

function sattr(rng: Rng): sattr3 {
  return {
    mode: rng.bool() ? { set_it: true, mode: rng.pick([0o644, 0o755, 0o4777, 0o7777, 0xffffffff]) } : { set_it: false },
    uid: rng.int(4) === 0 ? { set_it: true, uid: rng.pick([0, 1000, 0xffffffff]) } : { set_it: false },
    gid: rng.int(4) === 0 ? { set_it: true, gid: rng.pick([0, 1000, 0xffffffff]) } : { set_it: false },
    size: rng.int(4) === 0 ? { set_it: true, size: rng.pick([0n, 1n, 4096n, 1n << 40n, 0xffffffffffffffffn]) } : { set_it: false },
    atime: rng.int(3) === 0 ? { set_it: time_how.SET_TO_CLIENT_TIME, atime: { seconds: rng.int(2 ** 31), nseconds: rng.pick([0, 999_999_999, 0xffffffff]) } }
      : { set_it: rng.bool() ? time_how.SET_TO_SERVER_TIME : time_how.DONT_CHANGE },
    mtime: rng.int(3) === 0 ? { set_it: time_how.SET_TO_CLIENT_TIME, mtime: { seconds: rng.int(2 ** 31), nseconds: rng.int(1_000_000_000) } }
      : { set_it: time_how.DONT_CHANGE },
  };
}

/** One generated, well-formed call of a random procedure (NFSv3 0..21 or MOUNT 0..5). */
export function generatedCall(t: Targets, rng: Rng): CallRecord {
  const anyFh = (): nfs_fh3 => ({ data: rng.pick([t.root, t.dir, t.file, t.link, t.file, t.dir, Buffer.alloc(0), Buffer.alloc(64, 0xab)]) });
  const dirFh = (): nfs_fh3 => ({ data: rng.pick([t.root, t.dir, t.dir, t.file]) });
  const name = (): string => rng.pick(NAMES);
  const where = () => ({ dir: dirFh(), name: name() });
  const off = (): bigint => rng.pick([0n, 1n, 4096n, 1n << 32n, (1n << 63n) - 1n, 0xffffffffffffffffn]);
  const count = (): number => rng.pick([0, 1, 512, 65536, 1 << 20, 0xffffffff]);
  const verf = (): Buffer => rng.bool() ? Buffer.alloc(8) : Buffer.from(rng.bytes(8));
  const N = (proc: number, n: string) => (codec: Codec<any>, args: unknown) => call(n, NFS_PROGRAM, NFS_V3, proc, codec, args, rng);
  const p = rng.int(28);
  switch (p) {
    case 0: return call('NULL', NFS_PROGRAM, NFS_V3, 0, xdr_void, undefined, rng);
    case 1: return N(1, 'GETATTR')(xdr_GETATTR3args, { object: anyFh() });
    case 2: return N(2, 'SETATTR')(xdr_SETATTR3args, { object: anyFh(), new_attributes: sattr(rng), guard: rng.bool() ? { check: false } : { check: true, obj_ctime: { seconds: rng.int(2 ** 31), nseconds: 0 } } });
    case 3: return N(3, 'LOOKUP')(xdr_LOOKUP3args, { what: where() });
    case 4: return N(4, 'ACCESS')(xdr_ACCESS3args, { object: anyFh(), access: rng.pick([0x3f, 0, 0xffffffff, 1]) });
    case 5: return N(5, 'READLINK')(xdr_READLINK3args, { symlink: anyFh() });
    case 6: return N(6, 'READ')(xdr_READ3args, { file: anyFh(), offset: off(), count: count() });
    case 7: {
      const data = Buffer.from(rng.bytes(rng.pick([0, 1, 100, 4096, 65536])));
      return N(7, 'WRITE')(xdr_WRITE3args, { file: anyFh(), offset: rng.pick([0n, 1n, 4096n, 1n << 40n]), count: rng.bool() ? data.length : count(), stable: rng.pick([stable_how.UNSTABLE, stable_how.DATA_SYNC, stable_how.FILE_SYNC]), data });
    }
    case 8: return N(8, 'CREATE')(xdr_CREATE3args, { where: where(), how: rng.int(3) === 2 ? { mode: createmode3.EXCLUSIVE, verf: verf() } : { mode: rng.pick([createmode3.UNCHECKED, createmode3.GUARDED]), obj_attributes: sattr(rng) } });
    case 9: return N(9, 'MKDIR')(xdr_MKDIR3args, { where: where(), attributes: sattr(rng) });
    case 10: return N(10, 'SYMLINK')(xdr_SYMLINK3args, { where: where(), symlink: { symlink_attributes: sattr(rng), symlink_data: rng.pick(['/etc/passwd', '../../..', 'f', '', 'x'.repeat(1024)]) } });
    case 11: {
      const type = rng.pick([ftype3.NF3CHR, ftype3.NF3BLK, ftype3.NF3SOCK, ftype3.NF3FIFO, ftype3.NF3REG, ftype3.NF3DIR]);
      const what = type === ftype3.NF3CHR || type === ftype3.NF3BLK ? { type, device: { dev_attributes: sattr(rng), spec: { specdata1: rng.int(256), specdata2: rng.int(256) } } }
        : type === ftype3.NF3SOCK || type === ftype3.NF3FIFO ? { type, pipe_attributes: sattr(rng) } : { type };
      return N(11, 'MKNOD')(xdr_MKNOD3args, { where: where(), what });
    }
    case 12: return N(12, 'REMOVE')(xdr_REMOVE3args, { object: where() });
    case 13: return N(13, 'RMDIR')(xdr_RMDIR3args, { object: where() });
    case 14: return N(14, 'RENAME')(xdr_RENAME3args, { from: where(), to: where() });
    case 15: return N(15, 'LINK')(xdr_LINK3args, { file: anyFh(), link: where() });
    case 16: return N(16, 'READDIR')(xdr_READDIR3args, { dir: dirFh(), cookie: rng.pick([0n, 1n, 2n, 12345n, 0xffffffffffffffffn]), cookieverf: verf(), count: count() });
    case 17: return N(17, 'READDIRPLUS')(xdr_READDIRPLUS3args, { dir: dirFh(), cookie: rng.pick([0n, 1n, 2n, 0xffffffffffffffffn]), cookieverf: verf(), dircount: count(), maxcount: count() });
    case 18: return N(18, 'FSSTAT')(xdr_FSSTAT3args, { fsroot: anyFh() });
    case 19: return N(19, 'FSINFO')(xdr_FSINFO3args, { fsroot: anyFh() });
    case 20: return N(20, 'PATHCONF')(xdr_PATHCONF3args, { object: anyFh() });
    case 21: return N(21, 'COMMIT')(xdr_COMMIT3args, { file: anyFh(), offset: off(), count: count() });
    case 22: return call('MOUNT NULL', MOUNT_PROGRAM, MOUNT_V3, 0, xdr_void, undefined, rng);
    case 23: return call('MOUNT MNT', MOUNT_PROGRAM, MOUNT_V3, 1, xdr_dirpath, rng.pick([t.exportPath, '/', '/nope', `${t.exportPath}/../..`, 'x'.repeat(1024)]), rng);
    case 24: return call('MOUNT DUMP', MOUNT_PROGRAM, MOUNT_V3, 2, xdr_void, undefined, rng);
    case 25: return call('MOUNT UMNT', MOUNT_PROGRAM, MOUNT_V3, 3, xdr_dirpath, t.exportPath, rng);
    case 26: return call('MOUNT EXPORT', MOUNT_PROGRAM, MOUNT_V3, 5, xdr_void, undefined, rng);
    default: return call('unknown proc', NFS_PROGRAM, NFS_V3, 22 + rng.int(100), xdr_void, undefined, rng);
  }
}
