import type { Procedure } from '@nfsts/rpc';
import { sm_res, xdr_mon, xdr_sm_stat_res, type mon, type sm_stat_res } from '@nfsts/xdr';
import { isLocalCaller } from '../portmap/common.js';
import type { NsmMonitor } from './monitor.js';

/**
 * SM_MON: only local callers may ask a status monitor to watch hosts. Our lock manager
 * monitors its clients in-process, so an outside request is acknowledged and not acted on.
 */
export function smMon(m: NsmMonitor): Procedure<mon, sm_stat_res> {
  return {
    name: 'MON', args: xdr_mon, res: xdr_sm_stat_res,
    handler: (_a, ctx) => ({ res_stat: isLocalCaller(ctx) ? sm_res.stat_succ : sm_res.stat_fail, state: m.state }),
  };
}
