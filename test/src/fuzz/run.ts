/**
 * The long fuzz run: `node test/dist/src/fuzz/run.js --seconds 600` (after `npx tsc -b`).
 * Options: --seconds N (default 600), --calls N (default unbounded), --clean N and --dirty N
 * connections. The seed is printed first; NFSTS_FUZZ_SEED=<n> (or --seed n) repeats a run.
 * Prints progress every 10 s and the report as JSON; exits 1 on a crash, an unanswered
 * well-formed call, a dropped well-behaved connection, or a server dead afterwards.
 */
import { parseArgs } from 'node:util';
import { runFuzz } from './harness.js';
import { startFuzzServer } from './server.js';

export function fuzzSeed(given?: string): number {
  const text = given ?? process.env.NFSTS_FUZZ_SEED;
  if (text !== undefined && text !== '') {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`NFSTS_FUZZ_SEED / --seed must be an integer 0..2^32-1, got ${JSON.stringify(text)}`);
    return n;
  }
  return (Math.random() * 0x100000000) >>> 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '600' },
      calls: { type: 'string' },
      clean: { type: 'string' },
      dirty: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(v)}`);
    return n;
  };
  const seed = fuzzSeed(values.seed);
  console.log(`fuzz seed ${seed} (repeat with NFSTS_FUZZ_SEED=${seed})`);
  const fs = await startFuzzServer();
  try {
    const report = await runFuzz({
      host: fs.server.host, port: fs.server.port, pid: fs.pid, seed, targets: fs.targets, crashed: fs.crashed,
      seconds: num('seconds', values.seconds)!, calls: num('calls', values.calls) ?? Number.MAX_SAFE_INTEGER,
      ...(values.clean !== undefined ? { cleanConnections: num('clean', values.clean)! } : {}),
      ...(values.dirty !== undefined ? { dirtyConnections: num('dirty', values.dirty)! } : {}),
      log: (l) => console.log(l),
    });
    console.log(JSON.stringify(report, null, 2));
    const errs = fs.server.stderr().split('\n').filter((l) => l.trim() !== '');
    console.log(`server stderr: ${errs.length} lines${errs.length ? `; first:\n${errs.slice(0, 5).join('\n')}` : ''}`);
    const bad = report.crash !== undefined || report.unanswered > 0 || report.cleanDisconnects > 0 || !report.aliveAfter;
    process.exitCode = bad ? 1 : 0;
  } finally {
    await fs.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  });
}
