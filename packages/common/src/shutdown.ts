/**
 * The shutdown interlock (Linux: `nfsd_serv` percpu ref killed, `nfs_localio_invalidate_clients`,
 * wait for the ref to drop, then close files). Call `beginShutdown()` from the server's
 * `close()` before it closes its file cache:
 *  1. no new local opens: `liveness.tryGet()` fails from now on, and UUID_IS_LOCAL binds nothing;
 *  2. the table is withdrawn and every bound client unbound: each client's unbind listener
 *     runs synchronously (it puts its cached `LocalFile`s and sees itself not local);
 *  3. wait until every in-flight local operation has put its liveness reference;
 *  4. resolve: the server may now close its files (held descriptors close at their last put,
 *     and none is held by a LOCALIO client any more).
 */
import { channels } from './diagnostics.js';
import { LocalioError } from './errors.js';
import type { ServerLiveness } from './liveness.js';
import type { ClientEntry, LocalioRegistry, ServerTable } from './registry.js';

export async function beginShutdown(registry: LocalioRegistry, table: ServerTable, liveness: ServerLiveness): Promise<ClientEntry[]> {
  if (table.liveness !== liveness) throw new LocalioError('ERR_LOCALIO_BAD_OPTION', 'beginShutdown: liveness is not the table\'s');
  liveness.close();
  if (channels.shutdown.hasSubscribers) channels.shutdown.publish({ serverId: table.serverId, phase: 'begin', refs: liveness.refs });
  const unbound = registry.withdraw(table);
  await liveness.drained();
  if (channels.shutdown.hasSubscribers) channels.shutdown.publish({ serverId: table.serverId, phase: 'drained' });
  return unbound;
}
