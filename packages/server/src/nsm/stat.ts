import type { Procedure } from '@nfsts/rpc';
import { sm_res, xdr_sm_name, xdr_sm_stat_res, type sm_name, type sm_stat_res } from '@nfsts/xdr';
import type { NsmMonitor } from './monitor.js';

/** SM_STAT: our state number (we monitor any host named). */
export function smStat(m: NsmMonitor): Procedure<sm_name, sm_stat_res> {
  return { name: 'STAT', args: xdr_sm_name, res: xdr_sm_stat_res, handler: () => ({ res_stat: sm_res.stat_succ, state: m.state }) };
}
