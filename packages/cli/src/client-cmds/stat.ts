/** `nfsts stat URL`: the attributes, as stat(1) lays them out. */
import { UsageError, args, modeString, withClient, type ClientCommand } from './common.js';

const TYPES: Record<number, string> = { 1: 'regular file', 2: 'directory', 3: 'block special file', 4: 'character special file', 5: 'symbolic link', 6: 'socket', 7: 'fifo' };

export const stat: ClientCommand = async (argv, io) => {
  const { positionals } = args(argv, {});
  if (positionals.length !== 1) throw new UsageError('usage: nfsts stat URL');
  await withClient(positionals[0]!, async (c, path) => {
    const st = await c.lstat(path, { bigint: true });
    const link = st.isSymbolicLink() ? ` -> ${await c.readlink(path)}` : '';
    const t = (ns: bigint): string => {
      const d = new Date(Number(ns / 1_000_000n));
      return `${d.toISOString().slice(0, 19).replace('T', ' ')}.${String(ns % 1_000_000_000n).padStart(9, '0')} +0000`;
    };
    io.stdout([
      `  File: ${path}${link}`,
      `  Size: ${st.size}\tBlocks: ${st.blocks}\tIO Block: ${st.blksize}\t${TYPES[st.attr.type] ?? 'unknown'}`,
      `Device: ${st.dev}\tInode: ${st.ino}\tLinks: ${st.nlink}`,
      `Access: (${(Number(st.mode) & 0o7777).toString(8).padStart(4, '0')}/${modeString(Number(st.mode))})  Uid: ${st.uid}  Gid: ${st.gid}`,
      `Access: ${t(st.atimeNs)}`,
      `Modify: ${t(st.mtimeNs)}`,
      `Change: ${t(st.ctimeNs)}`,
      '',
    ].join('\n'));
  });
  return 0;
};
