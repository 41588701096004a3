/**
 * What the status monitor keeps across restarts, in `stateDir/nsm.json`: its state number (odd
 * while up; bumped by 2 at every start, as statd's) and the client hosts that held locks, to be
 * sent SM_NOTIFY after a restart. Nothing else survives a restart (as knfsd).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MonitoredHost {
  /** the client's caller_name (its mon_name when it notifies us) */
  name: string;
  /** where its status monitor is reached */
  address: string;
}

export interface NsmStateFile {
  state: number;
  monitored: MonitoredHost[];
}

/** Hosts kept in the file, so a flood of client names cannot grow it without bound. */
export const MAX_MONITORED_HOSTS = 4096;

export function nsmStatePath(stateDir: string): string {
  return join(stateDir, 'nsm.json');
}

export function loadNsmState(stateDir: string): NsmStateFile {
  try {
    const v = JSON.parse(readFileSync(nsmStatePath(stateDir), 'utf8')) as Partial<NsmStateFile>;
    const state = Number.isInteger(v.state) ? (v.state as number) : 0;
    const monitored = Array.isArray(v.monitored)
      ? v.monitored.filter((h): h is MonitoredHost => typeof h?.name === 'string' && typeof h?.address === 'string').slice(0, MAX_MONITORED_HOSTS)
      : [];
    return { state, monitored };
  } catch {
    return { state: 0, monitored: [] };
  }
}

/** Written to a temporary name and renamed, so a crash leaves the old or the new file. */
export function saveNsmState(stateDir: string, s: NsmStateFile): void {
  const p = nsmStatePath(stateDir);
  writeFileSync(`${p}.tmp`, JSON.stringify(s), { mode: 0o600 });
  renameSync(`${p}.tmp`, p);
}
