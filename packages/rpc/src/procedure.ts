/**
 * What the RPC server dispatches to: the procedures of registered programs, the context a
 * handler is given, and the table a call's (prog, vers, proc) is looked up in.
 */
import type { Logger } from 'pino';
import type { Codec, XdrReader } from '@nfsts/xdr';
import type { Credential } from './auth.js';
import { RpcError } from './errors.js';
import type { BufferPool } from './buffer-pool.js';
import type { RpcServerCallMessage } from './observe.js';

/** What a procedure handler learns about its call. */
export interface CallContext {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  cred: Credential;
  remoteAddress: string;
  remotePort: number;
  localPort: number;
  /** Stable per TCP connection. */
  connectionId: number;
  /** The connection's child logger (silent by default). */
  logger: Logger;
  /** performance.now() when the call was dispatched, when an observer measures latency (else 0) */
  t0?: number;
  /** the `nfsts:rpc:server` message of this call, null when nobody subscribes */
  trace?: RpcServerCallMessage | null;
}

export interface Procedure<A = any, R = any> {
  name: string;
  args: Codec<A>;
  res: Codec<R>;
  /**
   * Handles one call. Argument opaques are views of the received record, valid until the
   * returned promise settles. NFS statuses are data in R; a throw answers SYSTEM_ERR
   * (logged once per cause), a thrown RpcAuthError answers AUTH_ERROR.
   */
  handler(args: A, ctx: CallContext): R | Promise<R>;
  /**
   * Optional: called once with the handler's result when its reply has been handed to the
   * kernel, or will never be (connection gone, encoding failed). Buffers the result refers to
   * (sent by reference, without a copy) may be reused from then on.
   */
  sent?(result: R): void;
  /**
   * Optional: the most reply bytes a call with these arguments can produce (a READ's count).
   * They are charged against the connection's and the server's reply budgets from dispatch
   * until the reply is queued, so calls whose replies are still being produced count too.
   */
  replyBytes?(args: A): number;
  /**
   * Optional: the pool this call's handler will take() one buffer from, or null. The server
   * holds the call (dispatching nothing more on its connection) while the pool is exhausted;
   * the handler must take its buffer synchronously, before its first await.
   */
  bufferPool?(args: A): BufferPool | null;
  /**
   * Optional: bulk argument bytes (a WRITE's data) that may reach the handler as views of the
   * socket chunks they arrived in, instead of being joined with the record (a 1 MiB copy).
   * locate() reads the start of the arguments, head[pos..] (head holds the record's first
   * DIVERT_HEAD_BYTES), and returns where the bulk starts in the record and its length, or
   * null. decode() then decodes the record without those bytes (it ends after their length
   * word with their padding) given the views, whose lengths add up to `length`. The views are
   * charged against the connection's and the server's reply budgets until the reply is sent.
   */
  bulk?: {
    locate(head: Buffer, pos: number): { start: number; length: number } | null;
    decode(r: XdrReader, views: Buffer[], length: number): A;
  };
}

export interface Program {
  prog: number;
  name: string;
  versions: Record<number, { procedures: Record<number, Procedure> }>;
}

/** A registered program: its procedures by version, and the version range PROG_MISMATCH reports. */
export interface ProgramEntry {
  program: Program;
  low: number;
  high: number;
  versions: Map<number, Map<number, Procedure>>;
}

/** The dispatch table of `program`; its versions and procedures are fixed from here on. */
export function programEntry(program: Program): ProgramEntry {
  const versions = new Map<number, Map<number, Procedure>>();
  let low = Infinity;
  let high = -Infinity;
  for (const [v, def] of Object.entries(program.versions)) {
    const vers = Number(v);
    const procs = new Map<number, Procedure>();
    for (const [p, proc] of Object.entries(def.procedures)) procs.set(Number(p), proc);
    versions.set(vers, procs);
    low = Math.min(low, vers);
    high = Math.max(high, vers);
  }
  if (versions.size === 0) throw new RpcError('ERR_RPC_INVALID_OPTION', `program ${program.prog} (${program.name}) has no versions`);
  return { program, low, high, versions };
}
