/** `nfsts cat URL…`: the files' bytes on stdout, streamed (with backpressure). */
import { pipeline } from 'node:stream/promises';
import { UsageError, withClient, args, type ClientCommand } from './common.js';

export const cat: ClientCommand = async (argv, io) => {
  const { positionals } = args(argv, {});
  if (positionals.length === 0) throw new UsageError('usage: nfsts cat URL...');
  for (const spec of positionals) {
    await withClient(spec, async (c, path) => {
      const rs = c.createReadStream(path);
      if (io.stdoutStream !== undefined) {
        await pipeline(rs, io.stdoutStream, { end: false });
      } else {
        for await (const chunk of rs) io.stdout((chunk as Buffer).toString('latin1'));
      }
    });
  }
  return 0;
};
