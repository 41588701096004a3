import type { Procedure } from '@nfsts/rpc';
import { xdr_stat_chge, xdr_void, type stat_chge } from '@nfsts/xdr';
import { isLocalCaller } from '../portmap/common.js';
import type { NsmMonitor } from './monitor.js';

/** SM_NOTIFY: a client host restarted; whatever it held here is released. */
export function smNotify(m: NsmMonitor): Procedure<stat_chge, void> {
  return {
    name: 'NOTIFY', args: xdr_stat_chge, res: xdr_void,
    handler: (a, ctx) => {
      const from = ctx.remoteAddress.startsWith('::ffff:') ? ctx.remoteAddress.slice(7) : ctx.remoteAddress;
      if (!m.mayRelease(a.mon_name, from, isLocalCaller(ctx))) {
        ctx.logger.warn({ host: a.mon_name, from }, 'SM_NOTIFY for a host from another address ignored');
        return;
      }
      ctx.logger.info({ host: a.mon_name, state: a.state }, 'client restarted (SM_NOTIFY): releasing its locks');
      m.notified(a.mon_name);
    },
  };
}
