#!/usr/bin/env node
/** Entry point of the `nfsts` command (bin). */
import { runCli } from './cli.js';

// Listen for signals from the start, so one that arrives while the server is starting
// still leads to a clean shutdown once it is up.
const stopSignal = new Promise<string>((resolve) => {
  const on = (sig: string): void => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
    // A second signal while closing stops at once.
    const force = (): void => process.exit(130);
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
    resolve(sig);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
});

// Not a top-level await: in the bundle, modules loaded on demand (inlined dynamic imports)
// are evaluated after this entry's body, which a top-level await would never finish.
void runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stdoutStream: process.stdout,
  stderrIsTTY: process.stderr.isTTY,
  waitForSignal: () => stopSignal,
}).then((code) => {
  process.exitCode = code;
  // Anything still holding the event loop after a clean close is a bug; don't hang on it.
  setTimeout(() => process.exit(code), 2000).unref();
});
