/**
 * The confinement attack of issue 9 item 1, as reusable pieces for test/test/confinement-race.test.ts:
 * a canary tree outside the export and its snapshot, and the attacker's loops (a client
 * presenting uid 1000 that owns one directory `d` of an rw, root_squash export and uses
 * handles taken earlier while `d` is swapped for a symlink to the canary directory).
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeSattr, NfsError, type NfsClient } from '@nfsts/client';

/** One object of a snapshot: everything an attacker could change that the test compares. */
export interface SnapEntry {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  ino: number;
  /** file contents (hex) or symlink target */
  data: string;
}

/** Every object under `dir` (relative path → entry), not following symlinks. */
export function snapshot(dir: string): Map<string, SnapEntry> {
  const out = new Map<string, SnapEntry>();
  const walk = (rel: string): void => {
    const abs = rel === '' ? dir : join(dir, rel);
    const st = lstatSync(abs);
    const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
    const data = type === 'file' ? readFileSync(abs).toString('hex') : type === 'symlink' ? readlinkSync(abs) : '';
    out.set(rel === '' ? '.' : rel, { type, mode: st.mode, uid: st.uid, gid: st.gid, size: st.size, ino: st.ino, data });
    if (type === 'dir') for (const name of readdirSync(abs).sort()) walk(rel === '' ? name : join(rel, name));
  };
  walk('');
  return out;
}

/** What differs between two snapshots, one line per object (empty when identical). */
export function diffSnapshots(before: Map<string, SnapEntry>, after: Map<string, SnapEntry>): string[] {
  const out: string[] = [];
  const show = (e: SnapEntry): string => `${e.type} ${e.uid}:${e.gid} ${(e.mode & 0o7777).toString(8)} size ${e.size}`;
  for (const [p, b] of before) {
    const a = after.get(p);
    if (a === undefined) { out.push(`${p}: removed (was ${show(b)})`); continue; }
    if (a.type !== b.type || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.size !== b.size || a.data !== b.data || a.ino !== b.ino) {
      out.push(`${p}: ${show(b)} -> ${show(a)}${a.data !== b.data ? ' (contents changed)' : ''}${a.ino !== b.ino ? ' (replaced)' : ''}`);
    }
  }
  for (const [p, a] of after) if (!before.has(p)) out.push(`${p}: created (${show(a)})`);
  return out;
}

/** What the attacker's loops saw: violations seen on the wire, and how much was tried. */
export interface AttackLog {
  calls: number;
  /** NFS errors (expected while names move) */
  nfsErrors: number;
  /** file ids of every object a LOOKUP, CREATE or MKDIR handed out */
  fileids: Set<bigint>;
  /** READ replies that carried the canary's secret bytes */
  leakedReads: number;
  /** anything that was not an NfsError (a broken connection, a bug in the test) */
  otherErrors: string[];
}

export function newAttackLog(): AttackLog {
  return { calls: 0, nfsErrors: 0, fileids: new Set(), leakedReads: 0, otherErrors: [] };
}

function noteAttr(log: AttackLog, a: { attributes_follow: boolean; attributes?: { fileid: bigint } }): void {
  if (a.attributes_follow && a.attributes !== undefined) log.fileids.add(a.attributes.fileid);
}

async function attempt(log: AttackLog, f: () => Promise<unknown>): Promise<void> {
  log.calls++;
  try {
    await f();
  } catch (err) {
    if (err instanceof NfsError) log.nfsErrors++;
    else if (log.otherErrors.length < 10) log.otherErrors.push(String(err));
  }
}

export interface AttackTargets {
  /** handle of the directory `d` the attacker owns */
  dirFh: Buffer;
  /** handle of `d/f`, a file the attacker owns, taken before the swapping starts */
  fileFh: Buffer;
  /** the canary file's secret contents: a READ returning them is a leak */
  secret: Buffer;
  /** the attacker's gid (a group change the owner may make) */
  gid: number;
}

/**
 * One attacker lane: every operation of the issue on the earlier handles, round after round,
 * until `stop()` says so. `lane` keeps the names this lane creates apart from the others'.
 */
