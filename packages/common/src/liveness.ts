/**
 * Server liveness (Linux's `nfsd_serv_try_get`/`nfsd_serv_put` percpu ref). A client takes a
 * reference for every local operation (open + I/O) and puts it when the operation is done;
 * `tryGet()` fails once the server is closing, so no new local work starts; `drained()`
 * resolves when the last reference is put.
 */
import { LocalioError } from './errors.js';

/** What a client may do with a server's liveness (the table's `liveness`). */
export interface Liveness {
  /** takes a reference, or returns false when the server is closing/closed */
  tryGet(): boolean;
  /** drops a reference taken by a successful tryGet() */
  put(): void;
  readonly closing: boolean;
  /** references currently held */
  readonly refs: number;
}

export class ServerLiveness implements Liveness {
  private count = 0;
  private isClosing = false;
  private waiters: Array<() => void> = [];

  get closing(): boolean {
    return this.isClosing;
  }

  get refs(): number {
    return this.count;
  }

  tryGet(): boolean {
    if (this.isClosing) return false;
    this.count++;
    return true;
  }

  put(): void {
    if (this.count <= 0) throw new LocalioError('ERR_LOCALIO_REFCOUNT', 'Liveness.put() without a matching tryGet()');
    this.count--;
    if (this.count === 0 && this.waiters.length > 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  /** Refuses new references from now on. Idempotent. */
  close(): void {
    this.isClosing = true;
  }

  /** Resolves once no reference is held (immediately when none is). */
  drained(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
