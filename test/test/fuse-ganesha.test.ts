// The FUSE shim over nfs-ganesha (FSAL_VFS): the same tools as against our server, to show the
// shim relies on NFSv3 and not on our server's particular answers.
import t from 'tap';
import { join } from 'node:path';
import { startGanesha } from '../src/ganesha.js';
import { fuseSkipReason, mountUrl } from '../src/fuse-helpers.js';

const skip = fuseSkipReason();
const g = skip === null ? await startGanesha() : { skip };
if ('skip' in g) {
  t.plan(0, g.skip);
  process.exit(0);
}
t.teardown(() => g.stop());

t.test('ganesha: cp -a and tar round trips, rename over, O_EXCL, parallel writers, sparse', async (t) => {
  const f = await mountUrl(t, g.url);
  const src = join(g.dir, '..', 'src');
  let r = await f.sh(`set -e; rm -rf ${src}; mkdir -p ${src}/sub; cd ${src}; head -c 300000 /dev/urandom > big; echo x > 'sp ace'; echo z > 'üñï'; \
    ln big sub/hard; ln -s ../big sub/sym; ln -s nowhere dangling; chmod 640 big; chown 1234:5678 'sp ace'; \
    cp -a ${src} "$MNT/cp"; diff -r --no-dereference ${src} "$MNT/cp"; (cd ${src} && tar cf - .) | (mkdir "$MNT/tar" && cd "$MNT/tar" && tar xpf -); \
    diff -r --no-dereference ${src} "$MNT/tar"; for d in ${src} "$MNT/cp" "$MNT/tar"; do (cd "$d" && find . -print0 | sort -z | xargs -0 stat -c '%n %F %a %u %g' | md5sum); done`);
  t.equal(r.code, 0, r.err);
  const digests = r.out.trim().split('\n');
  t.equal(digests.length, 3);
  t.equal(new Set(digests).size, 1, 'names, types, modes and owners survive both');
  r = await f.sh(`cd "$MNT"; echo old > t; exec 3<t; echo new > n; mv n t; cat t; cat <&3; \
    for i in $(seq 1 10); do (set -C; echo a > x$i) 2>/dev/null & (set -C; echo b > x$i) 2>/dev/null & wait; done; for i in $(seq 1 10); do wc -l < x$i; done | sort | uniq -c`);
  t.equal(r.out.replace(/^ +/gm, ''), 'new\nold\n10 1\n');
  r = await f.sh(`cd "$MNT"; for i in 1 2 3 4; do head -c 2000000 /dev/urandom > /tmp/gsrc$$.$i; done; \
    for i in 1 2 3 4; do dd if=/tmp/gsrc$$.$i of=w$i bs=64k conv=fsync status=none & done; wait; \
    for i in 1 2 3 4; do cmp /tmp/gsrc$$.$i w$i && echo same; rm /tmp/gsrc$$.$i; done; \
    dd if=/dev/zero of=sp bs=1 count=1 seek=5000000 status=none; stat -c %s sp; truncate -s 3 sp; stat -c %s sp`);
  t.equal(r.out, 'same\nsame\nsame\nsame\n5000001\n3\n', r.err);
});
