// Issue 9 item 5: LOCALIO never grants what RPC refuses, also after the open. A second uid
// that opened a 0666 file through LOCALIO must lose write access when the owner sets 0644
// (and read access when it sets 0600), exactly when an RPC WRITE/READ from the same
// credential starts being refused. The owner changes the mode over NFS in one case and with
// a local chmod in the other (the server learns nothing about that one but the ctime).
import t, { type Test } from 'tap';
import { chmodSync, chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NfsClient } from '@nfsts/client';
import { errCode, startLocalServer, type LocalServer } from '../src/localio-helpers.js';

const root = process.getuid?.() === 0;
// the file's owner: when we run as root, uid 1000 (root itself would be squashed)
const OWNER = root ? 1000 : (process.getuid?.() ?? 1000);
const OTHER = OWNER + 1;

const ls: LocalServer = await startLocalServer({ exports: { '/export': 'rw' } });
t.teardown(() => ls.close());

function makeFile(name: string): string {
  const p = join(ls.roots['/export']!, name);
  writeFileSync(p, Buffer.alloc(4096, 'o'));
  chmodSync(p, 0o666);
  if (root) chownSync(p, OWNER, OWNER);
  return p;
}

async function revoke(tt: Test, name: string, how: 'nfs' | 'local'): Promise<void> {
  const path = makeFile(name);
  const owner = await connect(ls.url(), { uid: OWNER, gid: OWNER, gids: [], localio: false });
  const other = await connect(ls.url(), { uid: OTHER, gid: OTHER, gids: [], localio: true });
  const rpc = await connect(ls.url(), { uid: OTHER, gid: OTHER, gids: [], localio: false });
  const setMode = async (mode: number): Promise<void> => {
    if (how === 'nfs') await owner.chmod(name, mode);
    else chmodSync(path, mode);
  };
  try {
    tt.ok(other.isLocal, 'the second uid\'s client is local');
    const fh = (await other.open(name, 'r')).fh;
    const rpcFh = (await rpc.open(name, 'r')).fh;
    const w = (c: NfsClient, h: Buffer, byte: string): Promise<string> => errCode(c.transport.write(h, 0n, Buffer.alloc(16, byte), 2));
    const r = (c: NfsClient, h: Buffer): Promise<string> => errCode(c.transport.read(h, 0n, Buffer.alloc(16)));
    // UNSTABLE and small: the transport's synchronous fast path, which must re-check the grant too
    const wu = (c: NfsClient, h: Buffer, byte: string): Promise<string> => errCode(c.transport.write(h, 0n, Buffer.alloc(16, byte), 0));

    tt.equal(await w(other, fh, 'a'), 'ok', '0666: LOCALIO write by the second uid');
    tt.equal(await r(other, fh), 'ok', '0666: LOCALIO read by the second uid');
    const s0 = other.stats();
    tt.ok(s0.writesLocal >= 1 && s0.readsLocal >= 1, `0666: both went local (writes ${s0.writesLocal}, reads ${s0.readsLocal})`);
    const f0 = other.stats();
    tt.equal(await wu(other, fh, 'a'), 'ok', '0666: LOCALIO UNSTABLE write by the second uid');
    tt.equal(await r(other, fh), 'ok', '0666: and a read');
    const f1 = other.stats();
    tt.equal(f1.writesSync - f0.writesSync, 1, 'that write took the synchronous fast path');
    tt.equal(f1.readsSync - f0.readsSync, 1, 'and so did the read');
    tt.equal(await w(rpc, rpcFh, 'b'), 'ok', '0666: RPC write by the second uid');

    await setMode(0o644);
    const refusedBefore = ls.server.localio.stats().refused;
    tt.equal(await w(rpc, rpcFh, 'c'), 'NFS3ERR_ACCES', '0644: RPC refuses the write');
    tt.equal(await w(other, fh, 'd'), 'NFS3ERR_ACCES', '0644: LOCALIO refuses the write too');
    tt.equal(await w(other, fh, 'd'), 'NFS3ERR_ACCES', '0644: and the next one');
    tt.equal(await wu(other, fh, 'd'), 'NFS3ERR_ACCES', '0644: and an UNSTABLE one (fast path)');
    tt.equal(other.stats().writesLocal, f1.writesLocal, 'no write went local after the chmod');
    tt.ok(ls.server.localio.stats().refused > refusedBefore, 'the server refused the fresh local open');
    tt.equal(readFileSync(path).subarray(0, 16).toString(), 'b'.repeat(16), 'the file holds the last write that was allowed');
    tt.equal(await r(other, fh), 'ok', '0644: reads still allowed, and LOCALIO still serves them');

    await setMode(0o600);
    tt.equal(await r(rpc, rpcFh), 'NFS3ERR_ACCES', '0600: RPC refuses the read');
    const f2 = other.stats();
    tt.equal(await r(other, fh), 'NFS3ERR_ACCES', '0600: LOCALIO refuses the read too');
    tt.equal(other.stats().readsLocal, f2.readsLocal, 'no read went local after the chmod');

    await setMode(0o666);
    tt.equal(await w(other, fh, 'e'), 'ok', '0666 again: the write is allowed again');
    tt.equal(await r(other, fh), 'ok', '0666 again: and the read');
    tt.equal(readFileSync(path).subarray(0, 16).toString(), 'e'.repeat(16), 'the new write landed');
    tt.ok(other.isLocal, 'refusals did not end LOCALIO for the client');
  } finally {
    await Promise.all([owner.close(), other.close(), rpc.close()]);
  }
}

t.test('a chmod by the owner over NFS revokes a LOCALIO grant as RPC refuses the next WRITE/READ', (tt) => revoke(tt, 'nfs-chmod.bin', 'nfs'));
t.test('a local chmod by the owner revokes a LOCALIO grant (the server sees only the ctime change)', (tt) => revoke(tt, 'local-chmod.bin', 'local'));
