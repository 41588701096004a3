import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { at, SysStats } from '../src/index.js';

const skip = at.openat2Available() ? {} : { skip: 'openat2 is not available here (Linux 5.6+ with koffi)' };

const FIELDS = [
  'dev', 'ino', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'size', 'blksize', 'blocks',
  'atimeNs', 'mtimeNs', 'ctimeNs', 'birthtimeNs', 'atimeMs', 'mtimeMs', 'ctimeMs', 'birthtimeMs',
] as const;
const METHODS = ['isFile', 'isDirectory', 'isSymbolicLink', 'isFIFO', 'isSocket', 'isCharacterDevice', 'isBlockDevice'] as const;

/** The fields and methods where a LeanStats and a Stats of the same statx buffer differ. */
function differences(lean: at.LeanStats, st: SysStats): string[] {
  const bad: string[] = FIELDS.filter((k) => lean[k] !== st[k]);
  for (const m of METHODS) if (lean[m]() !== st[m]()) bad.push(m);
  for (const d of ['atime', 'mtime', 'ctime', 'birthtime'] as const) if (lean[d].getTime() !== st[d].getTime() && !(Number.isNaN(lean[d].getTime()) && Number.isNaN(st[d].getTime()))) bad.push(d);
  return bad;
}

t.test('LeanStats: every field of a hand-written statx buffer as Stats reads it, at the edges of the Number shortcut', async (t) => {
  const u64s = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n];
  const secs = [0n, -1n, 1_700_000_000n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n), -(2n ** 53n) - 7n, 2n ** 62n + 12345n];
  let n = 0;
  for (let i = 0; i < u64s.length; i++) {
    for (let j = 0; j < secs.length; j++) {
      const b = Buffer.alloc(256);
      b.writeUInt32LE(4096, 4);
      b.writeUInt32LE(i + 1, 16); // nlink
      b.writeUInt32LE(0xffff_fffe, 20); // uid
      b.writeUInt32LE(j, 24); // gid
      b.writeUInt16LE([0o100644, 0o040755, 0o120777, 0o010600, 0o140700, 0o020666, 0o060660][(i + j) % 7]!, 28);
      b.writeBigUInt64LE(u64s[(i + 3) % u64s.length]!, 32); // ino
      b.writeBigUInt64LE(u64s[i]!, 40); // size
      b.writeBigUInt64LE(u64s[(i + j) % u64s.length]!, 48); // blocks
      // each time its own seconds: one out of the Number range makes all four exact BigInts
      for (const [k, off] of [64, 80, 96, 112].entries()) {
        b.writeBigInt64LE(secs[(j + k * (i % 2)) % secs.length]!, off);
        b.writeUInt32LE((k * 333_333_333 + j) % 1_000_000_000, off + 8);
      }
      b.writeUInt32LE(i === 0 ? 0 : 0x1234 + j, 128); // rdev major
      b.writeUInt32LE(i === 0 ? 0 : 0xabcdef + i, 132); // rdev minor
      b.writeUInt32LE(j % 2 === 0 ? 0 : 0xfff1, 136); // dev major
      b.writeUInt32LE(i * 7, 140); // dev minor
      t.same(differences(new at.LeanStats(b), new SysStats(b)), [], `case ${i},${j}`);
      n++;
    }
  }
  t.equal(n, u64s.length * secs.length);
});

t.test('statxLeanOrErrno: the values fs.lstat reports, across changes, and failures as errno numbers', skip, async (t) => {
  const d = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-lean-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  fs.writeFileSync(join(d, 'f'), 'hello');
  fs.mkdirSync(join(d, 'sub'));
  fs.symlinkSync('f', join(d, 'l'));
  fs.linkSync(join(d, 'f'), join(d, 'h'));
  const dfd = at.openat2(at.AT_FDCWD, d, at.O_PATH | at.O_DIRECTORY, 0);
  t.teardown(() => at.close(dfd));
  const keys = ['dev', 'ino', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'size', 'blocks', 'atimeNs', 'mtimeNs', 'ctimeNs'] as const;
  const check = (label: string): void => {
    for (const name of ['f', 'sub', 'l', 'h']) {
      const s = at.statxLeanOrErrno(dfd, name, at.AT_SYMLINK_NOFOLLOW);
      if (typeof s === 'number') {
        t.fail(`${label} ${name}: errno ${s}`);
        continue;
      }
      const n = fs.lstatSync(join(d, name), { bigint: true });
      t.same(keys.filter((k) => s[k] !== n[k]), [], `${label} ${name}: every field as fs.lstat reports it`);
    }
  };
  check('created');
  fs.appendFileSync(join(d, 'f'), 'x'.repeat(10_000));
  fs.chmodSync(join(d, 'sub'), 0o700);
  fs.utimesSync(join(d, 'h'), new Date(-86_400_001), new Date(2 ** 33 * 1000));
  check('changed');
  const dev = at.statxLeanOrErrno(at.AT_FDCWD, '/dev/null', 0);
  t.equal(typeof dev === 'number' ? dev : dev.rdev, fs.statSync('/dev/null', { bigint: true }).rdev, 'a device number');
  t.equal(at.statxLeanOrErrno(dfd, 'missing', at.AT_SYMLINK_NOFOLLOW), 2, 'ENOENT as a number');
});
