/**
 * The `nfsts` command. `runCli(argv, io)` returns an exit code; errors are one line on
 * stderr (`nfsts: ...`), never a stack trace.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import {
  ConfigError,
  DEFAULT_EXPORT_DIR,
  DEFAULT_EXPORT_PATH,
  DEFAULT_HOST,
  DEFAULT_PORT,
  LOG_LEVELS,
  DEFAULT_MEMORY_MAX_BYTES,
  MemoryBackend,
  checkExportPath,
  loadConfigFile,
  parseExportOptionsAt,
  parseMetricsAddress,
  silentLogger,
  startServer,
} from '@nfsts/server';
import { runStats } from './stats.js';
import type { DirectoryExport, FileConfig, LogLevel, NfsServer, ServerExport } from '@nfsts/server';
import { LIMIT_ARG_OPTIONS, LIMITS_USAGE, parseLimitFlags, parseSizeFlag } from './limits.js';
import { CLIENT_COMMANDS, CLIENT_USAGE, runClientCommand } from './client-cmds/index.js';

import { runMount, runUmount, takeMountFlag, takeMountOptionsFlag, mountServed, MOUNT_USAGE } from './mount.js';
import { parseMountOptionString, type FuseMountOptions } from '@nfsts/fuse';

export const USAGE = `Usage: nfsts serve [DIR] [options]
       nfsts stats URL|HOST:PORT [--watch [SECONDS]]   (a running server's counters; see nfsts stats --help)
       nfsts mount URL MOUNTPOINT [-o OPTIONS]   (nfsts mount --help)
       nfsts umount MOUNTPOINT

Serve DIR (default ./nfs-export, created if missing) over NFSv3 + MOUNT.

Options:
  --port N           TCP port for NFS and MOUNT (default ${DEFAULT_PORT}; 0 = any free port)
  --bind ADDR        address to listen on (default ${DEFAULT_HOST})
  --export NAME      export name clients mount (default ${DEFAULT_EXPORT_PATH})
  --options OPTS     exports(5) options, e.g. "rw,no_root_squash,anonuid=1000"
  --config FILE      JSON config file (see the README); command-line flags override it
  --state-dir DIR    where handle secrets and the inode index live
                     (default \$XDG_STATE_HOME/nfsts/<hash of the export roots>)
  --no-portmap       neither run a portmapper on port 111 nor register with the system's
  --no-lock          serve no byte-range locking (NLM, NSM): clients must mount with nolock
  --log-level LEVEL  ${LOG_LEVELS.join(', ')} (default info; logs go to stderr)
  --log-format F     pretty or json (default: pretty on a terminal, else json)
  --metrics ADDR     serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:9464
  --mount MNT        also mount the export on MNT through FUSE in this process (LOCALIO I/O)
  --mount-options O  the mount's -o options (nfsts mount --help), e.g. passthrough=off,allow_other
  --memory           serve an empty in-memory tree instead of DIR (gone when the server stops;
                     handles do not survive a restart; state in a temporary directory
                     unless --state-dir is given)
  --memory-max SIZE  the in-memory tree's size limit, e.g. 64M or 1G (default ${DEFAULT_MEMORY_MAX_BYTES / 1024 / 1024}M;
                     beyond it writes fail with ENOSPC)
  -h, --help         this text
  -v, --version      the version

${LIMITS_USAGE}
${CLIENT_USAGE}`;

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** bytes for `cat` (default: stdout as a string is not used for bytes) */
  stdoutStream?: NodeJS.WritableStream;
  /** stderr is a terminal: client commands show progress */
  stderrIsTTY?: boolean;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  waitForSignal: () => Promise<string>;
}

class UsageError extends Error {}

