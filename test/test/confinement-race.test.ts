// Issue 9 item 1: a directory swapped for a symlink must never let a client act outside its
// export. A client presenting plain uid 1000 (AUTH_SYS) on an rw export with the default
// root_squash owns one directory `d`; a canary tree outside the export holds root-owned 0600
// files and a directory. While `d` is swapped for a symlink to the canary directory (by NFS
// RENAMEs from the same client, or by a local process on the exported tree), other
// connections use handles of `d` and of `d/f` taken before (SETATTR mode/size/gid, CREATE,
// MKDIR, REMOVE+CREATE, WRITE, LOOKUP then READ). Afterwards the canary tree must be
// byte-for-byte and owner/mode-for-owner/mode as it was, no handle of an outside object may
// have been handed out and no READ may have returned outside data.
//
// The run is bounded by swap cycles (and a wall-clock cap so that CI time stays bounded);
// against the path-based server of 63467cd/d6966eb it broke the canary within the first
// few hundred cycles. The server runs as root (`nfsts serve` in a child process), as the
// attack needs: a server that is not root cannot change root's files anyway.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { connect, type NfsClient } from '@nfsts/client';
import { startCliServer, type CliServer } from '../src/cli-server.js';
import {
  attackLane, diffSnapshots, LOCAL_SWAPPER_SOURCE, newAttackLog, nfsSwapper, snapshot,
  type AttackLog, type SnapEntry,
} from '../src/confinement-attack.js';

const UID = 1000;
const GID = 1000;
/** NFS swap cycles (4 RENAMEs each) per run */
const NFS_CYCLES = 1500;
/** local swap cycles (4 rename(2) each) per run */
const LOCAL_CYCLES = 150_000;
/** the wall-clock cap of each run, whatever the cycle count reached */
const MAX_RUN_MS = 20_000;
/** attacker connections, and concurrent lanes on each */
const CONNECTIONS = 4;
const LANES_PER_CONNECTION = 2;

const notRoot = process.getuid?.() !== 0
  ? 'needs root: the canary tree is root-owned and the server must run as root for the attack to mean anything'
  : undefined;

interface Arena {
  base: string;
  exportDir: string;
  outside: string;
  secret: Buffer;
  server: CliServer;
  clients: NfsClient[];
  before: Map<string, SnapEntry>;
  close(): Promise<void>;
}

