/**
 * The mounts the FUSE section measures, each served by processes other than the bench's own
 * (the bench does synchronous I/O on the mount, so it must never be the one answering it):
 *
 * - `rpc`:         `nfsts mount URL MNT`, our server in another process (`child-server.ts`)
 * - `localio`:     `nfsts serve DIR --mount MNT`: server and shim in one process, I/O by LOCALIO
 * - `fuse-native`: `native-adapter.ts` (libfuse 2 over our client) to the same child server
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('../../../../packages/cli/dist/src/main.js', import.meta.url));
const NATIVE_ADAPTER = fileURLToPath(new URL('./native-adapter.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

export interface Mounted {
  stop(): Promise<void>;
  /** the line the mount said it was ready with (`serve --mount` names LOCALIO and passthrough there) */
  readyLine?: string;
}

function isMounted(mnt: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === mnt);
}

/** Starts `args`, resolves with the first stdout line `ready` accepts; rejects with stderr if it exits first. */
async function startChild(args: string[], ready: (line: string) => boolean | string, mnt: string): Promise<Mounted> {
  const p: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  let readyLine = '';
  const stop = async (): Promise<void> => {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
    // a shim killed without unmounting leaves a dead mount: take it away lazily
    if (isMounted(mnt)) spawnSync('umount', ['-l', mnt], { stdio: 'ignore' });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: p.stdout! });
      const timer = setTimeout(() => reject(new Error(`not mounted within ${READY_TIMEOUT_MS / 1000} s: ${stderr.trim()}`)), READY_TIMEOUT_MS);
      rl.on('line', (l) => {
        const r = ready(l);
        if (r === false) return;
        clearTimeout(timer);
        readyLine = l;
        rl.close();
        if (typeof r === 'string') reject(new Error(r));
        else resolve();
      });
      p.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`)); });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop, readyLine };
}

/** Why our CLI cannot be used, or undefined. */
export function cliMissing(): string | undefined {
  return existsSync(CLI_MAIN) ? undefined : `${CLI_MAIN} is not built (pnpm build)`;
}

export function mountRpc(url: string, mnt: string): Promise<Mounted> {
  return startChild([CLI_MAIN, 'mount', url, mnt], (l) => l.startsWith('Mounted ') && (l.includes('(LOCALIO') ? 'the RPC mount went LOCALIO' : true), mnt);
}

export function mountLocalio(root: string, stateDir: string, mnt: string): Promise<Mounted> {
  const args = [CLI_MAIN, 'serve', root, '--port', '0', '--no-portmap', '--no-lock', '--options', 'rw,no_root_squash', '--state-dir', stateDir, '--log-level', 'warn', '--mount', mnt];
  return startChild(args, (l) => l.startsWith('Mounted ') && (l.includes('(LOCALIO') ? true : 'serve --mount did not get LOCALIO'), mnt);
}

/** Resolves with the mount, or with `{ skip }` when fuse-native cannot be loaded here. */
export async function mountFuseNative(url: string, mnt: string): Promise<Mounted | { skip: string }> {
  let skip: string | undefined;
  const m = await startChild([NATIVE_ADAPTER, url, mnt], (l) => {
    if (!l.startsWith('{')) return false;
    const j = JSON.parse(l) as { mounted?: boolean; skip?: string; error?: string };
    if (j.skip !== undefined) { skip = j.skip; return true; }
    return j.mounted === true ? true : (j.error ?? l);
  }, mnt);
  if (skip !== undefined) {
    await m.stop();
    return { skip };
  }
  return m;
}
