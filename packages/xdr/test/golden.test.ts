import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as xdr from '../src/index.js';
import { XdrReader, XdrWriter, type Codec, type ProcedureTable } from '../src/index.js';

// dist/test → packages/xdr → packages → the repository, whose test/fixtures holds the capture
// (scripts/capture-golden.mjs makes it; see test/fixtures/README.md).
const fixture = fileURLToPath(new URL('../../../../test/fixtures/nfs3-wire.jsonl', import.meta.url));

interface Pair {
  server?: string;
  client: string;
  prog: number;
  vers: number;
  proc: number;
  name: string;
  status: string;
  call: string;
  reply: string;
}

const tables: Record<number, Record<number, ProcedureTable>> = {
  [xdr.NFS_PROGRAM]: { [xdr.NFS_V3]: xdr.NFS_V3_PROCEDURES },
  [xdr.MOUNT_PROGRAM]: { [xdr.MOUNT_V1]: xdr.MOUNT_V1_PROCEDURES, [xdr.MOUNT_V3]: xdr.MOUNT_V3_PROCEDURES },
};

/** Decodes header + body with no bytes left over and re-encodes; returns the decoded parts. */
function check(buf: Buffer, body: Codec<unknown> | ((h: xdr.rpc_msg) => Codec<unknown> | null) | null, known: boolean) {
  const r = new XdrReader(buf);
  const header = xdr.xdr_rpc_msg.decode(r);
  const codec = typeof body === 'function' ? body(header) : body;
  const value = codec === null ? undefined : codec.decode(r);
  // A program without codecs here (NFS_ACL): its body stays opaque, only the header is checked.
  const end = known ? buf.length : r.pos;
  if (known) r.assertDone('the record');
  const w = new XdrWriter(xdr.xdr_rpc_msg.size(header) + (codec === null ? 0 : codec.size(value)));
  xdr.xdr_rpc_msg.encode(w, header);
  if (codec !== null) codec.encode(w, value);
  return { header, value, same: w.pos === end && w.buf.equals(buf.subarray(0, end)) };
}

t.test('every call and reply of real clients against nfs-ganesha and our server decodes completely and re-encodes byte for byte', async (t) => {
  const pairs = readFileSync(fixture, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Pair);
  t.ok(pairs.length > 0, `${pairs.length} pairs`);
  const seen = new Set<string>();
  for (const p of pairs) {
    const what = `${p.client}→${p.server ?? 'ganesha'} ${p.prog}/${p.vers} ${p.name} (${p.status})`;
    const row = tables[p.prog]?.[p.vers]?.[p.proc];
    const known = p.prog === xdr.NFS_PROGRAM || p.prog === xdr.MOUNT_PROGRAM;
    if (known) {
      t.ok(row, `${what}: a procedure table row`);
      if (row === undefined) continue;
      t.equal(row.name, p.name.replace(/^.*PROC3?_/, ''), `${what}: table names the procedure`);
      seen.add(`${p.prog}/${p.proc}`);
    }

    const call = check(Buffer.from(p.call, 'hex'), row?.args ?? null, known);
    t.ok(call.same, `${what}: call re-encodes to the same bytes`);
    t.equal(call.header.body.mtype, xdr.msg_type.CALL);
    if (call.header.body.mtype === xdr.msg_type.CALL) {
      const c = call.header.body.cbody;
      t.same([c.rpcvers, c.prog, c.vers, c.proc], [2, p.prog, p.vers, p.proc], `${what}: call header`);
      if (c.cred.flavor === xdr.auth_flavor.AUTH_SYS) {
        const sys = xdr.decode(xdr.xdr_authsys_parms, c.cred.body, 'AUTH_SYS credentials');
        t.ok(sys.machinename.length > 0, `${what}: AUTH_SYS from ${sys.machinename}`);
      }
    }

    // Results follow the header only in an accepted, successful reply.
    const reply = check(Buffer.from(p.reply, 'hex'), (h) => {
      if (h.body.mtype !== xdr.msg_type.REPLY || row === undefined) return null;
      const rb = h.body.rbody;
      if (rb.stat !== xdr.reply_stat.MSG_ACCEPTED || rb.areply.reply_data.stat !== xdr.accept_stat.SUCCESS) return null;
      return row.res;
    }, known);
    t.ok(reply.same, `${what}: reply re-encodes to the same bytes`);
    t.equal(reply.header.xid, call.header.xid, `${what}: xids match`);
    const m = /^(status|accept_stat)=(\d+)$/.exec(p.status);
    if (m?.[1] === 'status' && known) {
      t.equal((reply.value as { status?: number; fhs_status?: number }).status ?? (reply.value as { fhs_status?: number }).fhs_status, Number(m[2]), `${what}: result status`);
    } else if (m?.[1] === 'accept_stat' && reply.header.body.mtype === xdr.msg_type.REPLY) {
      const rb = reply.header.body.rbody;
      t.ok(rb.stat === xdr.reply_stat.MSG_ACCEPTED && rb.areply.reply_data.stat === Number(m[2]), `${what}: accept_stat`);
    }
  }
  // The fixtures cover all 22 NFSv3 procedures.
  for (let proc = 0; proc <= 21; proc++) t.ok(seen.has(`${xdr.NFS_PROGRAM}/${proc}`), `NFSv3 procedure ${proc} is in the fixtures`);
});
