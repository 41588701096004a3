// How the FUSE shim reads /dev/fuse: on the main thread from the event loop's readiness of the
// device (packages/fuse/src/reader.ts), with the worker thread as the portable path. Both are
// run here on real mounts: many requests at once come back whole, and an unmount ends the
// reader without leaving a descriptor or a handle that keeps the process alive.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUSE_READER } from '@nfsts/fuse';
import { forceUnmount, fuseSkipReason, startFuse } from '../src/fuse-helpers.js';

const skip = fuseSkipReason();
if (skip !== null) {
  t.plan(0, skip);
  process.exit(0);
}

t.test('on Linux the main thread reads the device itself, no reader thread', async (t) => {
  t.equal(FUSE_READER, 'loop', 'libuv polling binds from the node binary');
});

for (const localio of [false, true]) {
  t.test(`many concurrent readers and writers get whole, correct data (${localio ? 'LOCALIO' : 'RPC'})`, async (t) => {
    const f = await startFuse(t, { options: { localio } });
    // sizes around the 64 KiB copy threshold and above one maximal WRITE; 1 MiB writes travel
    // as large requests that take the read buffer with them
    const r = await f.sh(`set -e; i=0; for s in 1 4095 65535 65536 65537 1048577 3000001 5; do
        i=$((i+1)); head -c $s /dev/urandom > "$EXP/src$i"; done
      for i in 1 2 3 4 5 6 7 8; do dd if="$EXP/src$i" of="$MNT/w$i" bs=1M 2>/dev/null & done; wait
      for i in 1 2 3 4 5 6 7 8; do for j in 1 2; do cmp "$EXP/src$i" "$MNT/src$i" & cmp "$EXP/src$i" "$MNT/w$i" & done; done; wait
      for i in 1 2 3 4 5 6 7 8; do cmp "$EXP/src$i" "$EXP/w$i"; done
      # 4 KiB random reads from 16 processes at once
      for p in $(seq 16); do (for k in $(seq 40); do
        dd if="$MNT/src7" bs=4096 skip=$(( (p * 37 + k * 11) % 732 )) count=1 2>/dev/null | md5sum; done) > "$EXP/.sum$p" & done; wait
      for p in $(seq 16); do (for k in $(seq 40); do
        dd if="$EXP/src7" bs=4096 skip=$(( (p * 37 + k * 11) % 732 )) count=1 2>/dev/null | md5sum; done) | cmp - "$EXP/.sum$p"; done
      echo ok`);
    t.equal(r.code, 0, r.err);
    t.equal(r.out, 'ok\n');
  });
}

// A child process (src/fuse-reader-child.ts) mounts, unmounts and reports; it must then exit by
// itself: a poll handle or a reader thread left behind would keep it alive.
const CHILD = fileURLToPath(new URL('../src/fuse-reader-child.js', import.meta.url));

for (const reader of ['loop', 'worker']) {
  t.test(`unmount while idle ends the ${reader} reader cleanly: no descriptor left, the process exits`, async (t) => {
    const base = mkdtempSync(join(tmpdir(), 'nfsts-fuse-reader-'));
    const exp = join(base, 'exp');
    const mnt = join(base, 'mnt');
    const state = join(base, 'state');
    mkdirSync(exp);
    mkdirSync(mnt);
    t.teardown(async () => { await forceUnmount(mnt); rmSync(base, { recursive: true, force: true }); });
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const c = execFile(process.execPath, [CHILD, exp, mnt, state],
        { env: { ...process.env, NFSTS_FUSE_READER: reader }, timeout: 60_000 }, (_e, out, err) => resolve({ code: c.exitCode, out, err }));
    });
    t.equal(r.code, 0, `exited by itself: ${r.err}`);
    const o = JSON.parse(r.out) as { reader: string; reason: string; during: number; after: number };
    t.equal(o.reader, reader);
    t.equal(o.reason, 'ENODEV', 'the device said unmounted');
    t.equal(o.during, 1, 'one /dev/fuse descriptor while mounted');
    t.equal(o.after, 0, 'none after');
  });
}
