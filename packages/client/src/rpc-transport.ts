import {
  type Codec, type XdrReader, XdrError,
  NFS_PROGRAM, NFS_V3, NFSPROC3_READ, NFSPROC3_WRITE, NFSPROC3_COMMIT,
  xdr_READ3args, xdr_WRITE3args, xdr_WRITE3res, xdr_COMMIT3args, xdr_COMMIT3res, xdr_post_op_attr,
  type post_op_attr, type fattr3,
} from '@nfsts/xdr';
import type { DivertingCodec, RecordDivert } from '@nfsts/rpc';
import { NfsError } from './errors.js';
import type { RpcCaller } from './rpc-caller.js';
import type { NfsTransport, ReadResult, WriteResult } from './transport.js';

interface ReadIntoReply {
  status: number;
  attr: post_op_attr;
  count: number;
  eof: boolean;
}

/** Bytes of a READ3resok before its data: status, post_op_attr with fattr3, count, eof, data length. */
const FATTR3_BYTES = 84;

/**
 * A result codec for READ that copies the reply's data into the caller's slice. A reply
 * record that spans socket chunks is diverted: its data is copied from each socket chunk
 * straight into the slice as it arrives (one copy, no joined record); a reply that came in
 * one chunk is decoded from that view (one copy too). More data than the slice holds is a
 * protocol error.
 */
class ReadIntoCodec implements DivertingCodec<ReadIntoReply> {
  // a class, not an object literal of closures: one small allocation per READ
  constructor(private readonly dest: Buffer) {}

  divert(head: Buffer, at: number): RecordDivert | null {
    if (head.length < at + 8 || head.readUInt32BE(at) !== 0) return null;
    const follows = head.readUInt32BE(at + 4);
    if (follows !== 0 && follows !== 1) return null;
    const lenAt = at + 8 + (follows === 1 ? FATTR3_BYTES : 0) + 8;
    if (head.length < lenAt + 4) return null;
    const length = head.readUInt32BE(lenAt);
    // too much data: not diverted, and decode() reports it
    if (length === 0 || length > this.dest.length) return null;
    return { start: lenAt + 4, length, dest: this.dest };
  }

  decodeDiverted(r: XdrReader, d: RecordDivert): ReadIntoReply {
    const status = r.u32();
    const attr = xdr_post_op_attr.decode(r);
    if (status !== 0) throw new XdrError('ERR_XDR_RANGE', 'diverted READ reply is not NFS3_OK');
    r.u32(); // count: the opaque's own length is what landed in the slice
    const eof = r.bool();
    const n = r.u32();
    if (n !== d.length) throw new XdrError('ERR_XDR_RANGE', `READ data of ${n} bytes, ${d.length} diverted`);
    // the data itself is not in the record; its padding is
    const pad = (4 - (n & 3)) & 3;
    if (r.remaining < pad) throw new XdrError('ERR_XDR_SHORT', `READ data padding needs ${pad} bytes, ${r.remaining} remain`);
    r.pos += pad;
    return { status, attr, count: n, eof };
  }

  size(): number { throw new XdrError('ERR_XDR_RANGE', 'read-into codec only decodes'); }
  encode(): void { throw new XdrError('ERR_XDR_RANGE', 'read-into codec only decodes'); }

  decode(r: XdrReader): ReadIntoReply {
    const status = r.u32();
    const attr = xdr_post_op_attr.decode(r);
    if (status !== 0) return { status, attr, count: 0, eof: false };
    r.u32(); // count: the opaque's own length is what lands in the slice
    const eof = r.bool();
    const data = r.opaqueVar(this.dest.length);
    data.copy(this.dest, 0);
    return { status, attr, count: data.length, eof };
  }
}

/** Attributes seen in READ/WRITE/COMMIT replies, for the attribute cache. */
export type AttrSink = (fh: Buffer, attr: fattr3) => void;

/** READ/WRITE/COMMIT over the client's RPC connection. */
export class RpcTransport implements NfsTransport {
  constructor(private readonly rpc: RpcCaller, private readonly onAttr?: AttrSink) {}

  async read(fh: Buffer, offset: bigint, dest: Buffer): Promise<ReadResult> {
    const res = await this.rpc.call(NFS_PROGRAM, NFS_V3, NFSPROC3_READ, xdr_READ3args,
      { file: { data: fh }, offset, count: dest.length }, new ReadIntoCodec(dest));
    if (res.attr.attributes_follow && this.onAttr) this.onAttr(fh, res.attr.attributes);
    if (res.status !== 0) throw new NfsError('READ', res.status, res);
    return { count: res.count, eof: res.eof };
  }

  async write(fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult> {
    const res = await this.rpc.call(NFS_PROGRAM, NFS_V3, NFSPROC3_WRITE, xdr_WRITE3args,
      { file: { data: fh }, offset, count: data.length, stable, data }, xdr_WRITE3res);
    if (res.status !== 0) throw new NfsError('WRITE', res.status, res);
    const ok = (res as Extract<typeof res, { resok: unknown }>).resok;
    if (ok.file_wcc.after.attributes_follow && this.onAttr) this.onAttr(fh, ok.file_wcc.after.attributes);
    return { count: ok.count, committed: ok.committed, verf: Buffer.from(ok.verf) };
  }

  async commit(fh: Buffer, offset: bigint, count: number): Promise<Buffer> {
    const res = await this.rpc.call(NFS_PROGRAM, NFS_V3, NFSPROC3_COMMIT, xdr_COMMIT3args,
      { file: { data: fh }, offset, count }, xdr_COMMIT3res);
    if (res.status !== 0) throw new NfsError('COMMIT', res.status, res);
    const ok = (res as Extract<typeof res, { resok: unknown }>).resok;
    if (ok.file_wcc.after.attributes_follow && this.onAttr) this.onAttr(fh, ok.file_wcc.after.attributes);
    return Buffer.from(ok.verf);
  }
}
