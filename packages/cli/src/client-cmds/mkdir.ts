/** `nfsts mkdir [-p] URL…`: creates directories (with -p, missing parents too, and no error if present). */
import { UsageError, args, withClient, type ClientCommand } from './common.js';

export const mkdir: ClientCommand = async (argv) => {
  const { values, positionals } = args(argv, { parents: { type: 'boolean', short: 'p' } });
  if (positionals.length === 0) throw new UsageError('usage: nfsts mkdir [-p] URL...');
  for (const spec of positionals) await withClient(spec, (c, path) => c.mkdir(path, { recursive: values.parents === true }));
  return 0;
};
