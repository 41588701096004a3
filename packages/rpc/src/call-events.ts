/**
 * What the server tells the world about one call: its tracing message, the observer and the
 * channel at its end, and the procedure's sent() hook once its reply is out.
 */
import type { Logger } from 'pino';
import { resultStatus, serverChannel, traceCounters, type CallObserver, type RpcServerCallMessage } from './observe.js';
import type { CallContext, Procedure } from './procedure.js';
import type { FailureLog } from './server-logs.js';

/** The tracing message of a call, built only when `nfsts:rpc:server` has subscribers. */
export function traceMessage(ctx: CallContext, procedureName: string): RpcServerCallMessage {
  traceCounters.messagesBuilt++;
  const m: RpcServerCallMessage = {
    program: ctx.prog, version: ctx.vers, procedure: ctx.proc, procedureName, xid: ctx.xid,
    clientAddress: ctx.remoteAddress, clientPort: ctx.remotePort, connectionId: ctx.connectionId,
    acceptStat: undefined, status: undefined, result: undefined, error: undefined,
  };
  serverChannel.start.publish(m);
  return m;
}

/** Tells the observer and the tracing channel that a call's reply is queued (or never will be). */
export function finishCall(obs: CallObserver | null, ctx: CallContext, result: unknown, acceptStat: number, err?: unknown): void {
  if (obs !== null) obs.callEnd(ctx.prog, ctx.vers, ctx.proc, result, acceptStat, ctx.t0 ?? 0);
  const m = ctx.trace;
  if (m != null) {
    m.acceptStat = acceptStat;
    m.status = resultStatus(result);
    m.result = result;
    if (err !== undefined) {
      m.error = err;
      serverChannel.error.publish(m);
    }
    serverChannel.asyncStart.publish(m);
    serverChannel.asyncEnd.publish(m);
  }
}

/** Runs a procedure's sent() hook; a throw there is logged like a handler failure, never propagated. */
export function releaseResult(failures: FailureLog, log: Logger, p: Procedure, value: unknown): void {
  try {
    p.sent!(value);
  } catch (err) {
    failures.log(log, `${p.name} sent()`, err);
  }
}
