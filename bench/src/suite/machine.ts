/** What every report names: machine, Node and the commit measured. */
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem, type as osType } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Machine } from './types.js';

const repo = fileURLToPath(new URL('../../../..', import.meta.url));

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\s+$/, '');
  } catch {
    return undefined;
  }
}

export function describeMachine(): Machine {
  const c = cpus();
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    cpus: c.length,
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    commit: git(['rev-parse', 'HEAD']) ?? 'unknown (not a git checkout)',
    dirty: status !== undefined && status !== '',
    dirtyPaths: status === undefined || status === '' ? [] : status.split('\n').map((l) => l.slice(3)),
    date: new Date().toISOString(),
  };
}