export async function attackLane(c: NfsClient, tg: AttackTargets, lane: number, log: AttackLog, stop: () => boolean): Promise<void> {
  const raw = c.raw;
  const dir = { data: tg.dirFh };
  const file = { data: tg.fileFh };
  const payload = Buffer.from('PWNED');
  for (let i = 0; !stop(); i++) {
    const n = `${lane}.${i}`;
    await attempt(log, () => raw.setattr({ object: file, new_attributes: makeSattr({ mode: 0o644 }), guard: { check: false } }));
    await attempt(log, () => raw.setattr({ object: dir, new_attributes: makeSattr({ mode: 0o775 }), guard: { check: false } }));
    await attempt(log, () => raw.setattr({ object: file, new_attributes: makeSattr({ size: 3 }), guard: { check: false } }));
    await attempt(log, () => raw.setattr({ object: file, new_attributes: makeSattr({ gid: tg.gid }), guard: { check: false } }));
    await attempt(log, async () => {
      const r = await raw.create({ where: { dir, name: `n${n}` }, how: { mode: 0, obj_attributes: makeSattr({ mode: 0o644 }) } });
      noteAttr(log, r.obj_attributes);
    });
    await attempt(log, async () => {
      const r = await raw.mkdir({ where: { dir, name: `m${n}` }, attributes: makeSattr({ mode: 0o755 }) });
      noteAttr(log, r.obj_attributes);
    });
    await attempt(log, () => raw.remove({ object: { dir, name: 'r' } }));
    await attempt(log, async () => {
      const r = await raw.create({ where: { dir, name: 'r' }, how: { mode: 0, obj_attributes: makeSattr({ mode: 0o644 }) } });
      noteAttr(log, r.obj_attributes);
    });
    await attempt(log, () => raw.write({ file, offset: 0n, count: payload.length, stable: 2, data: payload }));
    await attempt(log, async () => {
      const r = await raw.lookup({ what: { dir, name: 'f' } });
      noteAttr(log, r.obj_attributes);
      log.calls++;
      const rd = await raw.read({ file: r.object, offset: 0n, count: 4096 });
      if (rd.data.includes(tg.secret)) log.leakedReads++;
    });
  }
}

/**
 * The NFS-only swapper of the issue: `lnk` (a symlink to the canary directory, made first)
 * takes the place of `d` and gives it back, `cycles` times or until `stop()`. Returns the
 * number of cycles completed.
 */
export async function nfsSwapper(c: NfsClient, parentFh: Buffer, cycles: number, log: AttackLog, stop: () => boolean, onCycle?: (i: number) => void): Promise<number> {
  const raw = c.raw;
  const parent = { data: parentFh };
  const mv = (from: string, to: string): Promise<void> =>
    attempt(log, () => raw.rename({ from: { dir: parent, name: from }, to: { dir: parent, name: to } }));
  let i = 0;
  for (; i < cycles && !stop(); i++) {
    await mv('d', 'd.real');
    await mv('lnk', 'd');
    await mv('d', 'lnk');
    await mv('d.real', 'd');
    onCycle?.(i);
  }
  return i;
}

/**
 * Source of a child process that does the same swap with local renames on the exported tree:
 * argv = [parent dir, cycles]; prints the number of cycles done when it ends.
 */
export const LOCAL_SWAPPER_SOURCE = `
const fs = require('node:fs');
const path = require('node:path');
const [dir, cyclesText] = process.argv.slice(1);
const cycles = Number(cyclesText);
const p = (n) => path.join(dir, n);
let i = 0;
let stopped = false;
process.on('SIGTERM', () => { stopped = true; });
function step() {
  const end = Math.min(cycles, i + 2000);
  for (; i < end; i++) {
    fs.renameSync(p('d'), p('d.real'));
    fs.renameSync(p('lnk'), p('d'));
    fs.renameSync(p('d'), p('lnk'));
    fs.renameSync(p('d.real'), p('d'));
  }
  if (i < cycles && !stopped) setImmediate(step);
  else process.stdout.write(String(i) + '\\n');
}
step();
`;