function version(): string {
  const baked = (globalThis as { NFSTS_VERSION?: unknown }).NFSTS_VERSION; // set by the single-file bundle
  if (typeof baked === 'string') return baked;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function parsePort(v: string, flag: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new UsageError(`bad ${flag} "${v}": must be a port number from 0 to 65535`);
  return Number(v);
}

function defaultStateDir(roots: string[]): string {
  const base = process.env.XDG_STATE_HOME !== undefined && process.env.XDG_STATE_HOME !== '' ? process.env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  const id = createHash('sha256').update(roots.join('\0')).digest('hex').slice(0, 16);
  return join(base, 'nfsts', id);
}

function errorLine(err: unknown): string {
  if (err instanceof UsageError) return err.message;
  if (err instanceof ConfigError) {
    // a message without a property ('cannot read config file F: ENOENT') keeps its own colons
    return err.property === '' ? err.message : `bad ${err.property}: ${err.message.slice(err.property.length + 2)}`;
  }
  const e = err as { code?: string; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('ERR_NFS_')) return e.message ?? String(err);
  if (e.code === 'EACCES' || e.code === 'EPERM') return `no permission: ${e.message ?? ''}`;
  return e.message ?? String(err);
}

/** Builds the server options from flags (and an optional config file). */
export function buildServeOptions(argv: string[]): {
  cfg: Omit<FileConfig, 'metrics' | 'exports' | 'stateDir'> & { exports: ServerExport[]; stateDir: string | undefined; logLevel: LogLevel; logFormat: LogFormat | null; metrics: { host: string; port: number } | null; locking: boolean };
  createdDefault: string | null;
} {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string' },
      bind: { type: 'string' },
      export: { type: 'string' },
      options: { type: 'string' },
      config: { type: 'string' },
      'state-dir': { type: 'string' },
      'no-portmap': { type: 'boolean' },
      'no-lock': { type: 'boolean' },
      'log-level': { type: 'string' },
      ...LIMIT_ARG_OPTIONS,
      'log-format': { type: 'string' },
      metrics: { type: 'string' },
      memory: { type: 'boolean' },
      'memory-max': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (positionals.length > 1) throw new UsageError(`serve takes one directory, got ${positionals.length}: ${positionals.join(' ')}`);
  const file: FileConfig | null = values.config !== undefined ? loadConfigFile(values.config) : null;
  let logLevel: LogLevel = file?.logLevel ?? 'info';
  if (values['log-level'] !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(values['log-level'])) {
      throw new UsageError(`bad --log-level "${values['log-level']}": must be one of ${LOG_LEVELS.join(', ')}`);
    }
    logLevel = values['log-level'] as LogLevel;
  }
  let logFormat: LogFormat | null = null;
  if (values['log-format'] !== undefined) {
    if (values['log-format'] !== 'pretty' && values['log-format'] !== 'json') throw new UsageError(`bad --log-format "${values['log-format']}": must be pretty or json`);
    logFormat = values['log-format'];
  }
  let metrics: { host: string; port: number } | null = file?.metrics ?? null;
  if (values.metrics !== undefined) {
    try {
      metrics = parseMetricsAddress(values.metrics, '--metrics');
    } catch (err) {
      throw new UsageError(`bad --metrics: ${(err as Error).message.replace(/^--metrics: /, '')}`);
    }
  }
  const port = values.port !== undefined ? parsePort(values.port, '--port') : (file?.port ?? DEFAULT_PORT);
  const bind = values.bind ?? file?.bind ?? DEFAULT_HOST;
  if (bind === '') throw new UsageError('bad --bind: empty address');
  let options: ServerExport['options'] = {};
  if (values.options !== undefined) {
    try {
      options = parseExportOptionsAt(values.options, '--options');
    } catch (err) {
      throw new UsageError(`bad --options: ${(err as Error).message.replace(/^--options: /, '')}`);
    }
  }
  let exportName = DEFAULT_EXPORT_PATH;
  if (values.export !== undefined) {
    try {
      exportName = checkExportPath(values.export.startsWith('/') ? values.export : `/${values.export}`, '--export');
    } catch (err) {
      throw new UsageError(`bad --export: ${(err as Error).message.replace(/^--export: /, '')}`);
    }
  }
  let exports: ServerExport[];
  let createdDefault: string | null = null;
  const dir = positionals[0];
  if (values['memory-max'] !== undefined && values.memory !== true) throw new UsageError('--memory-max needs --memory');
  if (values.memory === true) {
    if (dir !== undefined) throw new UsageError(`--memory serves no directory, got ${dir}`);
    if (file !== null) throw new UsageError('--memory and --config cannot be combined (a config file serves directories)');
    let backend: ServerExport['backend'] = 'memory';
    if (values['memory-max'] !== undefined) {
      let maxBytes: number;
      try {
        maxBytes = parseSizeFlag('memory-max', values['memory-max']);
        backend = new MemoryBackend({ maxBytes });
      } catch (err) {
        throw new UsageError((err as Error).message.startsWith('bad --') ? (err as Error).message : `bad --memory-max "${values['memory-max']}": ${(err as Error).message}`);
      }
    }
    exports = [{ path: exportName, backend, options }];
  } else if (dir !== undefined || file === null) {
    let root: string;
    if (dir !== undefined) {
      root = resolve(dir);
      let st;
      try {
        st = statSync(root);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new UsageError(`directory ${root} does not exist`);
        if (code === 'EACCES') throw new UsageError(`no permission to access ${root}`);
        throw new UsageError(`cannot use ${root}: ${code ?? (err as Error).message}`);
      }
      if (!st.isDirectory()) throw new UsageError(`${root} is not a directory`);
    } else {
      root = resolve(DEFAULT_EXPORT_DIR);
      try {
        if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
          mkdirSync(root, { recursive: true });
          createdDefault = root;
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTDIR') throw new UsageError(`${root} is not a directory`);
        if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`no permission to create ${root}`);
        throw new UsageError(`cannot create ${root}: ${code ?? (err as Error).message}`);
      }
    }
    exports = [{ path: exportName, root, options }];
  } else {
    exports = file.exports.map((e) => {
      const merged = { ...(e.options as object), ...(options as object) };
      return { path: e.path, root: e.root, options: merged };
    });
    if (values.export !== undefined) {
      if (exports.length !== 1) throw new UsageError('--export renames the only export; the config file has several');
      (exports[0] as ServerExport).path = exportName;
    }
  }
  let portmap = file?.portmap ?? true;
  if (values['no-portmap'] === true) portmap = false;
  // an in-memory tree has no handles worth keeping: the server makes (and removes) a temporary state directory
  const stateDir = values['state-dir'] !== undefined
    ? resolve(values['state-dir'])
    : values.memory === true ? undefined : (file?.stateDir ?? defaultStateDir(exports.map((e) => `${e.path}=${e.root ?? ''}`)));
  let limits: NonNullable<FileConfig['limits']>;
  try {
    limits = { ...file?.limits, ...parseLimitFlags(values) };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const locking = values['no-lock'] !== true;
  return { cfg: { port, bind, portmap, locking, logLevel, logFormat, metrics, exports, stateDir, limits }, createdDefault };
}

