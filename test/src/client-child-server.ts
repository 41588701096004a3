/**
 * Runs this project's server in a child process so a test can kill and restart it (a new
 * process = a new write verifier). Usage: node client-child-server.js ROOT STATEDIR PORT
 * Prints one JSON line `{ "url": ..., "port": ... }` when listening; SIGTERM closes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

interface Started { port: number; url: string; close(): Promise<void> }

async function main(): Promise<void> {
  const [root, stateDir, port] = process.argv.slice(2);
  const spec = '@nfsts/server';
  const mod = (await import(spec)) as { startServer: (o: unknown) => Promise<Started> };
  const s = await mod.startServer({
    exports: [{ path: '/export', root, options: 'rw,no_root_squash' }], port: Number(port), host: '127.0.0.1', stateDir, portmap: false,
  });
  process.stdout.write(`${JSON.stringify({ url: s.url, port: s.port })}\n`);
  process.once('SIGTERM', () => { void s.close().then(() => process.exit(0)); });
}

export interface ChildServer {
  url: string;
  port: number;
  /** SIGKILL the process (no clean close: what a crash looks like) */
  kill(): Promise<void>;
  /** start it again on the same port, same root and state dir */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const self = fileURLToPath(import.meta.url);

/** Starts the child server; port 0 picks one, which restarts reuse. */
export async function startChildServer(root: string, stateDir: string): Promise<ChildServer> {
  let proc: ChildProcess | undefined;
  let port = 0;
  let url = '';
  const start = async (): Promise<void> => {
    const p = spawn(process.execPath, [self, root, stateDir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    proc = p;
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: p.stdout! });
      rl.once('line', (l) => { rl.close(); resolve(l); });
      p.once('exit', (code) => reject(new Error(`child server exited with ${code} before listening`)));
    });
    const info = JSON.parse(line) as { url: string; port: number };
    port = info.port;
    url = info.url;
  };
  const exited = (p: ChildProcess): Promise<void> => new Promise((r) => { if (p.exitCode !== null || p.signalCode !== null) r(); else p.once('exit', () => r()); });
  await start();
  const srv: ChildServer = {
    get url() { return url; },
    get port() { return port; },
    kill: async () => { const p = proc; if (p) { p.kill('SIGKILL'); await exited(p); } proc = undefined; },
    start,
    stop: async () => { const p = proc; if (p) { p.kill('SIGTERM'); await exited(p); } proc = undefined; },
  };
  return srv;
}

if (process.argv[1] === self) await main();
