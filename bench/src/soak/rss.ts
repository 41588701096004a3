/**
 * The resident set size of another process. Linux: /proc/PID/status (VmRSS now, VmHWM the
 * peak since it started). Elsewhere (portable fallback): `ps -o rss=`, which has no peak.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Rss {
  /** MiB resident now */
  rssMiB: number;
  /** MiB resident at the process's peak (Linux only) */
  hwmMiB: number | undefined;
}

const kib = (status: string, field: string): number | undefined => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m === null ? undefined : Number(m[1]) / 1024;
};

export function readRss(pid: number): Rss {
  if (process.platform === 'linux') {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = kib(status, 'VmRSS');
    if (rss === undefined) throw new Error(`/proc/${pid}/status has no VmRSS`);
    return { rssMiB: rss, hwmMiB: kib(status, 'VmHWM') };
  }
  // portable fallback: ps reports the RSS in KiB on macOS and the BSDs too
  const out = execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  const n = Number(out);
  if (out === '' || !Number.isFinite(n)) throw new Error(`ps gave no RSS for process ${pid}`);
  return { rssMiB: n / 1024, hwmMiB: undefined };
}
