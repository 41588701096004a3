/**
 * The fuzz run against a server process: "clean" connections pipeline well-formed calls (real
 * fixture records and generated ones) and expect a reply to every one, matched by xid; "dirty"
 * connections send mutated records with hostile record marking, ignore what comes back and
 * reconnect whenever the server (or the lane itself, now and then) closes. The server's RSS is
 * sampled from /proc throughout. Bounded by a number of calls and by wall-clock time.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { fixtureCalls, generatedCall, type CallRecord, type Targets } from './corpus.js';
import { frame, mutateRecord } from './mutate.js';
import { rng as makeRng, type Rng } from './rng.js';

export interface FuzzOptions {
  host: string;
  port: number;
  /** the server's pid, for RSS */
  pid: number;
  seed: number;
  /** wall-clock cap of the sending phase */
  seconds: number;
  /** total calls to send (well-formed + mutated) */
  calls: number;
  cleanConnections?: number;
  dirtyConnections?: number;
  /** well-formed calls outstanding per clean connection */
  window?: number;
  /** how long to wait for the last replies after sending stops */
  drainMs?: number;
  targets: Targets;
  /** why the server is gone, or undefined while it runs */
  crashed: () => string | undefined;
  log?: (line: string) => void;
}

export interface FuzzReport {
  seed: number;
  seconds: number;
  wellFormedSent: number;
  answered: number;
  unanswered: number;
  /** procedures of some unanswered calls */
  unansweredSamples: string[];
  /** clean connections the server closed (a well-behaved client must not be dropped) */
  cleanDisconnects: number;
  mutatedSent: number;
  dirtyConnects: number;
  bytesSent: number;
  rssStartMb: number;
  rssMaxMb: number;
  rssEndMb: number;
  /** the NULL call on a fresh connection after the run was answered */
  aliveAfter: boolean;
  crash?: string | undefined;
}

export const DEFAULT_CLEAN_CONNECTIONS = 4;
export const DEFAULT_DIRTY_CONNECTIONS = 12;
export const DEFAULT_WINDOW = 8;
export const DEFAULT_DRAIN_MS = 15_000;

/** VmRSS of a process in MiB (0 when it is gone). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Splits a record-marked byte stream into records (fragments joined). */
class RecordSplitter {
  private buf: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  constructor(private readonly onRecord: (rec: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 4) {
      const h = this.buf.readUInt32BE(0);
      const len = h & 0x7fffffff;
      if (this.buf.length < 4 + len) return;
      this.parts.push(this.buf.subarray(4, 4 + len));
      this.buf = this.buf.subarray(4 + len);
      if (h & 0x80000000) {
        const rec = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
        this.parts = [];
        this.onRecord(rec);
      }
    }
  }
}

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    s.setNoDelay(true);
    s.once('connect', () => { s.off('error', reject); resolve(s); });
    s.once('error', reject);
  });
}

