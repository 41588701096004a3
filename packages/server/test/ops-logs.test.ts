/**
 * The log lines an operator needs, at their levels: refused MOUNTs, refused clients (allow-list
 * and `secure`), AUTH_ERROR, a stale-handle storm (warn, with client and reason), and a
 * client's reset connection (one debug line, no error object).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { pino, type Logger } from 'pino';
import { RpcClient, authSys } from '@nfsts/rpc';
import { mountstat3, nfsstat3, xdr_dirpath, xdr_GETATTR3args, xdr_GETATTR3res, xdr_mountres3 } from '@nfsts/xdr';
import { startServer } from '../src/server.js';
import { STALE_STORM_COUNT } from '../src/nfs3/stale-watch.js';

type Line = Record<string, unknown> & { level: number; msg: string };

function capture(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const logger: Logger = pino({ level: 'trace' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  return { logger, lines };
}

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-logs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const WARN = 40;
const DEBUG = 20;

t.test('refused MOUNTs are warn lines with the client and the reason', async (t) => {
  const dir = tempDir(t);
  const { logger, lines } = capture();
  const server = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,secure' }], port: 0, logger });
  t.teardown(() => server.close());
  const rpc = new RpcClient({ host: '127.0.0.1', port: server.port, timeoutMs: 5000, cred: authSys({ uid: 0, gid: 0 }) });
  t.teardown(() => rpc.close());
  const r = await rpc.call(100005, 3, 1, xdr_dirpath, '/export', xdr_mountres3);
  t.equal(r.fhs_status, mountstat3.MNT3ERR_ACCES, 'an unprivileged source port is refused by "secure"');
  const secure = lines.find((l) => l.msg === 'mount refused' && l.export === '/export');
  t.equal(secure?.level, WARN);
  t.equal(secure?.client, '127.0.0.1');
  t.match(secure?.reason, /^the export is "secure" and the client's source port \d+ is not below 1024$/);
  const nf = await rpc.call(100005, 3, 1, xdr_dirpath, '/elsewhere', xdr_mountres3);
  t.equal(nf.fhs_status, mountstat3.MNT3ERR_NOENT);
  const noent = lines.find((l) => l.msg === 'mount refused' && l.dirpath === '/elsewhere');
  t.equal(noent?.level, WARN);
  t.equal(noent?.reason, 'no export holds this path');
});

t.test('a client outside the allow-list is refused NFS access: one warn line per connection', async (t) => {
  const dir = tempDir(t);
  const { logger, lines } = capture();
  const server = await startServer({ exports: [{ path: '/export', root: dir, options: { clients: ['192.0.2.7'] } }], port: 0, logger });
  t.teardown(() => server.close());
  const rpc = new RpcClient({ host: '127.0.0.1', port: server.port, timeoutMs: 5000, cred: authSys({ uid: 0, gid: 0 }) });
  t.teardown(() => rpc.close());
  const root = { data: server.core.exports[0]!.rootHandle };
  for (let i = 0; i < 3; i++) {
    const r = await rpc.call(100003, 3, 1, xdr_GETATTR3args, { object: root }, xdr_GETATTR3res);
    t.equal(r.status, nfsstat3.NFS3ERR_ACCES);
  }
  const refused = lines.filter((l) => l.msg === 'NFS access refused');
  t.equal(refused.length, 1, 'once, not per call');
  t.equal(refused[0]?.level, WARN);
  t.equal(refused[0]?.client, '127.0.0.1');
  t.equal(refused[0]?.reason, 'the client is not in the export\'s client list');
});

t.test('AUTH_ERROR is a warn line with the client; a reset connection is one debug line', async (t) => {
  const dir = tempDir(t);
  const { logger, lines } = capture();
  const server = await startServer({ exports: [{ path: '/export', root: dir }], port: 0, logger });
  t.teardown(() => server.close());
  // a NULL call with credential flavor 6 (RPCSEC_GSS), which we do not speak
  const call = Buffer.alloc(44);
  call.writeUInt32BE(0x80000000 + 40, 0);
  [1, 0, 2, 100003, 3, 0, 6, 0, 0, 0].forEach((v, i) => call.writeUInt32BE(v, 4 + i * 4));
  const sock = connect(server.port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(call);
  sock.write(call);
  const [reply] = (await once(sock, 'data')) as [Buffer];
  t.equal(reply.readUInt32BE(12), 1, 'MSG_DENIED');
  t.equal(reply.readUInt32BE(16), 1, 'AUTH_ERROR');
  for (let i = 0; i < 50 && lines.filter((l) => /AUTH_ERROR/.test(l.msg)).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  const auth = lines.filter((l) => /credentials refused \(AUTH_ERROR\)/.test(l.msg));
  t.equal(auth[0]?.level, WARN, 'the first at warn');
  t.equal(auth[0]?.client, '127.0.0.1');
  t.equal(auth[0]?.reason, 'unsupported credential flavor 6');
  t.equal(auth[1]?.level, DEBUG, 'the next on the same connection at debug');
  sock.resetAndDestroy();
  for (let i = 0; i < 100 && !lines.some((l) => l.msg === 'client went away'); i++) await new Promise((r) => setTimeout(r, 10));
  const gone = lines.find((l) => l.msg === 'client went away');
  t.equal(gone?.level, DEBUG);
  t.equal(gone?.code, 'ECONNRESET');
  t.notOk(lines.some((l) => l.msg === 'connection error'), 'no error object with a stack');
});

t.test('a stale-handle storm is one warn line naming the client', async (t) => {
  const dir = tempDir(t);
  const { logger, lines } = capture();
  const server = await startServer({ exports: [{ path: '/export', root: dir, options: 'rw,no_root_squash' }], port: 0, logger });
  t.teardown(() => server.close());
  const { writeFileSync, rmSync: rm } = await import('node:fs');
  writeFileSync(join(dir, 'gone'), 'x');
  const rpc = new RpcClient({ host: '127.0.0.1', port: server.port, timeoutMs: 5000, cred: authSys({ uid: 0, gid: 0 }) });
  t.teardown(() => rpc.close());
  const { xdr_LOOKUP3args, xdr_LOOKUP3res } = await import('@nfsts/xdr');
  const root = { data: server.core.exports[0]!.rootHandle };
  const look = await rpc.call(100003, 3, 3, xdr_LOOKUP3args, { what: { dir: root, name: 'gone' } }, xdr_LOOKUP3res);
  const fh = (look as { resok: { object: { data: Buffer } } }).resok.object;
  rm(join(dir, 'gone'));
  for (let i = 0; i < STALE_STORM_COUNT + 5; i++) {
    const r = await rpc.call(100003, 3, 1, xdr_GETATTR3args, { object: fh }, xdr_GETATTR3res);
    t.equal(r.status, nfsstat3.NFS3ERR_STALE);
  }
  const storms = lines.filter((l) => /stale file handle storm/.test(l.msg));
  t.equal(storms.length, 1, 'once per window');
  t.equal(storms[0]?.level, WARN);
  t.equal(storms[0]?.client, '127.0.0.1');
  t.equal(storms[0]?.stale, STALE_STORM_COUNT);
});
