/**
 * The lock table mirrored into the backing files as OFD locks (Linux): one open file
 * description per (file, lock owner), so the kernel keeps the owners apart exactly as the table
 * does, and a local process's fcntl/lockf lock conflicts with an NFS client's and the other way
 * round. Portable fallback: where OFD locks are unavailable the server runs without a backing
 * and the table alone decides (NFS clients still exclude each other; local processes do not
 * see their locks).
 */
import { closeSync, constants } from 'node:fs';
import type { Logger } from 'pino';
import { OFD_LOCKS_AVAILABLE, OFD_MAX_OFFSET, ofdGetLock, ofdSetLock } from '@nfsts/sys';
import type { Node } from '../core/index.js';
import { LOCK_EOF, type BackingLocks, type LockFile } from './lock-manager.js';

/** A lock table file with the object it is: the backend opens it confined to its export and checked by dev/ino. */
export interface IdentifiedLockFile extends LockFile {
  node: Node;
}

/** Opens the checked regular file `node` on the calling thread (Backend.openSync), or throws. */
export type LockFileOpener = (node: Node, flags: number) => number;
/** Closes what the opener opened (Backend.closeSync): the same mechanism must close it, or Node's worker-thread fd tracking goes astray. */
export type LockFileCloser = (fd: number) => void;

/** Offsets off_t cannot hold are locked in the table only; an end past it becomes "to EOF". */
function kernelRange(start: bigint, end: bigint): { start: bigint; length: bigint } | null {
  if (start > OFD_MAX_OFFSET) return null;
  return { start, length: end === LOCK_EOF || end - 1n > OFD_MAX_OFFSET ? 0n : end - start };
}

export class OfdBacking implements BackingLocks {
  /** file key → owner key → descriptor */
  private readonly fds = new Map<string, Map<string, number>>();
  private readonly logger: Logger | undefined;
  private readonly openFile: LockFileOpener;
  private readonly closeFile: LockFileCloser;

  constructor(openFile: LockFileOpener, logger?: Logger, closeFile: LockFileCloser = closeSync) {
    this.openFile = openFile;
    this.closeFile = closeFile;
    this.logger = logger;
  }

  static available(): boolean {
    return OFD_LOCKS_AVAILABLE;
  }

  private open(file: IdentifiedLockFile, forWrite: boolean): number | null {
    try {
      return this.openFile(file.node, forWrite ? constants.O_RDWR : constants.O_RDONLY);
    } catch (err) {
      if (forWrite) return this.open(file, false);
      this.logger?.debug({ err, rel: file.node.rel }, 'cannot open the file for its OFD lock');
      return null;
    }
  }

  private fdOf(file: IdentifiedLockFile, owner: string, create: boolean): number | null {
    let m = this.fds.get(file.key);
    const have = m?.get(owner);
    if (have !== undefined || !create) return have ?? null;
    const fd = this.open(file, true);
    if (fd === null) return null;
    if (!m) {
      m = new Map();
      this.fds.set(file.key, m);
    }
    m.set(owner, fd);
    return fd;
  }

  set(file: IdentifiedLockFile, owner: string, start: bigint, end: bigint, type: 'read' | 'write' | 'unlock'): 'ok' | 'conflict' | 'unavailable' {
    const r = kernelRange(start, end);
    if (r === null) return 'unavailable';
    const fd = this.fdOf(file, owner, type !== 'unlock');
    if (fd === null) return 'unavailable';
    try {
      return ofdSetLock(fd, type, r.start, r.length) ? 'ok' : 'conflict';
    } catch (err) {
      // EBADF: a write lock on a read-only description (read-only file system); the table decides
      this.logger?.debug({ err, rel: file.node.rel }, 'OFD lock not taken');
      return 'unavailable';
    }
  }

  test(file: IdentifiedLockFile, owner: string, start: bigint, end: bigint, exclusive: boolean): { start: bigint; end: bigint; exclusive: boolean } | null {
    const r = kernelRange(start, end);
    if (r === null) return null;
    let fd = this.fdOf(file, owner, false);
    const probe = fd === null;
    if (probe) fd = this.open(file, false);
    if (fd === null) return null;
    try {
      const l = ofdGetLock(fd, exclusive ? 'write' : 'read', r.start, r.length);
      return l === null ? null : { start: l.start, end: l.length === 0n ? LOCK_EOF : l.start + l.length, exclusive: l.type === 'write' };
    } catch {
      return null;
    } finally {
      if (probe) this.closeFile(fd);
    }
  }

  drop(file: LockFile, owner: string): void {
    const m = this.fds.get(file.key);
    const fd = m?.get(owner);
    if (fd === undefined) return;
    m!.delete(owner);
    if (m!.size === 0) this.fds.delete(file.key);
    this.closeFile(fd); // closing the description releases whatever it still held
  }

  close(): void {
    for (const m of this.fds.values()) for (const fd of m.values()) this.closeFile(fd);
    this.fds.clear();
  }
}
