/** Shapes shared by the suite's main thread, its piscina workers and its reports. */

/** Where the I/O goes. `direct-sync` is the `fs.readSync`/`fs.writeSync` loop: queue depth 1 by nature. */
export const TARGETS = ['direct', 'direct-sync', 'localio', 'localio-worker', 'rpc-same', 'rpc-child', 'ganesha', 'libnfs-child', 'libnfs-ganesha'] as const;
export type TargetId = (typeof TARGETS)[number];

export const IO_WORKLOADS = ['randread-4k', 'randwrite-4k', 'randread-128k', 'seqread-1m', 'seqwrite-1m'] as const;
export const META_WORKLOADS = ['getattr', 'lookup', 'create-remove', 'readdirplus'] as const;
export const WORKLOADS = [...IO_WORKLOADS, ...META_WORKLOADS] as const;
export type IoWorkloadId = (typeof IO_WORKLOADS)[number];
export type MetaWorkloadId = (typeof META_WORKLOADS)[number];
export type WorkloadId = IoWorkloadId | MetaWorkloadId;

export interface IoWorkload { id: IoWorkloadId; title: string; bs: number; write: boolean; random: boolean }

export const IO: Record<IoWorkloadId, IoWorkload> = {
  'randread-4k': { id: 'randread-4k', title: '4 KiB random read', bs: 4096, write: false, random: true },
  'randwrite-4k': { id: 'randwrite-4k', title: '4 KiB random write', bs: 4096, write: true, random: true },
  'randread-128k': { id: 'randread-128k', title: '128 KiB random read', bs: 128 * 1024, write: false, random: true },
  'seqread-1m': { id: 'seqread-1m', title: '1 MiB sequential read', bs: 1024 * 1024, write: false, random: false },
  'seqwrite-1m': { id: 'seqwrite-1m', title: '1 MiB sequential write', bs: 1024 * 1024, write: true, random: false },
};

export const META_TITLES: Record<MetaWorkloadId, string> = {
  getattr: 'GETATTR',
  lookup: 'LOOKUP',
  'create-remove': 'CREATE+REMOVE',
  readdirplus: 'READDIRPLUS (whole directory)',
};

export const TARGET_TITLES: Record<TargetId, string> = {
  direct: 'node:fs callbacks on the backing file',
  'direct-sync': 'node:fs readSync/writeSync loop (QD 1)',
  localio: 'our client, LOCALIO (server in the same thread)',
  'localio-worker': 'our client in a worker thread, LOCALIO to our server in the main thread',
  'rpc-same': 'our client, RPC to our server in the same thread',
  'rpc-child': 'our client, RPC to our server in another process',
  ganesha: 'our client, RPC to nfs-ganesha (loopback)',
  'libnfs-child': 'libnfs (bench/c/libnfs-load.c, C, async API) to our server in another process',
  'libnfs-ganesha': 'libnfs (bench/c/libnfs-load.c, C, async API) to nfs-ganesha',
};

export function isIoWorkload(w: WorkloadId): w is IoWorkloadId {
  return (IO_WORKLOADS as readonly string[]).includes(w);
}

/** One job of one cell, run in a piscina worker. */
export interface JobTask {
  target: TargetId;
  workload: WorkloadId;
  qd: number;
  jobs: number;
  job: number;
  rampMs: number;
  measureMs: number;
  /** Int32Array view: [0] jobs ready, [1] set when a job failed before the start */
  barrier: SharedArrayBuffer;
  /** size of the data file in bytes */
  fileSize: number;
  /** direct targets: the backing file's absolute path */
  localFile: string;
  /** client targets: the data file's path inside the export */
  exportFile: string;
  /** metadata: the directory of `dirEntries` files named f0… inside the export */
  exportDir: string;
  dirEntries: number;
  /** localio / rpc-same: the directory the in-thread server exports */
  root: string;
  /** rpc-child / ganesha: where the server is */
  url: string;
}

export interface JobResult {
  ops: number;
  /** bytes moved (I/O) or directory entries listed (READDIRPLUS) */
  units: number;
  /** the measured window actually used, ms */
  elapsedMs: number;
  /** latency histogram counts (see histogram.ts) */
  hist: number[];
  /** whether the client was LOCALIO-bound at the end (client targets) */
  isLocal?: boolean;
  /** the slowest operation, ns */
  maxNs?: number;
  /** client-side latency per NFS procedure, where one operation is not one call (see proc-latency.ts) */
  procs?: Record<string, ProcHist>;
  error?: string;
}

/** One procedure's latencies as a job measured them: histogram.ts counts and the slowest. */
export interface ProcHist { hist: number[]; maxNs: number }

/** Latency percentiles of one NFS procedure in one cell. */
export interface ProcLatency {
  proc: string;
  /** `client`: timed around the call by the load generator; `server`: the server's own histogram (dispatch to reply queued) */
  side: 'client' | 'server';
  calls: number;
  p50us: number;
  p99us: number;
  p999us: number;
  maxUs: number;
  /** server side: figures are the upper bounds of the server's coarse Prometheus buckets */
  bucketed?: boolean;
}

/** One measured (or skipped) combination of workload, target, queue depth and job count. */
export interface Cell {
  workload: WorkloadId;
  target: TargetId;
  qd: number;
  jobs: number;
  opsPerSec?: number;
  /** MB/s (10^6 bytes) for I/O workloads */
  mbPerSec?: number;
  /** directory entries per second (READDIRPLUS) */
  entriesPerSec?: number;
  p50us?: number;
  p99us?: number;
  ops?: number;
  seconds?: number;
  /** the cell was not measured: why */
  skip?: string;
  /** the cell failed: the first error */
  error?: string;
  /** latency per NFS procedure (RPC targets): client side, and server side where the server exposes it */
  procs?: ProcLatency[];
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  uvThreadpoolSize: string;
  commit: string;
  dirty: boolean;
  /** tracked files that differed from the commit when the run started */
  dirtyPaths: string[];
  date: string;
}
