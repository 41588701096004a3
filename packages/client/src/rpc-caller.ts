import type { RpcCallable } from '@nfsts/rpc';

/** The part of `RpcClient` the NFS client uses (kept structural so tests and LOCALIO can stand in). */
export interface RpcCaller extends RpcCallable {
  close(): Promise<void>;
}
