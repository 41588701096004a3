/**
 * nodeid <-> NFS file handle. The kernel names inodes by the nodeid we give in LOOKUP-like
 * replies and counts each such reply; FORGET gives the count back, and at zero the node goes.
 * Handles are the keys, so hard links (one handle, several names) share one nodeid.
 */
import { FUSE_ROOT_ID } from './abi.js';

export interface Node {
  id: bigint;
  fh: Buffer;
  nlookup: number;
  isDir: boolean;
  /** mtime/ctime/size seen at the last open: unchanged at the next open = FOPEN_KEEP_CACHE */
  openStamp: string | null;
  /** open files on it (unlink and rename-over rename it aside while this is not 0) */
  opens: number;
  /** where it was renamed aside to, removed at the last release */
  silly: { dir: Buffer; name: string } | null;
  /**
   * the FUSE passthrough backing id its open files share, and how many use it (the kernel
   * allows one backing file per inode and no mix of passthrough and plain opens)
   */
  backing: { id: number; refs: number } | null;
}

export class NodeTable {
  private readonly byId = new Map<bigint, Node>();
  private readonly byFh = new Map<string, Node>();
  private next = FUSE_ROOT_ID + 1n;

  constructor(rootFh: Buffer) {
    const root: Node = { id: FUSE_ROOT_ID, fh: Buffer.from(rootFh), nlookup: 1, isDir: true, openStamp: null, opens: 0, silly: null, backing: null };
    this.byId.set(root.id, root);
    this.byFh.set(root.fh.toString('latin1'), root);
  }

  get(id: bigint): Node | undefined {
    return this.byId.get(id);
  }

  /** the node of `fh` (a view of a reply is copied), its lookup count raised by one */
  lookup(fh: Buffer, isDir: boolean): Node {
    const key = fh.toString('latin1');
    let n = this.byFh.get(key);
    if (n === undefined) {
      n = { id: this.next++, fh: Buffer.from(fh), nlookup: 0, isDir, openStamp: null, opens: 0, silly: null, backing: null };
      this.byId.set(n.id, n);
      this.byFh.set(key, n);
    }
    n.nlookup++;
    return n;
  }

  /** the node of a handle, if the kernel knows it */
  find(fh: Buffer): Node | undefined {
    return this.byFh.get(fh.toString('latin1'));
  }

  forget(id: bigint, count: number): void {
    if (id === FUSE_ROOT_ID) return;
    const n = this.byId.get(id);
    if (n === undefined) return;
    n.nlookup -= count;
    if (n.nlookup <= 0 && n.opens === 0) {
      this.byId.delete(id);
      this.byFh.delete(n.fh.toString('latin1'));
    }
  }

  get size(): number {
    return this.byId.size;
  }
}
