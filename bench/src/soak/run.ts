/**
 * The memory soak (issue 12, "Memory at scale"): our server in a child process, loaded from
 * this process, its RSS sampled as it goes. Phase `connections`: N connections (one client
 * each) loop GETATTR + 4 KiB READ for a time. Phase `calls`: one connection makes a number of
 * calls (GETATTR and 4 KiB READ alternately, `qd` in flight). Each phase gets a fresh server,
 * so its peak (VmHWM) is the phase's own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NfsClient } from '@nfsts/client';
import { startChildServer, type ChildServer } from '../suite/child-server.js';
import { describeMachine } from '../suite/machine.js';
import { DEFAULT_CALLS, type SoakOptions } from './options.js';
import { callsVerdict, connectionsVerdict, type RssSample, type SoakPhase, type SoakResult } from './report.js';
import { readRss } from './rss.js';

const DATA_FILE = 'data.bin';
/** connections opened at once while setting up (a connect is MOUNT, FSINFO and LOOKUPs) */
const CONNECT_BATCH = 16;

interface Loaded { client: NfsClient; fh: Buffer }

/** One GETATTR or 4 KiB READ at a random block; resolves when answered. */
function call(l: Loaded, n: number, blocks: number): Promise<unknown> {
  if ((n & 1) === 0) return l.client.raw.getattr({ object: { data: l.fh } });
  return l.client.raw.read({ file: { data: l.fh }, offset: BigInt(Math.floor(Math.random() * blocks) * 4096), count: 4096 });
}

async function open(url: string): Promise<Loaded> {
  const client = await connect(url);
  try {
    return { client, fh: (await client.resolve(`/${DATA_FILE}`)).fh };
  } catch (err) {
    await client.close().catch(() => {});
    throw err;
  }
}

/**
 * Samples the server's RSS every `ms` until stopped, and its V8 heap (heap.ts) beside it;
 * `calls()` is the phase's count so far. A sample is taken (and counted) at once; its heap
 * figures and its log line follow when the server answers.
 */
class Sampler {
  readonly samples: RssSample[] = [];
  private readonly timer: NodeJS.Timeout;
  private answered: Promise<void> = Promise.resolve();
  constructor(private readonly server: ChildServer, private readonly t0: number, private readonly calls: () => number, ms: number, private readonly log: (s: RssSample) => void) {
    this.sample();
    this.timer = setInterval(() => this.sample(), ms);
  }

  sample(): void {
    const s: RssSample = { t: (performance.now() - this.t0) / 1000, rssMiB: readRss(this.server.pid).rssMiB, calls: this.calls() };
    this.samples.push(s);
    const heap = this.server.heap?.();
    this.answered = Promise.all([this.answered, heap]).then(([, h]) => {
      if (h !== undefined) {
        if (h.usedAfterGcMiB !== undefined) s.heapAfterGcMiB = h.usedAfterGcMiB;
        s.oldUsedMiB = h.oldUsedMiB;
        s.majorGcs = h.majorGcs;
        s.heapTotalMiB = h.heapTotalMiB;
        s.newSpaceMiB = h.newSpaceMiB;
      }
      this.log(s);
    });
  }

  /** Stops sampling; resolves once every sample has its heap figures. */
  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.answered;
  }
}

/** One progress line: RSS, then the heap figures the server gave. */
function line(phase: string, s: RssSample): string {
  const heap = s.heapTotalMiB === undefined ? '' : `  heap after GC ${s.heapAfterGcMiB === undefined ? '     -' : s.heapAfterGcMiB.toFixed(1).padStart(6)} MiB (${s.majorGcs} major)` +
    `  old gen ${s.oldUsedMiB!.toFixed(1).padStart(5)} MiB  V8 heap ${s.heapTotalMiB.toFixed(1).padStart(6)} MiB (young ${s.newSpaceMiB!.toFixed(0)})`;
  return `${phase.padEnd(11)}  t ${s.t.toFixed(1).padStart(6)} s  rss ${s.rssMiB.toFixed(1).padStart(6)} MiB${heap}  calls ${s.calls.toLocaleString('en-US')}`;
}

function peak(server: ChildServer, samples: readonly RssSample[]): number {
  return Math.max(readRss(server.pid).hwmMiB ?? 0, ...samples.map((s) => s.rssMiB));
}

