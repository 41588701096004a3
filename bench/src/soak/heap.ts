/**
 * The V8 heap of the soak's server process, next to its RSS: what the old generation holds
 * now and right after the latest major collection, and how big V8 keeps its spaces. RSS alone
 * cannot tell a leak from V8 sizing its heap (issue 12's 10-million-call soak stepped by 10 MiB
 * when V8 doubled its young generation; bench/notes/soak-and-libnfs-column.md).
 *
 * The server child answers a `{ heap: n }` message on its IPC channel with the figures
 * (`reportHeapOnRequest`, installed by child-server.ts when it has a channel). The old
 * generation (every space but the young one) is read when a major GC's performance entry
 * arrives, just after that collection, and again at each request. (Not V8's GCProfiler: in
 * Node 20 a stopped profiler's records stay in memory, hundreds of MiB over a soak.)
 */
import type { ChildProcess } from 'node:child_process';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

export interface HeapFigures {
  /** the old generation's live bytes just after the latest major GC (undefined until the first) */
  usedAfterGcMiB: number | undefined;
  /** the old generation's bytes now, live and garbage (it grows only by promotion and by
   * objects V8 allocates there directly, and drops at a major GC) */
  oldUsedMiB: number;
  /** major GCs since the server started */
  majorGcs: number;
  /** what V8 has reserved for its young generation (both semi-spaces) and for the whole heap */
  newSpaceMiB: number;
  heapTotalMiB: number;
  /** memory of ArrayBuffers and other objects outside the heap (process.memoryUsage().external) */
  externalMiB: number;
}

type HeapRequest = { heap: number };
type HeapReply = { heap: number; figures: HeapFigures };

const MiB = 1024 * 1024;
const YOUNG = new Set(['new_space', 'new_large_object_space']);

function spaces(): { oldUsed: number; newSpace: number } {
  let oldUsed = 0;
  let newSpace = 0;
  for (const s of getHeapSpaceStatistics()) {
    if (s.space_name === 'new_space') newSpace = s.space_size;
    if (!YOUNG.has(s.space_name)) oldUsed += s.space_used_size;
  }
  return { oldUsed, newSpace };
}

/** In the server child: answers heap requests on the IPC channel. */
export function reportHeapOnRequest(): void {
  let usedAfterGc: number | undefined;
  let majorGcs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (((e as { detail?: { kind?: number } }).detail)?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      majorGcs++;
      usedAfterGc = spaces().oldUsed;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('message', (m: HeapRequest) => {
    if (typeof m !== 'object' || m === null || typeof m.heap !== 'number') return;
    const { oldUsed, newSpace } = spaces();
    const mu = process.memoryUsage();
    const figures: HeapFigures = {
      usedAfterGcMiB: usedAfterGc === undefined ? undefined : usedAfterGc / MiB, oldUsedMiB: oldUsed / MiB, majorGcs,
      newSpaceMiB: newSpace / MiB, heapTotalMiB: mu.heapTotal / MiB, externalMiB: mu.external / MiB,
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
