import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { ConfigError, DEFAULT_HOST, DEFAULT_PORT, loadConfigFile, parseConfig, parseServerOptions } from '../src/config.js';

/** Runs fn and returns what it threw (or null). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return null;
  } catch (err) {
    return err;
  }
}

type Case = [fn: () => unknown, property: string, text: RegExp];

function checkCases(t: Test, cases: Case[]): void {
  for (const [fn, property, text] of cases) {
    const err = thrown(fn);
    t.ok(err instanceof ConfigError, `ConfigError for ${property}`);
    t.equal((err as ConfigError | null)?.code, 'ERR_NFS_CONFIG');
    t.equal((err as ConfigError | null)?.property, property, `names ${property}`);
    t.match((err as Error | null)?.message ?? '', text);
  }
}

t.test('a valid config file: defaults, relative roots against the file, options and clients', async (t) => {
  const cfg = parseConfig(
    JSON.stringify({
      port: 12049,
      bind: '0.0.0.0',
      stateDir: 'state',
      portmap: false,
      logLevel: 'debug',
      exports: [
        { path: '/export', root: './dir', options: 'ro,all_squash,anonuid=1000', clients: ['127.0.0.1', '10.0.0.0/8'] },
        { path: '/other/deep', root: '/abs/dir' },
      ],
    }),
    '/etc/nfsts',
  );
  t.equal(cfg.port, 12049);
  t.equal(cfg.bind, '0.0.0.0');
  t.equal(cfg.stateDir, '/etc/nfsts/state');
  t.equal(cfg.portmap, false);
  t.equal(cfg.logLevel, 'debug');
  t.equal(cfg.exports.length, 2);
  t.same(cfg.exports[0], { path: '/export', root: '/etc/nfsts/dir', options: { ro: true, squash: 'all', anonuid: 1000, clients: ['127.0.0.1', '10.0.0.0/8'] } });
  t.equal(cfg.exports[1]?.root, '/abs/dir');
});

t.test('metrics addresses', async (t) => {
  const base = { exports: [{ path: '/export', root: '/tmp' }] };
  t.same(parseConfig(JSON.stringify({ ...base, metrics: '0.0.0.0:9464' }), '/').metrics, { host: '0.0.0.0', port: 9464 });
  t.same(parseConfig(JSON.stringify({ ...base, metrics: '[::1]:9' }), '/').metrics, { host: '::1', port: 9 });
  t.same(parseConfig(JSON.stringify({ ...base, metrics: ':9464' }), '/').metrics, { host: DEFAULT_HOST, port: 9464 });
  t.same(parseConfig(JSON.stringify({ ...base, metrics: '9464' }), '/').metrics, { host: DEFAULT_HOST, port: 9464 });
});

t.test('config file errors name the bad property or option', async (t) => {
  const base = { exports: [{ path: '/export', root: '/tmp' }] };
  const p = (v: unknown): unknown => parseConfig(JSON.stringify(v), '/');
  checkCases(t, [
    [() => parseConfig('{ "port": ', '/'), '', /not valid JSON/],
    [() => parseConfig('[1]', '/'), '', /JSON object/],
    [() => p({ ...base, prot: 1 }), 'prot', /unknown property/],
    [() => p({ ...base, port: 70000 }), 'port', /0 to 65535/],
    [() => p({ ...base, port: '2049' }), 'port', /0 to 65535/],
    [() => p({ ...base, portmap: 'yes' }), 'portmap', /true or false/],
    [() => p({ ...base, logLevel: 'loud' }), 'logLevel', /must be one of/],
    [() => p({ ...base, metrics: 'localhost' }), 'metrics', /HOST:PORT/],
    [() => p({ ...base, metrics: { port: 'x' } }), 'metrics.port', /0 to 65535/],
    [() => p({}), 'exports', /non-empty array/],
    [() => p({ exports: [] }), 'exports', /non-empty array/],
    [() => p({ exports: [{ path: 'export', root: '/tmp' }] }), 'exports[0].path', /absolute/],
    [() => p({ exports: [{ path: '/a/../b', root: '/tmp' }] }), 'exports[0].path', /"\.\."/],
    [() => p({ exports: [{ path: '/a', root: '/tmp' }, { path: '/a', root: '/tmp' }] }), 'exports[1].path', /twice/],
    [() => p({ exports: [{ path: '/a' }] }), 'exports[0].root', /directory path/],
    [() => p({ exports: [{ path: '/a', root: '/tmp', extra: 1 }] }), 'exports[0].extra', /unknown export property/],
    [() => p({ exports: [{ path: '/a', root: '/tmp', options: 'rw,frobnicate' }] }), 'exports[0].options', /frobnicate/],
    [() => p({ exports: [{ path: '/a', root: '/tmp', options: 'anonuid=-1' }] }), 'exports[0].options', /anonuid/],
    [() => p({ exports: [{ path: '/a', root: '/tmp', options: { ro: true } }] }), 'exports[0].options', /option string/],
    [() => p({ exports: [{ path: '/a', root: '/tmp', clients: 'everyone' }] }), 'exports[0].clients', /array/],
    [() => p({ exports: [{ path: '/a', root: '/tmp', clients: ['10.0.0.0/99'] }] }), 'exports[0].clients', /10\.0\.0\.0\/99/],
  ]);
});

t.test('loadConfigFile reads a file and reports a missing one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'nfsts.json');
  writeFileSync(file, JSON.stringify({ exports: [{ path: '/x', root: 'data' }] }));
  const cfg = loadConfigFile(file);
  t.equal(cfg.exports[0]?.root, join(dir, 'data'));
  checkCases(t, [
    [() => loadConfigFile(join(dir, 'missing.json')), '', /cannot read config file .*ENOENT/],
  ]);
});

t.test('startServer options: defaults and errors naming the property', async (t) => {
  const o = parseServerOptions({ exports: [{ path: '/export', root: '/tmp' }] });
  t.equal(o.port, DEFAULT_PORT);
  t.equal(o.host, DEFAULT_HOST);
  t.equal(o.portmap, true, 'portmap on for a fixed port');
  t.equal(parseServerOptions({ exports: [{ path: '/export', root: '/tmp' }], port: 0 }).portmap, false, 'off for port 0');
  t.equal(parseServerOptions({ exports: [{ path: '/export', root: '/tmp' }], port: 0, portmap: true }).portmap, true);
  t.same(parseServerOptions({ exports: [{ path: '/e', root: '/tmp', options: 'ro,no_root_squash' }] }).exports[0]?.options, { ro: true, squash: 'none' });
  checkCases(t, [
    [() => parseServerOptions({ exports: [{ path: '/e', root: '/tmp' }], port: -1 }), 'port', /0 to 65535/],
    [() => parseServerOptions({ exports: [{ path: '/e', root: '/tmp' }], hots: 'x' }), 'hots', /unknown option/],
    [() => parseServerOptions({ exports: [{ path: '/e', root: '/tmp' }], portmap: 1 }), 'portmap', /boolean/],
    [() => parseServerOptions({ exports: 'x' }), 'exports', /non-empty array/],
    [() => parseServerOptions({ exports: [{ path: '/e', root: '/tmp', options: { squash: 'some' } }] }), 'exports[0].options', /squash/],
    [() => parseServerOptions({ exports: [{ path: '/e', root: '/tmp', options: { rw: true } }] }), 'exports[0].options', /rw/],
    [() => parseServerOptions({ exports: [{ path: '/e', root: '/tmp', options: 'secure=1' }] }), 'exports[0].options', /secure/],
  ]);
});

t.test('limits: startServer option and config file property, errors naming the limit', async (t) => {
  const base = { exports: [{ path: '/e', root: '/tmp' }] };
  t.same(parseServerOptions(base).limits, {}, 'none given: the RPC server\'s defaults apply');
  t.same(parseServerOptions({ ...base, limits: { maxConnections: 10, idleTimeoutMs: 500 } }).limits, { maxConnections: 10, idleTimeoutMs: 500 });
  t.same(parseConfig(JSON.stringify({ limits: { writeTimeoutMs: 1000 }, exports: [{ path: '/e', root: '.' }] }), '/tmp').limits, { writeTimeoutMs: 1000 });
  checkCases(t, [
    [() => parseServerOptions({ ...base, limits: 5 }), 'limits', /object/],
    [() => parseServerOptions({ ...base, limits: { maxConnection: 5 } }), 'limits.maxConnection', /unknown limit/],
    [() => parseServerOptions({ ...base, limits: { maxConnections: 0 } }), 'limits.maxConnections', /positive integer/],
    [() => parseServerOptions({ ...base, limits: { idleTimeoutMs: 1.5 } }), 'limits.idleTimeoutMs', /positive integer/],
    [() => parseServerOptions({ ...base, limits: { recordTimeoutMs: 2 ** 31 } }), 'limits.recordTimeoutMs', /at most/],
    [() => parseConfig(JSON.stringify({ limits: { maxQueuedReplyBytes: '8M' }, exports: [{ path: '/e', root: '.' }] }), '/tmp'), 'limits.maxQueuedReplyBytes', /positive integer/],
  ]);
});
