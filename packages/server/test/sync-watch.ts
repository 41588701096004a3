/**
 * A real NodeFsBackend wrapped so a test sees when data is made durable: it records every
 * write, fsync and fdatasync in order, and while `held` is set a sync does not finish until
 * the test calls release(), so the test can check that no reply leaves before it.
 * Everything else passes straight through to the real backend.
 */
import { NodeFsBackend, type Backend } from '../src/core/index.js';

export type SyncKind = 'fsync' | 'fdatasync';

export interface SyncWatch {
  backend: Backend;
  /** 'write', 'fsync', 'fdatasync' as called, and 'fsync done' / 'fdatasync done' as finished */
  readonly events: string[];
  /** while true, each sync waits for release() before doing its work */
  held: boolean;
  /** resolves at the next sync call (the one already waiting, if any) */
  nextSync(): Promise<SyncKind>;
  /** lets every waiting sync proceed */
  release(): void;
}

export function watchSyncs(): SyncWatch {
  const real = new NodeFsBackend();
  const events: string[] = [];
  let waiting: Array<() => void> = [];
  let onSync: ((k: SyncKind) => void) | undefined;
  let pendingKind: SyncKind | undefined;
  const watch: SyncWatch = {
    backend: real,
    events,
    held: false,
    nextSync() {
      if (pendingKind !== undefined) { const k = pendingKind; pendingKind = undefined; return Promise.resolve(k); }
      return new Promise((resolve) => { onSync = resolve; });
    },
    release() {
      const w = waiting;
      waiting = [];
      for (const go of w) go();
    },
  };
  const sync = (kind: SyncKind) => async (fd: number): Promise<void> => {
    events.push(kind);
    if (onSync !== undefined) { const f = onSync; onSync = undefined; f(kind); } else pendingKind = kind;
    if (watch.held) await new Promise<void>((go) => waiting.push(go));
    await real[kind](fd);
    events.push(`${kind} done`);
  };
  const overrides: Partial<Backend> = {
    async write(fd, buf, off, len, position) {
      events.push('write');
      return real.write(fd, buf, off, len, position);
    },
    // a large WRITE's data as the socket chunks it arrived in (the RPC bulk path): recorded alike
    async writev(fd, bufs, position) {
      events.push('write');
      return real.writev!(fd, bufs, position);
    },
    // small writes run on the event loop (Backend.writeSync under the core's gate): recorded alike
    writeSync(fd, buf, off, len, position) {
      events.push('write');
      return real.writeSync(fd, buf, off, len, position);
    },
    fsync: sync('fsync'),
    fdatasync: sync('fdatasync'),
  };
  watch.backend = new Proxy(real, {
    get(target, prop, receiver) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop as keyof Backend];
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return watch;
}
