/** The errno a local file system would give for an NFS status or a transport failure. */
import { constants } from 'node:os';
import { isNfsError, nfsStatusToErrno } from '@nfsts/client';

const E = constants.errno;

export function errnoOf(err: unknown): number {
  if (isNfsError(err)) return E[nfsStatusToErrno(err.status) as keyof typeof E] ?? E.EIO;
  const code = (err as { code?: unknown; name?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code === 'ERR_RPC_TIMEOUT' || code === 'ERR_FUSE_SOFT_TIMEOUT') return E.ETIMEDOUT;
    if (code === 'ERR_RPC_AUTH') return E.EACCES;
    if (code === 'ERR_FUSE_INTERRUPTED' || code === 'ABORT_ERR') return E.EINTR;
    if (code in E) return E[code as keyof typeof E];
  }
  if ((err as { name?: unknown } | null)?.name === 'AbortError') return E.EINTR;
  return E.EIO;
}

/** transport failures a hard mount waits out (the server away or restarting) */
export function isTransportFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_RPC_TIMEOUT' || code === 'ERR_RPC_CONNECT' || code === 'ERR_RPC_CLOSED' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE';
}
