/**
 * Helpers for the LOCALIO tests under test/test/localio-*.test.ts: a real server started in
 * this process (startServer, port 0, a temp export), descriptor counting from /proc/self/fd,
 * deterministic data, and the error classification the interlock test needs.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { startServer, type NfsServer, type DirectoryExport } from '@nfsts/server';

export interface LocalServer {
  server: NfsServer;
  /** the temp directory holding every export root (and the state dir when not given) */
  base: string;
  /** export root per export path */
  roots: Record<string, string>;
  /** the client URL of an export (first export by default) */
  url(exportPath?: string): string;
  close(): Promise<void>;
}

export interface LocalServerOptions {
  /** export path → exports(5) options; default `{ '/export': 'rw,no_root_squash' }` */
  exports?: Record<string, string>;
  localio?: boolean;
  port?: number;
  stateDir?: string;
  /** reuse these directories (a restart on the same export) */
  base?: string;
}

/** Starts our server in this process over fresh temp directories. */
export async function startLocalServer(o: LocalServerOptions = {}): Promise<LocalServer> {
  const base = o.base ?? mkdtempSync(join(tmpdir(), 'nfsts-localio-it-'));
  const specs = o.exports ?? { '/export': 'rw,no_root_squash' };
  const roots: Record<string, string> = {};
  const exports: DirectoryExport[] = Object.entries(specs).map(([path, options]) => {
    const root = join(base, path.replace(/\//g, '_'));
    roots[path] = root;
    return { path, root, options };
  });
  for (const e of exports) mkdirSync(e.root, { recursive: true });
  const server = await startServer({
    exports, port: o.port ?? 0, host: '127.0.0.1', portmap: false,
    ...(o.localio !== undefined ? { localio: o.localio } : {}),
    ...(o.stateDir !== undefined ? { stateDir: o.stateDir } : {}),
  });
  let closed = false;
  return {
    server, base, roots,
    url(exportPath?: string): string {
      const e = exportPath === undefined ? server.exports[0] : server.exports.find((x) => x.path === exportPath);
      if (!e) throw new Error(`no export ${exportPath}`);
      return e.url;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await server.close();
      if (o.base === undefined) rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Descriptors of this process open on files under `dir`. */
export function fdsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${name}`);
      if (target.startsWith(dir + sep)) out.push(`${name} → ${target}`);
    } catch { /* the listing's own descriptor, or closed meanwhile */ }
  }
  return out;
}

/** Number of descriptors this process has open. */
export function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Waits (bounded) until `cond()` holds; returns whether it did. */
export async function until(cond: () => boolean, ms = 3000, stepMs = 10): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

/** Deterministic bytes (a simple LCG), so two runs write and expect the same data. */
export function pattern(len: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/**
 * The seed of a storm's schedule: NFSTS_SEED when set, else drawn now; printed as a tap
 * comment so a failing schedule can be rerun exactly.
 */
export function stormSeed(t: { comment(...m: unknown[]): void }): number {
  const env = process.env.NFSTS_SEED;
  const seed = env !== undefined && env !== '' ? Number(env) >>> 0 : randomInt(2 ** 31);
  t.comment(`seed ${seed} (rerun with NFSTS_SEED=${seed})`);
  return seed;
}

/** Is this what a client gets over RPC from a server that has gone away (connection refused, reset, closed)? */
export function isRpcGoneError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('ERR_RPC_') || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE');
}

/** 'ok' when `p` resolves, else the code of what it rejected with (the status a test compares). */
export async function errCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
}
