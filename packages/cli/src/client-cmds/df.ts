/** `nfsts df URL`: the export's space and inodes (FSSTAT), as df(1). */
import { UsageError, args, withClient, type ClientCommand } from './common.js';

export const df: ClientCommand = async (argv, io) => {
  const { positionals } = args(argv, {});
  if (positionals.length !== 1) throw new UsageError('usage: nfsts df URL');
  await withClient(positionals[0]!, async (c) => {
    const s = await c.statfs();
    const k = (b: bigint): string => String(b / 1024n);
    const used = s.tbytes - s.fbytes;
    const pct = s.tbytes > 0n ? `${Math.ceil(Number(used * 100n) / Number(used + s.abytes || 1n))}%` : '-';
    const name = `${c.options.host}:${c.options.export}`;
    io.stdout(`Filesystem 1K-blocks Used Available Use% Inodes IFree\n${name} ${k(s.tbytes)} ${k(used)} ${k(s.abytes)} ${pct} ${s.files} ${s.ffree}\n`);
  });
  return 0;
};
