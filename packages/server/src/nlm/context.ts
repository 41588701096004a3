import type { Logger } from 'pino';
import type { ServerCore } from '../core/index.js';
import type { NlmCallbacks } from './callbacks.js';
import type { GracePeriod } from './grace.js';
import type { LockManager } from './lock-manager.js';
import type { ShareTable } from './shares.js';

/** Told when a client host gets its first lock and when it holds none any more (NSM monitoring). */
export interface HostWatcher {
  hostLocked(name: string, address: string): void;
  hostsChanged(): void;
  /** May a call from `address` release `name`'s locks (FREE_ALL)? */
  mayRelease(name: string, address: string, local: boolean): boolean;
}

/** What every NLM procedure needs. */
export interface NlmContext {
  core: ServerCore;
  locks: LockManager;
  shares: ShareTable;
  grace: GracePeriod;
  callbacks: NlmCallbacks;
  watcher: HostWatcher;
  logger: Logger;
}

/** The caller's IPv4 address without the IPv4-mapped prefix a dual-stack socket gives. */
export function peerAddress(remoteAddress: string): string {
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
}
