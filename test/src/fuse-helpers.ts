/**
 * FUSE test harness: a server on loopback, a FUSE mount of it in this process, and shell
 * commands run on the mount in child processes (this process must not touch the mount with
 * synchronous calls: it is the one answering them). Every mount is unmounted in teardown,
 * lazily if busy, with the connection aborted through fusectl as the last resort, so a failed
 * test leaves no stale mount behind.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mount, type FuseMount, type FuseMountOptions } from '@nfsts/fuse';
import { startServer, type NfsServer } from '@nfsts/server';

/** why FUSE tests cannot run here, or null when they can */
export function fuseSkipReason(): string | null {
  if (process.platform !== 'linux') return 'FUSE mounts need Linux';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  if (process.getuid?.() !== 0) return 'these tests mount as root and switch users with setpriv';
  return null;
}

export interface ShResult { code: number; out: string; err: string }

/** `sh -c cmd` with MNT and EXP replaced; never rejects */
export function sh(cmd: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<ShResult> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', cmd], { env: { ...process.env, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (err, out, errout) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 128;
      resolve({ code, out: String(out), err: String(errout) });
    });
  });
}

function mountedAt(mnt: string): string | null {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[4] === mnt) return f[2] ?? null;
  }
  return null;
}

/** the last resort: abort the FUSE connection (fusectl) and detach the mount */
export async function forceUnmount(mnt: string): Promise<void> {
  const dev = mountedAt(mnt);
  if (dev === null) return;
  const minor = dev.split(':')[1];
  const ctl = '/sys/fs/fuse/connections';
  if (!existsSync(join(ctl, String(minor)))) await sh(`mount -t fusectl none ${ctl} 2>/dev/null`);
  try {
    writeFileSync(join(ctl, String(minor), 'abort'), '1');
  } catch {
    // not a FUSE connection we can see
  }
  await sh(`umount -l '${mnt}'`);
}

export function isMounted(mnt: string): boolean {
  return mountedAt(mnt) !== null;
}

export interface FuseFixture {
  base: string;
  exp: string;
  mnt: string;
  server: NfsServer;
  m: FuseMount;
  stateDir: string;
  /** commands with MNT/EXP set in the environment */
  sh(cmd: string, env?: Record<string, string>): Promise<ShResult>;
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

export async function startFuse(t: { teardown(fn: () => unknown): void }, o: { options?: FuseMountOptions; exportOptions?: string } = {}): Promise<FuseFixture> {
  const base = mkdtempSync(join(tmpdir(), 'nfsts-fuse-'));
  // other users reach the mount point too (the allow_other test)
  chmodSync(base, 0o755);
  const exp = join(base, 'exp');
  const mnt = join(base, 'mnt');
  const stateDir = join(base, 'state');
  mkdirSync(exp);
  mkdirSync(mnt);
  const exports = [{ path: '/export', root: exp, options: o.exportOptions ?? 'rw,no_root_squash' }];
  let server = await startServer({ exports, port: 0, host: '127.0.0.1', portmap: false, stateDir });
  const port = server.port;
  let m: FuseMount;
  try {
    m = await mount(server.exports[0]!.url, mnt, o.options ?? {});
  } catch (err) {
    await server.close();
    rmSync(base, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      await Promise.race([m.unmount(), new Promise((r) => setTimeout(r, 10_000))]);
    } finally {
      await forceUnmount(mnt);
      await server.close().catch(() => {});
      if (!isMounted(mnt)) rmSync(base, { recursive: true, force: true });
    }
  };
  t.teardown(close);
  return {
    base, exp, mnt, stateDir,
    get server() { return server; },
    m,
    sh: (cmd, env = {}) => sh(cmd, { MNT: mnt, EXP: exp, ...env }),
    async restartServer() {
      await server.close();
      server = await startServer({ exports, port, host: '127.0.0.1', portmap: false, stateDir });
    },
    close,
  };
}

/** A FUSE mount of `url` (another server's) on a fresh directory, unmounted in teardown. */
export async function mountUrl(t: { teardown(fn: () => unknown): void }, url: string, options: FuseMountOptions = {}): Promise<{ mnt: string; m: FuseMount; sh(cmd: string): Promise<ShResult> }> {
  const base = mkdtempSync(join(tmpdir(), 'nfsts-fuse-'));
  chmodSync(base, 0o755);
  const mnt = join(base, 'mnt');
  mkdirSync(mnt);
  const m = await mount(url, mnt, options);
  t.teardown(async () => {
    try {
      await Promise.race([m.unmount(), new Promise((r) => setTimeout(r, 10_000))]);
    } finally {
      await forceUnmount(mnt);
      if (!isMounted(mnt)) rmSync(base, { recursive: true, force: true });
    }
  });
  return { mnt, m, sh: (cmd) => sh(cmd, { MNT: mnt }) };
}

export function sizeOf(p: string): number {
  return statSync(p).size;
}
