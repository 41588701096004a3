/**
 * Our own minimal status monitor. It remembers which client hosts hold locks (persisted), and
 * at start it bumps its state number and sends SM_NOTIFY to every host that held locks before
 * the restart, through the host's portmapper, so their lock managers reclaim during the grace
 * period. SM_NOTIFY from a client (it rebooted) releases that client's locks.
 */
import type { Logger } from 'pino';
import { hostname } from 'node:os';
import { SM_NOTIFY, SM_PROG, SM_VERS, xdr_stat_chge, xdr_void } from '@nfsts/xdr';
import type { HostWatcher } from '../nlm/context.js';
import type { NlmCallbacks } from '../nlm/callbacks.js';
import { loadNsmState, MAX_MONITORED_HOSTS, saveNsmState, type MonitoredHost } from './state.js';

export interface NsmMonitorOptions {
  stateDir: string;
  callbacks: NlmCallbacks;
  /** The hosts that hold locks now (the lock table's). */
  lockedHosts: () => string[];
  /** Releases a host's locks and shares (it rebooted). */
  release: (name: string) => void;
  /** Our name in SM_NOTIFY (default: the host name). */
  name?: string;
  logger?: Logger;
}

export class NsmMonitor implements HostWatcher {
  readonly state: number;
  readonly name: string;
  /** Hosts that held locks when the previous instance stopped. */
  readonly previous: readonly MonitoredHost[];
  private readonly hosts = new Map<string, string>();
  private readonly o: NsmMonitorOptions;
  private saveTimer: NodeJS.Timeout | null = null;

  constructor(o: NsmMonitorOptions) {
    this.o = o;
    const s = loadNsmState(o.stateDir);
    // odd while up: from an even (clean) or odd (crashed) state, the next odd number
    this.state = s.state % 2 === 0 ? s.state + 1 : s.state + 2;
    this.previous = s.monitored;
    this.name = o.name ?? hostname();
    for (const h of s.monitored) this.hosts.set(h.name, h.address);
    saveNsmState(o.stateDir, { state: this.state, monitored: s.monitored });
  }

  hostLocked(name: string, address: string): void {
    if (this.hosts.get(name) === address) return;
    if (!this.hosts.has(name) && this.hosts.size >= MAX_MONITORED_HOSTS) return;
    this.hosts.set(name, address);
    this.save();
  }

  hostsChanged(): void {
    this.save();
  }

  /**
   * Whether a call from `address` may drop `name`'s locks (SM_NOTIFY, FREE_ALL): only the host
   * itself (the address it locked from) or this machine, else anyone could free anyone's locks.
   */
  mayRelease(name: string, address: string, local: boolean): boolean {
    if (local) return true;
    const known = this.hosts.get(name);
    return known === undefined || known === address;
  }

  /** SM_NOTIFY from a client: it restarted and holds nothing now. */
  notified(name: string): void {
    this.o.release(name);
    this.hosts.delete(name);
    this.save();
  }

  /** Sends SM_NOTIFY to the hosts of the previous instance; resolves when all answered or failed. */
  async notifyPrevious(): Promise<{ notified: string[]; failed: string[] }> {
    const notified: string[] = [];
    const failed: string[] = [];
    await Promise.all(this.previous.map(async (h) => {
      try {
        await this.o.callbacks.call(h.address, SM_PROG, SM_VERS, SM_NOTIFY, xdr_stat_chge, { mon_name: this.name, state: this.state }, xdr_void);
        notified.push(h.name);
      } catch (err) {
        failed.push(h.name);
        this.o.logger?.info({ err, host: h.name, address: h.address }, 'SM_NOTIFY to a client failed');
      }
    }));
    return { notified, failed };
  }

  /** Writes the hosts that still hold locks (debounced). */
  private save(): void {
    if (this.saveTimer !== null) return;
    this.saveTimer = setTimeout(() => this.flush(), 50);
    this.saveTimer.unref();
  }

  flush(): void {
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const held = new Set(this.o.lockedHosts());
    for (const name of [...this.hosts.keys()]) if (!held.has(name)) this.hosts.delete(name);
    try {
      saveNsmState(this.o.stateDir, { state: this.state, monitored: [...this.hosts].map(([name, address]) => ({ name, address })) });
    } catch (err) {
      this.o.logger?.warn({ err }, 'cannot save the status monitor state');
    }
  }

  /** A clean stop: state even, the lock holders kept for the next start's SM_NOTIFY. */
  close(): void {
    this.flush();
    try {
      const held = [...this.hosts].map(([name, address]) => ({ name, address }));
      saveNsmState(this.o.stateDir, { state: this.state + 1, monitored: held });
    } catch {
      /* the next start bumps from the odd number */
    }
  }
}