async function arena(): Promise<Arena> {
  const base = mkdtempSync(join(tmpdir(), 'nfsts-race-'));
  chmodSync(base, 0o755);
  // the canary: root-owned, modes that the attacker's SETATTRs would visibly change
  const outside = join(base, 'outside');
  const secret = Buffer.from(`CANARY-${randomBytes(12).toString('hex')}`);
  mkdirSync(outside, { mode: 0o711 });
  chmodSync(outside, 0o711);
  writeFileSync(join(outside, 'f'), secret, { mode: 0o600 });
  writeFileSync(join(outside, 'r'), secret, { mode: 0o600 });
  mkdirSync(join(outside, 'keep'), { mode: 0o700 });
  writeFileSync(join(outside, 'keep', 'x'), secret, { mode: 0o600 });
  // the export: its root and `d` belong to the attacker, `d/f` and `d/r` too
  const exportDir = join(base, 'export');
  mkdirSync(exportDir, { mode: 0o755 });
  chownSync(exportDir, UID, GID);
  const d = join(exportDir, 'd');
  mkdirSync(d, { mode: 0o755 });
  chownSync(d, UID, GID);
  for (const name of ['f', 'r']) {
    writeFileSync(join(d, name), 'inside, owned by the attacker', { mode: 0o644 });
    chownSync(join(d, name), UID, GID);
  }
  const before = snapshot(outside);
  const server = await startCliServer([exportDir, '--port', '0', '--no-portmap', '--state-dir', join(base, 'state'), '--options', 'rw', '--log-level', 'error']);
  const clients: NfsClient[] = [];
  try {
    for (let i = 0; i <= CONNECTIONS; i++) clients.push(await connect(server.url(), { uid: UID, gid: GID, gids: [GID], localio: false, timeoutMs: 30_000 }));
  } catch (err) {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    throw err;
  }
  return {
    base, exportDir, outside, secret, server, clients, before,
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await server.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Every check the issue asks for, after a run. */
function verdict(tt: Test, a: Arena, log: AttackLog, cycles: number, lanes: number): void {
  const after = snapshot(a.outside);
  const changed = diffSnapshots(a.before, after);
  tt.strictSame(changed, [], `canary tree outside the export unchanged after ${cycles} swap cycles and ${log.calls} attacker calls`);
  const outsideInodes = new Set<bigint>([...a.before.values(), ...after.values()].map((e) => BigInt(e.ino)));
  const handedOut = [...log.fileids].filter((id) => outsideInodes.has(id));
  tt.strictSame(handedOut, [], 'no LOOKUP, CREATE or MKDIR handed out an object of the canary tree');
  tt.equal(log.leakedReads, 0, 'no READ returned the canary\'s contents');
  tt.strictSame(log.otherErrors, [], 'every call was answered (NFS errors aside)');
  tt.ok(log.calls >= lanes * 10, `every attacker lane ran at least one round (${log.calls} calls, ${log.nfsErrors} NFS errors)`);
}

/** Checks the canary every few cycles so that a broken server ends the run early. */
function breachWatch(a: Arena): { breached: () => boolean; check: () => void } {
  let breached = false;
  return {
    breached: () => breached,
    check: () => { if (!breached && diffSnapshots(a.before, snapshot(a.outside)).length > 0) breached = true; },
  };
}

async function handles(c: NfsClient): Promise<{ root: Buffer; d: Buffer; f: Buffer }> {
  const d = Buffer.from((await c.raw.lookup({ what: { dir: { data: c.rootFh }, name: 'd' } })).object.data);
  const f = Buffer.from((await c.raw.lookup({ what: { dir: { data: d }, name: 'f' } })).object.data);
  return { root: c.rootFh, d, f };
}

t.test('confinement race: NFS-only swapper (SYMLINK + RENAMEs) against handles taken earlier', notRoot ? { skip: notRoot } : {}, async (tt) => {
  const a = await arena();
  try {
    const [swapClient, ...attackers] = a.clients as [NfsClient, ...NfsClient[]];
    const h = await handles(swapClient);
    await swapClient.raw.symlink({ where: { dir: { data: h.root }, name: 'lnk' }, symlink: { symlink_attributes: { mode: { set_it: false }, uid: { set_it: false }, gid: { set_it: false }, size: { set_it: false }, atime: { set_it: 0 }, mtime: { set_it: 0 } }, symlink_data: a.outside } });
    const log = newAttackLog();
    const watch = breachWatch(a);
    const deadline = Date.now() + MAX_RUN_MS;
    let swapping = true;
    const stop = (): boolean => !swapping;
    const swapper = nfsSwapper(swapClient, h.root, NFS_CYCLES, log, () => watch.breached() || Date.now() > deadline, (i) => { if (i % 50 === 49) watch.check(); })
      .finally(() => { swapping = false; });
    const lanes = attackers.flatMap((c, ci) => Array.from({ length: LANES_PER_CONNECTION }, (_, li) =>
      attackLane(c, { dirFh: h.d, fileFh: h.f, secret: a.secret, gid: GID }, ci * LANES_PER_CONNECTION + li, log, stop)));
    const cycles = await swapper;
    await Promise.all(lanes);
    tt.comment(`NFS swapper: ${cycles} cycles, ${log.calls} calls${watch.breached() ? ', canary broken before the cycle count was reached' : ''}`);
    verdict(tt, a, log, cycles, lanes.length);
  } finally {
    await a.close();
  }
});

t.test('confinement race: a local process swaps the directory for a symlink on the exported tree', notRoot ? { skip: notRoot } : {}, async (tt) => {
  const a = await arena();
  try {
    const [first, ...attackers] = a.clients as [NfsClient, ...NfsClient[]];
    const h = await handles(first);
    attackers.push(first);
    symlinkSync(a.outside, join(a.exportDir, 'lnk'));
    const log = newAttackLog();
    const watch = breachWatch(a);
    const child = spawn(process.execPath, ['-e', LOCAL_SWAPPER_SOURCE, a.exportDir, String(LOCAL_CYCLES)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    let swapping = true;
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => { swapping = false; res(code); }));
    const timer = setInterval(() => { watch.check(); if (watch.breached()) child.kill('SIGTERM'); }, 250);
    const cap = setTimeout(() => child.kill('SIGTERM'), MAX_RUN_MS);
    const stop = (): boolean => !swapping;
    const lanes = attackers.flatMap((c, ci) => Array.from({ length: LANES_PER_CONNECTION }, (_, li) =>
      attackLane(c, { dirFh: h.d, fileFh: h.f, secret: a.secret, gid: GID }, ci * LANES_PER_CONNECTION + li, log, stop)));
    const code = await exited;
    clearInterval(timer);
    clearTimeout(cap);
    await Promise.all(lanes);
    const cycles = Number(out.trim());
    tt.equal(code, 0, `the local swapper ran to its end or was stopped cleanly${err === '' ? '' : `: ${err}`}`);
    tt.comment(`local swapper: ${cycles} cycles, ${log.calls} calls${watch.breached() ? ', canary broken before the cycle count was reached' : ''}`);
    verdict(tt, a, log, cycles, lanes.length);
  } finally {
    await a.close();
  }
});
