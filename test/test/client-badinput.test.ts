// Bad input from a server: a raw TCP server answers MNT and FSINFO properly (so connect()
// succeeds) and then answers GETATTR with truncated replies, wrong XIDs, garbage or a 4 GiB
// record mark. The client must reject each call with a typed error, never hang past its
// timeout, and keep no pending calls.
import t from 'tap';
import { createServer, type Server, type Socket } from 'node:net';
import { XdrWriter, xdr_mountres3, xdr_FSINFO3res, encode, mountstat3, nfsstat3, type FSINFO3res, type mountres3 } from '@nfsts/xdr';
import { isRpcError } from '@nfsts/rpc';
import { connect, type NfsClient } from '@nfsts/client';

type Mode = 'mnt-truncated' | 'mnt-silent' | 'truncated' | 'wrongxid' | 'garbage-body' | 'garbage-record' | 'huge-mark' | 'short-record' | 'close';

function acceptedHeader(xid: number, bodyLen: number): XdrWriter {
  const w = new XdrWriter(4 + 24 + bodyLen);
  w.u32(0); // record mark, filled in by send
  w.u32(xid); w.u32(1); w.u32(0); w.u32(0); w.u32(0); w.u32(0); // REPLY, MSG_ACCEPTED, AUTH_NONE verf, SUCCESS
  return w;
}

function send(sock: Socket, xid: number, body: Buffer): void {
  const w = acceptedHeader(xid, body.length);
  body.copy(w.buf, w.pos);
  w.buf.writeUInt32BE((0x80000000 | (w.buf.length - 4)) >>> 0, 0);
  sock.write(w.buf);
}

const mnt: mountres3 = { fhs_status: mountstat3.MNT3_OK, mountinfo: { fhandle: Buffer.from('rootfh01'), auth_flavors: [1] } };
const fsinfo: FSINFO3res = {
  status: nfsstat3.NFS3_OK,
  resok: {
    obj_attributes: { attributes_follow: false }, rtmax: 65536, rtpref: 65536, rtmult: 4096, wtmax: 65536, wtpref: 65536,
    wtmult: 4096, dtpref: 8192, maxfilesize: 1n << 40n, time_delta: { seconds: 0, nseconds: 1 }, properties: 0x1b,
  },
};

async function badServer(mode: Mode): Promise<{ server: Server; port: number }> {
  const server = createServer((sock) => {
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4) {
        const len = buf.readUInt32BE(0) & 0x7fffffff;
        if (buf.length < 4 + len) break;
        const rec = buf.subarray(4, 4 + len);
        buf = buf.subarray(4 + len);
        const xid = rec.readUInt32BE(0);
        const prog = rec.readUInt32BE(12);
        const proc = rec.readUInt32BE(20);
        if (prog === 100005 && proc === 1) {
          if (mode === 'mnt-truncated') send(sock, xid, encode(xdr_mountres3, mnt).subarray(0, 10));
          else if (mode !== 'mnt-silent') send(sock, xid, encode(xdr_mountres3, mnt));
          continue;
        }
        if (prog === 100003 && proc === 19) { send(sock, xid, encode(xdr_FSINFO3res, fsinfo)); continue; }
        switch (mode) {
          case 'truncated': { // NFS3_OK then half an fattr3
            const body = Buffer.alloc(4 + 4 + 30);
            body.writeUInt32BE(0, 0); body.writeUInt32BE(1, 4);
            send(sock, xid, body);
            break;
          }
          case 'wrongxid':
            send(sock, (xid ^ 0x5a5a5a5a) >>> 0, Buffer.alloc(8));
            break;
          case 'garbage-body': { // right xid, msg_type 7
            const g = Buffer.alloc(40, 0xa7);
            g.writeUInt32BE(xid, 0);
            g.writeUInt32BE(7, 4);
            const mark = Buffer.alloc(4);
            mark.writeUInt32BE((0x80000000 | g.length) >>> 0, 0);
            sock.write(Buffer.concat([mark, g]));
            break;
          }
          case 'garbage-record':
            sock.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
            break;
          case 'huge-mark': // last fragment of 2^31-1 bytes: a 4 GiB-class record mark
            sock.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]));
            break;
          case 'short-record': // a complete record too short to hold an xid
            sock.write(Buffer.from([0x80, 0, 0, 2, 9, 9]));
            break;
          case 'close':
            sock.destroy();
            break;
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { server, port: typeof a === 'object' && a !== null ? a.port : 0 };
}

