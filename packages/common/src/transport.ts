/**
 * The small interface the client's request engine drives: READ, WRITE and COMMIT for a file
 * handle. The client implements it over RPC (`packages/client/src/rpc-transport.ts`) and
 * LOCALIO implements it on the server's backing file (`packages/localio`). It lives here, the
 * one package both import, so there is a single definition of the contract.
 */
export interface ReadResult {
  /** bytes placed at the start of `dest` */
  count: number;
  eof: boolean;
}

export interface WriteResult {
  /** bytes the server accepted (may be fewer than sent: the engine continues) */
  count: number;
  /** stable_how the server actually used: 0 UNSTABLE, 1 DATA_SYNC, 2 FILE_SYNC */
  committed: number;
  /** the server's 8-byte write verifier (may be shared: read it, do not modify it) */
  verf: Buffer;
  /**
   * true: written by LOCALIO with pwrite on the server's own descriptor in this process. The
   * bytes are in the kernel's page cache of the file, which no restart of the server in this
   * process can lose (a crash of the server is a crash of the caller): the caller keeps no copy
   * to resend and ignores verifier changes for it; a later COMMIT (local or RPC: both fsync
   * the file) still makes it durable. See packages/localio/README.md, "Writes".
   */
  local?: boolean;
}

export interface NfsTransport {
  /** Reads up to `dest.length` bytes at `offset` straight into `dest`. */
  read(fh: Buffer, offset: bigint, dest: Buffer): Promise<ReadResult>;
  /** Writes `data` at `offset`; `data` is sent by reference and not touched after the promise settles. */
  write(fh: Buffer, offset: bigint, data: Buffer, stable: number): Promise<WriteResult>;
  /** Commits `[offset, offset+count)` (count 0 = to the end of the file); returns the verifier. */
  commit(fh: Buffer, offset: bigint, count: number): Promise<Buffer>;
  /**
   * Optional lean read, for a transport that can finish some I/O on the calling thread
   * (LOCALIO): `length` bytes at `position` into `dest[offset…]`, done when it returns, and the
   * count (short only at end of file); -1 when it cannot be done so now: then use read().
   */
  readNow?(fh: Buffer, position: number, dest: Buffer, offset: number, length: number): number;
  /**
   * Optional lean UNSTABLE write, as readNow: all `length` bytes of `data[offset…]` written when
   * it returns (the count), or -1 (then use write()). The data is local (`WriteResult.local`):
   * nothing to keep for a resend, but a COMMIT is owed.
   */
  writeNow?(fh: Buffer, position: number, data: Buffer, offset: number, length: number): number;
}

export const UNSTABLE = 0;
export const DATA_SYNC = 1;
export const FILE_SYNC = 2;
