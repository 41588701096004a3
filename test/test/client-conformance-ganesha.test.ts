// The node:fs/promises conformance table (test/src/fs-conformance.ts) through our client
// against nfs-ganesha: what the client promises must not hang on our own server's choices.
// Skipped with the reason when ganesha cannot start (run inside a private network
// namespace: ganesha takes fixed ports).
import t from 'tap';
import { startGanesha } from '../src/ganesha.js';
import { runConformance } from '../src/fs-conformance-run.js';

const g = await startGanesha();
if ('skip' in g) {
  t.test('conformance against ganesha', { skip: g.skip }, () => {});
} else {
  t.teardown(() => g.stop());
  await runConformance('ganesha', g.url);
}
