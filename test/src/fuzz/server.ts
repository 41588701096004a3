/**
 * The server a fuzz run attacks: `nfsts serve` as a child process (a crash is its exit) over a
 * fresh temp export (rw, root_squash) holding a directory, a file and a symlink, and the
 * handles of those objects for the generated calls.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nfsts/client';
import { startCliServer, type CliServer } from '../cli-server.js';
import type { Targets } from './corpus.js';

export interface FuzzServer {
  server: CliServer;
  pid: number;
  targets: Targets;
  /** why the server is gone (exit code or signal, stderr tail), or undefined while it runs */
  crashed(): string | undefined;
  close(): Promise<void>;
}

export async function startFuzzServer(): Promise<FuzzServer> {
  const base = mkdtempSync(join(tmpdir(), 'nfsts-fuzz-'));
  const root = join(base, 'export');
  mkdirSync(join(root, 'd'), { recursive: true });
  writeFileSync(join(root, 'd', 'f'), 'fuzz target\n'.repeat(100));
  writeFileSync(join(root, 'f'), 'top file\n');
  symlinkSync('d/f', join(root, 'l'));
  const server = await startCliServer([root, '--port', '0', '--no-portmap', '--state-dir', join(base, 'state'), '--options', 'rw', '--log-level', 'error']);
  let exit: string | undefined;
  server.child.on('exit', (code, signal) => {
    exit = `the server exited (code ${code}, signal ${signal}); stderr: ${server.stderr().slice(-2000)}`;
  });
  const c = await connect(server.url(), { localio: false });
  try {
    const look = async (dir: Buffer, name: string): Promise<Buffer> => Buffer.from((await c.raw.lookup({ what: { dir: { data: dir }, name } })).object.data);
    const dir = await look(c.rootFh, 'd');
    const targets: Targets = {
      root: Buffer.from(c.rootFh), dir, file: await look(dir, 'f'), link: await look(c.rootFh, 'l'), exportPath: new URL(server.url()).pathname,
    };
    return {
      server, pid: server.child.pid!, targets,
      crashed: () => exit,
      async close() {
        if (exit === undefined) await server.stop();
        rmSync(base, { recursive: true, force: true });
      },
    };
  } finally {
    await c.close();
  }
}
