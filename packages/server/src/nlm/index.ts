/**
 * The NLM program (100021): versions 1 and 3 (XNFS, 32-bit offsets; 3 adds SHARE, UNSHARE,
 * NM_LOCK, FREE_ALL) and 4 (RFC 1813, 64-bit), served on the NFS port. The procedures are
 * written against the v4 types (one file each); v1/v3 calls are converted (convert.ts). The
 * `_MSG` forms answer void at once and send the result to the caller's lockd as the matching
 * `_RES` call; the `_RES` procedures we receive are accepted and dropped (we only ever call
 * clients synchronously).
 */
import type { CallContext, Procedure, Program } from '@nfsts/rpc';
import {
  NLM_PROG,
  xdr_nlm4_cancargs, xdr_nlm4_lockargs, xdr_nlm4_notify, xdr_nlm4_res, xdr_nlm4_shareargs, xdr_nlm4_shareres, xdr_nlm4_testargs,
  xdr_nlm4_testres, xdr_nlm4_unlockargs, xdr_nlm_cancargs, xdr_nlm_lockargs, xdr_nlm_notify, xdr_nlm_res, xdr_nlm_shareargs,
  xdr_nlm_shareres, xdr_nlm_testargs, xdr_nlm_testres, xdr_nlm_unlockargs, xdr_void, type Codec,
} from '@nfsts/xdr';
import { nlmCancel } from './cancel.js';
import { peerAddress, type NlmContext } from './context.js';
import { v1 } from './convert.js';
import { nlmFreeAll } from './free-all.js';
import { nlmGranted } from './granted.js';
import { nlmLock } from './lock.js';
import { nlmNmLock } from './nm-lock.js';
import { nlmNull } from './null.js';
import { nlmShare } from './share.js';
import { nlmTest } from './test.js';
import { nlmUnlock } from './unlock.js';
import { nlmUnshare } from './unshare.js';

export { LockManager, LOCK_EOF, LOCAL_OWNER, lockRange, ownerKey, DEFAULT_MAX_LOCKS_PER_HOST, DEFAULT_MAX_WAITERS_PER_HOST, type HeldLock, type LockFile, type LockOwner, type LockResult } from './lock-manager.js';
export { OfdBacking } from './ofd-backing.js';
export { NlmCallbacks, DEFAULT_GRANT_TIMEOUT_MS, DEFAULT_CLIENT_PORTMAP_PORT } from './callbacks.js';
export { GracePeriod, DEFAULT_GRACE_MS } from './grace.js';
export { ShareTable } from './shares.js';
export type { NlmContext, HostWatcher } from './context.js';

export const NLM_PROGRAM_NUMBER = NLM_PROG;

type Core<A, R> = (n: NlmContext, a: A, ctx: CallContext) => R | Promise<R>;

function proc<A, R>(name: string, args: Codec<A>, res: Codec<R>, handler: (a: A, ctx: CallContext) => R | Promise<R>): Procedure<A, R> {
  return { name, args, res, handler };
}

/** A `_MSG` procedure: void reply now, the result as `resProc` to the caller's lockd. */
function msg<A, R>(n: NlmContext, name: string, args: Codec<A>, resCodec: Codec<R>, resProc: number, run: (a: A, ctx: CallContext) => R | Promise<R>): Procedure<A, void> {
  return {
    name,
    args,
    res: xdr_void,
    async handler(a: A, ctx: CallContext): Promise<void> {
      const r = await run(a, ctx);
      n.callbacks.nlm(peerAddress(ctx.remoteAddress), ctx.vers, resProc, resCodec, r, xdr_void).catch((err: unknown) => {
        n.logger.debug({ err, proc: name }, 'sending the _RES of an NLM message failed');
      });
    },
  };
}

const ignore = <A>(name: string, args: Codec<A>): Procedure<A, void> => ({ name, args, res: xdr_void, handler: () => {} });

function conv<A4, R4, A, R>(n: NlmContext, f: Core<A4, R4>, inArg: (a: A) => A4, outRes: (r: R4) => R): (a: A, ctx: CallContext) => Promise<R> {
  return async (a: A, ctx: CallContext) => outRes(await f(n, inArg(a), ctx));
}

