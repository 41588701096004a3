// The FUSE shim (`nfsts mount`) on a real mount of our server: POSIX tools run in child
// processes on the mount, results checked against the export directory itself.
import t from 'tap';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer } from '@nfsts/server';
import { forceUnmount, fuseSkipReason, isMounted, sh, startFuse } from '../src/fuse-helpers.js';

const skip = fuseSkipReason();
if (skip !== null) {
  t.plan(0, skip);
  process.exit(0);
}

t.test('basic operations and errno', async (t) => {
  const f = await startFuse(t);
  const r = await f.sh(`set -e; cd "$MNT"; echo hello > a; cat a; mkdir d; ln -s ../a d/l; ln a b; cat d/l; stat -c '%h %s' a; mv a c; ls; \
    ! rmdir d 2>/dev/null; rm d/l; rmdir d; ! cat a 2>/dev/null; ! mkdir c 2>/dev/null; ls`);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, 'hello\nhello\n2 6\nb\nc\nd\nb\nc\n');
  const e = await f.sh(`cd "$MNT"; touch x; mkdir y; for c in "mkdir x" "rmdir x" "rm y" "ln x y/../x" "cat nosuch"; do $c 2>&1 | sed 's/.*: //'; done`);
  t.equal(e.out, 'File exists\nNot a directory\nIs a directory\nFile exists\nNo such file or directory\n');
});

t.test('cp -a and tar round trips keep data, links, odd names, owners and modes', async (t) => {
  const f = await startFuse(t);
  const src = join(f.base, 'src');
  const r = await f.sh(`set -e; mkdir -p ${src}/sub/deep; cd ${src}; head -c 300000 /dev/urandom > big; echo x > 'sp ace'; echo y > 'new\nline'; \
    echo z > 'üñï'; echo q > -dash; ln big sub/hard; ln -s ../big sub/sym; ln -s nowhere dangling; mkfifo fifo; chmod 640 big; chmod 1777 sub/deep; \
    chown 1234:5678 'sp ace'; touch -d '2001-02-03 04:05:06' sub; \
    cp -a ${src} "$MNT/cp"; diff -r --no-dereference -x fifo ${src} "$MNT/cp"; (cd ${src} && tar cf - .) | (mkdir "$MNT/tar" && cd "$MNT/tar" && tar xpf -); diff -r --no-dereference -x fifo ${src} "$MNT/tar"; \
    for d in ${src} "$MNT/cp" "$MNT/tar"; do (cd "$d" && find . -print0 | sort -z | xargs -0 stat -c '%n %F %a %u %g' | md5sum); done; \
    stat -c %Y ${src}/sub "$MNT/cp/sub" "$MNT/tar/sub"; stat -c %i "$MNT/cp/big" "$MNT/cp/sub/hard" | uniq | wc -l`);
  t.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  t.equal(lines[0], lines[1], 'cp -a: same names, types, modes, owners');
  t.equal(lines[0], lines[2], 'tar: same names, types, modes, owners');
  t.equal(lines[4], lines[3]);
  t.equal(lines[5], lines[3]);
  t.equal(lines[6], '1', 'the hard link stays one inode');
});

t.test('ls -l of a 10,000-entry directory', async (t) => {
  const f = await startFuse(t);
  const dir = join(f.exp, 'many');
  mkdirSync(dir);
  for (let i = 0; i < 10_000; i++) writeFileSync(join(dir, `file-${i}`), '');
  const r = await f.sh(`ls -l "$MNT/many" | grep -c '^-rw'; ls "$MNT/many" | sort | uniq | wc -l`);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, '10000\n10000\n');
});

t.test('rename over an existing file, O_EXCL race, parallel writers', async (t) => {
  const f = await startFuse(t);
  let r = await f.sh(`cd "$MNT"; echo old > t; exec 3<t; echo new > n; mv n t; cat t; cat <&3; ls`);
  t.equal(r.out, 'new\nold\nt\n', 'the replaced file stays readable through an open descriptor');
  r = await f.sh(`cd "$MNT"; echo gone > u; exec 3<u; rm u; cat <&3; ls -A "$EXP" | grep -c nfsts; exec 3<&-; sleep 0.2; ls -A "$EXP" | grep -c nfsts`);
  t.equal(r.out, 'gone\n1\n0\n', 'an unlinked open file is set aside and removed at its last close');
  // noclobber (set -C) creates with O_EXCL: of two racing shells exactly one wins each round
  r = await f.sh(`cd "$MNT"; for i in $(seq 1 20); do (set -C; echo a > x$i) 2>/dev/null & (set -C; echo b > x$i) 2>/dev/null & wait; done; \
    for i in $(seq 1 20); do wc -l < x$i; done | sort | uniq -c`);
  t.equal(r.out.trim(), '20 1');
  r = await f.sh(`cd "$MNT"; for i in 1 2 3 4; do head -c 3000000 /dev/urandom > /tmp/src$$.$i; done; \
    for i in 1 2 3 4; do dd if=/tmp/src$$.$i of=w$i bs=64k conv=fsync status=none & done; wait; \
    for i in 1 2 3 4; do cmp /tmp/src$$.$i w$i && cmp /tmp/src$$.$i "$EXP/w$i" && echo same; rm /tmp/src$$.$i; done`);
  t.equal(r.out, 'same\nsame\nsame\nsame\n', r.err);
  t.comment(`most requests in flight at once: ${f.m.session.maxInflight}`);
});

