/**
 * `startServer({ metrics })`: /metrics after a known workload of raw RPC calls (exact
 * counts), a refused credential, connection counts, and close() taking the endpoint down.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { RpcClient, authSys } from '@nfsts/rpc';
import {
  nfsstat3, xdr_dirpath, xdr_GETATTR3args, xdr_GETATTR3res, xdr_LOOKUP3args, xdr_LOOKUP3res, xdr_mountres3,
  xdr_READ3args, xdr_READ3res, xdr_void, mountstat3,
} from '@nfsts/xdr';
import { startServer } from '../src/server.js';

/** `name{labels} value` lines of a Prometheus text page, keyed by `name{labels}` as printed. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function scrape(url: string): Promise<{ text: string; m: Map<string, number> }> {
  const res = await fetch(url);
  const text = await res.text();
  return { text, m: parse(text) };
}

t.test('/metrics counts a known workload exactly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-metrics-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'f'), Buffer.alloc(10000, 1));
  const server = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, metrics: '127.0.0.1:0' });
  t.teardown(() => server.close());
  t.ok(server.metrics !== null && server.metrics.port > 0, 'endpoint bound');
  const url = server.metrics!.url;
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

  const rpc = new RpcClient({ host: '127.0.0.1', port: server.port, timeoutMs: 5000, cred: authSys({ uid: 0, gid: 0 }) });
  t.teardown(() => rpc.close());
  const mnt = await rpc.call(100005, 3, 1, xdr_dirpath, '/export', xdr_mountres3);
  t.equal(mnt.fhs_status, mountstat3.MNT3_OK);
  const root = { data: (mnt as { mountinfo: { fhandle: Buffer } }).mountinfo.fhandle };
  for (let i = 0; i < 5; i++) {
    const r = await rpc.call(100003, 3, 1, xdr_GETATTR3args, { object: root }, xdr_GETATTR3res);
    t.equal(r.status, nfsstat3.NFS3_OK);
  }
  const look = await rpc.call(100003, 3, 3, xdr_LOOKUP3args, { what: { dir: root, name: 'f' } }, xdr_LOOKUP3res);
  t.equal(look.status, nfsstat3.NFS3_OK);
  const fh = (look as { resok: { object: { data: Buffer } } }).resok.object;
  for (let i = 0; i < 3; i++) {
    const missing = await rpc.call(100003, 3, 3, xdr_LOOKUP3args, { what: { dir: root, name: `nope${i}` } }, xdr_LOOKUP3res);
    t.equal(missing.status, nfsstat3.NFS3ERR_NOENT);
  }
  const r1 = await rpc.call(100003, 3, 6, xdr_READ3args, { file: fh, offset: 0n, count: 4096 }, xdr_READ3res);
  const r2 = await rpc.call(100003, 3, 6, xdr_READ3args, { file: fh, offset: 8192n, count: 4096 }, xdr_READ3res);
  t.equal(r1.status, nfsstat3.NFS3_OK);
  t.equal(r2.status, nfsstat3.NFS3_OK);
  await rpc.call(100003, 3, 0, xdr_void, undefined, xdr_void);

  const { text, m } = await scrape(url);
  const nfs = (proc: string): string => `nfsts_rpc_calls_total{program="nfs",version="3",procedure="${proc}"}`;
  t.equal(m.get(nfs('GETATTR')), 5, 'GETATTR calls');
  t.equal(m.get(nfs('LOOKUP')), 4, 'LOOKUP calls');
  t.equal(m.get(nfs('READ')), 2, 'READ calls');
  t.equal(m.get(nfs('NULL')), 1, 'NULL calls');
  t.equal(m.get(nfs('WRITE')), 0, 'WRITE listed at 0');
  t.equal(m.get('nfsts_rpc_calls_total{program="mount",version="3",procedure="MNT"}'), 1, 'MNT calls');
  t.equal(m.get('nfsts_rpc_errors_total{program="nfs",version="3",procedure="LOOKUP",status="NFS3ERR_NOENT"}'), 3, 'NOENT by status');
  t.equal(m.get('nfsts_nfs_read_bytes_total'), 4096 + 1808, 'bytes read (the second READ is short: 10000 - 8192)');
  t.equal(m.get('nfsts_rpc_duration_seconds_count{program="nfs",version="3",procedure="GETATTR"}'), 5, 'latency histogram count');
  t.equal(m.get('nfsts_rpc_duration_seconds_bucket{program="nfs",version="3",procedure="GETATTR",le="+Inf"}'), 5, '+Inf bucket holds every call');
  t.equal(m.get('nfsts_rpc_in_flight'), 0);
  t.equal(m.get('nfsts_connections_open'), 1);
  t.equal(m.get('nfsts_connections_accepted_total'), 1);
  t.equal(m.get('nfsts_file_cache_misses_total'), 1, 'one open of f');
  t.equal(m.get('nfsts_file_cache_hits_total'), 1, 'the second READ hit it');
  t.ok((m.get('nfsts_handle_resolutions_total{how="index"}') ?? 0) >= 1, 'handles resolved through the index');
  t.ok(m.has('process_cpu_seconds_total'), 'process metrics');
  t.ok(m.has('nfsts_localio_binds_total') && m.has('nfsts_portmap_registrations'), 'LOCALIO and portmap figures');
  t.match(text, /# TYPE nfsts_rpc_duration_seconds histogram/);

  await rpc.close();
  // the server sees the close a moment later
  for (let i = 0; i < 100 && (await scrape(url)).m.get('nfsts_connections_closed_total{reason="normal"}') !== 1; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal((await scrape(url)).m.get('nfsts_connections_closed_total{reason="normal"}'), 1, 'closed connection counted');

  const notFound = await fetch(url.replace('/metrics', '/'));
  t.equal(notFound.status, 404);
  await notFound.text();
  await server.close();
  await t.rejects(fetch(url), 'endpoint closed with the server');
});

t.test('metrics: bad addresses name the option', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-metrics-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await t.rejects(startServer({ exports: [{ path: '/export', root: dir }], port: 0, metrics: 'localhost' }), { code: 'ERR_NFS_CONFIG', message: /^metrics: must be HOST:PORT/ });
  await t.rejects(startServer({ exports: [{ path: '/export', root: dir }], port: 0, metrics: '127.0.0.1:70000' }), { code: 'ERR_NFS_CONFIG' });
});

t.test('without metrics nothing is counted and no endpoint exists', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-metrics-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startServer({ exports: [{ path: '/export', root: dir }], port: 0 });
  t.teardown(() => server.close());
  t.equal(server.metrics, null);
});

t.test('two servers with metrics in one process each count their own calls', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-metrics-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = await startServer({ exports: [{ path: '/export', root: dir }], port: 0, metrics: { port: 0 } });
  t.teardown(() => a.close());
  const b = await startServer({ exports: [{ path: '/export', root: dir }], port: 0, metrics: { port: 0 } });
  t.teardown(() => b.close());
  const rpc = new RpcClient({ host: '127.0.0.1', port: a.port, timeoutMs: 5000 });
  await rpc.call(100003, 3, 0, xdr_void, undefined, xdr_void);
  await rpc.close();
  const ma = (await scrape(a.metrics!.url)).m;
  const mb = (await scrape(b.metrics!.url)).m;
  const nul = 'nfsts_rpc_calls_total{program="nfs",version="3",procedure="NULL"}';
  t.equal(ma.get(nul), 1);
  t.equal(mb.get(nul), 0);
  t.ok(ma.has('process_cpu_seconds_total') && mb.has('process_cpu_seconds_total'), 'both carry the process metrics');
});
