// Issue 9 1b: set-user-ID and set-group-ID bits after a WRITE or a size change, as the local
// kernel leaves them. Every case is done twice: as a local process running under the uid and
// groups in question (setpriv) on a temp directory, and over NFS by a client presenting the
// same AUTH_SYS credential; the modes afterwards must be equal. Root (which keeps the bits:
// CAP_FSETID) is included through a no_root_squash export.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, makeSattr, type NfsClient } from '@nfsts/client';
import { startLocalServer } from '../src/localio-helpers.js';

const OWNER = 1000;
const GROUP = 1000;
interface Caller { name: string; uid: number; gid: number; gids: number[] }
const CALLERS: Caller[] = [
  { name: 'owner', uid: OWNER, gid: GROUP, gids: [] },
  { name: 'group member', uid: 1001, gid: 1001, gids: [GROUP] },
  { name: 'outsider', uid: 1002, gid: 1002, gids: [] },
  { name: 'root', uid: 0, gid: 0, gids: [] },
];
// every writable combination of the set-id bits with and without group-execute
const MODES = [0o4777, 0o2777, 0o2767, 0o6777, 0o6767, 0o4767, 0o2666, 0o0777];
const OPS = ['write', 'truncate'] as const;

const haveSetpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = process.getuid?.() !== 0 ? 'needs root: the files belong to uid 1000 and the local side runs under other uids'
  : !haveSetpriv ? 'needs setpriv (util-linux) to run the local side under another uid' : undefined;

function asCaller(c: Caller, argv: string[]): void {
  const cmd = c.uid === 0 ? argv
    : ['setpriv', `--reuid=${c.uid}`, `--regid=${c.gid}`, c.gids.length ? `--groups=${c.gids.join(',')}` : '--clear-groups', '--', ...argv];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: exit ${r.status}: ${r.stderr}`);
}

function prepare(path: string, mode: number): void {
  writeFileSync(path, 'contents');
  chownSync(path, OWNER, GROUP);
  chmodSync(path, mode); // after the chown, which would clear the bits
}

const octal = (m: number): string => (m & 0o7777).toString(8).padStart(4, '0');

t.test('set-id bits after WRITE and size change: as the local kernel, for owner, group member, outsider and root', skip ? { skip } : {}, async (tt) => {
  const ls = await startLocalServer({ exports: { '/export': 'rw,no_root_squash' }, localio: false });
  const local = join(ls.base, 'local');
  mkdirSync(local);
  chmodSync(ls.base, 0o755);
  chmodSync(local, 0o777);
  const root = ls.roots['/export']!;
  chmodSync(root, 0o777);
  const clients = new Map<string, NfsClient>();
  try {
    for (const c of CALLERS) clients.set(c.name, await connect(ls.url(), { uid: c.uid, gid: c.gid, gids: c.gids, localio: false }));
    const mismatches: string[] = [];
    let cleared = 0;
    let kept = 0;
    for (const mode of MODES) {
      for (const c of CALLERS) {
        for (const op of OPS) {
          const name = `f-${octal(mode)}-${c.uid}-${op}`;
          const lp = join(local, name);
          prepare(lp, mode);
          if (op === 'write') asCaller(c, ['sh', '-c', `printf x >> '${lp}'`]);
          else asCaller(c, ['truncate', '-s', '3', lp]);
          const want = lstatSync(lp).mode & 0o7777;

          const np = join(root, name);
          prepare(np, mode);
          const nc = clients.get(c.name)!;
          const fh = (await nc.raw.lookup({ what: { dir: { data: nc.rootFh }, name } })).object;
          if (op === 'write') await nc.raw.write({ file: fh, offset: 8n, count: 1, stable: 2, data: Buffer.from('x') });
          else await nc.raw.setattr({ object: fh, new_attributes: makeSattr({ size: 3 }), guard: { check: false } });
          const got = lstatSync(np).mode & 0o7777;
          if (got !== want) mismatches.push(`${op} by ${c.name} of ${octal(mode)}: local kernel ${octal(want)}, NFS ${octal(got)}`);
          if (want !== mode) cleared++;
          else kept++;
        }
      }
    }
    tt.strictSame(mismatches, [], `every case (${MODES.length * CALLERS.length * OPS.length}) leaves the mode the local kernel leaves`);
    tt.ok(cleared > 0 && kept > 0, `the cases cover both outcomes (${cleared} cleared, ${kept} kept)`);
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await ls.close();
  }
});

t.test('a LOCALIO write clears set-id bits as an RPC WRITE does (such writes go by RPC)', skip ? { skip } : {}, async (tt) => {
  const ls = await startLocalServer({ exports: { '/export': 'rw' } });
  const root = ls.roots['/export']!;
  chmodSync(root, 0o777);
  const outsider = CALLERS[2]!;
  const c = await connect(ls.url(), { uid: outsider.uid, gid: outsider.gid, gids: outsider.gids, localio: true });
  try {
    tt.ok(c.isLocal, 'the client is local');
    const path = join(root, 'suid');
    prepare(path, 0o666);
    const fh = (await c.raw.lookup({ what: { dir: { data: c.rootFh }, name: 'suid' } })).object.data;
    await c.transport.write(Buffer.from(fh), 0n, Buffer.from('a'), 2);
    tt.equal(c.stats().writesLocal, 1, 'a write to a plain file goes local');
    chmodSync(path, 0o6777); // set after the grant: the grant must notice
    await c.transport.write(Buffer.from(fh), 0n, Buffer.from('b'), 2);
    tt.equal(octal(lstatSync(path).mode), '0777', 'the write cleared S_ISUID and S_ISGID (0777, as the local kernel does for an outsider)');
    tt.equal(c.stats().writesLocal, 1, 'that write went by RPC');
    await c.transport.write(Buffer.from(fh), 0n, Buffer.from('c'), 2);
    tt.equal(c.stats().writesLocal, 2, 'with the bits gone, writes go local again');
  } finally {
    await c.close();
    await ls.close();
  }
});
