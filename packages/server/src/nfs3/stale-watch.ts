/**
 * Notices a storm of STALE answers to one client: many in a short window usually means the
 * export was replaced or the state directory lost, which an operator wants to hear about
 * once (at warn) rather than as thousands of trace lines.
 */
import type { Logger } from 'pino';

/** STALE answers to one client within STALE_STORM_WINDOW_MS that make a storm. */
export const STALE_STORM_COUNT = 50;
export const STALE_STORM_WINDOW_MS = 10_000;
/** Clients tracked at once (the oldest is forgotten beyond this). */
const MAX_TRACKED = 1024;

export class StaleWatch {
  private readonly seen = new Map<string, { since: number; count: number; warned: boolean }>();

  /** Counts one STALE answer to `client`; logs at warn when they reach a storm, once per window. */
  stale(log: Logger, client: string, port: number, now = Date.now()): void {
    let w = this.seen.get(client);
    if (w === undefined || now - w.since > STALE_STORM_WINDOW_MS) {
      if (w === undefined && this.seen.size >= MAX_TRACKED) {
        const oldest = this.seen.keys().next().value;
        if (oldest !== undefined) this.seen.delete(oldest);
      }
      w = { since: now, count: 0, warned: false };
      this.seen.set(client, w);
    }
    w.count++;
    if (w.count >= STALE_STORM_COUNT && !w.warned) {
      w.warned = true;
      log.warn({ client, port, stale: w.count, windowMs: STALE_STORM_WINDOW_MS },
        'stale file handle storm: this client keeps using handles of objects that are gone (export replaced, state directory lost, or files removed under it)');
    }
  }
}
