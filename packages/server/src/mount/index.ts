/**
 * The MOUNT program (100005), versions 1 (RFC 1094 appendix A) and 3 (RFC 1813 appendix I).
 * It shares the NFS port. v1 also answers EXPORTALL (6) like EXPORT. Version 2 is not
 * offered: a v2 call gets PROG_MISMATCH 1..3 from the RPC server.
 */
import type { Program } from '@nfsts/rpc';
import type { Logger } from 'pino';
import { silentLogger } from '@nfsts/rpc';
import type { ServerCore } from '../core/index.js';
import type { MountContext } from './context.js';
import { dump } from './dump.js';
import { exportList } from './export.js';
import { mnt1, mnt3 } from './mnt.js';
import { mountNull } from './null.js';
import { MountTable } from './table.js';
import { umnt } from './umnt.js';
import { umntall } from './umntall.js';

export { MountTable, DEFAULT_MAX_MOUNT_ENTRIES, type MountEntry } from './table.js';
export { MOUNT_AUTH_FLAVORS, FHSIZE } from './mnt.js';
export { normalizeDirpath } from './authorize.js';

export const MOUNT_PROGRAM_NUMBER = 100005;

export interface MountProgramOptions {
  logger?: Logger;
  /** Shared table of current mounts (for DUMP); a new one by default. */
  mounts?: MountTable;
}

export function createMountProgram(core: ServerCore, opts: MountProgramOptions = {}): Program {
  const m: MountContext = {
    core,
    mounts: opts.mounts ?? new MountTable(),
    logger: opts.logger ?? silentLogger(),
  };
  // Procedure numbers are the same in v1 and v3: NULL 0, MNT 1, DUMP 2, UMNT 3, UMNTALL 4, EXPORT 5.
  const common = { 0: mountNull(), 2: dump(m), 3: umnt(m), 4: umntall(m), 5: exportList(m) };
  return {
    prog: MOUNT_PROGRAM_NUMBER,
    name: 'MOUNT',
    versions: {
      1: { procedures: { ...common, 1: mnt1(m), 6: exportList(m) } },
      3: { procedures: { ...common, 1: mnt3(m) } },
    },
  };
}
