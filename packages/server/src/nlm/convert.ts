/**
 * NLM versions 1 and 3 (32-bit offsets, nlm_stats 0..4) in terms of version 4: the procedures
 * are written once against the v4 types, and v1/v3 arguments and results are converted here.
 */
import { nlm4_stats, nlm_stats } from '@nfsts/xdr';
import type {
  nlm4_cancargs, nlm4_lock, nlm4_lockargs, nlm4_res, nlm4_shareargs, nlm4_shareres, nlm4_testargs, nlm4_testres, nlm4_unlockargs,
  nlm_cancargs, nlm_lock, nlm_lockargs, nlm_res, nlm_shareargs, nlm_shareres, nlm_testargs, nlm_testres, nlm_unlockargs,
} from '@nfsts/xdr';

const U32 = 0xffff_ffffn;

export function toV4Lock(l: nlm_lock): nlm4_lock {
  return { ...l, l_offset: BigInt(l.l_offset), l_len: BigInt(l.l_len) };
}

/** A v4 range as v1's 32-bit fields; ranges past 4 GiB are cut to what v1 can say. */
export function toV1Lock(l: nlm4_lock): nlm_lock {
  return { ...l, l_offset: Number(l.l_offset > U32 ? U32 : l.l_offset), l_len: Number(l.l_len > U32 ? U32 : l.l_len) };
}

/** v4 statuses past v1's range become DENIED (FAILED: DENIED_NOLOCKS). */
export function toV1Stat(s: nlm4_stats): nlm_stats {
  if (s <= nlm4_stats.NLM4_DENIED_GRACE_PERIOD) return s as number as nlm_stats;
  return s === nlm4_stats.NLM4_FAILED ? nlm_stats.nlm_denied_nolocks : nlm_stats.nlm_denied;
}

export function toV4Stat(s: nlm_stats): nlm4_stats {
  return s as number as nlm4_stats;
}

export const v1 = {
  testargs: (a: nlm_testargs): nlm4_testargs => ({ ...a, alock: toV4Lock(a.alock) }),
  lockargs: (a: nlm_lockargs): nlm4_lockargs => ({ ...a, alock: toV4Lock(a.alock) }),
  cancargs: (a: nlm_cancargs): nlm4_cancargs => ({ ...a, alock: toV4Lock(a.alock) }),
  unlockargs: (a: nlm_unlockargs): nlm4_unlockargs => ({ ...a, alock: toV4Lock(a.alock) }),
  shareargs: (a: nlm_shareargs): nlm4_shareargs => a,
  res: (r: nlm4_res): nlm_res => ({ cookie: r.cookie, stat: { stat: toV1Stat(r.stat.stat) } }),
  shareres: (r: nlm4_shareres): nlm_shareres => ({ ...r, stat: toV1Stat(r.stat) }),
  testres(r: nlm4_testres): nlm_testres {
    if (r.stat.stat !== nlm4_stats.NLM4_DENIED) return { cookie: r.cookie, stat: { stat: toV1Stat(r.stat.stat) } } as nlm_testres;
    const h = r.stat.holder;
    return {
      cookie: r.cookie,
      stat: {
        stat: nlm_stats.nlm_denied,
        holder: { exclusive: h.exclusive, svid: h.svid, oh: h.oh, l_offset: Number(h.l_offset > U32 ? U32 : h.l_offset), l_len: Number(h.l_len > U32 ? U32 : h.l_len) },
      },
    };
  },
};
