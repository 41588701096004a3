/** `nfsts ls [-l] [-R] URL`: a directory's entries (or a file's own line), sorted by name. */
import type { NfsClient, NfsStats } from '@nfsts/client';
import { args, modeString, UsageError, withClient, type ClientCommand } from './common.js';

/** nfs-ls's long line (libnfs's utility), so the two listings compare line for line. */
function longLine(st: NfsStats, name: string, link: string | undefined): string {
  return `${modeString(st.mode)} ${String(st.nlink).padStart(2)} ${String(st.uid).padStart(5)} ${String(st.gid).padStart(5)} ${String(st.size).padStart(12)} ${name}${link !== undefined ? ` -> ${link}` : ''}`;
}

async function lines(c: NfsClient, dir: string, prefix: string, long: boolean, recursive: boolean, out: string[]): Promise<void> {
  const entries = (await c.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = `${dir.replace(/\/+$/, '')}/${e.name}`;
    const shown = `${prefix}${e.name}`;
    if (long) {
      const st = e.stats ?? await c.lstat(full);
      out.push(longLine(st, shown, st.isSymbolicLink() ? await c.readlink(full) : undefined));
    } else {
      out.push(shown);
    }
    if (recursive && (e.stats?.isDirectory() ?? (await c.lstat(full)).isDirectory())) await lines(c, full, `${shown}/`, long, recursive, out);
  }
}

export const ls: ClientCommand = async (argv, io) => {
  const { values, positionals } = args(argv, { long: { type: 'boolean', short: 'l' }, recursive: { type: 'boolean', short: 'R' } });
  if (positionals.length !== 1) throw new UsageError('usage: nfsts ls [-l] [-R] URL');
  await withClient(positionals[0]!, async (c, path) => {
    const st = await c.lstat(path);
    const out: string[] = [];
    if (st.isDirectory()) await lines(c, path, '', values.long === true, values.recursive === true, out);
    else out.push(values.long === true ? longLine(st, path.split('/').pop()!, st.isSymbolicLink() ? await c.readlink(path) : undefined) : path.split('/').pop()!);
    if (out.length > 0) io.stdout(`${out.join('\n')}\n`);
  });
  return 0;
};
