import type { Procedure } from '@nfsts/rpc';
import { xdr_mon_id, xdr_sm_stat, type mon_id, type sm_stat } from '@nfsts/xdr';
import type { NsmMonitor } from './monitor.js';

/** SM_UNMON: nothing is monitored for outside callers; answers our state. */
export function smUnmon(m: NsmMonitor): Procedure<mon_id, sm_stat> {
  return { name: 'UNMON', args: xdr_mon_id, res: xdr_sm_stat, handler: () => ({ state: m.state }) };
}