const TIMEOUT = 500;
const cases: Array<[Mode, string[]]> = [
  ['truncated', ['ERR_RPC_BAD_REPLY']],
  ['wrongxid', ['ERR_RPC_TIMEOUT']],
  ['garbage-body', ['ERR_RPC_BAD_REPLY']],
  ['garbage-record', ['ERR_RPC_TIMEOUT', 'ERR_RPC_BAD_REPLY', 'ERR_RPC_RECORD_TOO_LARGE', 'ERR_RPC_CONNECT']],
  ['huge-mark', ['ERR_RPC_RECORD_TOO_LARGE']],
  ['short-record', ['ERR_RPC_TIMEOUT', 'ERR_RPC_BAD_REPLY', 'ERR_RPC_CONNECT']],
  ['close', ['ERR_RPC_TIMEOUT', 'ERR_RPC_CONNECT']],
];

for (const [mode, codes] of cases) {
  t.test(`bad server reply: ${mode} -> ${codes.join(' or ')}`, async (tt) => {
    const { server, port } = await badServer(mode);
    let c: NfsClient | undefined;
    try {
      c = await connect({ host: '127.0.0.1', export: '/x', nfsPort: port, mountPort: port, timeoutMs: TIMEOUT, actimeoMs: 0, retries: 0,
        reconnect: { retries: 2, minDelayMs: 10, maxDelayMs: 50 } });
      tt.equal(c.rsize, 65536, 'connected: rsize from FSINFO');
      const client = c;
      let guard: NodeJS.Timeout | undefined;
      const hang = new Promise<'hang'>((r) => { guard = setTimeout(() => r('hang'), TIMEOUT * 8 + 2000); });
      const outcome = await Promise.race([client.stat('/').then(() => 'resolved' as const, (e: unknown) => e), hang]);
      clearTimeout(guard);
      tt.not(outcome, 'hang', 'the call settled (no hang past the timeout)');
      tt.not(outcome, 'resolved', 'the call did not succeed');
      tt.ok(isRpcError(outcome), `a typed RpcError: ${(outcome as Error).message}`);
      tt.ok(codes.includes((outcome as { code: string }).code), `code ${(outcome as { code: string }).code}`);
      // several at once, too: all settle, none left pending
      const many = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => client.raw.getattr({ object: { data: Buffer.from(`fh${i}`) } })));
      tt.ok(many.every((r) => r.status === 'rejected' && isRpcError(r.reason)), 'eight concurrent calls all rejected with typed errors');
      tt.equal(client.rpcClient.pendingCount, 0, 'no pending calls left');
    } finally {
      await c?.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
    tt.equal(c?.rpcClient.pendingCount, 0, 'no pending calls after close');
  });
}

for (const [mode, code] of [['mnt-truncated', 'ERR_RPC_BAD_REPLY'], ['mnt-silent', 'ERR_RPC_TIMEOUT']] as const) {
  t.test(`bad server reply to MNT: ${mode} -> connect() rejects with ${code}`, async (tt) => {
    const { server, port } = await badServer(mode);
    try {
      await tt.rejects(connect({ host: '127.0.0.1', export: '/x', nfsPort: port, mountPort: port, timeoutMs: TIMEOUT }), { name: 'RpcError', code });
      let open = -1;
      for (let i = 0; i < 100 && open !== 0; i++) { // the server sees the FIN a moment later
        open = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
        if (open !== 0) await new Promise((r) => setTimeout(r, 20));
      }
      tt.equal(open, 0, 'connect() left no connection open');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
}
