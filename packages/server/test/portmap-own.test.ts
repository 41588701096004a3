/**
 * Our portmapper (portmap v2, rpcbind v3/v4) through RpcClient, on an ephemeral port
 * (portmapPort 0) so it never competes for port 111; and registration with another
 * portmapper (the "system rpcbind" path), using a second instance of ours as that system.
 */
import t from 'tap';
import { RpcClient, RpcServer } from '@nfsts/rpc';
import type { Codec } from '@nfsts/xdr';
import { xdr_mapping, xdr_pmaplist_ptr, xdr_rpcb, xdr_rpcb_entry_list_ptr, xdr_rpcblist_ptr, xdr_void } from '@nfsts/xdr';
import { pino } from 'pino';
import { createPortmapProgram, PortmapRegistry, startPortmap, toUaddr } from '../src/portmap/index.js';

const PMAP = 100000;
const bool: Codec<boolean> = { size: () => 4, encode: (w, v) => w.bool(v), decode: (r) => r.bool() };
const uint: Codec<number> = { size: () => 4, encode: (w, v) => w.u32(v), decode: (r) => r.u32() };
const str: Codec<string> = { size: (s) => 4 + Buffer.byteLength(s) + ((4 - (Buffer.byteLength(s) & 3)) & 3), encode: (w, s) => w.string(s), decode: (r) => r.string() };
const silent = pino({ level: 'silent' });
const NFS_PORT = 20490;

async function own(t: { teardown(fn: () => unknown): void }) {
  const pm = await startPortmap({ host: '127.0.0.1', nfsPort: NFS_PORT, portmapPort: 0, logger: silent });
  const client = new RpcClient({ host: '127.0.0.1', port: pm.port, timeoutMs: 5000 });
  await client.connect();
  t.teardown(async () => {
    await client.close();
    await pm.close();
  });
  return { pm, client };
}

function mapping(prog: number, vers: number, port = 0, prot = 6) {
  return { prog, vers, prot, port };
}

t.test('portmap v2 GETPORT and DUMP show NFS v3 and MOUNT v1/v3 over TCP, never LOCALIO', async (t) => {
  const { pm, client } = await own(t);
  t.equal(pm.mode, 'own');
  t.not(pm.port, 0);
  const getport = (prog: number, vers: number, prot = 6): Promise<number> => client.call(PMAP, 2, 3, xdr_mapping, mapping(prog, vers, 0, prot), uint);
  t.equal(await getport(100003, 3), NFS_PORT);
  t.equal(await getport(100005, 3), NFS_PORT);
  t.equal(await getport(100005, 1), NFS_PORT);
  t.equal(await getport(100000, 2), pm.port);
  t.equal(await getport(100003, 3, 17), 0, 'no UDP');
  t.equal(await getport(400122, 1), 0, 'LOCALIO not registered');
  t.equal(await getport(100227, 3), 0, 'NFS_ACL not registered');
  t.equal(await getport(100003, 4), NFS_PORT, 'another version of a registered program: its port (then PROG_MISMATCH from NFS)');
  const dump = await client.call(PMAP, 2, 4, xdr_void, undefined, xdr_pmaplist_ptr);
  const rows = dump.map((e) => [e.map.prog, e.map.vers, e.map.prot, e.map.port]);
  t.same(
    rows.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number)),
    [
      [100000, 2, 6, pm.port],
      [100000, 3, 6, pm.port],
      [100000, 4, 6, pm.port],
      [100003, 3, 6, NFS_PORT],
      [100005, 1, 6, NFS_PORT],
      [100005, 3, 6, NFS_PORT],
    ],
  );
});

