/**
 * Spawning the worker-thread clients of test/src/localio-worker-client.ts and talking to them.
 */
import { Worker } from 'node:worker_threads';

export interface WorkerClient {
  worker: Worker;
  /** one command, its reply (rejects on `{ ok: false }` with the worker's error text and code) */
  call(cmd: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** storm progress reports received so far */
  progress: number;
  onProgress: ((n: number) => void) | null;
  exited: Promise<number>;
  terminate(): Promise<number>;
}

const script = new URL('./localio-worker-client.js', import.meta.url);

/** Starts a client in a new worker thread and waits until it is ready. */
export async function startWorkerClient(url: string, options: Record<string, unknown> = {}): Promise<WorkerClient> {
  const worker = new Worker(script, { workerData: { url, options } });
  let next = 1;
  const pending = new Map<number, { resolve(v: Record<string, unknown>): void; reject(e: unknown): void }>();
  let exitCode: number | null = null;
  const exited = new Promise<number>((resolve) => worker.once('exit', (code) => {
    exitCode = code;
    for (const p of pending.values()) p.reject(new Error(`worker exited (${code})`));
    pending.clear();
    resolve(code);
  }));
  const wc: WorkerClient = {
    worker,
    progress: 0,
    onProgress: null,
    exited,
    call(cmd, args = {}) {
      if (exitCode !== null) return Promise.reject(new Error('worker exited'));
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, cmd, ...args });
      });
    },
    async terminate() {
      await worker.terminate();
      return exited;
    },
  };
  await new Promise<void>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (m: Record<string, unknown>) => {
      if (m.ready) { resolve(); return; }
      if (typeof m.progress === 'number') { wc.progress = m.progress; wc.onProgress?.(m.progress); return; }
      const p = pending.get(m.id as number);
      if (!p) return;
      pending.delete(m.id as number);
      if (m.ok) p.resolve(m);
      else p.reject(Object.assign(new Error(String(m.error)), { code: m.code }));
    });
  });
  return wc;
}
