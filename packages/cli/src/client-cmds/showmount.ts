/** `nfsts showmount HOST | URL`: the server's exports (MOUNT EXPORT), as `showmount -e`. */
import { listExports } from '@nfsts/client';
import { UsageError, args, type ClientCommand } from './common.js';

export const showmount: ClientCommand = async (argv, io) => {
  const { positionals } = args(argv, { exports: { type: 'boolean', short: 'e' } });
  if (positionals.length !== 1) throw new UsageError('usage: nfsts showmount HOST | nfs://HOST/?mountport=N');
  const spec = positionals[0]!;
  let host = spec;
  let mountPort: number | undefined;
  if (spec.startsWith('nfs://')) {
    const u = new URL(spec);
    host = u.hostname.replace(/^\[|\]$/g, '');
    const mp = u.searchParams.get('mountport') ?? u.searchParams.get('nfsport');
    if (mp !== null) mountPort = Number(mp);
  }
  const list = await listExports({ host, ...(mountPort !== undefined ? { mountPort } : {}) });
  const w = Math.max(0, ...list.map((e) => e.path.length));
  io.stdout(`Export list for ${host}:\n${list.map((e) => `${e.path.padEnd(w)} ${e.groups.length > 0 ? e.groups.join(',') : '(everyone)'}`).join('\n')}${list.length > 0 ? '\n' : ''}`);
  return 0;
};
