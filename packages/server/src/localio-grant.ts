/**
 * One LOCALIO client's grant on a shared open file. The permission check of `openLocalFh`
 * holds only while the attributes it looked at are unchanged: a file opened 0666 by another
 * uid must stop taking that uid's writes once its owner sets 0644, as an RPC WRITE (which
 * checks every call) would. A LOCALIO client reads `dropped` before every use of a cached
 * file, so that is where the grant is re-checked: one fstat of the descriptor (no path walk),
 * and the full check again only when mode or owner moved. The check is a function of mode,
 * uid and gid alone (the RPC path's mayReadFile/mayWriteFile/modeAfterWrite), so ctime, which
 * every write moves, is not compared: a write would otherwise cost a second, BigInt fstat
 * (measured: a sixth of a LOCALIO 4 KiB write's CPU went to fstat). A grant found refused stays dropped; the
 * client then opens afresh, is refused by `openLocalFh`, and sends the I/O by RPC, which
 * answers with the same status.
 */
import fs from 'node:fs';
import type { BigIntStats } from 'node:fs';
import type { LocalFile, LocalFileMode } from '@nfsts/common';
import type { OpenFile } from './core/index.js';

/** Whether the credential of the grant may still do its I/O on an object with these attributes. */
export type GrantCheck = (stats: BigIntStats) => boolean;

export class LocalGrant implements LocalFile {
  private readonly file: OpenFile;
  private readonly allowed: GrantCheck;
  /**
   * the check passes whatever the attributes (root): no fstat per use; read by a holder in
   * another thread (@nfsts/localio remote-server), which then skips its own per-use fstat too
   */
  readonly unconditional: boolean;
  private revoked = false;
  // the attributes the last check saw (numbers: the common path allocates no BigInt)
  private stMode: number;
  private uid: number;
  private gid: number;

  /**
   * `unconditional`: the caller knows `allowed` holds for any mode and owner (a root
   * credential: nfsd's rules let root read and write any regular file and keep its set-id
   * bits), so `dropped` asks the file alone, with no fstat.
   */
  constructor(file: OpenFile, allowed: GrantCheck, unconditional = false) {
    this.file = file;
    this.allowed = allowed;
    this.unconditional = unconditional;
    // nothing seen yet: the first use checks once on the descriptor
    this.stMode = -1;
    this.uid = -1;
    this.gid = -1;
  }

  get fd(): number { return this.file.fd; }
  get mode(): LocalFileMode { return this.file.mode; }

  get dropped(): boolean {
    if (this.revoked || this.file.dropped) return true;
    if (this.unconditional) return false;
    let st: fs.Stats;
    try {
      st = fs.fstatSync(this.file.fd);
    } catch {
      return (this.revoked = true);
    }
    if (st.mode === this.stMode && st.uid === this.uid && st.gid === this.gid) return false;
    let big: BigIntStats;
    try {
      big = fs.fstatSync(this.file.fd, { bigint: true });
    } catch {
      return (this.revoked = true);
    }
    if (!this.allowed(big)) return (this.revoked = true);
    // what was checked (the second fstat), not what the first one saw
    this.stMode = Number(big.mode);
    this.uid = Number(big.uid);
    this.gid = Number(big.gid);
    return false;
  }

  /**
   * The mode, uid and gid the last check passed, or null before the first check: a client in
   * another thread re-checks against them with its own fstat (see @nfsts/localio remote-client).
   */
  get checked(): readonly [number, number, number] | null {
    return this.stMode === -1 ? null : [this.stMode, this.uid, this.gid];
  }

  /**
   * Calls `fn` once when the shared file is dropped (removed or renamed over through the
   * server, or the cache closing), at once if it is already; returns the remover. What
   * `dropped` answers for an unconditional grant, for a holder in another thread that cannot
   * ask it per use.
   */
  onDropped(fn: () => void): () => void {
    return this.file.onDropped(fn);
  }

  /** Takes another reference on the shared file; returns this grant. */
  get(): LocalFile {
    this.file.get();
    return this;
  }

  put(): void {
    this.file.put();
  }
}
