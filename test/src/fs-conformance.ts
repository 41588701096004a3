/**
 * A table of node:fs/promises behaviours, each run through node:fs/promises on a local temp
 * directory and through our client on an export, so a test can assert they agree. A case
 * gets the API and a path maker; what it returns (values, or the error's name, code,
 * syscall, path and dest) is normalised (the local root cut out of strings) and compared.
 * Cases where the client differs say so in `differs`, which the README repeats. One
 * difference holds throughout and the comparison allows it: errors of calls on an open
 * file carry the file's `path` (node's, from a descriptor, have none).
 */
import { constants } from 'node:fs';
import { Readable } from 'node:stream';

/** What a case calls: node:fs/promises or an NfsClient (the members the table uses). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FsApi = any;
/** Path of `rel` under the case's scratch directory, as a string, a Buffer or a file: URL. */
export type PathFn = (rel: string, as?: 'string' | 'buffer' | 'url') => string | Buffer | URL;

export interface FsCase {
  name: string;
  run: (fs: FsApi, p: PathFn) => Promise<unknown>;
  /** known NFSv3 difference: node's and the client's outcomes, each checked */
  differs?: { why: string; node: unknown; nfs: unknown };
  /** a server that behaves otherwise (by the label runConformance gets): what it does and why */
  quirks?: Record<string, { why: string; nfs: unknown }>;
}

const sorted = (a: string[]): string[] => [...a].sort();

async function text(fs: FsApi, path: unknown): Promise<string> {
  return fs.readFile(path, 'utf8');
}

