// Shared by the rpc tests: a tiny test program, hand-written codecs, and a raw socket
// that speaks record marking so tests can send exactly the bytes they mean.
import net from 'node:net';
import { XdrWriter, opaqueSize, stringSize, type Codec } from '@nfsts/xdr';
import { RecordReader, RpcAuthError, type CallContext, type Program } from '../src/index.js';

export const TEST_PROG = 0x20000001;

export const u32: Codec<number> = {
  size: () => 4,
  encode: (w, v) => w.u32(v),
  decode: (r) => r.u32(),
};
export const opaque: Codec<Buffer> = {
  size: (v) => opaqueSize(v.length),
  encode: (w, v) => w.opaqueVar(v),
  decode: (r) => r.opaqueVar(),
};
export const str: Codec<string> = {
  size: (v) => stringSize(v),
  encode: (w, v) => w.string(v),
  decode: (r) => r.string(),
};
export const voidc: Codec<void> = { size: () => 0, encode: () => {}, decode: () => {} };
/** Claims a smaller size than it writes: the server must answer SYSTEM_ERR, not crash. */
export const lyingU32: Codec<number> = { size: () => 0, encode: (w, v) => w.u32(v), decode: (r) => r.u32() };

/** Gates let a test decide when a GATE call finishes, so completion order needs no clock. */
export class Gates {
  private readonly waiting = new Map<number, () => void>();
  private readonly arrived = new Map<number, () => void>();
  private readonly arrivedP = new Map<number, Promise<void>>();
  wait(tag: number): Promise<void> {
    this.arrivedSignal(tag);
    this.arrived.get(tag)!();
    return new Promise<void>((resolve) => this.waiting.set(tag, resolve));
  }
  private arrivedSignal(tag: number): Promise<void> {
    let p = this.arrivedP.get(tag);
    if (p === undefined) {
      p = new Promise<void>((resolve) => this.arrived.set(tag, resolve));
      this.arrivedP.set(tag, p);
    }
    return p;
  }
  /** Resolves once the server is handling the GATE call with this tag. */
  reached(tag: number): Promise<void> {
    return this.arrivedSignal(tag);
  }
  open(tag: number): void {
    const r = this.waiting.get(tag);
    if (r === undefined) throw new Error(`gate ${tag} is not waiting`);
    this.waiting.delete(tag);
    r();
  }
  get count(): number {
    return this.waiting.size;
  }
}

export const PROC = { NULL: 0, ECHO: 1, GATE: 2, THROW: 3, TOOWEAK: 4, WHOAMI: 5, LIE: 6, THROW_ASYNC: 7, XID: 8 } as const;

/** A test program at versions 1 and 2 (so PROG_MISMATCH reports low 1, high 2). */
export function testProgram(gates: Gates, seen?: number[]): Program {
  const procedures = {
    [PROC.NULL]: { name: 'NULL', args: voidc, res: voidc, handler: () => {} },
    [PROC.ECHO]: { name: 'ECHO', args: opaque, res: opaque, handler: (a: Buffer) => a },
    [PROC.GATE]: {
      name: 'GATE', args: u32, res: u32,
      handler: async (tag: number) => {
        await gates.wait(tag);
        return tag;
      },
    },
    [PROC.THROW]: { name: 'THROW', args: voidc, res: voidc, handler: () => { throw new Error('handler exploded'); } },
    [PROC.TOOWEAK]: { name: 'TOOWEAK', args: voidc, res: voidc, handler: () => { throw new RpcAuthError(5); } },
    [PROC.WHOAMI]: {
      name: 'WHOAMI', args: voidc, res: str,
      handler: (_: void, ctx: CallContext) => JSON.stringify({ cred: ctx.cred, prog: ctx.prog, vers: ctx.vers, proc: ctx.proc, conn: ctx.connectionId }),
    },
    [PROC.LIE]: { name: 'LIE', args: voidc, res: lyingU32, handler: () => 7 },
    [PROC.THROW_ASYNC]: { name: 'THROW_ASYNC', args: voidc, res: voidc, handler: async () => { throw new Error('async handler exploded'); } },
    [PROC.XID]: {
      name: 'XID', args: u32, res: u32,
      handler: async (tag: number, ctx: CallContext) => {
        seen?.push(ctx.xid);
        await gates.wait(tag);
        return ctx.xid;
      },
    },
  };
  return { prog: TEST_PROG, name: 'test', versions: { 1: { procedures }, 2: { procedures } } };
}

export interface RawCall {
  xid: number;
  rpcvers?: number;
  prog: number;
  vers: number;
  proc: number;
  credFlavor?: number;
  credBody?: Buffer;
  /** Overrides the credential length word (to lie about it). */
  credLen?: number;
  verfFlavor?: number;
  verfBody?: Buffer;
  args?: Buffer;
}

