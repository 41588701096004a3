// The benchmark and capture scripts that start nfs-ganesha re-run themselves in a private network
// namespace: ganesha binds fixed ports on 127.0.0.1 and 127.0.0.2, which must not meet the host's
// (or another run's), and a fresh namespace's lo has only 127.0.0.1. With `privateRun` the
// namespace also gets its own mount namespace and a tmpfs /run, where ganesha and rpcbind keep
// their pid files and sockets.
import { spawnSync } from 'node:child_process';

const MARK = 'NFSTS_PRIVATE_NETNS';

/**
 * Returns when the caller already runs in such a namespace; otherwise runs `script` with `argv`
 * in a new one and exits with its status. `who` and `needs` make the message when not root.
 */
export function rerunInPrivateNetns(script, argv, { privateRun = false, who, needs = 'ganesha, a private network namespace' }) {
  const want = privateRun ? 'net+run' : 'net';
  const have = process.env[MARK];
  if (have === want || have === 'net+run') return;
  if (process.getuid?.() !== 0) { console.error(`${who}: needs root (${needs})`); process.exit(2); }
  const steps = [
    ...(privateRun ? ['mount -t tmpfs -o mode=755 tmpfs /run', 'mkdir -p /run/rpcbind'] : []),
    'ip link set lo up', 'ip addr add 127.0.0.2/8 dev lo', 'exec "$0" "$@"',
  ];
  const namespaces = privateRun ? ['-n', '-m', '--propagation', 'private'] : ['-n'];
  const r = spawnSync('unshare', [...namespaces, '--', 'sh', '-c', steps.join(' && '), process.execPath, script, ...argv], {
    stdio: 'inherit', env: { ...process.env, [MARK]: want },
  });
  process.exit(r.status ?? 1);
}
