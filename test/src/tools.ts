/** Finding the Debian tools the interop tests drive; a missing tool is a skip reason. */
import { spawnSync } from 'node:child_process';

export function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** false if every tool is present, else the skip reason naming the missing ones. */
export function missingTools(...cmds: string[]): false | string {
  const missing = cmds.filter((c) => which(c) === null);
  if (missing.length === 0) return false;
  return `not installed: ${missing.join(', ')} (Debian: libnfs-utils provides nfs-*, rpcbind provides rpcinfo, nfs-common provides showmount)`;
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}
