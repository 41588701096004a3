// FUSE passthrough on `serve --mount`-style mounts (server and shim in one process, LOCALIO):
// the kernel reads and writes the server's file itself. Checked against the export directory,
// with the shim's own request counts showing who did the I/O.
import t from 'tap';
import { chmodSync, chownSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forceUnmount, fuseSkipReason, startFuse, type FuseFixture } from '../src/fuse-helpers.js';

const READ = 15, WRITE = 16;

const skip = fuseSkipReason();
if (skip !== null) {
  t.plan(0, skip);
  process.exit(0);
}

/** why the kernel cannot do passthrough here, or null (decided by the kernel's INIT offer, not our code) */
async function kernelLacks(f: FuseFixture): Promise<string | null> {
  await f.m.session.initialized;
  const why = f.m.session.passthroughWhy;
  return why.startsWith('off: the kernel does not offer') ? why.slice(5) : null;
}

const count = (f: FuseFixture, op: number): number => f.m.session.counts.get(op) ?? 0;

t.test('data written and read through a passthrough open equals the disk; stat sees the new size', async (t) => {
  const f = await startFuse(t);
  const lacks = await kernelLacks(f);
  if (lacks !== null) return t.plan(0, lacks);
  t.equal(f.m.client.isLocal, true, 'the mount goes by LOCALIO');
  t.equal(f.m.session.passthrough, true, f.m.session.passthroughWhy);
  const r = await f.sh(`set -e; head -c 3000001 /dev/urandom > /tmp/pt$$; cp /tmp/pt$$ "$MNT/p"; stat -c %s "$MNT/p"; \
    cmp /tmp/pt$$ "$EXP/p"; cmp /tmp/pt$$ "$MNT/p"; printf 'tail' >> "$MNT/p"; stat -c %s "$MNT/p"; stat -c %s "$EXP/p"; \
    tail -c 4 "$MNT/p"; echo; dd if=/dev/zero of="$MNT/p" bs=1 count=3 seek=5000000 conv=notrunc,fsync 2>/dev/null; stat -c %s "$MNT/p"; \
    head -c 4 "$EXP/p" | cmp - "$MNT/p" -n 4; rm /tmp/pt$$`);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, '3000001\n3000005\n3000005\ntail\n5000003\n');
  t.equal(count(f, READ), 0, 'no READ reached the shim: the kernel read the backing file');
  t.equal(count(f, WRITE), 0, 'no WRITE reached the shim: the kernel wrote the backing file');
  t.ok(f.m.session.passthroughOpens >= 5, `opens were passthrough (${f.m.session.passthroughOpens})`);
});

t.test('permission is still checked at open for each user', async (t) => {
  const f = await startFuse(t, { options: { allowOther: true } });
  const lacks = await kernelLacks(f);
  if (lacks !== null) return t.plan(0, lacks);
  writeFileSync(join(f.exp, 'secret'), 'mine\n');
  chownSync(join(f.exp, 'secret'), 1001, 1001);
  chmodSync(join(f.exp, 'secret'), 0o600);
  const as = (uid: number, cmd: string) => `setpriv --reuid=${uid} --regid=${uid} --clear-groups sh -c '${cmd}' 2>&1; echo rc=$?`;
  // 1001 holds the file open (passthrough) while 1002 tries to open it, to read and to write
  // a flag file the owner creates once it holds the file open
  mkdirSync(join(f.base, 'flags'), { mode: 0o777 });
  chmodSync(join(f.base, 'flags'), 0o777);
  const held = join(f.base, 'flags', 'held');
  const r = await f.sh(`(${as(1001, 'exec 3<"$MNT/secret"; touch $HELD; sleep 2; cat <&3')}) > $HELD.out & \
    for i in $(seq 100); do [ -e $HELD ] && break; sleep 0.1; done; ${as(1002, 'cat "$MNT/secret"')}; ${as(1002, 'echo x >> "$MNT/secret"')}; wait; cat $HELD.out`, { HELD: held });
  t.match(r.out, /^cat: .*Permission denied\nrc=1\n.*Permission denied\nrc=2\nmine\nrc=0\n$/, 'refused to read and to write while the owner holds it open; the owner reads');
  t.equal(count(f, READ), 0, 'the owner read by passthrough');
  t.equal((await f.sh('cat "$EXP/secret"')).out, 'mine\n', 'the refused write left the file alone');
});

t.test('passthrough=off: reads and writes go through the shim as before', async (t) => {
  const f = await startFuse(t, { options: { passthrough: 'off' } });
  await f.m.session.initialized;
  t.equal(f.m.session.passthrough, false);
  t.equal(f.m.session.passthroughWhy, 'off: turned off by option');
  const r = await f.sh(`set -e; head -c 2000000 /dev/urandom > "$MNT/p"; cmp "$MNT/p" "$EXP/p"; stat -c %s "$MNT/p"`);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, '2000000\n');
  t.ok(count(f, WRITE) > 0 && count(f, READ) > 0, 'the shim did the I/O');
  t.equal(f.m.session.passthroughOpens, 0);
});

t.test('no descriptor leaks: backing files are given back at release and the mount leaves none', async (t) => {
  const fds = (): number => readdirSync('/proc/self/fd').length;
  const before = fds();
  const f = await startFuse(t);
  const lacks = await kernelLacks(f);
  if (lacks !== null) { await f.close(); return t.plan(0, lacks); }
  const r = await f.sh(`set -e; for i in 1 2 3 4 5 6 7 8; do echo $i > "$MNT/f$i"; cat "$MNT/f$i" >/dev/null; done; \
    exec 3<"$MNT/f1" 4<"$MNT/f1"; cat <&3; cat <&4; exec 3<&- 4<&-; cat "$MNT"/f* | wc -l`);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, '1\n1\n8\n');
  t.ok(f.m.session.passthroughOpens >= 19, 'every open was passthrough (two at once of one file share its backing id)');
  await f.close();
  await forceUnmount(f.mnt);
  t.equal(fds(), before, 'as many descriptors as before the server and mount');
});
