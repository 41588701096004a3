import type { Codec } from '@nfsts/xdr';
import type { Credential } from '@nfsts/rpc';

/** The part of `RpcClient` the NFS client uses (kept structural so tests and LOCALIO can stand in). */
export interface RpcCaller {
  call<A, R>(prog: number, vers: number, proc: number, args: Codec<A>, argValue: A, res: Codec<R>,
    opts?: { timeoutMs?: number; cred?: Credential; signal?: AbortSignal }): Promise<R>;
  close(): Promise<void>;
}
