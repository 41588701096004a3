/**
 * The calls on an open descriptor, the same for every node:fs-based backend: once a backend has
 * opened and checked a file, reading, writing, syncing and truncating it name no path at all.
 * Callback API wrapped in promises (fs.promises' FileHandle is about 2.5x slower here).
 */
import fs from 'node:fs';

export class DescriptorIo {
  close(fd: number): Promise<void> {
    return new Promise((res, rej) => fs.close(fd, (e) => (e ? rej(e) : res())));
  }

  read(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): Promise<number> {
    return new Promise((res, rej) => fs.read(fd, buf, off, len, position, (e, n) => (e ? rej(e) : res(n))));
  }

  readSync(fd: number, buf: Uint8Array, off: number, len: number, position: bigint | number): number {
    return fs.readSync(fd, buf, off, len, position);
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
