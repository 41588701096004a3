import type { Procedure } from '@nfsts/rpc';
import { xdr_my_id, xdr_sm_stat, type my_id, type sm_stat } from '@nfsts/xdr';
import type { NsmMonitor } from './monitor.js';

/** SM_UNMON_ALL: as SM_UNMON, for every host. */
export function smUnmonAll(m: NsmMonitor): Procedure<my_id, sm_stat> {
  return { name: 'UNMON_ALL', args: xdr_my_id, res: xdr_sm_stat, handler: () => ({ state: m.state }) };
}