function withXid(rec: Buffer, xid: number): Buffer {
  const b = Buffer.from(rec);
  if (b.length >= 4) b.writeUInt32BE(xid >>> 0, 0);
  return b;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const log = o.log ?? (() => {});
  const master = makeRng(o.seed);
  const fixtures = fixtureCalls();
  const started = Date.now();
  const deadline = started + o.seconds * 1000;
  const report: FuzzReport = {
    seed: o.seed, seconds: 0, wellFormedSent: 0, answered: 0, unanswered: 0, unansweredSamples: [], cleanDisconnects: 0,
    mutatedSent: 0, dirtyConnects: 0, bytesSent: 0, rssStartMb: rssMb(o.pid), rssMaxMb: 0, rssEndMb: 0, aliveAfter: false,
  };
  report.rssMaxMb = report.rssStartMb;
  let budget = o.calls;
  let nextXid = (o.seed * 2654435761) >>> 0;
  let stoppedAt = 0;
  const sendingOver = (): boolean => {
    const over = budget <= 0 || Date.now() >= deadline || o.crashed() !== undefined;
    if (over && stoppedAt === 0) stoppedAt = Date.now();
    return over;
  };
  const take = (): boolean => {
    if (sendingOver()) return false;
    budget--;
    return true;
  };
  const sampler = setInterval(() => { report.rssMaxMb = Math.max(report.rssMaxMb, rssMb(o.pid)); }, 100);

  /** A well-formed call: a fixture record or a generated one. */
  const wellFormed = (r: Rng): CallRecord => (fixtures.length > 0 && r.int(10) < 3 ? r.pick(fixtures) : generatedCall(o.targets, r));

  const pending = new Map<number, string>();
  const cleanLane = async (r: Rng): Promise<void> => {
    const window = o.window ?? DEFAULT_WINDOW;
    let sock: net.Socket;
    try {
      sock = await connect(o.host, o.port);
    } catch (err) {
      report.cleanDisconnects++;
      log(`clean connection failed: ${String(err)}`);
      return;
    }
    const mine = new Set<number>();
    await new Promise<void>((done) => {
      let ended = false;
      const finish = (): void => {
        if (ended) return;
        ended = true;
        done();
      };
      const fill = (): void => {
        while (!ended && mine.size < window && take()) {
          const c = wellFormed(r);
          const xid = nextXid = (nextXid + 1) >>> 0;
          const rec = withXid(c.record, xid);
          pending.set(xid, c.name);
          mine.add(xid);
          report.wellFormedSent++;
          const framed = frame(rec, r, false);
          report.bytesSent += framed.length;
          sock.write(framed);
        }
        if (mine.size === 0) { sock.end(); finish(); }
      };
      const split = new RecordSplitter((rec) => {
        if (rec.length < 4) return;
        const xid = rec.readUInt32BE(0);
        if (!mine.delete(xid)) return;
        pending.delete(xid);
        report.answered++;
        fill();
      });
      sock.on('data', (d: Buffer) => split.push(d));
      sock.on('error', () => {});
      sock.on('close', () => {
        if (mine.size > 0) {
          report.cleanDisconnects++;
          log(`the server closed a clean connection with ${mine.size} calls outstanding`);
        }
        finish();
      });
      fill();
      // replies still missing when the drain time is over count as unanswered
      const timer = setInterval(() => {
        if (o.crashed() !== undefined || (sendingOver() && Date.now() >= stoppedAt + (o.drainMs ?? DEFAULT_DRAIN_MS))) {
          clearInterval(timer);
          sock.destroy();
          finish();
        }
      }, 200);
      sock.on('close', () => clearInterval(timer));
    });
  };

  const dirtyLane = async (r: Rng): Promise<void> => {
    while (!sendingOver()) {
      let sock: net.Socket;
      try {
        sock = await connect(o.host, o.port);
      } catch {
        await new Promise((res) => setTimeout(res, 50));
        continue;
      }
      report.dirtyConnects++;
      let closed = false;
      sock.on('error', () => {});
      sock.on('close', () => { closed = true; });
      sock.resume(); // replies are read and dropped
      const life = 1 + r.int(200);
      for (let i = 0; i < life && !closed && take(); i++) {
        const base = wellFormed(r).record;
        const other = wellFormed(r).record;
        const framed = frame(mutateRecord(withXid(base, r.int(2 ** 32)), [other], r), r, true);
        report.mutatedSent++;
        report.bytesSent += framed.length;
        if (!sock.write(framed)) {
          await new Promise<void>((res) => {
            const t = setTimeout(res, 2000); // a server that stopped reading: move on
            sock.once('drain', () => { clearTimeout(t); res(); });
            sock.once('close', () => { clearTimeout(t); res(); });
          });
        }
        if ((i & 15) === 15) await new Promise((res) => setImmediate(res));
      }
      sock.destroy();
    }
  };

  const lanes: Promise<void>[] = [];
  for (let i = 0; i < (o.cleanConnections ?? DEFAULT_CLEAN_CONNECTIONS); i++) lanes.push(cleanLane(makeRng(master.int(2 ** 32))));
  for (let i = 0; i < (o.dirtyConnections ?? DEFAULT_DIRTY_CONNECTIONS); i++) lanes.push(dirtyLane(makeRng(master.int(2 ** 32))));
  const progress = setInterval(() => {
    log(`${((Date.now() - started) / 1000).toFixed(0)} s: ${report.wellFormedSent} well-formed (${report.answered} answered), ${report.mutatedSent} mutated, ${report.dirtyConnects} dirty connections, RSS ${rssMb(o.pid).toFixed(0)} MiB`);
  }, 10_000);
  await Promise.all(lanes);
  clearInterval(progress);
  clearInterval(sampler);
  report.seconds = (Date.now() - started) / 1000;
  report.unanswered = pending.size;
  report.unansweredSamples = [...new Set(pending.values())].slice(0, 10);
  report.crash = o.crashed();
  if (report.crash === undefined) report.aliveAfter = await nullCall(o.host, o.port);
  report.rssEndMb = rssMb(o.pid);
  report.rssMaxMb = Math.max(report.rssMaxMb, report.rssEndMb);
  report.crash = o.crashed();
  return report;
}

/** NFS NULL on a fresh connection: does the server still answer? */
async function nullCall(host: string, port: number): Promise<boolean> {
  let sock: net.Socket;
  try {
    sock = await connect(host, port);
  } catch {
    return false;
  }
  return new Promise<boolean>((resolve) => {
    const t = setTimeout(() => { sock.destroy(); resolve(false); }, 10_000);
    const split = new RecordSplitter((rec) => {
      clearTimeout(t);
      sock.destroy();
      resolve(rec.length >= 4 && rec.readUInt32BE(0) === 0x4e554c4c);
    });
    sock.on('data', (d: Buffer) => split.push(d));
    sock.on('error', () => {});
    const call = Buffer.alloc(40);
    [0x4e554c4c, 0, 2, 100003, 3, 0, 0, 0, 0, 0].forEach((v, i) => call.writeUInt32BE(v, 4 * i));
    sock.write(Buffer.concat([Buffer.from([0x80, 0, 0, 40]), call]));
  });
}
