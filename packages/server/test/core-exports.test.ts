import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  parseExportOptionString, parseOptions, ClientMatcher, squash, ServerCore, DEFAULT_EXPORT_OPTIONS,
  type ExportOptions,
} from '../src/core/index.js';

t.test('option strings parse with exports(5) names', async (t) => {
  t.same(parseExportOptionString('rw,no_root_squash,anonuid=1000'), { ro: false, squash: 'none', anonuid: 1000 });
  t.same(parseExportOptionString('ro'), { ro: true });
  t.same(parseExportOptionString(' ro , all_squash , anongid=7 ,secure'), { ro: true, squash: 'all', anongid: 7, secure: true });
  t.same(parseExportOptionString('all_squash,no_root_squash'), { squash: 'all' }, 'all_squash wins over no_root_squash');
  t.same(parseExportOptionString('insecure,sync,no_subtree_check'), { secure: false }, 'harmless kernel options are accepted');
  t.same(parseExportOptionString('clients=10.0.0.0/8+fd00::/8+*.lan+::1'), { clients: ['10.0.0.0/8', 'fd00::/8', '*.lan', '::1'] });
  t.same(parseExportOptionString(''), {});
  const full = parseOptions(parseExportOptionString('rw,root_squash'));
  t.same(full, { ...DEFAULT_EXPORT_OPTIONS, clients: [] });
});

t.test('option string errors name the bad option', async (t) => {
  const bad: Array<[string, RegExp]> = [
    ['rw,frobnicate', /"frobnicate": unknown option/],
    ['anonuid=abc', /"anonuid"/],
    ['anonuid', /"anonuid"/],
    ['anongid=99999999999', /"anongid"/],
    ['ro=1', /"ro": takes no value/],
    ['clients=', /"clients"/],
    ['clients=10.0.0.0/33', /"clients".*10\.0\.0\.0\/33/],
    ['clients=fd00::/129', /"clients"/],
    ['clients=bad host', /"clients"/],
  ];
  for (const [s, re] of bad) {
    t.throws(() => parseExportOptionString(s), { code: 'ERR_NFS_BAD_OPTION', message: re }, s);
  }
});

t.test('parseOptions validates objects and names the property', async (t) => {
  t.same(parseOptions(undefined), { ...DEFAULT_EXPORT_OPTIONS, clients: [] });
  t.equal(DEFAULT_EXPORT_OPTIONS.squash, 'root', 'root_squash by default');
  t.equal(DEFAULT_EXPORT_OPTIONS.anonuid, 65534);
  t.equal(DEFAULT_EXPORT_OPTIONS.secure, false, 'insecure by default');
  t.throws(() => parseOptions({ ro: 'yes' } as unknown as Partial<ExportOptions>), { message: /"ro"/ });
  t.throws(() => parseOptions({ squash: 'some' } as unknown as Partial<ExportOptions>), { message: /"squash"/ });
  t.throws(() => parseOptions({ anonuid: 1.5 }), { message: /"anonuid"/ });
  t.throws(() => parseOptions({ clients: ['300.1.1.1/8'] }), { message: /"clients"/ });
  t.throws(() => parseOptions({ clients: 'a' } as unknown as Partial<ExportOptions>), { message: /"clients"/ });
  t.throws(() => parseOptions({ rw: true } as unknown as Partial<ExportOptions>), { message: /"rw": unknown option/ });
  t.same(parseOptions({ anonuid: '1000' as unknown as number }).anonuid, 1000, 'numeric strings from config files');
});

