/**
 * The server under attack in the resource-exhaustion test, in a process of its own so that
 * its memory is measured alone: `fork(this, [ROOT, LIMITS_JSON])`. It sends
 * `{ type: 'listening', url, limits }` (limits: whether startServer took them), then answers
 * the message 'sample' with `{ type: 'sample', rss, heapUsed, external, stats }` (stats: the
 * RPC server's limit counters, or null where the server has none) and 'stop' by closing.
 */
interface Started { url: string; port: number; rpcStats?: () => unknown; close(): Promise<void> }
type StartServer = (o: Record<string, unknown>) => Promise<Started>;

const [root, limitsJson] = process.argv.slice(2);
const spec = '@nfsts/server';
const { startServer } = (await import(spec)) as { startServer: StartServer };
const base = { exports: [{ path: '/export', root, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1', portmap: false };
let server: Started;
let limits = true;
try {
  server = await startServer({ ...base, limits: JSON.parse(limitsJson ?? '{}') as unknown });
} catch (err) {
  // a server from before the limits (the test is run once against it to show that it fails)
  if ((err as { property?: string }).property !== 'limits') throw err;
  limits = false;
  server = await startServer(base);
}
const send = (m: unknown): void => {
  process.send!(m);
};
process.on('message', (m) => {
  if (m === 'sample') {
    const mem = process.memoryUsage();
    send({ type: 'sample', rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, stats: server.rpcStats?.() ?? null });
  } else if (m === 'stop') {
    void server.close().then(() => process.exit(0));
  }
});
send({ type: 'listening', url: server.url, port: server.port, limits });