/** The bytes of one call record (with its record mark). */
export function rawCall(c: RawCall): Buffer {
  const credBody = c.credBody ?? Buffer.alloc(0);
  const verfBody = c.verfBody ?? Buffer.alloc(0);
  const args = c.args ?? Buffer.alloc(0);
  const pad = (n: number) => (4 - (n & 3)) & 3;
  const len = 24 + 8 + credBody.length + pad(credBody.length) + 8 + verfBody.length + pad(verfBody.length) + args.length;
  const w = new XdrWriter(4 + len);
  w.u32(0x80000000 + len);
  w.u32(c.xid);
  w.u32(0);
  w.u32(c.rpcvers ?? 2);
  w.u32(c.prog);
  w.u32(c.vers);
  w.u32(c.proc);
  w.u32(c.credFlavor ?? 0);
  w.u32(c.credLen ?? credBody.length);
  w.opaqueFixed(credBody, credBody.length);
  w.u32(c.verfFlavor ?? 0);
  w.u32(verfBody.length);
  w.opaqueFixed(verfBody, verfBody.length);
  w.buf.set(args, w.pos); // raw: the test decides about padding
  return w.buf;
}

/** An AUTH_SYS body, with no checks, so tests can forge bad ones. */
export function authSysBody(p: { stamp?: number; machinename?: string; uid?: number; gid?: number; gids?: number[] }): Buffer {
  const name = p.machinename ?? 'host';
  const gids = p.gids ?? [];
  const w = new XdrWriter(4 + stringSize(name) + 12 + 4 * gids.length);
  w.u32(p.stamp ?? 1);
  w.string(name);
  w.u32(p.uid ?? 1000);
  w.u32(p.gid ?? 1000);
  w.u32(gids.length);
  for (const g of gids) w.u32(g);
  return w.buf;
}

/** A reply as the RFC lays it out, parsed by hand (independently of the code under test). */
export type ParsedReply =
  | { xid: number; stat: 'accepted'; verfFlavor: number; verfLen: number; accept: number; low?: number; high?: number; body: Buffer }
  | { xid: number; stat: 'denied'; reject: number; low?: number; high?: number; authStat?: number; rest: number };

export function parseReply(rec: Buffer): ParsedReply {
  const xid = rec.readUInt32BE(0);
  if (rec.readUInt32BE(4) !== 1) throw new Error('not a REPLY');
  const stat = rec.readUInt32BE(8);
  if (stat === 0) {
    const verfFlavor = rec.readUInt32BE(12);
    const verfLen = rec.readUInt32BE(16);
    const at = 20 + verfLen + ((4 - (verfLen & 3)) & 3);
    const accept = rec.readUInt32BE(at);
    if (accept === 2) {
      return { xid, stat: 'accepted', verfFlavor, verfLen, accept, low: rec.readUInt32BE(at + 4), high: rec.readUInt32BE(at + 8), body: rec.subarray(at + 12) };
    }
    return { xid, stat: 'accepted', verfFlavor, verfLen, accept, body: rec.subarray(at + 4) };
  }
  const reject = rec.readUInt32BE(12);
  if (reject === 0) return { xid, stat: 'denied', reject, low: rec.readUInt32BE(16), high: rec.readUInt32BE(20), rest: rec.length - 24 };
  return { xid, stat: 'denied', reject, authStat: rec.readUInt32BE(16), rest: rec.length - 20 };
}

/** A raw TCP connection that reads record-marked replies. */
export class RawConn {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  private readonly records: Buffer[] = [];
  private waiter: ((b: Buffer | null) => void) | null = null;
  private ended = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    const reader = new RecordReader(1 << 24, (rec) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(rec);
      } else this.records.push(rec);
    });
    socket.on('data', (c: Buffer) => reader.push(c));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.ended = true;
      if (this.waiter) this.waiter(null);
      resolve();
    }));
  }

  static open(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  send(b: Buffer): void {
    this.socket.write(b);
  }

  /** The next reply record, or null when the server closed the connection first. */
  next(): Promise<Buffer | null> {
    const r = this.records.shift();
    if (r !== undefined) return Promise.resolve(r);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  async call(c: RawCall): Promise<ParsedReply> {
    this.send(rawCall(c));
    const rec = await this.next();
    if (rec === null) throw new Error('connection closed before the reply');
    return parseReply(rec);
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}

/** TCP handles still open in this process (servers and sockets), for leak checks. */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
}

/** Waits until cond() holds, polling on the event loop (bounded by the test timeout). */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}
