/**
 * The status monitor program (100024 v1, XNFS): our own minimal NSM, served on the NFS port and
 * registered with the portmapper as `status`. SM_SIMU_CRASH is answered and ignored.
 */
import type { Program } from '@nfsts/rpc';
import { SM_PROG, xdr_void } from '@nfsts/xdr';
import type { NsmMonitor } from './monitor.js';
import { smMon } from './mon.js';
import { smNotify } from './notify.js';
import { smStat } from './stat.js';
import { smUnmon } from './unmon.js';
import { smUnmonAll } from './unmon-all.js';

export { NsmMonitor, type NsmMonitorOptions } from './monitor.js';
export { loadNsmState, nsmStatePath, type MonitoredHost, type NsmStateFile } from './state.js';

export const NSM_PROGRAM_NUMBER = SM_PROG;

export function createNsmProgram(m: NsmMonitor): Program {
  const none = (name: string) => ({ name, args: xdr_void, res: xdr_void, handler: () => {} });
  return {
    prog: SM_PROG,
    name: 'NSM',
    versions: { 1: { procedures: { 0: none('NULL'), 1: smStat(m), 2: smMon(m), 3: smUnmon(m), 4: smUnmonAll(m), 5: none('SIMU_CRASH'), 6: smNotify(m) } } },
  };
}
