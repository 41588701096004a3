/** What is on port 111, and what another NFS server may already have registered there. */
import { connect } from 'node:net';
import { run } from './run.js';
import { which } from './tools.js';

export type Port111 = 'free' | 'portmapper' | 'other';

/** 'free' (connection refused), 'portmapper' (answers rpcinfo -p), or 'other'. */
export async function port111(): Promise<Port111> {
  const open = await new Promise<boolean>((resolve) => {
    const s = connect(111, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
  if (!open) return 'free';
  if (which('rpcinfo') === null) return 'other';
  const r = await run('rpcinfo', ['-p', '127.0.0.1'], { timeoutMs: 10_000 });
  return r.code === 0 && /portmapper/.test(r.stdout) ? 'portmapper' : 'other';
}

export interface Mapping {
  prog: number;
  vers: number;
  proto: string;
  port: number;
}

export function parseRpcinfoP(out: string): Mapping[] {
  const rows: Mapping[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\w+)\s+(\d+)/.exec(line);
    if (m !== null) rows.push({ prog: Number(m[1]), vers: Number(m[2]), proto: m[3] as string, port: Number(m[4]) });
  }
  return rows;
}

/**
 * NFS v3 / MOUNT v1, v3 over TCP already registered with a running portmapper (by another
 * NFS server); nfsts does not replace those, so tests that need ours there must skip.
 */
export async function foreignNfsRegistrations(): Promise<string[]> {
  if ((await port111()) !== 'portmapper') return [];
  const rows = parseRpcinfoP((await run('rpcinfo', ['-p', '127.0.0.1'], { timeoutMs: 20_000 })).stdout);
  return rows
    .filter((r) => r.proto === 'tcp' && ((r.prog === 100003 && r.vers === 3) || (r.prog === 100005 && (r.vers === 1 || r.vers === 3))))
    .map((r) => `${r.prog} v${r.vers} (port ${r.port})`);
}