export function createNlmProgram(n: NlmContext): Program {
  const id = <T>(x: T): T => x;
  // version 4
  const t4 = (a: Parameters<typeof nlmTest>[1], c: CallContext) => nlmTest(n, a, c);
  const l4 = (a: Parameters<typeof nlmLock>[1], c: CallContext) => nlmLock(n, a, c);
  const c4 = (a: Parameters<typeof nlmCancel>[1], c: CallContext) => nlmCancel(n, a, c);
  const u4 = (a: Parameters<typeof nlmUnlock>[1], c: CallContext) => nlmUnlock(n, a, c);
  const g4 = (a: Parameters<typeof nlmGranted>[1], c: CallContext) => nlmGranted(n, a, c);
  const v4 = {
    0: nlmNull(),
    1: proc('TEST', xdr_nlm4_testargs, xdr_nlm4_testres, t4),
    2: proc('LOCK', xdr_nlm4_lockargs, xdr_nlm4_res, l4),
    3: proc('CANCEL', xdr_nlm4_cancargs, xdr_nlm4_res, c4),
    4: proc('UNLOCK', xdr_nlm4_unlockargs, xdr_nlm4_res, u4),
    5: proc('GRANTED', xdr_nlm4_testargs, xdr_nlm4_res, g4),
    6: msg(n, 'TEST_MSG', xdr_nlm4_testargs, xdr_nlm4_testres, 11, t4),
    7: msg(n, 'LOCK_MSG', xdr_nlm4_lockargs, xdr_nlm4_res, 12, l4),
    8: msg(n, 'CANCEL_MSG', xdr_nlm4_cancargs, xdr_nlm4_res, 13, c4),
    9: msg(n, 'UNLOCK_MSG', xdr_nlm4_unlockargs, xdr_nlm4_res, 14, u4),
    10: msg(n, 'GRANTED_MSG', xdr_nlm4_testargs, xdr_nlm4_res, 15, g4),
    11: ignore('TEST_RES', xdr_nlm4_testres),
    12: ignore('LOCK_RES', xdr_nlm4_res),
    13: ignore('CANCEL_RES', xdr_nlm4_res),
    14: ignore('UNLOCK_RES', xdr_nlm4_res),
    15: ignore('GRANTED_RES', xdr_nlm4_res),
    20: proc('SHARE', xdr_nlm4_shareargs, xdr_nlm4_shareres, (a, c) => nlmShare(n, a, c)),
    21: proc('UNSHARE', xdr_nlm4_shareargs, xdr_nlm4_shareres, (a, c) => nlmUnshare(n, a, c)),
    22: proc('NM_LOCK', xdr_nlm4_lockargs, xdr_nlm4_res, (a, c) => nlmNmLock(n, a, c)),
    23: proc('FREE_ALL', xdr_nlm4_notify, xdr_void, (a, c) => nlmFreeAll(n, a, c)),
  };
  // versions 1 and 3
  const t1 = conv(n, nlmTest, v1.testargs, v1.testres);
  const l1 = conv(n, nlmLock, v1.lockargs, v1.res);
  const c1 = conv(n, nlmCancel, v1.cancargs, v1.res);
  const u1 = conv(n, nlmUnlock, v1.unlockargs, v1.res);
  const g1 = conv(n, nlmGranted, v1.testargs, v1.res);
  const ver1 = {
    0: nlmNull(),
    1: proc('TEST', xdr_nlm_testargs, xdr_nlm_testres, t1),
    2: proc('LOCK', xdr_nlm_lockargs, xdr_nlm_res, l1),
    3: proc('CANCEL', xdr_nlm_cancargs, xdr_nlm_res, c1),
    4: proc('UNLOCK', xdr_nlm_unlockargs, xdr_nlm_res, u1),
    5: proc('GRANTED', xdr_nlm_testargs, xdr_nlm_res, g1),
    6: msg(n, 'TEST_MSG', xdr_nlm_testargs, xdr_nlm_testres, 11, t1),
    7: msg(n, 'LOCK_MSG', xdr_nlm_lockargs, xdr_nlm_res, 12, l1),
    8: msg(n, 'CANCEL_MSG', xdr_nlm_cancargs, xdr_nlm_res, 13, c1),
    9: msg(n, 'UNLOCK_MSG', xdr_nlm_unlockargs, xdr_nlm_res, 14, u1),
    10: msg(n, 'GRANTED_MSG', xdr_nlm_testargs, xdr_nlm_res, 15, g1),
    11: ignore('TEST_RES', xdr_nlm_testres),
    12: ignore('LOCK_RES', xdr_nlm_res),
    13: ignore('CANCEL_RES', xdr_nlm_res),
    14: ignore('UNLOCK_RES', xdr_nlm_res),
    15: ignore('GRANTED_RES', xdr_nlm_res),
  };
  const ver3 = {
    ...ver1,
    20: proc('SHARE', xdr_nlm_shareargs, xdr_nlm_shareres, conv(n, nlmShare, v1.shareargs, v1.shareres)),
    21: proc('UNSHARE', xdr_nlm_shareargs, xdr_nlm_shareres, conv(n, nlmUnshare, v1.shareargs, v1.shareres)),
    22: proc('NM_LOCK', xdr_nlm_lockargs, xdr_nlm_res, conv(n, nlmNmLock, v1.lockargs, v1.res)),
    23: proc('FREE_ALL', xdr_nlm_notify, xdr_void, conv(n, nlmFreeAll, id, id)),
  };
  return { prog: NLM_PROG, name: 'NLM', versions: { 1: { procedures: ver1 }, 3: { procedures: ver3 }, 4: { procedures: v4 } } };
}
