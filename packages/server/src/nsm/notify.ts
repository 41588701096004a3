import type { Procedure } from '@nfsts/rpc';
import { xdr_stat_chge, xdr_void, type stat_chge } from '@nfsts/xdr';
import type { NsmMonitor } from './monitor.js';

/** SM_NOTIFY: a client host restarted; whatever it held here is released. */
export function smNotify(m: NsmMonitor): Procedure<stat_chge, void> {
  return {
    name: 'NOTIFY', args: xdr_stat_chge, res: xdr_void,
    handler: (a, ctx) => {
      ctx.logger.info({ host: a.mon_name, state: a.state }, 'client restarted (SM_NOTIFY): releasing its locks');
      m.notified(a.mon_name);
    },
  };
}