async function connectionsPhase(o: SoakOptions, root: string, log: (line: string) => void): Promise<SoakPhase> {
  const t0 = performance.now();
  const server = await startChildServer(root, 20_000, { metrics: false, heap: true, nodeArgs: o.serverNodeArgs ?? [] });
  const clients: Loaded[] = [];
  try {
    let calls = 0;
    const sampler = new Sampler(server, t0, () => calls, o.sampleMs, (s) => log(line('connections', s)));
    try {
      for (let i = 0; i < o.connections; i += CONNECT_BATCH) {
        clients.push(...await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, o.connections - i) }, () => open(server.url))));
      }
      log(`connections  ${clients.length} connected`);
      const blocks = (o.fileMiB * 1024 * 1024) / 4096;
      const start = performance.now();
      const end = start + o.connectionSeconds * 1000;
      // every connection makes one loop at least, however loaded the machine
      await Promise.all(clients.map(async (l) => {
        let n = 0;
        do {
          await call(l, n++, blocks);
          await call(l, n++, blocks);
          calls += 2;
        } while (performance.now() < end);
      }));
      const seconds = (performance.now() - start) / 1000;
      sampler.sample();
      await sampler.stop();
      const peakMiB = peak(server, sampler.samples);
      return {
        id: 'connections', title: `${o.connections} connections, GETATTR + 4 KiB READ each`, samples: sampler.samples,
        peakMiB, calls, seconds, callsPerSec: calls / seconds, verdict: connectionsVerdict(peakMiB, calls, seconds, o),
      };
    } finally {
      await sampler.stop();
    }
  } finally {
    await Promise.all(clients.map((l) => l.client.close().catch(() => {})));
    await server.stop();
  }
}

async function callsPhase(o: SoakOptions, root: string, log: (line: string) => void): Promise<SoakPhase> {
  const t0 = performance.now();
  const server = await startChildServer(root, 20_000, { metrics: false, heap: true, nodeArgs: o.serverNodeArgs ?? [] });
  let l: Loaded | undefined;
  try {
    let calls = 0;
    const sampler = new Sampler(server, t0, () => calls, o.sampleMs, (s) => log(line('calls', s)));
    try {
      const loaded = (l = await open(server.url));
      const blocks = (o.fileMiB * 1024 * 1024) / 4096;
      const warmCalls = Math.floor(o.calls * o.warmup);
      let warmupAt = -1;
      let issued = 0;
      const start = performance.now();
      await Promise.all(Array.from({ length: Math.min(o.qd, o.calls) }, async () => {
        while (issued < o.calls) {
          await call(loaded, issued++, blocks);
          calls++;
          // the first sample of the flat part is taken the moment warm-up ends
          if (warmupAt < 0 && calls >= warmCalls) {
            warmupAt = sampler.samples.length;
            sampler.sample();
          }
        }
      }));
      const seconds = (performance.now() - start) / 1000;
      sampler.sample();
      await sampler.stop();
      return {
        id: 'calls', title: `${o.calls.toLocaleString('en-US')} calls on one connection (GETATTR and 4 KiB READ alternately, ${o.qd} in flight)`,
        samples: sampler.samples, peakMiB: peak(server, sampler.samples), calls, seconds, callsPerSec: calls / seconds, warmupAt,
        verdict: callsVerdict(sampler.samples, warmupAt, o),
      };
    } finally {
      await sampler.stop();
    }
  } finally {
    await l?.client.close().catch(() => {});
    await server.stop();
  }
}

/** Runs the asked phases; `log` gets the RSS samples and progress as they come. */
export async function runSoak(o: SoakOptions, argv: readonly string[], log: (line: string) => void = console.log): Promise<SoakResult> {
  const machine = describeMachine();
  const base = mkdtempSync(join(tmpdir(), 'nfsts-soak-'));
  try {
    const data = Buffer.allocUnsafe(o.fileMiB * 1024 * 1024);
    randomFillSync(data);
    writeFileSync(join(base, DATA_FILE), data);
    const phases: SoakPhase[] = [];
    if (o.phases.includes('connections')) phases.push(await connectionsPhase(o, base, log));
    if (o.phases.includes('calls')) phases.push(await callsPhase(o, base, log));
    const { json, md, ...options } = o;
    const result: SoakResult = { machine, command: ['node bench/dist/src/soak.js', ...argv].join(' '), options, phases };
    const c = phases.find((p) => p.id === 'calls');
    if (c !== undefined && c.callsPerSec > 0) result.fullRunEstimateSeconds = DEFAULT_CALLS / c.callsPerSec;
    return result;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
