/**
 * Types LOCALIO shares with the server and client without importing them.
 */
import type { Credential } from '@nfsts/rpc';
import type { ClientEntry, LocalFile, LocalFileMode, ServerTable } from '@nfsts/common';

// the transport contract shared with the client's request engine
export { type NfsTransport, type ReadResult, type WriteResult, UNSTABLE, DATA_SYNC, FILE_SYNC } from '@nfsts/common';

/** The part of `RpcClient` a probe needs: `call` (the RPC package's structural `RpcCallable`). */
export type { RpcCallable as RpcCallerLike } from '@nfsts/rpc';

// ---- the server side ----

/** The client as the server knows it: its registry entry and the RPC connection it probed on. */
export interface LocalClient {
  readonly entry: ClientEntry;
  /** of the TCP connection that carried UUID_IS_LOCAL (for the export's host rules and `secure`) */
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  readonly connectionId: number;
}

/**
 * What a server implements for LOCALIO (Linux's `nfsd_localio_operations`).
 *
 * `openLocalFh` must do what an RPC READ/WRITE would: the server's own handle resolution,
 * the export's host rules for `client.remoteAddress`, squashing of `cred`, `ro`, and the
 * permission check for `mode` ('r' as READ checks, 'rw' as WRITE/COMMIT check). It returns a
 * `LocalFile` holding one reference for the caller (the server's `OpenFile` from its file
 * cache qualifies), or the nfsstat3 the RPC would have answered (e.g. 70 STALE, 13 ACCES,
 * 30 ROFS, 21 ISDIR). It may also throw (an errno error): the client then sends that I/O by RPC.
 */
export interface LocalioOps {
  openLocalFh(client: LocalClient, cred: Credential, fh: Buffer, mode: LocalFileMode): Promise<LocalFile | number>;
  /** the WRITE/COMMIT verifier, 8 bytes, the one RPC replies carry */
  readonly verifier: Buffer;
  /**
   * Optional: a call to another program this server serves (NLM), run in-process with the
   * client's probing connection as its peer: the same handler an RPC would reach, no socket.
   * undefined when the server does not serve that procedure locally (the client then uses RPC).
   */
  callLocal?(client: LocalClient, prog: number, vers: number, proc: number, args: unknown): Promise<unknown> | undefined;
}

/** What a LOCALIO server publishes in the registry; a bound client reaches it as `entry.boundTo`. */
export interface LocalioTable extends ServerTable {
  readonly kind: 'nfsts.localio.v1';
  readonly verifier: Buffer;
  /** as `LocalioOps.openLocalFh`, for a client bound to this server; throws ERR_LOCALIO_SERVER_GONE when closing */
  openLocalFh(entry: ClientEntry, cred: Credential, fh: Buffer, mode: LocalFileMode): Promise<LocalFile | number>;
  /** as `LocalioOps.callLocal`, for a client bound to this server */
  callLocal?(entry: ClientEntry, prog: number, vers: number, proc: number, args: unknown): Promise<unknown> | undefined;
}

export function isLocalioTable(t: ServerTable | null | undefined): t is LocalioTable {
  return !!t && (t as Partial<LocalioTable>).kind === 'nfsts.localio.v1';
}