t.test('truncate, extend and sparse files', async (t) => {
  const f = await startFuse(t);
  const r = await f.sh(`cd "$MNT"; printf 0123456789 > s; truncate -s 4 s; cat s; echo; truncate -s 8 s; od -An -c s | tr -s ' '; \
    dd if=/dev/zero of=sp bs=1 count=1 seek=10000000 status=none; stat -c %s sp; stat -c %s "$EXP/sp"; du -k "$EXP/sp" | cut -f1; \
    printf ab >> s; od -An -c s | tr -s ' '`);
  t.equal(r.code, 0, r.err);
  const l = r.out.split('\n');
  t.equal(l[0], '0123');
  t.equal(l[1], ' 0 1 2 3 \\0 \\0 \\0 \\0');
  t.equal(l[2], '10000001');
  t.equal(l[3], '10000001');
  t.ok(Number(l[4]) < 1000, 'the hole takes no space on the server');
  t.equal(l[5], ' 0 1 2 3 \\0 \\0 \\0 \\0 a b', 'O_APPEND writes at the end');
});

t.test('two users through one allow_other mount get their own permissions', async (t) => {
  const f = await startFuse(t, { options: { allowOther: true } });
  mkdirSync(join(f.exp, 'u1'));
  chmodSync(join(f.exp, 'u1'), 0o700);
  chownSync(join(f.exp, 'u1'), 1001, 1001);
  mkdirSync(join(f.exp, 'shared'));
  chmodSync(join(f.exp, 'shared'), 0o770);
  chownSync(join(f.exp, 'shared'), 0, 2000);
  const as = (uid: number, groups: string, cmd: string) => f.sh(`setpriv --reuid=${uid} --regid=${uid} ${groups} sh -c '${cmd}' 2>&1; echo rc=$?`);
  let r = await as(1001, '--clear-groups', 'echo mine > "$MNT/u1/f" && cat "$MNT/u1/f" && stat -c "%u %g" "$MNT/u1/f"');
  t.equal(r.out, 'mine\n1001 1001\nrc=0\n');
  r = await as(1002, '--clear-groups', 'ls "$MNT/u1"');
  t.match(r.out, /Permission denied/);
  r = await as(1002, '--groups=2000', 'touch "$MNT/shared/g" && stat -c "%u" "$MNT/shared/g"');
  t.equal(r.out, '1002\nrc=0\n', 'a supplementary group from /proc/PID/status counts');
  r = await as(1003, '--clear-groups', 'touch "$MNT/shared/h"');
  t.match(r.out, /Permission denied/);
});

const noUserTools = (await sh('command -v git && command -v vim')).code !== 0 ? 'no git or vim (Debian packages git, vim)' : false;
t.test('as a user would: vim edits a file, git clones, commits, gcs and fscks on the mount', { skip: noUserTools }, async (t) => {
  const f = await startFuse(t);
  const src = join(f.base, 'repo');
  // vim writes a swap file, renames its backup and fsyncs; git renames lock files, hard-links
  // or copies objects and rewrites packs in gc
  const r = await f.sh(`set -e; export HOME=${f.base} GIT_CONFIG_NOSYSTEM=1; git config --global user.email t@t; git config --global user.name t; \
    git config --global init.defaultBranch main; \
    git init -q ${src}; cd ${src}; for i in 1 2 3; do echo "line $i" > f$i; git add f$i; git commit -qm c$i; done; \
    printf 'alpha\\nbanana\\n' > "$MNT/v.txt"; vim -u NONE -es -c '%s/a/o/g' -c wq "$MNT/v.txt"; cat "$EXP/v.txt"; \
    git clone -q ${src} "$MNT/clone"; cd "$MNT/clone"; git status --porcelain | wc -l; echo more >> f1; git commit -qam c4; \
    git gc -q; git fsck --strict 2>&1 | wc -l; git log --format=%s | tr '\\n' ' '; echo; ls "$MNT/v.txt"* "$MNT"/.v.txt* 2>/dev/null | wc -l`);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, 'olpho\nbonono\n0\n0\nc4 c3 c2 c1 \n1\n', 'the edit landed on the server, the clone is clean, gc kept every commit, vim left no swap file');
});

