/**
 * The `localio-worker` target: LOCALIO from a worker thread (issue 11). The server runs in
 * the suite's main thread, the job's client in its piscina worker: the client is bound across
 * threads (UUID_IS_LOCAL answered through a BroadcastChannel, opens decided in the main
 * thread) and then reads and writes the server's descriptors from its own thread, as the
 * same-thread `localio` target does. Compare the two at the same queue depth.
 */
import { startServer } from '@nfsts/server';

export interface MainThreadServer { url: string; stop(): Promise<void> }

/** Our server over `root` in this (the suite's main) thread, LOCALIO on. */
export async function startMainThreadServer(root: string): Promise<MainThreadServer> {
  const server = await startServer({
    exports: [{ path: '/export', root, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1', portmap: false, localio: true,
  } as Parameters<typeof startServer>[0]);
  return { url: server.url, stop: () => server.close() };
}
