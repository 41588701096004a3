import net from 'node:net';

/**
 * Sockets that read into one reused buffer instead of a fresh one per read (issue 12).
 *
 * Node's default is a fresh buffer per socket read (64 KiB at a time): a 1 MiB WRITE arrives as
 * 17-18 new buffers, which V8 counts as external memory and which triggered old-space
 * collections (28.6% of the server's time in the GC during 1 MiB WRITEs). With `onread` libuv
 * reads into a buffer we own and the callback consumes the bytes before it returns (the record
 * reader's transient mode copies what it keeps), so one buffer serves every read.
 *
 * One buffer may serve many sockets: libuv allocates, reads and calls back one socket at a time
 * on this thread, and every callback consumes its bytes before returning.
 */

/** How much one client socket read may take: a whole 1 MiB READ reply in one or two reads. */
export const READ_BUFFER_SIZE = 1024 * 1024;
/**
 * How much one server socket read may take: Node's own 64 KiB. A connection paused mid-read
 * (in-flight limit, reply budget) holds the rest of that read's records uncharged, so a larger
 * buffer would raise that per-connection bound (1024 paused connections: 64 MiB now).
 */
export const SERVER_READ_BUFFER_SIZE = 64 * 1024;

/** 'reuse': read into a reused buffer; 'fresh': a new buffer per read (Node's default, 'data' events). */
export type SocketReadBuffer = 'reuse' | 'fresh';
export const DEFAULT_SOCKET_READ_BUFFER: SocketReadBuffer = 'reuse';

let clientBuffer: Buffer | null = null;

/** The buffer every client socket of this thread reads into (allocated on first use). */
export function clientReadBuffer(): Buffer {
  return (clientBuffer ??= Buffer.allocUnsafe(READ_BUFFER_SIZE));
}

/** Called with each read: `buf[0, n)` are the bytes, valid only until it returns. */
export type ReadSink = (buf: Buffer, n: number) => void;

interface HandleSocket {
  _handle?: { useUserBuffer?: unknown } | null;
  _server?: net.Server | null;
  server?: net.Server | null;
}

/**
 * An accepted socket (from a server made with pauseOnConnect, so nothing was read yet) made into
 * one that reads into `buffer`: Node 20 has no server option for `onread`, so its handle is moved
 * to a new Socket built with one. That relies on the undocumented `_handle` (and `_server`, which
 * counts the server's connections): when they are not what this expects, null, and the caller
 * reads `socket` the usual way.
 */
export function adoptWithReadBuffer(socket: net.Socket, buffer: Buffer, sink: ReadSink): net.Socket | null {
  const s = socket as unknown as HandleSocket;
  const handle = s._handle;
  if (handle === null || typeof handle !== 'object' || typeof handle.useUserBuffer !== 'function' || !('_server' in s)) return null;
  const server = s._server ?? null;
  s._handle = null;
  s._server = null; // the new socket owns the connection count from here
  const t = new net.Socket({
    handle: handle as unknown as net.Socket['_handle' & keyof net.Socket],
    allowHalfOpen: true,
    readable: true,
    writable: true,
    noDelay: true,
    onread: { buffer, callback: (n: number, buf: Uint8Array) => { sink(buf as Buffer, n); return true; } },
  } as net.SocketConstructorOpts & { handle: unknown; noDelay: boolean });
  const ts = t as unknown as HandleSocket;
  ts._server = server;
  ts.server = server;
  return t;
}