t.test('portmap v2 SET/UNSET from this host; CALLIT is not offered', async (t) => {
  const { client } = await own(t);
  t.equal(await client.call(PMAP, 2, 1, xdr_mapping, mapping(300001, 1, 4000), bool), true, 'SET');
  t.equal(await client.call(PMAP, 2, 1, xdr_mapping, mapping(300001, 1, 4001), bool), false, 'SET of a taken (prog, vers, prot)');
  t.equal(await client.call(PMAP, 2, 3, xdr_mapping, mapping(300001, 1), uint), 4000);
  t.equal(await client.call(PMAP, 2, 1, xdr_mapping, mapping(300001, 1, 4000, 99), bool), false, 'unknown protocol');
  t.equal(await client.call(PMAP, 2, 2, xdr_mapping, mapping(300001, 1), bool), true, 'UNSET');
  t.equal(await client.call(PMAP, 2, 2, xdr_mapping, mapping(300001, 1), bool), false, 'UNSET again');
  t.equal(await client.call(PMAP, 2, 3, xdr_mapping, mapping(300001, 1), uint), 0);
  await t.rejects(client.call(PMAP, 2, 5, xdr_mapping, mapping(1, 1), uint), { code: 'ERR_RPC_PROC_UNAVAIL' }, 'CALLIT');
  await t.rejects(client.call(PMAP, 5, 0, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROG_MISMATCH', low: 2, high: 4 });
});

t.test('rpcbind v3/v4: GETADDR, GETVERSADDR, DUMP, GETTIME, SET/UNSET, GETADDRLIST', async (t) => {
  const { pm, client } = await own(t);
  const rpcb = (prog: number, vers: number, netid = 'tcp', addr = '', owner = '') => ({ r_prog: prog, r_vers: vers, r_netid: netid, r_addr: addr, r_owner: owner });
  const nfsUaddr = toUaddr('127.0.0.1', NFS_PORT);
  t.equal(nfsUaddr, '127.0.0.1.80.10');
  for (const v of [3, 4]) {
    t.equal(await client.call(PMAP, v, 3, xdr_rpcb, rpcb(100003, 3), str), nfsUaddr, `v${v} GETADDR NFS`);
    t.equal(await client.call(PMAP, v, 3, xdr_rpcb, rpcb(100005, 3, ''), str), nfsUaddr, `v${v} GETADDR MOUNT, empty netid`);
    t.equal(await client.call(PMAP, v, 3, xdr_rpcb, rpcb(123456, 1), str), '', `v${v} GETADDR unknown`);
    const now = Math.floor(Date.now() / 1000);
    const time = await client.call(PMAP, v, 6, xdr_void, undefined, uint);
    t.ok(Math.abs(time - now) <= 5, `v${v} GETTIME`);
  }
  t.equal(await client.call(PMAP, 4, 9, xdr_rpcb, rpcb(100005, 1), str), nfsUaddr, 'GETVERSADDR exact');
  t.equal(await client.call(PMAP, 4, 9, xdr_rpcb, rpcb(100005, 2), str), '', 'GETVERSADDR refuses another version');
  const list = await client.call(PMAP, 4, 4, xdr_void, undefined, xdr_rpcblist_ptr);
  const progs = list.map((e) => `${e.rpcb_map.r_prog}/${e.rpcb_map.r_vers}/${e.rpcb_map.r_netid}/${e.rpcb_map.r_addr}`);
  t.ok(progs.includes(`100003/3/tcp/${nfsUaddr}`));
  t.ok(progs.includes(`100000/4/tcp/${toUaddr('127.0.0.1', pm.port)}`));
  t.notOk(progs.some((p) => p.startsWith('400122/')), 'no LOCALIO');
  const addrs = await client.call(PMAP, 4, 11, xdr_rpcb, rpcb(100003, 3), xdr_rpcb_entry_list_ptr);
  t.same(addrs.map((a) => [a.rpcb_entry_map.r_maddr, a.rpcb_entry_map.r_nc_netid, a.rpcb_entry_map.r_nc_proto]), [[nfsUaddr, 'tcp', 'tcp']]);
  t.equal(await client.call(PMAP, 3, 1, xdr_rpcb, rpcb(300002, 2, 'tcp', '127.0.0.1.1.2', 'me'), bool), true, 'v3 SET');
  t.equal(await client.call(PMAP, 3, 3, xdr_rpcb, rpcb(300002, 2), str), '127.0.0.1.1.2');
  t.equal(await client.call(PMAP, 2, 3, xdr_mapping, mapping(300002, 2), uint), 258, 'visible through portmap v2');
  t.equal(await client.call(PMAP, 3, 1, xdr_rpcb, rpcb(300003, 2, 'tcp', 'not-a-uaddr'), bool), false, 'bad uaddr refused');
  t.equal(await client.call(PMAP, 3, 1, xdr_rpcb, rpcb(300003, 2, 'x'.repeat(1000), '127.0.0.1.1.2'), bool), false, 'oversized netid refused');
  t.equal(await client.call(PMAP, 3, 1, xdr_rpcb, rpcb(300003, 2, 'tcp', '127.0.0.1.1.2', 'o'.repeat(1000)), bool), false, 'oversized owner refused');
  const huge = { r_prog: 1, r_vers: 1, r_netid: 'tcp', r_addr: 'a'.repeat(100_000), r_owner: '' };
  await t.rejects(client.call(PMAP, 3, 1, xdr_rpcb, huge, bool), 'a record over the portmapper limit is refused');
  const again = new RpcClient({ host: '127.0.0.1', port: pm.port, timeoutMs: 5000 });
  await again.connect();
  t.equal(await again.call(PMAP, 3, 3, xdr_rpcb, rpcb(100003, 3), str), nfsUaddr, 'still serving');
  await again.close();
  t.equal(await client.call(PMAP, 3, 2, xdr_rpcb, rpcb(300002, 2, ''), bool), true, 'v3 UNSET, all netids');
  t.equal(await client.call(PMAP, 3, 3, xdr_rpcb, rpcb(300002, 2), str), '');
  await t.rejects(client.call(PMAP, 3, 5, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROC_UNAVAIL' }, 'CALLIT');
  await t.rejects(client.call(PMAP, 4, 12, xdr_void, undefined, xdr_void), { code: 'ERR_RPC_PROC_UNAVAIL' }, 'GETSTAT');
});

t.test('registers with a portmapper that already answers, and unregisters on close', async (t) => {
  // The "system" portmapper: our program over an empty registry, on an ephemeral port.
  const reg = new PortmapRegistry();
  const sys = new RpcServer();
  sys.register(createPortmapProgram(reg, '127.0.0.1'));
  const { port } = await sys.listen(0, '127.0.0.1');
  t.teardown(() => sys.close());
  reg.set({ prog: 100005, vers: 1, netid: 'tcp', uaddr: toUaddr('127.0.0.1', 999), owner: 'someone-else' });
  const pm = await startPortmap({ host: '127.0.0.1', nfsPort: NFS_PORT, portmapPort: port, logger: silent });
  t.equal(pm.mode, 'system');
  t.equal(pm.port, port);
  t.equal(reg.getport(100003, 3, 6), NFS_PORT, 'NFS v3 registered');
  t.equal(reg.getport(100005, 3, 6), NFS_PORT, 'MOUNT v3 registered');
  t.equal(reg.find(100005, 1, 'tcp')?.uaddr, toUaddr('127.0.0.1', 999), 'an existing registration is not replaced');
  t.equal(reg.find(400122, 1, 'tcp'), undefined, 'LOCALIO never registered');
  t.same(pm.registered, [{ prog: 100003, vers: 3 }, { prog: 100005, vers: 3 }], 'reports what it registered');
  await pm.close();
  t.equal(reg.getport(100003, 3, 6), 0, 'NFS unregistered');
  t.equal(reg.find(100005, 3, 'tcp'), undefined, 'MOUNT v3 unregistered');
  t.equal(reg.find(100005, 1, 'tcp')?.uaddr, toUaddr('127.0.0.1', 999), 'what we did not register stays');
});

t.test('no portmapper when the port answers something else or cannot be bound', async (t) => {
  // A listener that accepts and says nothing: not a portmapper.
  const net = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const mute = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
  const mport = (mute.address() as import('node:net').AddressInfo).port;
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => mute.close(r));
  });
  const pm = await startPortmap({ host: '127.0.0.1', nfsPort: NFS_PORT, portmapPort: mport, logger: silent, probeTimeoutMs: 300 });
  t.equal(pm.mode, 'off');
  await pm.close();
});

t.test('bound to the wildcard address, GETADDR answers with an address the caller can reach', async (t) => {
  const pm = await startPortmap({ host: '0.0.0.0', nfsPort: NFS_PORT, portmapPort: 0, logger: silent });
  const client = new RpcClient({ host: '127.0.0.1', port: pm.port, timeoutMs: 5000 });
  t.teardown(async () => {
    await client.close();
    await pm.close();
  });
  await client.connect();
  const rpcb = { r_prog: 100003, r_vers: 3, r_netid: 'tcp', r_addr: '', r_owner: '' };
  t.equal(await client.call(PMAP, 3, 3, xdr_rpcb, rpcb, str), '127.0.0.1.80.10', 'not 0.0.0.0');
  t.equal(await client.call(PMAP, 2, 3, xdr_mapping, mapping(100003, 3), uint), NFS_PORT);
});

t.test('universal addresses', async (t) => {
  const { fromUaddr } = await import('../src/portmap/index.js');
  t.equal(toUaddr('127.0.0.1', 2049), '127.0.0.1.8.1');
  t.equal(toUaddr('::1', 111), '::1.0.111');
  t.same(fromUaddr('10.1.2.3.255.255'), { host: '10.1.2.3', port: 65535 });
  t.same(fromUaddr('::1.8.1'), { host: '::1', port: 2049 });
  t.equal(fromUaddr('127.0.0.1.256.1'), null);
  t.equal(fromUaddr('.8.1'), null);
  t.equal(fromUaddr('garbage'), null);
});