t.test('reads by RPC (LOCALIO off): large READs split into concurrent pieces come back whole and in order', async (t) => {
  const f = await startFuse(t, { options: { localio: false } });
  t.equal(f.m.client.isLocal, false, 'the mount goes by RPC');
  // a size that is no multiple of a page or a piece, so the last READ ends short at EOF
  const r = await f.sh(`set -e; head -c 5000003 /dev/urandom > "$EXP/r"; cmp "$EXP/r" "$MNT/r"; dd if="$MNT/r" bs=777k 2>/dev/null | cmp - "$EXP/r"; \
    [ "$(tail -c 4099 "$MNT/r" | md5sum)" = "$(tail -c 4099 "$EXP/r" | md5sum)" ]; dd if="$MNT/r" bs=1M skip=3 2>/dev/null | wc -c`);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, '1854275\n');
});

t.test('the mount reads ahead one maximal READ (1 MiB), not the kernel default 128 KiB', async (t) => {
  const f = await startFuse(t);
  await f.m.session.initialized;
  const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === f.mnt);
  t.ok(line, 'the mount is in mountinfo');
  t.equal(readFileSync(`/sys/class/bdi/${line!.split(' ')[2]}/read_ahead_kb`, 'utf8').trim(), '1024');
});

t.test('unmount while a reader is active', async (t) => {
  const f = await startFuse(t);
  await f.sh(`head -c 1000000 /dev/zero > "$MNT/r"`);
  const reader = f.sh(`exec 3<"$MNT/r"; sleep 2; cat <&3 | wc -c`);
  await new Promise((r) => setTimeout(r, 500));
  await f.m.unmount();
  t.notOk(isMounted(f.mnt), 'the mount left the namespace');
  const r = await reader;
  t.not(r.out.trim(), '', 'the reader finished (data or an error), it did not hang');
});

t.test('server killed and restarted under a hard mount: no data lost', async (t) => {
  const f = await startFuse(t);
  // half the data written (UNSTABLE) before the restart, half after, then close (COMMIT)
  const writer = f.sh(`head -c 4000000 /dev/urandom > /tmp/hard$$; (head -c 2000000 /tmp/hard$$; sleep 2; tail -c 2000000 /tmp/hard$$) > "$MNT/h"; \
    cmp /tmp/hard$$ "$MNT/h" && cmp /tmp/hard$$ "$EXP/h" && echo same; rm /tmp/hard$$`);
  await new Promise((r) => setTimeout(r, 1000));
  await f.restartServer();
  const r = await writer;
  t.equal(r.out, 'same\n', r.err);
});

t.test('POSIX battery: the same results on the mount as on a local directory', async (t) => {
  const f = await startFuse(t, { options: { allowOther: true } });
  const battery = new URL('../../fixtures/posix-battery.sh', import.meta.url).pathname;
  const local = join(f.base, 'local');
  mkdirSync(local);
  chmodSync(local, 0o755);
  const onLocal = await f.sh(`sh ${battery} ${local}`);
  const onMount = await f.sh(`sh ${battery} "$MNT"`);
  const a = onLocal.out.trim().split('\n');
  const b = onMount.out.trim().split('\n');
  // side by side, for the README
  const width = Math.max(...a.map((l) => l.length));
  t.comment(a.map((l, i) => `${l.padEnd(width)} | ${b[i] ?? ''}`).join('\n'));
  // differences that come from the server, not the shim (listed in packages/fuse/README.md)
  const known = new Map([['unlink in sticky dir as non-owner: Permission denied', 'unlink in sticky dir as non-owner: Operation not permitted']]);
  t.same(b.map((l) => known.get(l) ?? l), a);
});

t.test('server gone: a soft mount fails with ETIMEDOUT, a hard one waits but a killed caller dies', async (t) => {
  const soft = await startFuse(t, { options: { soft: true, timeoutMs: 1500 } });
  await soft.server.close();
  let r = await soft.sh(`stat "$MNT/never-looked-up" 2>&1; echo rc=$?`);
  t.match(r.out, /Connection timed out\nrc=1/);
  const hard = await startFuse(t);
  await hard.server.close();
  // the kernel sends INTERRUPT for the signal; the NFS call is aborted and the process dies
  r = await hard.sh(`stat "$MNT/never-looked-up" & p=$!; sleep 1; kill -9 $p; wait $p; echo rc=$?`);
  t.equal(r.out, 'rc=137\n');
});

