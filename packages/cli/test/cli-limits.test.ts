// The serve flags that set the RPC limits: units, errors naming the flag, and the config
// file's "limits" under the flags.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildServeOptions, USAGE } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nfsts-cli-limits-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('limit flags: counts, seconds and sizes with K/M/G', async (t) => {
  const { cfg } = buildServeOptions([dir, '--state-dir', join(dir, 's'), '--max-connections', '300', '--idle-timeout', '120',
    '--record-timeout', '0.5', '--write-timeout', '90', '--max-queued-reply-bytes', '4M', '--max-queued-reply-bytes-total', '1G',
    '--max-partial-record-bytes-total', '512K']);
  t.same(cfg.limits, {
    maxConnections: 300, idleTimeoutMs: 120_000, recordTimeoutMs: 500, writeTimeoutMs: 90_000, maxQueuedReplyBytes: 4 << 20,
    maxQueuedReplyBytesTotal: 1 << 30, maxPartialRecordBytesTotal: 512 << 10,
  });
  t.same(buildServeOptions([dir, '--state-dir', join(dir, 's')]).cfg.limits, {}, 'none given: the defaults');
  t.match(USAGE, /--max-connections N[^]*default 1024/);
});

t.test('bad limit flags are errors naming the flag', async (t) => {
  for (const [flag, v] of [['--max-connections', '0'], ['--max-connections', 'x'], ['--idle-timeout=-1', ''], ['--idle-timeout', '1e3'], ['--write-timeout', '0'],
    ['--max-queued-reply-bytes', '8T'], ['--max-partial-record-bytes-total', '']] as const) {
    const name = flag.split('=')[0]!;
    const args = flag.includes('=') ? [dir, flag] : [dir, flag, v];
    t.throws(() => buildServeOptions(args), { message: new RegExp(`bad ${name} `) }, `${flag} ${JSON.stringify(v)}`);
  }
});

t.test('the config file\'s "limits", with flags over them', async (t) => {
  const file = join(dir, 'nfsts.json');
  writeFileSync(file, JSON.stringify({ limits: { maxConnections: 50, idleTimeoutMs: 1000 }, exports: [{ path: '/e', root: '.' }] }));
  const { cfg } = buildServeOptions(['--config', file, '--max-connections', '70']);
  t.same(cfg.limits, { maxConnections: 70, idleTimeoutMs: 1000 });
});
