// node:fs/promises and our client, case by case (test/src/fs-conformance.ts): the same
// calls against a local temp directory and against an export of our server must give the
// same values and the same errors (code, syscall, path, dest), except the differences
// listed there (and in the client README).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startServer } from '@nfsts/server';
import { runConformance } from '../src/fs-conformance-run.js';

const exportDir = mkdtempSync(join(tmpdir(), 'nfsts-conf-export-'));
// root runs the tests: no_root_squash so root's writes are root's, as they are locally
const server = await startServer({ exports: [{ path: '/export', root: exportDir, options: 'rw,no_root_squash' }], port: 0, host: '127.0.0.1' });
t.teardown(async () => {
  await server.close();
  rmSync(exportDir, { recursive: true, force: true });
});
await runConformance('our server', server.url);
