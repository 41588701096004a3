/**
 * Starts `nfsts serve` as a real child process (the built CLI) and reads the bound port
 * from its banner line `Listening on HOST port N (...)`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI_MAIN = fileURLToPath(new URL('../../../packages/cli/dist/src/main.js', import.meta.url));

export interface CliServer {
  child: ChildProcess;
  host: string;
  port: number;
  /** 'own' | 'system' | 'off', from the banner. */
  portmap: string;
  stdout: () => string;
  stderr: () => string;
  url: (exportPath?: string) => string;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (for error cases), killing it after timeoutMs. */
export function runCli(args: string[], timeoutMs = 20_000, cwd = REPO_ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr: err });
    });
  });
}

/** Starts the server; rejects with its stderr if it exits or prints no banner in time. */
export function startCliServer(args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<CliServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, 'serve', ...args], { cwd: opts.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let started = false;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const fail = (why: string): void => {
      if (started) return;
      started = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`nfsts serve ${args.join(' ')}: ${why}\nstdout: ${out}\nstderr: ${err}`));
    };
    const timer = setTimeout(() => fail('no banner within the time limit'), opts.timeoutMs ?? 20_000);
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /^Listening on (\S+) port (\d+) \(NFSv3 \+ MOUNT(?: \+ NLM \+ NSM)?; ([^)]*)\)$/m.exec(out);
      if (m === null || started) return;
      started = true;
      clearTimeout(timer);
      const host = m[1] as string;
      const port = Number(m[2]);
      const pmText = m[3] as string;
      const portmap = pmText.startsWith('our own') ? 'own' : pmText.startsWith('registered') ? 'system' : 'off';
      resolve({
        child,
        host,
        port,
        portmap,
        stdout: () => out,
        stderr: () => err,
        url: (exportPath = '/export') => `nfs://${host}${exportPath}?version=3&nfsport=${port}&mountport=${port}`,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          const code = await exited;
          clearTimeout(killer);
          return code;
        },
      });
    });
    child.on('error', (e) => fail(e.message));
    child.on('exit', (code, signal) => fail(`exited early (${code ?? signal})`));
  });
}
