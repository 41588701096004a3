import {
  type Codec, type XdrReader, type XdrWriter, XdrError, type WRITE3res,
  NFS_PROGRAM, NFS_V3, NFSPROC3_READ, NFSPROC3_WRITE, NFSPROC3_COMMIT,
  xdr_READ3args, xdr_WRITE3args, xdr_WRITE3res, xdr_COMMIT3args, xdr_COMMIT3res, xdr_post_op_attr,
  type post_op_attr, type fattr3,
} from '@nfsts/xdr';
import type { DivertingCodec, FinishingCodec, RecordDivert } from '@nfsts/rpc';
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
class ReadIntoCodec implements DivertingCodec<ReadIntoReply>, FinishingCodec<ReadIntoReply, ReadResult> {
  // a class, not an object literal of closures: one small allocation per READ
  constructor(private readonly dest: Buffer, private readonly fh: Buffer, private readonly onAttr: AttrSink | undefined) {}

  /** Settles the call (the RPC client applies it): attributes to the cache, then the result or the NFS error. */
  finish(res: ReadIntoReply): ReadResult {
    if (res.attr.attributes_follow && this.onAttr !== undefined) this.onAttr(this.fh, res.attr.attributes);
    if (res.status !== 0) throw new NfsError('READ', res.status, res);
    return { count: res.count, eof: res.eof };
  }

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

/** WRITE3res, settled by the RPC client as the reply is decoded (one promise per WRITE). */
class WriteCodec implements FinishingCodec<WRITE3res, WriteResult> {
  constructor(private readonly fh: Buffer, private readonly onAttr: AttrSink | undefined) {}
  size(v: WRITE3res): number { return xdr_WRITE3res.size(v); }
  encode(w: XdrWriter, v: WRITE3res): void { xdr_WRITE3res.encode(w, v); }
  decode(r: XdrReader): WRITE3res { return xdr_WRITE3res.decode(r); }
  finish(res: WRITE3res): WriteResult {
    if (res.status !== 0) throw new NfsError('WRITE', res.status, res);
    const ok = res.resok;
    if (ok.file_wcc.after.attributes_follow && this.onAttr !== undefined) this.onAttr(this.fh, ok.file_wcc.after.attributes);
    // the verifier is a view of the reply record: copied, as the caller keeps it
    return { count: ok.count, committed: ok.committed, verf: Buffer.from(ok.verf) };
  }
}

/** READ/WRITE/COMMIT over the client's RPC connection. */
export class RpcTransport implements NfsTransport {
  constructor(private readonly rpc: RpcCaller, private readonly onAttr?: AttrSink) {}

  read(fh: Buffer, offset: bigint, dest: Buffer): Promise<ReadResult> {
    // one promise: the codec's finish() settles it when the reply is decoded
    return this.rpc.call(NFS_PROGRAM, NFS_V3, NFSPROC3_READ, xdr_READ3args,
      { file: { data: fh }, offset, count: dest.length }, new ReadIntoCodec(dest, fh, this.onAttr)) as unknown as Promise<ReadResult>;
  }

  write(fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult> {
    return this.rpc.call(NFS_PROGRAM, NFS_V3, NFSPROC3_WRITE, xdr_WRITE3args,
      { file: { data: fh }, offset, count: data.length, stable, data }, new WriteCodec(fh, this.onAttr)) as unknown as Promise<WriteResult>;
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
