/**
 * The calls on an open descriptor, the same for every node:fs-based backend: once a backend has
 * opened and checked a file, reading, writing, syncing and truncating it name no path at all.
 * Callback API wrapped in promises (fs.promises' FileHandle is about 2.5x slower here).
 */
import fs from 'node:fs';
import { NOWAIT_UNSUPPORTED, PREAD_NOWAIT_AVAILABLE, preadNowaitSync } from '@nfsts/sys';

/**
 * readSync() of at least this many bytes reads from the page cache only (RWF_NOWAIT) and returns
 * READ_NOT_CACHED rather than wait for the device: the server runs READs of up to 1 MiB on its
 * event loop, where one cold read would stall every connection for a device read (and three
 * in a row were needed before the SyncReadGate's cooldown stopped it). Smaller reads keep
 * fs.readSync: the gate's strikes bound those, and their path is tuned call by call.
 */
export const NOWAIT_READ_MIN = 64 * 1024;
/** Backend.readSync(): the bytes are not in the page cache; read them with read() instead. */
export const READ_NOT_CACHED = -1;

/** nowait reads made, and those that found the data not cached (for tests and profiles) */
export const nowaitCounters = { reads: 0, notCached: 0 };

const MAX_SAFE_POSITION = BigInt(Number.MAX_SAFE_INTEGER);

export class DescriptorIo {
  close(fd: number): Promise<void> {
    return new Promise((res, rej) => fs.close(fd, (e) => (e ? rej(e) : res())));
  }

  read(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number> {
    return new Promise((res, rej) => fs.read(fd, buf, off, len, position, (e, n) => (e ? rej(e) : res(n))));
  }

  /**
   * A read on the calling thread; a large one (NOWAIT_READ_MIN) only from the page cache:
   * READ_NOT_CACHED when its first bytes are not there, fewer bytes than asked when only the
   * first part is (the caller reads on for the rest, as after any short read). Portable path:
   * without @nfsts/sys (not Linux), or on a filesystem that refuses RWF_NOWAIT, fs.readSync.
   */
  readSync(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): number {
    if (len >= NOWAIT_READ_MIN && PREAD_NOWAIT_AVAILABLE) {
      const n = preadNowaitSync(fd, buf, off, len, position);
      if (n !== NOWAIT_UNSUPPORTED) {
        nowaitCounters.reads++;
        if (n < 0) nowaitCounters.notCached++;
        return n < 0 ? READ_NOT_CACHED : n;
      }
    }
    // a Number position: node:fs checks and converts a BigInt one on every call (~0.3 µs of a
    // ~1 µs page-cache read); offsets past 2^53 (no real file) keep the exact BigInt
    return fs.readSync(fd, buf, off, len, typeof position === 'bigint' && position <= MAX_SAFE_POSITION ? Number(position) : position);
  }

  write(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number> {
    return new Promise((res, rej) => fs.write(fd, buf, off, len, Number(position), (e, n) => (e ? rej(e) : res(n))));
  }

  writev(fd: number, bufs: readonly Uint8Array[], position: bigint | number): Promise<number> {
    return new Promise((res, rej) => fs.writev(fd, bufs as Uint8Array[], Number(position), (e, n) => (e ? rej(e) : res(n))));
  }

  writeSync(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): number {
    return fs.writeSync(fd, buf, off, len, Number(position));
  }

  fsync(fd: number): Promise<void> {
    return new Promise((res, rej) => fs.fsync(fd, (e) => (e ? rej(e) : res())));
  }

  fdatasync(fd: number): Promise<void> {
    return new Promise((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res())));
  }

  ftruncate(fd: number, size: bigint | number): Promise<void> {
    return new Promise((res, rej) => fs.ftruncate(fd, Number(size), (e) => (e ? rej(e) : res())));
  }
}
