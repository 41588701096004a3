import type { Logger } from 'pino';
import type { ServerCore } from '../core/index.js';
import type { MountTable } from './table.js';

/** What every MOUNT procedure needs: the core (exports, handles, allow-lists) and the mount table. */
export interface MountContext {
  core: ServerCore;
  mounts: MountTable;
  logger: Logger;
}
