/**
 * A client that is not in the server's thread: run as a child process
 * (`node localio-remote-client.js URL [NAME]`) or as a worker thread (workerData: { url, name, ownServer? }). It writes
 * and reads back a file through @nfsts/client with LOCALIO on (the default), while a LOCALIO
 * server of its own is published in its process or thread, and reports one
 * JSON result: whether it was local, its counters, and whether the data came back exact.
 * Used by test/test/localio-notlocal.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { connect } from '@nfsts/client';
import { startServer } from '@nfsts/server';

export interface RemoteResult {
  isLocal: boolean;
  readsLocal: number;
  readsRpc: number;
  writesLocal: number;
  writesRpc: number;
  probes: number;
  probesLocal: number;
  dataOk: boolean;
  error?: string;
}

async function run(url: string, name: string, ownServer = true): Promise<RemoteResult> {
  // a LOCALIO server of our own in this process/thread, so the client does probe (a client in
  // a main thread skips the probe when no server in its thread could bind it): the point is
  // that the other server, in another process, cannot bind our uuid (one in another thread can)
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-localio-remote-'));
  const own = ownServer ? await startServer({ exports: [{ path: '/own', root: dir }], port: 0, host: '127.0.0.1', portmap: false }) : null;
  const c = await connect(url);
  try {
    const data = Buffer.alloc(64 * 1024, name);
    await c.writeFile(name, data);
    const h = await c.open(name, 'r');
    const back = Buffer.alloc(data.length);
    await h.read(back, 0, back.length, 0);
    await h.close();
    const s = c.stats();
    return {
      isLocal: c.isLocal, readsLocal: s.readsLocal, readsRpc: s.readsRpc, writesLocal: s.writesLocal, writesRpc: s.writesRpc,
      probes: s.probes, probesLocal: s.probesLocal, dataOk: back.equals(data),
    };
  } finally {
    await c.close();
    await own?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fail = (err: unknown): RemoteResult => ({
  isLocal: false, readsLocal: -1, readsRpc: -1, writesLocal: -1, writesRpc: -1, probes: -1, probesLocal: -1, dataOk: false, error: String(err),
});

if (!isMainThread && parentPort !== null && (workerData as { url?: unknown } | null)?.url !== undefined) {
  const { url, name, ownServer } = workerData as { url: string; name: string; ownServer?: boolean };
  const port = parentPort;
  run(url, name, ownServer ?? true).then((r) => port.postMessage(r), (err: unknown) => port.postMessage(fail(err)));
} else if (isMainThread && process.argv[2] !== undefined && process.argv[1]?.endsWith('localio-remote-client.js')) {
  run(process.argv[2], process.argv[3] ?? 'child.bin').then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => { process.stdout.write(`${JSON.stringify(fail(err))}\n`); process.exitCode = 1; },
  );
}
