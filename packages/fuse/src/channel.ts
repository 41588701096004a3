/**
 * The session's two directions over one /dev/fuse descriptor: requests are read on the main
 * thread when the device is readable (reader.ts), or, where that is not available, by a reader
 * worker; replies are written here, each in one write(2) as the device requires
 * (header and body gathered with writev, so READ data is never copied into a reply buffer).
 */
import { writeSync, writevSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { UV_POLL_AVAILABLE } from '@nfsts/sys';
import { OUT_HEADER } from './abi.js';
import { LoopReader, READER_SOURCE } from './reader.js';

/**
 * How requests are read: `loop` on the main thread from the event loop's readiness of the
 * device (no thread hand-off per request), `worker` in a thread of its own (the portable path,
 * and the only one off the main thread). NFSTS_FUSE_READER=worker forces the latter, to compare.
 */
export const FUSE_READER: 'loop' | 'worker' = UV_POLL_AVAILABLE && process.env.NFSTS_FUSE_READER !== 'worker' ? 'loop' : 'worker';

export class FuseChannel {
  private readonly worker: Worker | null = null;
  private readonly loop: LoopReader | null = null;
  private ended = false;

  constructor(readonly fd: number, bufSize: number, onRequest: (req: Buffer) => void, onEnd: (reason: string) => void) {
    if (FUSE_READER === 'loop') {
      this.loop = new LoopReader(fd, bufSize, onRequest, (reason) => this.finish(reason, onEnd));
      return;
    }
    // portable path: a blocking reader in a worker thread
    const worker = new Worker(READER_SOURCE, { eval: true, workerData: { fd, bufSize } });
    this.worker = worker;
    worker.on('message', (m: { ab?: ArrayBuffer; n?: number; off?: number; end?: string }) => {
      if (m.end !== undefined) {
        this.finish(m.end, onEnd);
        return;
      }
      onRequest(Buffer.from(m.ab!, m.off ?? 0, m.n!));
    });
    worker.on('error', (err) => this.finish(String(err), onEnd));
    worker.on('exit', () => this.finish('reader exited', onEnd));
  }

  private finish(reason: string, onEnd: (reason: string) => void): void {
    if (this.ended) return;
    this.ended = true;
    this.loop?.close();
    onEnd(reason);
  }

  /** the reader keeps the process alive only while the caller wants it to */
  unref(): void {
    this.worker?.unref();
    this.loop?.unref();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** an error reply (errno positive, e.g. 2 for ENOENT) */
  error(unique: bigint, errno: number): void {
    const h = Buffer.allocUnsafe(OUT_HEADER);
    h.writeUInt32LE(OUT_HEADER, 0);
    h.writeInt32LE(-errno, 4);
    h.writeBigUInt64LE(unique, 8);
    this.write(h, null);
  }

  /**
   * A reply whose body is `body[OUT_HEADER..]` (the caller reserved the header's room, so the
   * common case is one buffer and one write), optionally followed by `tail` (bulk data, one buffer or several gathered).
   */
  reply(unique: bigint, body: Buffer, tail: Buffer | Buffer[] | null = null): void {
    let n = body.length;
    if (tail !== null) {
      if (Array.isArray(tail)) for (const t of tail) n += t.length;
      else n += tail.length;
    }
    body.writeUInt32LE(n, 0);
    body.writeInt32LE(0, 4);
    body.writeBigUInt64LE(unique, 8);
    this.write(body, tail);
  }

  private write(head: Buffer, tail: Buffer | Buffer[] | null): void {
    if (this.ended) return;
    try {
      if (tail === null || tail.length === 0) writeSync(this.fd, head);
      else writevSync(this.fd, Array.isArray(tail) ? [head, ...tail] : [head, tail]);
    } catch (err) {
      // ENOENT: the request was interrupted and the kernel no longer waits for it
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