t.test('squash variants', async (t) => {
  const root = { flavor: 1, sys: { uid: 0, gid: 0, gids: [0, 5] } };
  const user = { flavor: 1, sys: { uid: 1000, gid: 100, gids: [100, 0, 27] } };
  const none = { flavor: 0 };
  const o = (p: Partial<ExportOptions>): ExportOptions => parseOptions(p);
  t.same(squash(root, o({})), { uid: 65534, gid: 65534, gids: [65534, 5] }, 'root_squash maps uid 0 and gid 0');
  t.same(squash(user, o({})), { uid: 1000, gid: 100, gids: [100, 65534, 27] }, 'root_squash leaves users, squashes gid 0 in groups');
  t.same(squash(root, o({ squash: 'none' })), { uid: 0, gid: 0, gids: [0, 5] }, 'no_root_squash');
  t.same(squash(user, o({ squash: 'all', anonuid: 1, anongid: 2 })), { uid: 1, gid: 2, gids: [] }, 'all_squash');
  t.same(squash(root, o({ anonuid: 99, anongid: 98 })), { uid: 99, gid: 98, gids: [98, 5] }, 'anonuid/anongid');
  t.same(squash(none, o({ squash: 'none' })), { uid: 65534, gid: 65534, gids: [] }, 'AUTH_NONE is anonymous');
  t.same(squash({ flavor: 6 }, o({ squash: 'none' })), { uid: 65534, gid: 65534, gids: [] }, 'unknown flavor is anonymous');
});

t.test('client allow-lists: IPv4, IPv6, CIDR, netmask, wildcard names, mapped addresses', async (t) => {
  t.ok(new ClientMatcher([]).matches('203.0.113.9'), 'empty list = everyone');
  t.ok(new ClientMatcher(['*']).matches('2001:db8::1'), '* = everyone');
  const m = new ClientMatcher(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '2001:db8::1', '172.16.0.0/255.240.0.0', '*.example.org', 'localhost']);
  t.ok(m.matches('10.1.2.3'));
  t.notOk(m.matches('11.0.0.1'));
  t.ok(m.matches('192.168.1.7'));
  t.notOk(m.matches('192.168.1.8'));
  t.ok(m.matches('::ffff:10.9.9.9'), 'IPv4-mapped IPv6 matches the IPv4 rule');
  t.ok(m.matches('fd12:3456::1'));
  t.notOk(m.matches('fe80::1'));
  t.ok(m.matches('2001:db8::1'));
  t.ok(m.matches('2001:0db8:0:0::1'), 'IPv6 compared as an address, not text');
  t.notOk(m.matches('2001:db8::2'));
  t.ok(m.matches('172.31.255.1'), 'dotted netmask');
  t.notOk(m.matches('172.32.0.1'));
  t.ok(m.matches('127.0.0.1'), 'localhost by name');
  t.ok(m.matches('::1'), 'localhost by name, IPv6');
  t.ok(m.matches('198.51.100.1', ['host.example.org']), 'wildcard host name from reverse DNS');
  t.notOk(m.matches('198.51.100.1', ['example.org']), 'the wildcard needs a label');
  t.notOk(m.matches('198.51.100.1'));
  t.ok(m.needsNames);
  t.notOk(new ClientMatcher(['10.0.0.0/8']).needsNames);
});

t.test('ServerCore.clientAllowed applies the allow-list and `secure`', async (t) => {
  const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-core-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const core = await ServerCore.open({
    exports: [
      { path: '/open', root: base },
      { path: '/lan', root: base, options: { clients: ['127.0.0.0/8', '::1'] } },
      { path: '/sec', root: base, options: { secure: true } },
    ],
    stateDir: join(base, '.state'),
  });
  t.teardown(() => core.close());
  const [open, lan, sec] = core.exports;
  t.ok(core.table.clientAllowed(open!, '203.0.113.1', 40000));
  t.ok(core.table.clientAllowed(lan!, '127.0.0.1', 40000));
  t.ok(core.table.clientAllowed(lan!, '::1', 40000));
  t.ok(core.table.clientAllowed(lan!, '::ffff:127.0.0.1', 40000));
  t.notOk(core.table.clientAllowed(lan!, '10.0.0.1', 40000));
  t.notOk(core.table.clientAllowed(sec!, '127.0.0.1', 40000), 'secure refuses an unprivileged port');
  t.ok(core.table.clientAllowed(sec!, '127.0.0.1', 900), 'secure accepts a privileged port');
  t.notOk(await core.table.clientAllowedResolve(lan!, '10.0.0.1', 40000), 'no host names: no reverse lookup needed, still refused');
  t.same(squash({ flavor: 1, sys: { uid: 0, gid: 0, gids: [] } }, open!.options), { uid: 65534, gid: 65534, gids: [] });
});