const noFusermount = (await sh('command -v fusermount3')).code !== 0 ? 'no fusermount3 (Debian package fuse3)' : false;
t.test('an unprivileged user mounts through fusermount3', { skip: noFusermount }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'nfsts-fuse-user-'));
  chmodSync(base, 0o755);
  const exp = join(base, 'exp'), mnt = join(base, 'mnt');
  mkdirSync(join(exp, 'mine'), { recursive: true });
  mkdirSync(mnt);
  chownSync(join(exp, 'mine'), 65534, 65534);
  chownSync(mnt, 65534, 65534);
  const server = await startServer({ exports: [{ path: '/export', root: exp, options: 'rw' }], port: 0, host: '127.0.0.1', portmap: false });
  const cli = new URL('../../../packages/cli/dist/src/main.js', import.meta.url).pathname;
  // (without the test runner's NODE_OPTIONS: its hooks would write where nobody may not)
  const nobody = `env -u NODE_OPTIONS setpriv --reuid=65534 --regid=65534 --clear-groups`;
  t.teardown(async () => {
    await sh(`${nobody} node ${cli} umount ${mnt}`);
    await forceUnmount(mnt);
    await server.close();
    if (!isMounted(mnt)) rmSync(base, { recursive: true, force: true });
  });
  let r = await sh(`${nobody} node ${cli} mount '${server.exports[0]!.url}' ${mnt} --daemon`);
  t.match(r.out, /^Mounted .* \(pid \d+\)\n$/, r.err);
  t.ok(isMounted(mnt));
  r = await sh(`${nobody} sh -c 'echo hi > ${mnt}/mine/f && cat ${mnt}/mine/f && stat -c "%U" ${mnt}/mine/f; touch ${mnt}/not-mine 2>&1 | sed "s/.*: //"'`);
  t.equal(r.out, 'hi\nnobody\nPermission denied\n');
  r = await sh(`${nobody} node ${cli} umount ${mnt}`);
  t.equal(r.code, 0, r.err);
  t.notOk(isMounted(mnt), 'fusermount3 -u unmounted it');
});

t.test('serve --mount with --mount-options: the options reach the mount; a bad one is refused before serving', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'nfsts-fuse-serve-'));
  const exp = join(base, 'exp'), mnt = join(base, 'mnt');
  mkdirSync(exp);
  mkdirSync(mnt);
  t.teardown(async () => {
    await forceUnmount(mnt);
    if (!isMounted(mnt)) rmSync(base, { recursive: true, force: true });
  });
  const cli = new URL('../../../packages/cli/dist/src/main.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [cli, 'serve', exp, '--port', '0', '--no-portmap', '--state-dir', join(base, 'st'), '--options', 'rw,no_root_squash',
    '--log-level', 'silent', '--mount', mnt, '--mount-options', 'passthrough=off,actimeo=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (s: string) => {
      out += s;
      if (/^Mounted /m.test(out)) resolve();
    });
    void closed.then((code) => reject(new Error(`serve --mount exited with ${String(code)}: ${out}`)));
  });
  t.match(out, /^Mounted nfs:\/\/\S+ on \S+ \(LOCALIO, passthrough off\b/m, 'passthrough=off reached the mount');
  writeFileSync(join(mnt, 'through-mount'), 'hello');
  t.equal(readFileSync(join(exp, 'through-mount'), 'utf8'), 'hello', 'a write through the mount is on disk');
  child.kill('SIGTERM');
  t.equal(await closed, 0, 'exit 0 after SIGTERM');
  t.notOk(isMounted(mnt), 'unmounted on SIGTERM');
  for (const [args, text] of [
    [['--mount-options', 'ro'], /--mount-options needs --mount/],
    [['--mount', mnt, '--mount-options', 'frobnicate'], /bad --mount-options: .*frobnicate/],
  ] as const) {
    const r = await sh(`node ${cli} serve ${exp} --port 0 --no-portmap --state-dir ${join(base, 'st2')} ${args.join(' ')}`);
    t.equal(r.code, 2, `${args.join(' ')}: exit 2, a usage error`);
    t.match(r.err, text);
    t.notOk(isMounted(mnt), 'nothing mounted');
  }
});
