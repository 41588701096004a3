/**
 * Readiness of a descriptor on the main thread's event loop, for descriptors Node has no
 * stream for (a character device such as /dev/fuse: `net.Socket` rejects it, and a libuv
 * stream would read it into 64 KiB buffers, where the device needs one whole request per
 * read(2)). This binds libuv's own `uv_poll_t` from the running node binary, which exports
 * libuv for addons: the callback runs on the main thread in the loop's poll phase, so a
 * reader there needs no thread of its own and no hand-off. `uv_poll_init` also makes the
 * descriptor non-blocking.
 *
 * Linux-only like the rest of this package; `UV_POLL_AVAILABLE` is false elsewhere, off the
 * main thread (a worker has another loop) or if the binary does not export libuv, and callers
 * keep their portable path for that case.
 */
import { isMainThread } from 'node:worker_threads';
import { SYS_AVAILABLE, libc, sysError } from './libc.js';

const UV_POLL = 8; // uv_handle_type
const UV_READABLE = 1;

interface UvApi {
  loop: unknown;
  size: number;
  init: (loop: unknown, handle: Buffer, fd: number) => number;
  start: (handle: Buffer, events: number, cb: unknown) => number;
  stop: (handle: Buffer) => number;
  close: (handle: Buffer, cb: unknown) => void;
  ref: (handle: Buffer) => void;
  unref: (handle: Buffer) => void;
  pollProto: unknown;
  closeProto: unknown;
  unregister: (cb: unknown) => void;
  register: (fn: (...a: never[]) => void, type: unknown) => unknown;
}

function bind(): UvApi | null {
  if (!SYS_AVAILABLE || !isMainThread) return null;
  try {
    const { koffi } = libc();
    const self = koffi.load(null as unknown as string); // the node executable itself
    const pollProto = koffi.proto('void nfsts_uv_poll_cb(void *handle, int status, int events)');
    const closeProto = koffi.proto('void nfsts_uv_close_cb(void *handle)');
    const api: UvApi = {
      loop: self.func('void *uv_default_loop()')(),
      size: Number(self.func('size_t uv_handle_size(int)')(UV_POLL)),
      init: self.func('int uv_poll_init(void *loop, void *handle, int fd)'),
      start: self.func('int uv_poll_start(void *handle, int events, nfsts_uv_poll_cb *cb)'),
      stop: self.func('int uv_poll_stop(void *handle)'),
      close: self.func('void uv_close(void *handle, nfsts_uv_close_cb *cb)'),
      ref: self.func('void uv_ref(void *handle)'),
      unref: self.func('void uv_unref(void *handle)'),
      pollProto,
      closeProto,
      unregister: (cb) => koffi.unregister(cb as never),
      register: (fn, type) => koffi.register(fn, koffi.pointer(type as never)),
    };
    return api.size > 0 ? api : null;
  } catch {
    return null;
  }
}

const uv = bind();

/** True when `pollReadable` works in this thread. */
export const UV_POLL_AVAILABLE = uv !== null;

export interface ReadablePoll {
  /** keeps the process alive while polling (the default) */
  ref(): void;
  unref(): void;
  /** stops polling and frees the handle; no callback after this returns. Idempotent. */
  close(): void;
}

/**
 * Calls `onReady(status)` on the main thread whenever `fd` is readable (level-triggered: as
 * long as unread data remains, every loop iteration), `status` 0, or with a negative libuv
 * error once the descriptor reports an error (polling has then stopped; call close()).
 * The descriptor must stay open until close() has returned.
 */
export function pollReadable(fd: number, onReady: (status: number) => void): ReadablePoll {
  if (uv === null) throw Object.assign(new Error('libuv polling is not available in this thread'), { code: 'ERR_SYS_UNAVAILABLE' });
  const api = uv;
  // off the V8 heap, so the address libuv keeps stays valid; held here until the close callback
  const handle = Buffer.alloc(api.size);
  const rc = api.init(api.loop, handle, fd);
  if (rc < 0) throw sysError(-rc, 'uv_poll_init');
  let closed = false;
  // errors thrown by onReady must not unwind through libuv; they are rethrown on a clean stack
  const pollCb = api.register((_h: unknown, status: number) => {
    try {
      onReady(status);
    } catch (err) {
      process.nextTick(() => { throw err; });
    }
  }, api.pollProto);
  let closeCb: unknown = null;
  closeCb = api.register(() => {
    api.unregister(pollCb);
    api.unregister(closeCb);
    handle.fill(0); // keeps `handle` referenced until libuv is done with it
  }, api.closeProto);
  const src = api.start(handle, UV_READABLE, pollCb);
  if (src < 0) {
    api.close(handle, closeCb);
    throw sysError(-src, 'uv_poll_start');
  }
  return {
    ref: () => { if (!closed) api.ref(handle); },
    unref: () => { if (!closed) api.unref(handle); },
    close: () => {
      if (closed) return;
      closed = true;
      api.stop(handle);
      api.close(handle, closeCb);
    },
  };
}
