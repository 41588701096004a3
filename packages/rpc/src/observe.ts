/**
 * What the RPC layer tells observers about calls: a `diagnostics_channel` TracingChannel per
 * side (`nfsts:rpc:server`, `nfsts:rpc:client`) and, on the server, one optional
 * `CallObserver` (the metrics). Nothing here allocates when nobody listens: every publish
 * checks `hasSubscribers` before its message object is built.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { TracingChannel } from 'node:diagnostics_channel';

export const CHANNEL_RPC_SERVER = 'nfsts:rpc:server';
export const CHANNEL_RPC_CLIENT = 'nfsts:rpc:client';

/**
 * The message of `nfsts:rpc:server`. One object per call, the same one at every event:
 * `start` (the call's header is accepted, its handler about to run), `end` (the handler
 * returned, maybe a promise), then `asyncStart` + `asyncEnd` once the reply is queued (with
 * `acceptStat`, `status` and `result`). When the credentials are refused, the arguments do
 * not decode or the handler throws, `error` (with `error`) comes before `asyncStart`.
 */
export interface RpcServerCallMessage {
  program: number;
  version: number;
  procedure: number;
  procedureName: string;
  xid: number;
  clientAddress: string;
  clientPort: number;
  connectionId: number;
  /** accept_stat of the reply (0 SUCCESS, 4 GARBAGE_ARGS, 5 SYSTEM_ERR) or DENIED_AUTH_ERROR (256); set at asyncStart */
  acceptStat: number | undefined;
  /** the result's own `status` (nfsstat3, mountstat3) when it has one; set at asyncStart */
  status: number | undefined;
  result: unknown;
  error: unknown;
}

/**
 * The message of `nfsts:rpc:client`: `start` when a call is queued, `asyncStart` + `asyncEnd`
 * with `result` when its reply is decoded, `error` with `error` when it fails. `retransmits`
 * counts the times it was sent again after a reconnect.
 */
export interface RpcClientCallMessage {
  program: number;
  version: number;
  procedure: number;
  xid: number;
  retransmits: number;
  result: unknown;
  error: unknown;
}

type Channels<M extends object> = TracingChannel<M, M> & {
  start: diagnosticsChannel.Channel;
  end: diagnosticsChannel.Channel;
  asyncStart: diagnosticsChannel.Channel;
  asyncEnd: diagnosticsChannel.Channel;
  error: diagnosticsChannel.Channel;
};

export const serverChannel = diagnosticsChannel.tracingChannel(CHANNEL_RPC_SERVER) as unknown as Channels<RpcServerCallMessage>;
export const clientChannel = diagnosticsChannel.tracingChannel(CHANNEL_RPC_CLIENT) as unknown as Channels<RpcClientCallMessage>;

/** Whether any of a tracing channel's five channels has a subscriber (TracingChannel.hasSubscribers is Node ≥ 20.13). */
export function traced(c: Channels<never> | Channels<RpcServerCallMessage> | Channels<RpcClientCallMessage>): boolean {
  return c.start.hasSubscribers || c.end.hasSubscribers || c.asyncStart.hasSubscribers || c.asyncEnd.hasSubscribers || c.error.hasSubscribers;
}

/** The acceptStat reported for a call denied with AUTH_ERROR (not an accept_stat: MSG_DENIED). */
export const DENIED_AUTH_ERROR = 256;

/** Messages built for the tracing channels so far (tests check it stays 0 without subscribers). */
export const traceCounters = { messagesBuilt: 0 };

/** The status a result carries, for metrics and traces: nfsstat3 / mountstat3 results have `status`. */
export function resultStatus(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const s = (result as { status?: unknown }).status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * Told about every dispatched call of an RpcServer (set `rpcServer.observer`). Runs on the hot
 * path: keep it to integer arithmetic.
 */
export interface CallObserver {
  /** the call's arguments decoded; its handler runs next. `ctx.t0` is set just before. */
  callStart(prog: number, vers: number, proc: number): void;
  /** its reply is queued (`acceptStat` SUCCESS with the handler's result, or SYSTEM_ERR / an auth error) */
  callEnd(prog: number, vers: number, proc: number, result: unknown, acceptStat: number, t0: number): void;
}
