/** `nfsts mv SRC DST`: RENAME within one export (DST a directory: into it). */
import { posix } from 'node:path';
import { UsageError, args, open, isNfsUrl, type ClientCommand } from './common.js';

export const mv: ClientCommand = async (argv) => {
  const { positionals } = args(argv, {});
  if (positionals.length !== 2 || !positionals.every(isNfsUrl)) throw new UsageError('usage: nfsts mv SRC-URL DST-URL (both on one export)');
  const src = await open(positionals[0]!);
  try {
    const dst = await open(positionals[1]!);
    const sameExport = dst.client.options.host === src.client.options.host && dst.client.nfsPort === src.client.nfsPort && dst.client.rootFh.equals(src.client.rootFh);
    await dst.client.close();
    if (!sameExport) throw new UsageError('mv works within one export (NFS RENAME); use cp and rm across exports');
    let to = dst.path;
    if (await src.client.stat(to).then((s) => s.isDirectory(), () => false)) to = posix.join(to, posix.basename(src.path));
    await src.client.rename(src.path, to);
  } finally {
    await src.client.close();
  }
  return 0;
};