export type LogFormat = 'pretty' | 'json';

/**
 * The logger for `serve`: none at all (pino is not even loaded) when silent; JSON lines on
 * stderr; or pino-pretty through pino's own transport (a worker thread), loaded only then.
 */
export async function createLogger(level: LogLevel, format: LogFormat | null): Promise<Logger> {
  if (level === 'silent') return silentLogger();
  const { pino } = await import('pino');
  const f = format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  if (f === 'pretty') {
    return pino({ level, base: { name: 'nfsts' }, transport: { target: 'pino-pretty', options: { destination: 2, colorize: process.stderr.isTTY === true } } });
  }
  return pino({ level, base: { name: 'nfsts' } }, pino.destination({ fd: 2, sync: true }));
}

/** The banner, written at once; the `Listening on HOST port N (...)` line is what scripts parse. */
export function printBanner(server: NfsServer, out: (s: string) => void): void {
  const lines: string[] = [];
  for (const e of server.core.exports) {
    const o = e.options;
    const squash = o.squash === 'root' ? 'root_squash' : o.squash === 'all' ? 'all_squash' : 'no_root_squash';
    lines.push(`Serving ${e.root} as ${server.host}:${e.path} (${o.ro ? 'ro' : 'rw'},${squash})`);
    // The usual first surprise: a client writing as root gets EACCES on a directory root owns.
    if (o.squash !== 'none') lines.push(`       clients' root works as uid ${o.anonuid}; --options rw,no_root_squash lets it write as root`);
  }
  const wanted = server.locking ? 7 : 3; // NFS, MOUNT v1+v3 (+ NLM v1, v3, v4 and NSM)
  const pm =
    server.portmap.mode === 'own'
      ? `our own portmapper on port ${server.portmap.port}`
      : server.portmap.mode === 'system'
        ? server.portmap.registered.length === wanted
          ? `registered with the system portmapper on port ${server.portmap.port}`
          : `registered ${server.portmap.registered.length} of ${wanted} programs with the system portmapper on port ${server.portmap.port}; another server holds the rest`
        : 'no portmapper';
  for (const e of server.exports) {
    lines.push(`URL:   ${e.url}`);
    lines.push(`Mount: ${e.mountCommand}`);
  }
  if (server.metrics !== null) lines.push(`Metrics: ${server.metrics.url}`);
  lines.push(`Listening on ${server.host} port ${server.port} (NFSv3 + MOUNT${server.locking ? ' + NLM + NSM' : ''}; ${pm})`);
  out(`${lines.join('\n')}\n`);
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [cmd, ...args] = argv;
  // `pnpm serve -- --port N` hands the script a leading `--`; it separates pnpm's options
  // from ours and is no end-of-options marker for serve.
  const rest = args[0] === '--' ? args.slice(1) : args;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    io.stdout(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '-v' || cmd === '--version') {
    io.stdout(`nfsts ${version()}\n`);
    return 0;
  }
  if (cmd === 'stats') return runStats(rest, io);
  if (cmd === 'mount') return rest.includes('--help') || rest.includes('-h') ? (io.stdout(MOUNT_USAGE), 0) : runMount(rest, io);
  if (cmd === 'umount') return runUmount(rest, io);
  if (Object.hasOwn(CLIENT_COMMANDS, cmd)) return runClientCommand(cmd, rest, { stdout: io.stdout, stderr: io.stderr, ...(io.stdoutStream !== undefined ? { stdoutStream: io.stdoutStream } : {}), ...(io.stderrIsTTY !== undefined ? { stderrIsTTY: io.stderrIsTTY } : {}) });
  if (cmd !== 'serve') {
    io.stderr(`nfsts: unknown command "${cmd}" (try: nfsts serve --help)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  if (rest.includes('--version') || rest.includes('-v')) {
    io.stdout(`nfsts ${version()}\n`);
    return 0;
  }
  let server: NfsServer;
  let logger: Logger;
  const [withoutMount, mountPoint] = takeMountFlag(rest);
  const [serveArgs, mountOptions] = takeMountOptionsFlag(withoutMount);
  let fuseOptions: FuseMountOptions = {};
  try {
    if (mountOptions !== null) {
      if (mountPoint === null) throw new UsageError('--mount-options needs --mount');
      try {
        fuseOptions = parseMountOptionString(mountOptions);
      } catch (err) {
        throw new UsageError(`bad --mount-options: ${errorLine(err)}`);
      }
    }
    const { cfg, createdDefault } = buildServeOptions(serveArgs);
    logger = await createLogger(cfg.logLevel, cfg.logFormat);
    if (createdDefault !== null) io.stdout(`Created ${createdDefault}\n`);
    server = await startServer({
      exports: cfg.exports,
      port: cfg.port ?? DEFAULT_PORT,
      host: cfg.bind ?? DEFAULT_HOST,
      ...(cfg.stateDir === undefined ? {} : { stateDir: cfg.stateDir }),
      portmap: cfg.portmap ?? true,
      limits: cfg.limits ?? {},
      ...(cfg.metrics === null ? {} : { metrics: cfg.metrics }),
      locking: cfg.locking,
      logger,
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const badArgs = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
    const msg = badArgs ? `${(err as Error).message} (try: nfsts serve --help)` : errorLine(err);
    io.stderr(`nfsts: ${msg}\n`);
    // as the client commands: 2 for what the command line (or its config file) got wrong, 1 for a server that could not start
    return badArgs || err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
  }
  printBanner(server, io.stdout);
  const fuse = mountPoint === null ? null : await mountServed(server, mountPoint, io, fuseOptions);
  const sig = await io.waitForSignal();
  await fuse?.unmount().catch((err: unknown) => io.stderr(`nfsts: unmount: ${errorLine(err)}\n`));
  logger.info({ signal: sig }, 'shutting down');
  try {
    await server.close();
  } catch (err) {
    io.stderr(`nfsts: error while shutting down: ${errorLine(err)}\n`);
    return 1;
  }
  return 0;
}
