/**
 * The /dev/fuse reader, in a worker thread of its own. read(2) on the device blocks until the
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
