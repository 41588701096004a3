/**
 * The client's open local files: per file handle, the `LocalFile` the server granted for
 * reads ('r') and the one for writes ('rw'), each holding one reference (Linux's ro/rw
 * `nfsd_file` slots of an open context). A slot is used strictly by the mode asked for: a read
 * slot may hold a read-write descriptor (the server's cache shares one), but it was opened with
 * READ's checks only, so it never serves a write; nor does a write slot serve reads (write
 * permission does not imply read permission). `dropped` is asked before every use: the server
 * re-checks the grant there (a chmod since the open may have revoked it), so only the slot
 * about to be used is asked.
 */
import type { LocalFile, LocalFileMode } from '@nfsts/common';

interface Slot {
  r: LocalFile | null;
  rw: LocalFile | null;
}

export class OpenFiles {
  private readonly slots = new Map<string, Slot>();
  /** the handle Buffer last looked up and its slot: a file handle passes the same Buffer every call, so no key string is built */
  private lastFh: Buffer | null = null;
  private lastSlot: Slot | null = null;

  constructor(private readonly max: () => number) {}

  get size(): number {
    return this.slots.size;
  }

  private slotOf(fh: Buffer): Slot | null {
    if (fh === this.lastFh) return this.lastSlot;
    if (this.slots.size === 0) return null;
    const slot = this.slots.get(fh.toString('latin1'));
    if (slot === undefined) return null;
    this.lastFh = fh;
    this.lastSlot = slot;
    return slot;
  }

  /**
   * The cached file for `fh` serving `mode`, WITHOUT a reference, or null (a miss, or the
   * grant re-check dropped it: the slot lets go and the next open goes to the server afresh).
   * Valid only until this thread next yields: the caller takes a reference or finishes its I/O
   * synchronously.
   */
  peek(fh: Buffer, mode: LocalFileMode): LocalFile | null {
    const slot = this.slotOf(fh);
    if (slot === null) return null;
    const f = mode === 'r' ? slot.r : slot.rw;
    if (f === null) return null;
    if (f.dropped) {
      f.put();
      slot[mode] = null;
      return null;
    }
    return f;
  }

  /** peek() with a reference taken for the caller. */
  get(fh: Buffer, mode: LocalFileMode): LocalFile | null {
    return this.peek(fh, mode)?.get() ?? null;
  }

  /**
   * Caches `opened` (holding the open's one reference) in its slot; returns it with a
   * reference for the caller. When the slot is taken meanwhile, `opened` is the caller's alone.
   */
  keep(fh: Buffer, mode: LocalFileMode, opened: LocalFile): LocalFile {
    const key = fh.toString('latin1');
    let s = this.slots.get(key);
    if (!s) {
      s = { r: null, rw: null };
      this.slots.set(key, s);
      if (this.slots.size > this.max()) {
        const oldest = this.slots.keys().next().value as string;
        const o = this.slots.get(oldest);
        this.slots.delete(oldest);
        if (o) putSlot(o);
      }
    }
    this.lastFh = null; // the key maps to a (possibly new) slot
    this.lastSlot = null;
    if (s[mode]) return opened; // another operation cached one meanwhile: this one is used once
    s[mode] = opened; // the slot keeps the open's reference
    return opened.get();
  }

  /** Puts the files of one handle (the client closed the file). */
  release(fh: Buffer): void {
    const key = fh.toString('latin1');
    const slot = this.slots.get(key);
    if (!slot) return;
    this.slots.delete(key);
    putSlot(slot);
    this.lastFh = null;
    this.lastSlot = null;
  }

  /** Puts every file (not local any more). */
  clear(): void {
    for (const slot of this.slots.values()) putSlot(slot);
    this.slots.clear();
    this.lastFh = null;
    this.lastSlot = null;
  }
}

function putSlot(slot: Slot): void {
  const { r, rw } = slot;
  slot.r = null;
  slot.rw = null;
  r?.put();
  rw?.put();
}
