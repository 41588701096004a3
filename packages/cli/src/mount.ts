/**
 * `nfsts mount URL MNT [-o OPTS] [--daemon]`, `nfsts umount MNT`, and the `--mount MNT` flag of
 * `nfsts serve` (the server and the FUSE shim in one process: the shim's client finds the
 * server local and its I/O goes through LOCALIO).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { mount, unmount, parseMountOptionString, type FuseMount, type FuseMountOptions } from '@nfsts/fuse';
import type { NfsServer } from '@nfsts/server';
import type { CliIo } from './cli.js';

export const MOUNT_USAGE = `Usage: nfsts mount URL MOUNTPOINT [-o OPTIONS] [--daemon]
       nfsts umount MOUNTPOINT
       nfsts serve DIR --mount MOUNTPOINT [--mount-options OPTIONS] [serve options]

Mount an NFSv3 export (nfs://host[:port]/export) on MOUNTPOINT through FUSE (needs root and
/dev/fuse). Runs in the foreground until SIGINT/SIGTERM or umount; --daemon returns once mounted.

Options (-o, comma-separated):
  ro                   read-only
  allow_other          other users may use the mount; each user's calls carry their own uid/gids
  default_permissions  the kernel checks mode bits itself (as a local file system)
  uid=N,gid=N          one fixed identity for every call instead of each caller's
  actimeo=S, noac      how long the kernel caches attributes and names (default 1 s)
  soft, timeo=DS       fail calls with ETIMEDOUT after DS tenths of a second (default: hard, wait)
  localio=off          never use LOCALIO
  readahead=KB         the mount's readahead window (default 1024; 0 = the kernel's 128; root only)
  passthrough=MODE     auto (default), on or off: LOCALIO files are read and written by the kernel
                       itself (FUSE passthrough; Linux >= 6.9, root)
`;

function errorLine(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e.code === 'ERR_RPC_CONNECT' || e.code === 'ECONNREFUSED') return `server unreachable: ${e.message ?? ''}`;
  return e.message ?? String(err);
}

/** Serves a mount until a signal or an outside umount; returns the exit code. */
async function serveMount(m: FuseMount, io: CliIo): Promise<number> {
  const why = await Promise.race([io.waitForSignal().then((s) => `signal ${s}`), m.ended.then((r) => `ended: ${r}`)]);
  try {
    await m.unmount();
  } catch (err) {
    io.stderr(`nfsts: unmount ${m.mountpoint}: ${errorLine(err)}\n`);
    return 1;
  }
  if (why.startsWith('ended')) io.stdout(`Unmounted ${m.mountpoint}\n`);
  return 0;
}

export async function runMount(args: string[], io: CliIo): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {
      o: { type: 'string', short: 'o', multiple: true },
      daemon: { type: 'boolean' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    } }));
  } catch (err) {
    io.stderr(`nfsts: ${(err as Error).message} (try: nfsts mount --help)\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(MOUNT_USAGE);
    return 0;
  }
  if (positionals.length !== 2) {
    io.stderr(`nfsts: mount takes URL and MOUNTPOINT (try: nfsts mount --help)\n`);
    return 2;
  }
  const [url, mnt] = positionals as [string, string];
  let opts: FuseMountOptions;
  try {
    opts = {};
    for (const o of values.o ?? []) Object.assign(opts, parseMountOptionString(o));
  } catch (err) {
    io.stderr(`nfsts: ${(err as Error).message}\n`);
    return 2;
  }
  if (values.daemon === true) return daemonize(args.filter((a) => a !== '--daemon'), io);
  const logger = pino({ level: values['log-level'] ?? 'warn', base: { name: 'nfsts' } }, pino.destination({ fd: 2, sync: true }));
  let m: FuseMount;
  try {
    m = await mount(url, resolve(mnt), { ...opts, logger });
  } catch (err) {
    io.stderr(`nfsts: ${errorLine(err)}\n`);
    return 1;
  }
  io.stdout(`Mounted ${url} on ${m.mountpoint}${m.client.isLocal ? ' (LOCALIO)' : ''}\n`);
  return serveMount(m, io);
}

/** --daemon: the same command in a detached child; returns once it says it mounted. */
function daemonize(args: string[], io: CliIo): Promise<number> {
  const child = spawn(process.execPath, [process.argv[1]!, 'mount', ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((done) => {
    let out = '', err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        io.stdout(`${out.trim()} (pid ${child.pid})\n`);
        child.stdout!.destroy();
        child.stderr!.destroy();
        child.unref();
        done(0);
      }
    });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code) => {
      io.stderr(err === '' ? `nfsts: mount exited with ${code}\n` : err);
      done(code === 0 ? 1 : (code ?? 1));
    });
  });
}

export async function runUmount(args: string[], io: CliIo): Promise<number> {
  if (args.length !== 1 || args[0]!.startsWith('-')) {
    io.stderr('nfsts: umount takes one MOUNTPOINT\n');
    return 2;
  }
  try {
    await unmount(args[0]!);
  } catch (err) {
    io.stderr(`nfsts: ${errorLine(err)}\n`);
    return 1;
  }
  return 0;
}

/** Takes `--mount MNT` out of serve's arguments: [the rest, MNT or null]. */
export function takeMountFlag(args: string[]): [string[], string | null] {
  return takeValueFlag(args, '--mount');
}

/** Takes `--mount-options OPTS` (the `-o` of `nfsts mount`) out of serve's arguments. */
export function takeMountOptionsFlag(args: string[]): [string[], string | null] {
  return takeValueFlag(args, '--mount-options');
}

function takeValueFlag(args: string[], flag: string): [string[], string | null] {
  const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return [args, null];
  const a = args[i]!;
  if (a.startsWith(`${flag}=`)) return [[...args.slice(0, i), ...args.slice(i + 1)], a.slice(flag.length + 1)];
  return [[...args.slice(0, i), ...args.slice(i + 2)], args[i + 1] ?? ''];
}

/** serve --mount: mounts the server's first export on `mnt` through this process's own client. */
export async function mountServed(server: NfsServer, mnt: string, io: CliIo, options: FuseMountOptions = {}): Promise<FuseMount | null> {
  const e = server.exports[0];
  if (e === undefined) return null;
  try {
    const m = await mount(e.url, resolve(mnt), options);
    // INIT (queued by the kernel during mount(2)) decides passthrough: say which
    await Promise.race([m.session.initialized, m.ended]);
    const how = m.client.isLocal ? ` (LOCALIO, passthrough ${m.session.passthrough ? 'on' : m.session.passthroughWhy})` : '';
    io.stdout(`Mounted ${e.url} on ${m.mountpoint}${how}\n`);
    return m;
  } catch (err) {
    io.stderr(`nfsts: ${errorLine(err)}\n`);
    return null;
  }
}