export const FS_CASES: FsCase[] = [
  { name: 'stat of a missing path', run: (fs, p) => fs.stat(p('nope')) },
  { name: 'lstat of a missing path', run: (fs, p) => fs.lstat(p('nope')) },
  { name: 'access of a missing path', run: (fs, p) => fs.access(p('nope')) },
  { name: 'readFile of a missing path', run: (fs, p) => fs.readFile(p('nope')) },
  { name: 'readFile of a directory', run: (fs, p) => fs.readFile(p('')) },
  { name: 'writeFile then readFile (utf8)', run: async (fs, p) => { await fs.writeFile(p('f'), 'héllo'); return text(fs, p('f')); } },
  { name: 'writeFile returns undefined', run: (fs, p) => fs.writeFile(p('f'), 'x') },
  { name: 'writeFile with flag wx on an existing file', run: async (fs, p) => { await fs.writeFile(p('f'), 'x'); return fs.writeFile(p('f'), 'y', { flag: 'wx' }); } },
  { name: 'writeFile of an iterable', run: async (fs, p) => { await fs.writeFile(p('f'), ['a', Buffer.from('b'), 'c']); return text(fs, p('f')); } },
  { name: 'writeFile of an async iterable', run: async (fs, p) => { await fs.writeFile(p('f'), (async function* () { yield 'x'; yield 'y'; })()); return text(fs, p('f')); } },
  { name: 'writeFile of a stream', run: async (fs, p) => { await fs.writeFile(p('f'), Readable.from(['s', 't'])); return text(fs, p('f')); } },
  { name: 'appendFile twice', run: async (fs, p) => { await fs.appendFile(p('f'), 'a'); await fs.appendFile(p('f'), 'b'); return text(fs, p('f')); } },
  { name: 'stat fields of a new file', run: async (fs, p) => {
    await fs.writeFile(p('f'), 'abc', { mode: 0o640 });
    const s = await fs.stat(p('f'));
    return { size: s.size, file: s.isFile(), dir: s.isDirectory(), mode: s.mode.toString(8), nlink: s.nlink, types: ['dev', 'ino', 'blksize', 'blocks', 'rdev', 'atimeMs', 'birthtimeMs'].map((k) => typeof s[k]), dates: [s.atime, s.mtime, s.ctime, s.birthtime].every((d: unknown) => d instanceof Date) };
  } },
  { name: 'stat with bigint', run: async (fs, p) => {
    await fs.writeFile(p('f'), 'abc');
    const s = await fs.stat(p('f'), { bigint: true });
    return { size: s.size, types: ['mode', 'ino', 'mtimeMs', 'mtimeNs', 'atimeNs', 'ctimeNs', 'birthtimeNs'].map((k) => typeof s[k]), msFromNs: s.mtimeMs === s.mtimeNs / 1_000_000n };
  } },
  { name: 'utimes with fractional seconds keeps the fraction in mtimeMs', run: async (fs, p) => {
    await fs.writeFile(p('f'), '');
    await fs.utimes(p('f'), 1000.25, 2000.5);
    const s = await fs.stat(p('f'));
    return [s.atimeMs, s.mtimeMs];
  } },
  { name: 'utimes with numeric strings (seconds)', run: async (fs, p) => { await fs.writeFile(p('f'), ''); await fs.utimes(p('f'), '1000', '2000'); return (await fs.stat(p('f'))).mtimeMs; } },
  { name: 'chmod with an octal string', run: async (fs, p) => { await fs.writeFile(p('f'), ''); await fs.chmod(p('f'), '640'); return ((await fs.stat(p('f'))).mode & 0o7777).toString(8); } },
  { name: 'chmod of a missing path', run: (fs, p) => fs.chmod(p('nope'), 0o600) },
  { name: 'mkdir of an existing directory', run: async (fs, p) => { await fs.mkdir(p('d')); return fs.mkdir(p('d')); } },
  { name: 'mkdir without its parent', run: (fs, p) => fs.mkdir(p('a/b')) },
  { name: 'mkdir recursive returns the first directory made', run: (fs, p) => fs.mkdir(p('a/b/c'), { recursive: true }) },
  { name: 'mkdir recursive of an existing tree', run: async (fs, p) => { await fs.mkdir(p('a/b'), { recursive: true }); return fs.mkdir(p('a/b'), { recursive: true }); } },
  { name: 'readdir', run: async (fs, p) => { await fs.writeFile(p('x'), ''); await fs.mkdir(p('y')); return sorted(await fs.readdir(p(''))); } },
  { name: 'readdir withFileTypes', run: async (fs, p) => {
    await fs.writeFile(p('x'), ''); await fs.mkdir(p('y'));
    return (await fs.readdir(p(''), { withFileTypes: true })).map((d: { name: string; isDirectory(): boolean; isFile(): boolean }) => [d.name, d.isDirectory(), d.isFile()]).sort();
  } },
  { name: 'readdir recursive', run: async (fs, p) => {
    await fs.mkdir(p('a/b'), { recursive: true }); await fs.writeFile(p('a/b/f'), ''); await fs.writeFile(p('top'), '');
    return sorted(await fs.readdir(p(''), { recursive: true }));
  } },
  { name: 'readdir of a file', run: async (fs, p) => { await fs.writeFile(p('f'), ''); return fs.readdir(p('f')); } },
  { name: 'opendir iterates every entry', run: async (fs, p) => {
    for (let i = 0; i < 5; i++) await fs.writeFile(p(`e${i}`), '');
    const names: string[] = [];
    for await (const d of await fs.opendir(p(''))) names.push(d.name);
    return sorted(names);
  } },
  { name: 'rmdir of a non-empty directory', run: async (fs, p) => { await fs.mkdir(p('d')); await fs.writeFile(p('d/f'), ''); return fs.rmdir(p('d')); } },
  { name: 'unlink of a missing path', run: (fs, p) => fs.unlink(p('nope')) },
  { name: 'rm of a missing path with force', run: (fs, p) => fs.rm(p('nope'), { force: true }) },
  { name: 'rm recursive of a tree', run: async (fs, p) => { await fs.mkdir(p('d/e'), { recursive: true }); await fs.writeFile(p('d/e/f'), ''); await fs.rm(p('d'), { recursive: true }); return fs.readdir(p('')); } },
  { name: 'rename of a missing path', run: (fs, p) => fs.rename(p('nope'), p('other')) },
  { name: 'rename replaces the target', run: async (fs, p) => { await fs.writeFile(p('a'), '1'); await fs.writeFile(p('b'), '2'); await fs.rename(p('a'), p('b')); return [await text(fs, p('b')), sorted(await fs.readdir(p('')))]; } },
  { name: 'symlink, readlink, lstat', run: async (fs, p) => { await fs.writeFile(p('t'), 'x'); await fs.symlink('t', p('l')); return [await fs.readlink(p('l')), (await fs.lstat(p('l'))).isSymbolicLink(), (await fs.stat(p('l'))).isFile()]; } },
  { name: 'readlink of a regular file', run: async (fs, p) => { await fs.writeFile(p('f'), ''); return fs.readlink(p('f')); } },
  { name: 'realpath through a symlink', run: async (fs, p) => { await fs.mkdir(p('d')); await fs.writeFile(p('d/f'), ''); await fs.symlink('d', p('l')); return fs.realpath(p('l/f')); } },
  { name: 'link and nlink', run: async (fs, p) => { await fs.writeFile(p('a'), 'x'); await fs.link(p('a'), p('b')); return [(await fs.stat(p('a'))).nlink, await text(fs, p('b'))]; } },
  { name: 'lutimes changes the link, not its target', run: async (fs, p) => {
    await fs.writeFile(p('t'), ''); await fs.symlink('t', p('l')); await fs.lutimes(p('l'), 1000, 3000);
    return [(await fs.lstat(p('l'))).mtimeMs, (await fs.stat(p('l'))).mtimeMs === 3_000_000];
  },
  quirks: { ganesha: { why: 'nfs-ganesha (FSAL_VFS) answers SETATTR of a symlink\'s times with OK and leaves them', nfs: [Number, false] } } },
  { name: 'lchown with -1 leaves ids unchanged', run: async (fs, p) => { await fs.writeFile(p('t'), ''); await fs.symlink('t', p('l')); return fs.lchown(p('l'), -1, -1); } },
  { name: 'truncate', run: async (fs, p) => { await fs.writeFile(p('f'), 'abcdef'); await fs.truncate(p('f'), 2); return text(fs, p('f')); } },
  { name: 'copyFile copies bytes and mode', run: async (fs, p) => { await fs.writeFile(p('a'), 'data', { mode: 0o600 }); await fs.copyFile(p('a'), p('b')); return [await text(fs, p('b')), ((await fs.stat(p('b'))).mode & 0o777).toString(8)]; } },
  { name: 'copyFile with COPYFILE_EXCL onto an existing file', run: async (fs, p) => { await fs.writeFile(p('a'), ''); await fs.writeFile(p('b'), ''); return fs.copyFile(p('a'), p('b'), constants.COPYFILE_EXCL); } },
  { name: 'copyFile of a missing source', run: (fs, p) => fs.copyFile(p('nope'), p('b')) },
  { name: 'cp recursive', run: async (fs, p) => {
    await fs.mkdir(p('s/d'), { recursive: true }); await fs.writeFile(p('s/d/f'), 'z'); await fs.writeFile(p('s/g'), 'y');
    await fs.cp(p('s'), p('t'), { recursive: true });
    return [sorted(await fs.readdir(p('t'), { recursive: true })), await text(fs, p('t/d/f'))];
  } },
  { name: 'cp with a filter', run: async (fs, p) => {
    await fs.mkdir(p('s')); await fs.writeFile(p('s/keep'), ''); await fs.writeFile(p('s/skip'), '');
    await fs.cp(p('s'), p('t'), { recursive: true, filter: (src: string) => !String(src).endsWith('skip') });
    return sorted(await fs.readdir(p('t')));
  } },
  { name: 'cp force:false keeps the destination', run: async (fs, p) => { await fs.writeFile(p('a'), 'new'); await fs.writeFile(p('b'), 'old'); await fs.cp(p('a'), p('b'), { force: false }); return text(fs, p('b')); } },
  { name: 'cp preserveTimestamps', run: async (fs, p) => { await fs.writeFile(p('a'), 'x'); await fs.utimes(p('a'), 1000, 2000); await fs.cp(p('a'), p('b'), { preserveTimestamps: true }); return (await fs.stat(p('b'))).mtimeMs; } },
  { name: 'mkdtemp', run: async (fs, p) => { const d = String(await fs.mkdtemp(p('tmp-'))); return [d.length - String(p('tmp-')).length, (await fs.stat(d)).isDirectory(), ((await fs.stat(d)).mode & 0o777).toString(8)]; } },
  { name: 'a Buffer path', run: async (fs, p) => { await fs.writeFile(p('f', 'buffer'), 'b'); return text(fs, p('f', 'buffer')); } },
  { name: 'a file: URL path', run: async (fs, p) => { await fs.writeFile(p('f', 'url'), 'u'); return text(fs, p('f', 'url')); } },
  { name: 'open with numeric flags O_CREAT|O_EXCL on an existing file', run: async (fs, p) => { await fs.writeFile(p('f'), ''); return fs.open(p('f'), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL); } },
  { name: "open with 'rs' and 'as'", run: async (fs, p) => {
    const a = await fs.open(p('f'), 'as'); await a.write('x'); await a.write('y'); await a.close();
    const r = await fs.open(p('f'), 'rs'); const { bytesRead, buffer } = await r.read(Buffer.alloc(4), 0, 4, 0); await r.close();
    return buffer.subarray(0, bytesRead).toString();
  } },
  { name: 'fh.read() with no arguments', run: async (fs, p) => {
    await fs.writeFile(p('f'), 'abc');
    const h = await fs.open(p('f')); const r = await h.read(); await h.close();
    return [r.bytesRead, r.buffer.length, r.buffer.subarray(0, 3).toString()];
  } },
  { name: 'fh.read({ buffer, position })', run: async (fs, p) => {
    await fs.writeFile(p('f'), 'abcdef');
    const h = await fs.open(p('f')); const r = await h.read({ buffer: Buffer.alloc(3), position: 2 }); await h.close();
    return [r.bytesRead, r.buffer.toString()];
  } },
  { name: 'fh.read on a write-only handle', run: async (fs, p) => { const h = await fs.open(p('f'), 'w'); try { return await h.read(Buffer.alloc(1), 0, 1, 0); } finally { await h.close(); } } },
  { name: 'fh.writev and readv', run: async (fs, p) => {
    const h = await fs.open(p('f'), 'w+');
    const w = await h.writev([Buffer.from('ab'), Buffer.from('cd')], 0);
    const bufs = [Buffer.alloc(1), Buffer.alloc(3)];
    const r = await h.readv(bufs, 0); await h.close();
    return [w.bytesWritten, r.bytesRead, bufs.map((b) => b.toString())];
  } },
  { name: 'fh.writeFile, appendFile, readFile', run: async (fs, p) => {
    const h = await fs.open(p('f'), 'w+'); await h.writeFile('12'); await h.appendFile('34'); await h.close();
    const r = await fs.open(p('f')); const s = await r.readFile('utf8'); await r.close();
    return s;
  } },
  { name: 'fh.stat, chmod, utimes, truncate', run: async (fs, p) => {
    const h = await fs.open(p('f'), 'w+'); await h.write('hello'); await h.chmod('600'); await h.truncate(2); await h.utimes(1000, 2000);
    const s = await h.stat(); await h.close();
    return [s.size, (s.mode & 0o777).toString(8), s.mtimeMs];
  } },
  { name: 'fh.readLines', run: async (fs, p) => {
    await fs.writeFile(p('f'), 'one\ntwo\nthree');
    const h = await fs.open(p('f')); const lines: string[] = [];
    for await (const l of h.readLines()) lines.push(l);
    return lines;
  } },
  { name: 'fh.fd is a number', run: async (fs, p) => { const h = await fs.open(p('f'), 'w'); const t = typeof h.fd; await h.close(); return t; } },
  { name: 'readFile with an aborted signal', run: async (fs, p) => { await fs.writeFile(p('f'), 'x'); return fs.readFile(p('f'), { signal: AbortSignal.abort() }); } },
  { name: 'writeFile with an aborted signal', run: (fs, p) => fs.writeFile(p('f'), 'x', { signal: AbortSignal.abort() }) },
  { name: 'createReadStream / createWriteStream round trip', run: async (fs, p) => {
    const { pipeline } = await import('node:stream/promises');
    await fs.writeFile(p('a'), 'stream data');
    const h = await fs.open(p('a'));
    await pipeline(h.createReadStream(), (await fs.open(p('b'), 'w')).createWriteStream());
    return text(fs, p('b'));
  } },
  { name: 'statfs fields', run: async (fs, p) => {
    const s = await fs.statfs(p(''));
    return ['type', 'bsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree'].map((k) => [k, typeof s[k]]);
  } },
  { name: 'fh.stat with bigint', run: async (fs, p) => {
    const h = await fs.open(p('f'), 'w'); const s = await h.stat({ bigint: true }); await h.close();
    return [typeof s.size, typeof s.mtimeNs, s.isFile()];
  } },
  { name: 'cp of a directory without recursive', run: async (fs, p) => { await fs.mkdir(p('s')); return fs.cp(p('s'), p('t')); },
    differs: { why: 'node:fs throws its own SystemError code ERR_FS_EISDIR; the client throws an fs-shaped EISDIR (the errno Node wraps)', node: { error: { code: 'ERR_FS_EISDIR', syscall: 'cp' } }, nfs: { error: { code: 'EISDIR', syscall: 'cp', path: '/s', dest: '/t' } } } },
];
