/**
 * `nfsts stats` against a real server's /metrics (in this process), `--watch --count`,
 * `serve --metrics` (a child process) printing the endpoint, and `--log-format`.
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startServer } from '@nfsts/server';
import { runStats, parseMetrics, metricsUrl } from '../src/stats.js';
import type { CliIo } from '../src/cli.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-stats-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), waitForSignal: () => new Promise<string>(() => {}) };
}

t.test('parseMetrics and metricsUrl', async (t) => {
  const s = parseMetrics('# HELP x y\nnfsts_rpc_calls_total{program="nfs",version="3",procedure="READ"} 7\nprocess_cpu_seconds_total 0.5\n');
  t.same(s, [
    { name: 'nfsts_rpc_calls_total', labels: { program: 'nfs', version: '3', procedure: 'READ' }, value: 7 },
    { name: 'process_cpu_seconds_total', labels: {}, value: 0.5 },
  ]);
  t.equal(metricsUrl('127.0.0.1:9464'), 'http://127.0.0.1:9464/metrics');
  t.equal(metricsUrl('http://h:1/'), 'http://h:1/metrics');
  t.equal(metricsUrl('http://h:1/metrics'), 'http://h:1/metrics');
  t.equal(metricsUrl('127.0.0.1:9464/metrics'), 'http://127.0.0.1:9464/metrics');
});

t.test('stats prints an nfsstat -s-like table from a running server', async (t) => {
  const dir = tempDir(t);
  const server = await startServer({ exports: [{ path: '/export', root: dir }], port: 0, metrics: '127.0.0.1:0' });
  t.teardown(() => server.close());
  const { RpcClient } = await import('@nfsts/rpc');
  const { xdr_void } = await import('@nfsts/xdr');
  const rpc = new RpcClient({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
  for (let i = 0; i < 4; i++) await rpc.call(100003, 3, 0, xdr_void, undefined, xdr_void);
  await rpc.close();
  const a = io();
  t.equal(await runStats([`127.0.0.1:${server.metrics!.port}`], a), 0);
  const text = a.out.join('');
  t.match(text, /^Server rpc stats:\ncalls +errors +autherr +in flight +queued\n4 +0 +0 +0 +0 B\n/);
  t.match(text, /Server nfs v3:\nnull +getattr +setattr +lookup +access +readlink\n4 100% +0 0% +0 0% /);
  t.match(text, /Connections: +\d+ open, 1 accepted, 0 refused, 0 closed by a limit/);
  t.match(text, /Handles: +\d+ fast, \d+ index, \d+ search, \d+ stale/);

  const w = io();
  t.equal(await runStats([server.metrics!.url, '--watch', '0.05', '--count', '2'], w), 0);
  t.equal(w.out.length, 2, 'printed twice');
  t.match(w.out[1]!, /0\.0\/s/, 'the second print has rates');
});

t.test('stats: errors are one line', async (t) => {
  // a port that was free a moment ago: nothing listens there
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const a = io();
  t.equal(await runStats([`127.0.0.1:${port}`], a), 1);
  t.equal(a.err.join(''), `nfsts: cannot reach http://127.0.0.1:${port}/metrics: ECONNREFUSED\n`);
  const b = io();
  t.equal(await runStats([], b), 1);
  t.match(b.err.join(''), /stats takes one URL/);
});

/** Runs `nfsts serve` until its banner, then SIGTERM; returns its output. */
function serve(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const m = /^Metrics: (\S+)$/m.exec(stdout);
      if (/^Listening on /m.test(stdout)) {
        const done = (): void => void child.kill('SIGTERM');
        if (m === null) done();
        else fetch(m[1]!).then((r) => r.text()).then((body) => { stdout += `\nSCRAPED ${body.includes('nfsts_rpc_calls_total') ? 'ok' : 'empty'}\n`; done(); }, done);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

t.test('serve --metrics prints the endpoint and serves it; --log-format json / pretty', async (t) => {
  const dir = tempDir(t);
  const r = await serve([dir, '--port', '0', '--no-portmap', '--state-dir', join(dir, '.state'), '--metrics', '127.0.0.1:0', '--log-format', 'json']);
  t.equal(r.code, 0);
  t.match(r.stdout, /^Metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/m);
  t.match(r.stdout, /SCRAPED ok/);
  const first = r.stderr.split('\n')[0]!;
  t.equal((JSON.parse(first) as { name: string }).name, 'nfsts', 'json lines on stderr');
  const p = await serve([dir, '--port', '0', '--no-portmap', '--state-dir', join(dir, '.state2'), '--log-format', 'pretty']);
  t.equal(p.code, 0);
  t.match(p.stderr, /INFO.*nfsts server listening/, 'pino-pretty lines');
  t.throws(() => JSON.parse(p.stderr.split('\n')[0]!), 'not JSON');
  const bad = await serve([dir, '--log-format', 'xml']);
  t.match(bad.stderr, /^nfsts: bad --log-format "xml": must be pretty or json\n$/);
});
