/** The client subcommands by name (cli.ts dispatches to them). */
import { UsageError, errorLine, type ClientCommand, type ClientIo } from './common.js';
import { ls } from './ls.js';
import { cat } from './cat.js';
import { cp } from './cp.js';
import { stat } from './stat.js';
import { rm } from './rm.js';
import { mkdir } from './mkdir.js';
import { mv } from './mv.js';
import { df } from './df.js';
import { showmount } from './showmount.js';

export const CLIENT_COMMANDS: Readonly<Record<string, ClientCommand>> = { ls, cat, cp, stat, rm, mkdir, mv, df, showmount };

export const CLIENT_USAGE = `Client commands (URL: nfs://host/export/path?nfsport=N&mountport=M&uid=U&gid=G):
  nfsts ls [-l] [-R] URL        list a directory
  nfsts cat URL...              write files to stdout
  nfsts cp [-r] SRC DST         copy; each side a local path or a URL
  nfsts stat URL                attributes
  nfsts rm [-r] [-f] URL...     remove
  nfsts mkdir [-p] URL...       make directories
  nfsts mv SRC DST              rename within one export
  nfsts df URL                  space and inodes of the export
  nfsts showmount HOST|URL      the server's exports (MOUNT EXPORT)
Exit status: 0 done, 1 an operation failed (one line on stderr), 2 usage.
`;

/** Runs a client subcommand: 0, 1 with `nfsts: <error>` on stderr, 2 on a usage error. */
export async function runClientCommand(name: string, argv: string[], io: ClientIo): Promise<number> {
  const cmd = CLIENT_COMMANDS[name]!;
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stderr(CLIENT_USAGE);
    return 0;
  }
  try {
    return await cmd(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`nfsts: ${err.message}\n`);
      return 2;
    }
    io.stderr(`nfsts: ${errorLine(err)}\n`);
    return 1;
  }
}

export { type ClientIo } from './common.js';
