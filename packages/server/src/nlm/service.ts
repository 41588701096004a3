/**
 * Locking as one unit for startServer(): the lock table (with its OFD mirror where available),
 * the NLM and NSM programs, the grace period and the status monitor's restart notification.
 */
import type { Logger } from 'pino';
import type { Program } from '@nfsts/rpc';
import { NLM4_VERS, NLM_PROG, NLM_VERS, NLM_VERSX, SM_PROG, SM_VERS } from '@nfsts/xdr';
import type { ServerCore } from '../core/index.js';
import { createNsmProgram, NsmMonitor } from '../nsm/index.js';
import { NlmCallbacks } from './callbacks.js';
import { GracePeriod } from './grace.js';
import { createNlmProgram } from './index.js';
import { LockManager } from './lock-manager.js';
import { OfdBacking } from './ofd-backing.js';
import type { ParsedLockingOptions } from './options.js';
import { ShareTable } from './shares.js';

/** What the portmapper lists for us, as rpcinfo -p shows for knfsd (nlockmgr 1, 3, 4; status 1). */
export const LOCKING_SERVICES: ReadonlyArray<{ prog: number; vers: number }> = [
  { prog: NLM_PROG, vers: NLM_VERS },
  { prog: NLM_PROG, vers: NLM_VERSX },
  { prog: NLM_PROG, vers: NLM4_VERS },
  { prog: SM_PROG, vers: SM_VERS },
];

export interface LockingService {
  readonly locks: LockManager;
  readonly grace: GracePeriod;
  readonly monitor: NsmMonitor;
  /** true when locks are mirrored into the backing files (OFD locks) */
  readonly backingLocks: boolean;
  readonly programs: Program[];
  /** SM_NOTIFY to the clients that held locks before the restart (runs in the background at start). */
  readonly notified: Promise<{ notified: string[]; failed: string[] }>;
  close(): Promise<void>;
}

export function startLocking(core: ServerCore, o: ParsedLockingOptions, stateDir: string, logger: Logger): LockingService {
  const log = logger.child({ svc: 'nlm' });
  // the mirror opens files through the backend, confined to the export like every other open;
  // a backend without a synchronous open (the portable one), or whose descriptors are not the
  // process's (the memory backend), leaves the table to decide alone
  const openSync = core.backend.osDescriptors === true ? core.backend.openSync?.bind(core.backend) : undefined;
  const closeSync = core.backend.closeSync?.bind(core.backend);
  const backing = o.backingLocks && OfdBacking.available() && openSync !== undefined ? new OfdBacking(openSync, log, closeSync) : null;
  const locks = new LockManager({ backing, logger: log });
  const shares = new ShareTable();
  const callbacks = new NlmCallbacks({ grantTimeoutMs: o.grantTimeoutMs, clientPortmapPort: o.clientPortmapPort, logger: log });
  const monitor = new NsmMonitor({
    stateDir,
    callbacks,
    lockedHosts: () => locks.hosts(),
    release: (name) => {
      locks.releaseHost(name);
      shares.releaseHost(name);
    },
    ...(o.name !== undefined ? { name: o.name } : {}),
    logger: log,
  });
  // nobody held locks when the previous instance stopped: nothing to reclaim, no grace needed
  const grace = new GracePeriod(monitor.previous.length > 0 ? o.graceMs : 0);
  const nlm = createNlmProgram({ core, locks, shares, grace, callbacks, watcher: monitor, logger: log });
  const notified = monitor.notifyPrevious();
  if (grace.active) log.info({ graceMs: o.graceMs, clients: monitor.previous.map((h) => h.name) }, 'lock grace period: only reclaims until it ends');
  return {
    locks, grace, monitor, backingLocks: backing !== null,
    programs: [nlm, createNsmProgram(monitor)],
    notified,
    async close() {
      monitor.close();
      await callbacks.close();
      locks.close();
    },
  };
}
