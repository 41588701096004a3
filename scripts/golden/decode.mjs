// A capture file → the call/reply pairs of the golden fixture. tshark does the TCP work
// (each frame's payload, in order, with its stream and direction) and checks the RPC layer
// (any malformed frame fails the capture); the records are then cut at record marking and a
// call is paired with the reply of the same xid on the same connection.
import { spawnSync } from 'node:child_process';

const root = new URL('../../', import.meta.url);
const xdr = await import(new URL('packages/xdr/dist/src/index.js', root).href);

const NAMES = {
  100003: Object.fromEntries(Object.entries(xdr.NFS_V3_PROCEDURES).map(([n, r]) => [n, r.name])),
  100005: Object.fromEntries(Object.entries(xdr.MOUNT_V3_PROCEDURES).map(([n, r]) => [n, r.name])),
  100227: { 0: 'NULL', 1: 'GETACL', 2: 'SETACL' },
};

function tshark(args) {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The RPC status a fixture line carries: 'ok', 'status=N' (NFS or MOUNT), 'accept_stat=N'. */
function statusOf(prog, proc, reply) {
  if (reply.readUInt32BE(8) !== 0) return `reply_stat=${reply.readUInt32BE(8)}`;
  const verfLen = reply.readUInt32BE(16);
  const at = 20 + ((verfLen + 3) & ~3);
  const accept = reply.readUInt32BE(at);
  if (accept !== 0) return `accept_stat=${accept}`;
  const body = at + 4;
  const voidRes = proc === 0 || (prog === 100005 && proc !== 1); // MOUNT: only MNT has a status
  if (voidRes || body + 4 > reply.length) return 'ok';
  return `status=${reply.readUInt32BE(body)}`;
}

/** Pairs of one capture, labelled with the client and server that made them. */
export function pairsOf(pcap, ports, labels) {
  const rows = tshark(['-r', pcap, '-o', 'tcp.relative_sequence_numbers:TRUE', '-T', 'fields', '-E', 'separator=\t',
    '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.seq', '-e', 'tcp.payload', '-Y', 'tcp.len > 0']);
  // per connection and direction: payload segments, put in sequence order below (loopback on
  // several CPUs can record a burst out of order), retransmitted bytes dropped
  const segments = new Map();
  for (const line of rows.split('\n')) {
    if (line === '') continue;
    const [stream, src, dst, seq, hex] = line.split('\t');
    if (!ports.includes(Number(src)) && !ports.includes(Number(dst))) continue;
    const key = `${stream}:${ports.includes(Number(dst)) ? 'call' : 'reply'}`;
    if (!segments.has(key)) segments.set(key, []);
    segments.get(key).push({ seq: Number(seq), b: Buffer.from(hex.replace(/:/g, ''), 'hex') });
  }
  const flows = new Map();
  for (const [key, list] of segments) {
    list.sort((a, b) => a.seq - b.seq);
    const f = { next: list[0].seq, parts: [] };
    for (const { seq, b } of list) {
      if (seq > f.next) throw new Error(`${pcap}: ${key}: ${seq - f.next} bytes missing from the capture`);
      if (seq + b.length <= f.next) continue;
      f.parts.push(b.subarray(f.next - seq));
      f.next = seq + b.length;
    }
    flows.set(key, f);
  }
  const records = (key) => {
    const f = flows.get(key);
    const out = [];
    if (f === undefined) return out;
    const all = Buffer.concat(f.parts);
    let cur = [];
    for (let p = 0; p + 4 <= all.length;) {
      const mark = all.readUInt32BE(p);
      const len = mark & 0x7fffffff;
      if (p + 4 + len > all.length) break; // cut off at the end of the capture
      cur.push(all.subarray(p + 4, p + 4 + len));
      p += 4 + len;
      if (mark & 0x80000000) { out.push(Buffer.concat(cur)); cur = []; }
    }
    return out;
  };
  const pairs = [];
  for (const key of flows.keys()) {
    if (!key.endsWith(':call')) continue;
    const stream = key.slice(0, -':call'.length);
    const replies = new Map(records(`${stream}:reply`).filter((r) => r.readUInt32BE(4) === 1).map((r) => [r.readUInt32BE(0), r]));
    for (const call of records(key)) {
      if (call.readUInt32BE(4) !== 0) continue;
      const prog = call.readUInt32BE(12);
      const vers = call.readUInt32BE(16);
      const proc = call.readUInt32BE(20);
      const reply = replies.get(call.readUInt32BE(0));
      if (reply === undefined || NAMES[prog] === undefined) continue;
      if (prog === 100005 && vers !== 3) continue;
      pairs.push({ ...labels, prog, vers, proc, name: NAMES[prog][proc] ?? `PROC${proc}`, status: statusOf(prog, proc, reply), call: call.toString('hex'), reply: reply.toString('hex') });
    }
  }
  return pairs;
}

/** Up to `n` pairs per server, client, program, procedure and status, smallest first. */
export function select(pairs, n = 2) {
  const groups = new Map();
  for (const p of pairs) {
    const k = `${p.server}|${p.client}|${p.prog}|${p.vers}|${p.proc}|${p.status}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(p);
  }
  const out = [];
  for (const k of [...groups.keys()].sort()) {
    out.push(...groups.get(k).sort((a, b) => a.call.length + a.reply.length - (b.call.length + b.reply.length)).slice(0, n));
  }
  return out;
}
