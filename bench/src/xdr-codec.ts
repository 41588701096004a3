/**
 * Micro-benchmark of the generated XDR codecs: encoding and decoding a whole RPC reply
 * (header + results) for READ (4 KiB and 1 MiB, chunk-mode encode: the payload is kept by
 * reference) and READDIRPLUS (100 entries with attributes and handles).
 *
 *   node bench/dist/src/xdr-codec.js [--duration-ms 1000]      (or: pnpm bench:xdr)
 */
import { fileURLToPath } from 'node:url';
import {
  XdrReader,
  XdrWriter,
  measure,
  nfsstat3,
  ftype3,
  msg_type,
  reply_stat,
  accept_stat,
  xdr_rpc_msg,
  xdr_READ3res,
  xdr_READDIRPLUS3res,
  type Codec,
  type rpc_msg,
  type fattr3,
  type READ3res,
  type READDIRPLUS3res,
  type entryplus3,
} from '@nfsts/xdr';

export interface BenchResult {
  name: string;
  ops: number;
  opsPerSec: number;
  /** Payload bytes per second, for the READ cases. */
  bytesPerSec?: number;
}

const header: rpc_msg = {
  xid: 0x12345678,
  body: {
    mtype: msg_type.REPLY,
    rbody: { stat: reply_stat.MSG_ACCEPTED, areply: { verf: { flavor: 0, body: Buffer.alloc(0) }, reply_data: { stat: accept_stat.SUCCESS } } },
  },
};

function attrs(i: number): fattr3 {
  return {
    type: i % 10 === 0 ? ftype3.NF3DIR : ftype3.NF3REG,
    mode: 0o644,
    nlink: 1,
    uid: 1000,
    gid: 1000,
    size: BigInt(i * 4096),
    used: BigInt(i * 4096),
    rdev: { specdata1: 0, specdata2: 0 },
    fsid: 0x1234n,
    fileid: BigInt(1000 + i),
    atime: { seconds: 1_700_000_000 + i, nseconds: 1 },
    mtime: { seconds: 1_700_000_000 + i, nseconds: 2 },
    ctime: { seconds: 1_700_000_000 + i, nseconds: 3 },
  };
}

function readReply(n: number): READ3res {
  return {
    status: nfsstat3.NFS3_OK,
    resok: { file_attributes: { attributes_follow: true, attributes: attrs(1) }, count: n, eof: false, data: Buffer.alloc(n, 0x61) },
  };
}

function readdirplusReply(n: number): READDIRPLUS3res {
  const entries: entryplus3[] = [];
  for (let i = 0; i < n; i++) {
    entries.push({
      fileid: BigInt(1000 + i),
      name: `file-${i.toString().padStart(5, '0')}.dat`,
      cookie: BigInt(i + 1),
      name_attributes: { attributes_follow: true, attributes: attrs(i) },
      name_handle: { handle_follows: true, handle: { data: Buffer.alloc(28, i & 0xff) } },
    });
  }
  return {
    status: nfsstat3.NFS3_OK,
    resok: { dir_attributes: { attributes_follow: true, attributes: attrs(0) }, cookieverf: Buffer.alloc(8), reply: { entries, eof: true } },
  };
}

/** Encodes header + results the way the RPC layer does: size first, one allocation. */
function encodeReply<T>(codec: Codec<T>, value: T, chunks: boolean): Buffer[] {
  const sizeAll = (v: T): number => xdr_rpc_msg.size(header) + codec.size(v);
  const { inline, total } = measure(sizeAll, value);
  const w = new XdrWriter(chunks ? inline : total, { chunks });
  xdr_rpc_msg.encode(w, header);
  codec.encode(w, value);
  return w.chunks();
}

function decodeReply<T>(codec: Codec<T>, buf: Buffer): T {
  const r = new XdrReader(buf);
  xdr_rpc_msg.decode(r);
  const v = codec.decode(r);
  r.assertDone('reply');
  return v;
}

let sink = 0;

function run(name: string, durationMs: number, fn: () => number, payload = 0, fixedOps?: number): BenchResult {
  // Warm up so the numbers are of optimised code.
  const warmEnd = performance.now() + Math.min(200, durationMs / 4);
  while (fixedOps === undefined && performance.now() < warmEnd) sink += fn();
  let ops = 0;
  let batch = 1;
  const start = performance.now();
  let now = start;
  if (fixedOps !== undefined) {
    for (; ops < fixedOps; ops++) sink += fn();
    now = performance.now();
  }
  while (fixedOps === undefined && now - start < durationMs) {
    for (let i = 0; i < batch; i++) sink += fn();
    ops += batch;
    now = performance.now();
    if (batch < 1 << 16) batch *= 2;
  }
  const secs = (now - start) / 1000;
  const result: BenchResult = { name, ops, opsPerSec: ops / secs };
  if (payload > 0) result.bytesPerSec = (ops * payload) / secs;
  return result;
}

/** `ops` bounds each case by work instead of `durationMs` (no warm-up): what a test uses. */
export function runXdrBench(options: { durationMs?: number; ops?: number } = {}): BenchResult[] {
  const durationMs = options.durationMs ?? 1000;
  const fixed = options.ops;
  const results: BenchResult[] = [];
  for (const n of [4096, 1 << 20]) {
    const label = n === 4096 ? '4 KiB' : '1 MiB';
    const res = readReply(n);
    const wire = Buffer.concat(encodeReply(xdr_READ3res, res, false));
    results.push(run(`READ reply ${label}: encode (chunk mode, payload by reference)`, durationMs, () => encodeReply(xdr_READ3res, res, true).length, n, fixed));
    results.push(run(`READ reply ${label}: decode (payload as a view)`, durationMs, () => decodeReply(xdr_READ3res, wire).status, n, fixed));
  }
  const rdp = readdirplusReply(100);
  const rdpWire = Buffer.concat(encodeReply(xdr_READDIRPLUS3res, rdp, false));
  results.push(run(`READDIRPLUS reply, 100 entries (${rdpWire.length} bytes): encode`, durationMs, () => encodeReply(xdr_READDIRPLUS3res, rdp, false).length, 0, fixed));
  results.push(run(`READDIRPLUS reply, 100 entries (${rdpWire.length} bytes): decode`, durationMs, () => decodeReply(xdr_READDIRPLUS3res, rdpWire).status, 0, fixed));
  return results;
}

function format(r: BenchResult): string {
  const ops = Math.round(r.opsPerSec).toLocaleString('en-US').padStart(12);
  const rate = r.bytesPerSec === undefined ? '' : `  ${(r.bytesPerSec / 1e9).toFixed(2).padStart(8)} GB/s payload`;
  return `${r.name.padEnd(72)} ${ops} ops/s${rate}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--duration-ms');
  const durationMs = i > 0 ? Number(process.argv[i + 1]) : 1000;
  if (!Number.isFinite(durationMs) || durationMs <= 0) {
    console.error('--duration-ms takes a positive number');
    process.exit(2);
  }
  console.log(`XDR codec micro-benchmark (node ${process.version}, ${durationMs} ms per case)`);
  for (const r of runXdrBench({ durationMs })) console.log(format(r));
  if (sink === -1) console.log(sink);
}
