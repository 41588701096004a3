/**
 * The V8 heap of the soak's server process, next to its RSS: what the live JavaScript heap
 * is after each major collection, and how big V8 keeps its spaces. RSS alone cannot tell a
 * leak from V8 sizing its heap (issue 12's 10-million-call soak stepped by 10 MiB when V8
 * doubled its young generation while the heap used after GC stayed flat; bench/notes/soak-and-libnfs-column.md).
 *
 * The server child answers a `{ heap: n }` message on its IPC channel with the figures
 * (`reportHeapOnRequest`, installed by child-server.ts when it has a channel). The heap used
 * after GC is taken from V8's GC profiler, which records every collection's statistics after
 * it ran, so nothing is forced or sampled at a random point of the sawtooth.
 */
import type { ChildProcess } from 'node:child_process';
import { GCProfiler, getHeapSpaceStatistics } from 'node:v8';

export interface HeapFigures {
  /** bytes of live heap right after the latest mark-compact (undefined until the first) */
  usedAfterGcMiB: number | undefined;
  /** mark-compacts since the server started */
  majorGcs: number;
  /** what V8 has reserved for each generation now (young: both semi-spaces) */
  newSpaceMiB: number;
  oldSpaceMiB: number;
  /** every space together (V8's heapTotal) */
  heapTotalMiB: number;
  /** memory of ArrayBuffers and other objects outside the heap (process.memoryUsage().external) */
  externalMiB: number;
}

interface GcEvent { gcType: string; afterGC: { heapStatistics: { usedHeapSize: number } } }
type HeapRequest = { heap: number };
type HeapReply = { heap: number; figures: HeapFigures };

const MiB = 1024 * 1024;

/** In the server child: answers heap requests on the IPC channel. */
export function reportHeapOnRequest(): void {
  let profiler = new GCProfiler();
  profiler.start();
  let usedAfterGc: number | undefined;
  let majorGcs = 0;
  process.on('message', (m: HeapRequest) => {
    if (typeof m !== 'object' || m === null || typeof m.heap !== 'number') return;
    // the profiler keeps every event until stopped: a fresh one per request bounds what it holds
    const events = (profiler.stop()?.statistics ?? []) as GcEvent[];
    profiler = new GCProfiler();
    profiler.start();
    for (const e of events) {
      if (e.gcType !== 'MarkSweepCompact') continue;
      majorGcs++;
      usedAfterGc = e.afterGC.heapStatistics.usedHeapSize;
    }
    const space = (name: string): number => (getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_size ?? 0) / MiB;
    const mu = process.memoryUsage();
    const figures: HeapFigures = {
      usedAfterGcMiB: usedAfterGc === undefined ? undefined : usedAfterGc / MiB, majorGcs,
      newSpaceMiB: space('new_space'), oldSpaceMiB: space('old_space'), heapTotalMiB: mu.heapTotal / MiB, externalMiB: mu.external / MiB,
    };
    process.send?.({ heap: m.heap, figures } satisfies HeapReply);
  });
}

/**
 * In the parent: asks a child started with an IPC channel for its heap figures; resolves
 * with undefined when the child is gone or its channel closed.
 */
export function heapRequester(child: ChildProcess): () => Promise<HeapFigures | undefined> {
  let next = 0;
  const waiting = new Map<number, (f: HeapFigures | undefined) => void>();
  child.on('message', (m: Partial<HeapReply>) => {
    if (typeof m?.heap !== 'number' || m.figures === undefined) return;
    waiting.get(m.heap)?.(m.figures);
    waiting.delete(m.heap);
  });
  child.once('disconnect', () => {
    for (const r of waiting.values()) r(undefined);
    waiting.clear();
  });
  return () => new Promise((resolve) => {
    if (!child.connected) return resolve(undefined);
    const id = next++;
    waiting.set(id, resolve);
    child.send({ heap: id } satisfies HeapRequest, (err) => {
      if (err === null || waiting.get(id) === undefined) return;
      waiting.delete(id);
      resolve(undefined);
    });
  });
}
