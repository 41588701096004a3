/** `nfsts rm [-r] [-f] URL…`: removes files (and with -r, trees). */
import { UsageError, args, withClient, type ClientCommand } from './common.js';

export const rm: ClientCommand = async (argv) => {
  const { values, positionals } = args(argv, { recursive: { type: 'boolean', short: 'r' }, force: { type: 'boolean', short: 'f' } });
  if (positionals.length === 0) throw new UsageError('usage: nfsts rm [-r] [-f] URL...');
  for (const spec of positionals) {
    await withClient(spec, (c, path) => {
      if (path === '/') throw new UsageError(`refusing to remove the export root of ${spec}`);
      return c.rm(path, { recursive: values.recursive === true, force: values.force === true });
    });
  }
  return 0;
};
