import { readSync } from 'node:fs';
import { pollReadable, type ReadablePoll } from '@nfsts/sys';

/** requests read per wake-up at most, before other events get their turn */
export const DEFAULT_READ_BATCH = 32;
/** requests below this size are copied out of the read buffer; larger ones take it with them */
const COPY_BELOW = 64 * 1024;

/**
 * The /dev/fuse reader on the main thread. The event loop polls the device (made non-blocking)
 * and, when it is readable, up to `batch` requests are read, one whole request per read(2)
 * into a buffer of max_write + headers as the device requires, and dispatched, until EAGAIN.
 * The poll is level-triggered, so what a bounded batch leaves is read on the next iteration;
 * when nothing is queued the loop sleeps in epoll, no spinning.
 *
 * Reading and dispatching happen in a setImmediate, not in the poll callback itself: that
 * callback enters JavaScript from libuv through the FFI, outside Node's callback scope, where
 * promise continuations and nextTicks queued by the session would wait for some later event.
 * An immediate is Node's own callback (run in the same loop iteration, right after polling).
 *
 * EINTR and ENOENT (a request interrupted before it was read) are skipped; ENODEV (unmounted,
 * or the connection aborted) or any other error ends the reader, once.
 */
export class LoopReader {
  private buf: Buffer;
  private readonly poll: ReadablePoll;
  private scheduled = false;
  private pollError = 0;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly bufSize: number,
    private readonly onRequest: (req: Buffer) => void,
    private readonly onEnd: (reason: string) => void,
    private readonly batch = DEFAULT_READ_BATCH,
  ) {
    this.buf = Buffer.allocUnsafeSlow(bufSize);
    this.poll = pollReadable(fd, (status) => {
      if (status < 0) this.pollError = status;
      if (this.scheduled || this.closed) return;
      this.scheduled = true;
      setImmediate(this.drain);
    });
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    for (let i = 0; i < this.batch && !this.closed; i++) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, this.bufSize, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EINTR' || code === 'ENOENT') continue;
        if (code === 'EAGAIN' && this.pollError === 0) return; // drained: wait for the next readiness
        this.end(code === 'EAGAIN' ? `poll error ${this.pollError}` : (code ?? String(err)));
        return;
      }
      let req: Buffer;
      if (n < COPY_BELOW) {
        req = Buffer.allocUnsafe(n);
        this.buf.copy(req, 0, 0, n);
      } else {
        req = this.buf.subarray(0, n);
        this.buf = Buffer.allocUnsafeSlow(this.bufSize);
      }
      this.onRequest(req);
    }
  };

  private end(reason: string): void {
    this.close();
    this.onEnd(reason);
  }

  unref(): void {
    this.poll.unref();
  }

  /** stops polling (before the descriptor is closed); idempotent */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poll.close();
  }
}

/**
 * The portable path: the /dev/fuse reader in a worker thread of its own. read(2) on the device blocks until the
 * kernel has a request; doing that here keeps it off the event loop and out of libuv's thread
 * pool (whose four threads LOCALIO and the server's file system calls need: a pool thread parked
 * in read(2) per outstanding request would starve them). One thread is enough: the kernel
 * queues requests and each read returns one at once, while the main thread answers them
 * concurrently.
 *
 * Small requests are copied into a buffer of their own size; a large one (a WRITE's data) is
 * sent as the read buffer itself, transferred, not copied, and a fresh buffer takes its place.
 *
 * The source is a string run with `eval: true`, so the worker needs no file of its own beside
 * the module (the CLI is also shipped as one bundled file).
 */
export const READER_SOURCE = `
const { readSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');

const { fd, bufSize } = workerData;
const COPY_BELOW = 64 * 1024;
let buf = Buffer.allocUnsafeSlow(bufSize);

for (;;) {
  let n;
  try {
    n = readSync(fd, buf, 0, bufSize, null);
  } catch (err) {
    const code = err.code;
    // interrupted, or the request was withdrawn (interrupted) before we read it
    if (code === 'EINTR' || code === 'EAGAIN' || code === 'ENOENT') continue;
    // ENODEV: unmounted (or the connection aborted); anything else ends the session too
    parentPort.postMessage({ end: code ?? String(err) });
    break;
  }
  if (n < COPY_BELOW) {
    const ab = new ArrayBuffer(n);
    buf.copy(new Uint8Array(ab), 0, 0, n);
    parentPort.postMessage({ ab, n }, [ab]);
  } else {
    const ab = buf.buffer;
    const off = buf.byteOffset;
    parentPort.postMessage({ ab, n, off }, [ab]);
    buf = Buffer.allocUnsafeSlow(bufSize);
  }
}
`;
