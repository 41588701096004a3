/**
 * Our server in another process, for the `rpc-child` target: the realistic deployment, and
 * the one LOCALIO cannot help. `node child-server.js ROOT [--metrics]` prints one JSON line
 * `{ "url": ..., "metricsUrl": ... }` once it listens and closes cleanly on SIGTERM or when stdin
 * ends. With `--metrics` (the suite's default) a Prometheus endpoint on a free loopback port gives
 * the server-side latency per procedure (server-metrics.ts) at the cost of a clock read per call;
 * the scripts that run this file directly (bench-server-cpu, bench-libnfs) go without.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startServer } from '@nfsts/server';
import { heapRequester, reportHeapOnRequest, type HeapFigures } from '../soak/heap.js';

const self = fileURLToPath(import.meta.url);

async function main(root: string, metrics: boolean): Promise<void> {
  const s = await startServer({
    exports: [{ path: '/export', root, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1', portmap: false,
    ...(metrics ? { metrics: '127.0.0.1:0' } : {}),
  });
  // started with an IPC channel (`heap: true`): the soak asks for the V8 heap's figures on it
  if (process.send !== undefined) reportHeapOnRequest();
  process.stdout.write(`${JSON.stringify({ url: s.url, metricsUrl: s.metrics?.url })}\n`);
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    void s.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  // the parent holds our stdin: if it dies without stopping us, we go too
  process.stdin.resume();
  process.stdin.once('end', stop);
}

export interface ChildServer {
  url: string; pid: number; /** its Prometheus endpoint */ metricsUrl: string | undefined; stop(): Promise<void>;
  /** started with `heap: true`: its V8 heap now (undefined once it is gone) */
  heap?: () => Promise<HeapFigures | undefined>;
}

/** Starts the server process over `root`; rejects with its stderr when it does not come up. */
export async function startChildServer(root: string, timeoutMs = 20_000, { metrics = true, heap = false, nodeArgs = [] }: { metrics?: boolean; heap?: boolean; /** node/V8 flags for the server alone */ nodeArgs?: readonly string[] } = {}): Promise<ChildServer> {
  const p: ChildProcess = spawn(process.execPath, [...process.execArgv, ...nodeArgs, self, root, ...(metrics ? ['--metrics'] : [])], { stdio: ['pipe', 'pipe', 'pipe', ...(heap ? ['ipc' as const] : [])] });
  let stderr = '';
  p.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: p.stdout! });
      const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      rl.once('line', (l) => { clearTimeout(timer); rl.close(); resolve(l); });
      p.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}: ${stderr.trim()}`)); });
    });
    const { url, metricsUrl } = JSON.parse(line) as { url: string; metricsUrl?: string };
    return {
      url,
      pid: p.pid!,
      metricsUrl,
      ...(heap ? { heap: heapRequester(p) } : {}),
      stop: async () => {
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
        await exited;
      },
    };
  } catch (err) {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await exited;
    throw err;
  }
}

if (process.argv[1] === self) {
  const root = process.argv[2];
  if (root === undefined) {
    process.stderr.write('usage: child-server.js ROOT [--metrics]\n');
    process.exit(2);
  }
  await main(root, process.argv[3] === '--metrics');
}
