// The bounded fuzz run of issue 9 (the long one: `node test/dist/src/fuzz/run.js --seconds 600`):
// well-formed calls (real client records from the wire fixtures and generated calls of every
// NFSv3 and MOUNT procedure) on well-behaved connections, and mutated records with hostile
// record marking on many churning connections, against `nfsts serve` in a child process.
// No crash, a reply to every well-formed call, no well-behaved connection dropped, the server
// still answering afterwards, and its RSS under a bound. The seed is printed;
// NFSTS_FUZZ_SEED=<n> repeats a run.
import t from 'tap';
import { runFuzz } from '../src/fuzz/harness.js';
import { fuzzSeed } from '../src/fuzz/run.js';
import { startFuzzServer } from '../src/fuzz/server.js';

/** calls sent (well-formed + mutated), and the wall-clock cap on sending */
const CALLS = 200_000;
const SECONDS = 40;
/** the server's RSS may not pass this while it is fuzzed (it starts near 60 MiB) */
const MAX_RSS_MB = 400;

t.test('fuzz: mutated and well-formed calls over many connections', async (tt) => {
  const seed = fuzzSeed();
  tt.comment(`fuzz seed ${seed} (repeat with NFSTS_FUZZ_SEED=${seed})`);
  const fs = await startFuzzServer();
  try {
    const r = await runFuzz({
      host: fs.server.host, port: fs.server.port, pid: fs.pid, seed, targets: fs.targets, crashed: fs.crashed,
      seconds: SECONDS, calls: CALLS, log: (l) => tt.comment(l),
    });
    tt.comment(JSON.stringify(r));
    tt.equal(r.crash, undefined, 'the server did not crash');
    tt.ok(r.wellFormedSent > 0 && r.mutatedSent > 0, `both kinds were sent (${r.wellFormedSent} well-formed, ${r.mutatedSent} mutated over ${r.dirtyConnects} connections)`);
    tt.equal(r.unanswered, 0, `every well-formed call was answered (${r.answered}/${r.wellFormedSent})${r.unansweredSamples.length ? `; missing: ${r.unansweredSamples.join(', ')}` : ''}`);
    tt.equal(r.cleanDisconnects, 0, 'no well-behaved connection was dropped');
    tt.ok(r.aliveAfter, 'the server answers a NULL call afterwards');
    tt.ok(r.rssMaxMb < MAX_RSS_MB, `RSS stayed under ${MAX_RSS_MB} MiB (start ${r.rssStartMb.toFixed(0)}, max ${r.rssMaxMb.toFixed(0)}, end ${r.rssEndMb.toFixed(0)})`);
  } finally {
    await fs.close();
  }
});
