/**
 * What the client subcommands share: NFS URLs (an export plus a path in it), connecting,
 * the CLI's error line and exit codes, and the progress display.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { connect, NfsFsError, type NfsClient } from '@nfsts/client';

/** Output and terminal facts a subcommand needs (main.ts fills them from the process). */
export interface ClientIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** stderr is a terminal: show progress and the final rate line */
  stderrIsTTY?: boolean;
  /** where `cat` and `cp … -` write bytes (backpressure honoured) */
  stdoutStream?: NodeJS.WritableStream;
}

export class UsageError extends Error {}

/** A parsed `nfs://` URL: where the export is and which path in it is meant. */
export interface NfsTarget {
  /** the URL as connect() takes it (export path, ports and credentials in the query) */
  url: URL;
  /** the path within the export, '/'-rooted */
  path: string;
}

export function isNfsUrl(s: string): boolean {
  return s.startsWith('nfs://');
}

/** Splits `nfs://host/export/a/b?…` at `exportLen` path components. */
function split(u: URL, exportLen: number): NfsTarget {
  const parts = decodeURIComponent(u.pathname).split('/').filter((c) => c !== '');
  const url = new URL(u.href);
  url.pathname = `/${parts.slice(0, exportLen).join('/')}`;
  return { url, path: `/${parts.slice(exportLen).join('/')}` };
}

/**
 * Mounts the shortest leading part of the URL's path the server lets us mount (the export:
 * servers such as ours and Linux's also mount directories inside an export, and a mount
 * of a subdirectory would make `rm` of it "the root" and `mv` across it impossible) and
 * returns the client and the rest as a path in it.
 */
export async function open(spec: string): Promise<{ client: NfsClient; path: string }> {
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new UsageError(`bad URL "${spec}"`);
  }
  const n = decodeURIComponent(u.pathname).split('/').filter((c) => c !== '').length;
  if (n === 0) throw new UsageError(`no export in "${spec}"`);
  let last: unknown;
  for (let len = 1; len <= n; len++) {
    const t = split(u, len);
    try {
      const client = await connect(t.url.href, { giveUpMs: 0 });
      return { client, path: t.path };
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      // MNT refused this prefix (not exported): try a longer one
      if (!code.startsWith('MNT3ERR_')) throw err;
      last = err;
    }
  }
  throw last;
}

/** Parses a subcommand's flags; a bad flag is a usage error. */
export function args<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The one line an operation error prints after `nfsts: `. */
export function errorLine(err: unknown): string {
  if (err instanceof NfsFsError) return err.message;
  const e = err as { code?: unknown; message?: string; syscall?: string; path?: string };
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && !String(e.message).startsWith(e.code)) return `${e.code}: ${e.message ?? ''}`;
  return e.message ?? String(err);
}

/** A progress line on a terminal (rewritten in place), then bytes and MB/s. */
export class Progress {
  private readonly start = performance.now();
  private lastDraw = 0;
  bytes = 0;

  constructor(private readonly io: ClientIo, private readonly total: number | undefined) {}

  add(n: number): void {
    this.bytes += n;
    if (this.io.stderrIsTTY !== true) return;
    const now = performance.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 30;
    const frac = this.total !== undefined && this.total > 0 ? Math.min(1, this.bytes / this.total) : 0;
    const bar = this.total !== undefined ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ${(frac * 100).toFixed(0).padStart(3)}% ` : '';
    this.io.stderr(`\r${bar}${fmtBytes(this.bytes)} ${this.rate(now)}`);
  }

  private rate(now: number): string {
    const s = (now - this.start) / 1000;
    return `${s > 0 ? (this.bytes / 1e6 / s).toFixed(1) : '0.0'} MB/s`;
  }

  /** The final line (on a terminal only: piped output stays quiet). */
  done(): void {
    if (this.io.stderrIsTTY !== true) return;
    const now = performance.now();
    this.io.stderr(`\r\x1b[K${this.bytes} bytes in ${((now - this.start) / 1000).toFixed(2)} s (${this.rate(now)})\n`);
  }
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** `ls -l`'s mode column. */
export function modeString(mode: number): string {
  const type = (mode & 0o170000) === 0o040000 ? 'd' : (mode & 0o170000) === 0o120000 ? 'l' : (mode & 0o170000) === 0o020000 ? 'c'
    : (mode & 0o170000) === 0o060000 ? 'b' : (mode & 0o170000) === 0o010000 ? 'p' : (mode & 0o170000) === 0o140000 ? 's' : '-';
  let s = type;
  const rwx = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? rwx[i] : '-';
  return s;
}

/** A subcommand: parses its argv, does its work, returns the exit code (throws for 1 or 2). */
export type ClientCommand = (argv: string[], io: ClientIo) => Promise<number>;

/** Runs `fn` with the mounted client of `spec`, closing it after. */
export async function withClient<T>(spec: string, fn: (c: NfsClient, path: string) => Promise<T>): Promise<T> {
  const { client, path } = await open(spec);
  try {
    return await fn(client, path);
  } finally {
    await client.close();
  }
}
