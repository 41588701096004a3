/**
 * A loopback capture with tshark: start it, wait until it is capturing, stop it, then
 * count malformed packets and RPC calls/replies (matched by xid).
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { run } from './run.js';

export interface Capture {
  file: string;
  /** Stops the capture; resolves to the number of packets tshark reports it dropped. */
  stop: () => Promise<number>;
}

/** Connects to 127.0.0.1:port and closes at once: a few packets the capture filter matches. */
function touch(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.end());
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

/**
 * Starts tshark on loopback. "Capturing on" comes a moment before the filter is attached, so
 * when `probePort` (a port the filter matches) is given, readiness is proven instead: probe
 * connections are made to it until tshark has written one of their packets.
 */
export async function startCapture(file: string, filter: string, timeoutMs = 20_000, probePort?: number): Promise<Capture> {
  const seen = { packets: 0 };
  const capture = await spawnCapture(file, filter, timeoutMs, seen);
  if (probePort === undefined) return capture;
  const deadline = Date.now() + timeoutMs;
  while (seen.packets === 0) {
    if (Date.now() > deadline) {
      await capture.stop();
      throw new Error(`tshark wrote no packet of probe connections to port ${probePort}`);
    }
    await touch(probePort);
    await new Promise((r) => setTimeout(r, 50));
  }
  return capture;
}

function spawnCapture(file: string, filter: string, timeoutMs: number, seen: { packets: number }): Promise<Capture> {
  return new Promise((resolve, reject) => {
    // A large kernel buffer (-B, MiB): a 64 MiB copy over loopback outruns the default 2 MiB.
    // -P -l: a summary line per packet on stdout as it is written, which readiness counts
    const child: ChildProcess = spawn('tshark', ['-B', '256', '-i', 'lo', '-f', filter, '-w', file, '-P', '-l'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) seen.packets++;
    });
    let err = '';
    let ready = false;
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tshark did not start capturing: ${err}`));
    }, timeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      if (!ready && /Capturing on/.test(err)) {
        ready = true;
        clearTimeout(timer);
        resolve({
          file,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) {
              // Let the last packets reach the capture before stopping it.
              await new Promise((r) => setTimeout(r, 500));
              child.kill('SIGINT');
            }
            const k = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(k);
            const m = /(\d+) packets? dropped/.exec(err);
            return m === null ? 0 : Number(m[1]);
          },
        });
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`tshark exited (${code}): ${err}`));
      }
    });
  });
}

export interface CaptureReport {
  malformed: string[];
  calls: number;
  replies: number;
  /** xids of calls with no reply (per TCP stream). */
  unanswered: string[];
  programs: Set<number>;
}

/** Decodes the capture as RPC on the given ports and checks every call has a reply. */
export async function analyzeCapture(file: string, rpcPorts: number[]): Promise<CaptureReport> {
  // Loopback on several CPUs can record a burst's segments out of order (a 1 MiB READ reply
  // then shows "previous segment not captured" and stays unreassembled though the client got
  // it); tshark reassembles them in sequence order only when asked to.
  const decode = ['-o', 'tcp.reassemble_out_of_order:TRUE', ...rpcPorts.flatMap((p) => ['-d', `tcp.port==${p},rpc`])];
  const mal = await run('tshark', ['-r', file, ...decode, '-Y', '_ws.malformed'], { timeoutMs: 300_000 });
  if (mal.code !== 0) throw new Error(`tshark -r failed: ${mal.stderr}`);
  const rows = await run(
    'tshark',
    ['-r', file, ...decode, '-Y', 'rpc', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'tcp.stream', '-e', 'rpc.xid', '-e', 'rpc.msgtyp', '-e', 'rpc.program', '-e', 'rpc.procedure', '-e', 'frame.number'],
    { timeoutMs: 300_000 },
  );
  if (rows.code !== 0) throw new Error(`tshark -T fields failed: ${rows.stderr}`);
  const calls = new Set<string>();
  const replies = new Set<string>();
  let nCalls = 0;
  let nReplies = 0;
  const programs = new Set<number>();
  const described = new Map<string, string>();
  for (const line of rows.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [stream, xids, types, progs, procs, frame] = line.split('\t');
    const pl = (progs ?? '').split(',');
    const prl = (procs ?? '').split(',');
    const xl = (xids ?? '').split(',');
    const tl = (types ?? '').split(',');
    for (const p of (progs ?? '').split(',')) if (p !== '') programs.add(Number(p));
    xl.forEach((xid, i) => {
      const key = `${stream}:${xid}`;
      if (tl[i] === '0') {
        nCalls++;
        calls.add(key);
        described.set(key, `stream ${stream} xid ${xid} prog ${pl[i] ?? '?'} proc ${prl[i] ?? '?'} frame ${frame ?? '?'}`);
      } else if (tl[i] === '1') {
        nReplies++;
        replies.add(key);
      }
    });
  }
  const unanswered = [...calls].filter((k) => !replies.has(k)).map((k) => described.get(k) ?? k);
  return { malformed: mal.stdout.split('\n').filter((l) => l.trim() !== ''), calls: nCalls, replies: nReplies, unanswered, programs };
}
