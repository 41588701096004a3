# The full set: what a kernel user does on the mount. Runs after the smoke set, which unmounts.
if mnt; then pass "mount again for the full set"; else fail "mount again for the full set" "$(dmesg | tail -n 3 | tr '\n' ' ')"; exit 1; fi
W=$KC_MNT/full
mkdir -p "$W"

# a tree with a symlink, a hard link pair and a nested directory, made on the guest's tmpfs
S=/tmp/src
mkdir -p $S/d/e
pattern 2 1 > $S/d/data
echo small > $S/d/e/small
ln $S/d/data $S/d/hard
ln -s e/small $S/d/sym
chmod 640 $S/d/e/small
touch -d '2001-02-03 04:05:06' $S/d/e/small
shape() { (cd "$1" && find . | sort | while read -r p; do
  if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"; elif [ -d "$p" ]; then echo "$p/"; else echo "$p $(stat -c '%a %s %Y' "$p") $(md5sum < "$p" | cut -d' ' -f1)"; fi
done); }
want=$(shape $S)

ok "cp -a into the mount" cp -a $S "$W/cpa"
drop
same "cp -a: same tree, modes, times and data on the mount" "$(shape "$W/cpa")" "$want"
same "cp -a: the hard link pair is one inode" "$(stat -c %i "$W/cpa/d/data")" "$(stat -c %i "$W/cpa/d/hard")"
same "cp -a: nlink 2" "$(stat -c %h "$W/cpa/d/data")" 2
ok "cp -a back out" cp -a "$W/cpa" /tmp/back
same "cp -a round trip: same tree" "$(shape /tmp/back)" "$want"

ok "tar c from the guest into the mount" tar -C $S -cf "$W/t.tar" .
mkdir "$W/untar"
ok "tar x on the mount" tar -C "$W/untar" -xf "$W/t.tar"
drop
same "tar round trip: same tree" "$(shape "$W/untar")" "$want"
same "tar round trip: hard link kept" "$(stat -c %i "$W/untar/d/data")" "$(stat -c %i "$W/untar/d/hard")"
ok "tar c of the mount" tar -C "$W/untar" -cf /tmp/back.tar .
mkdir /tmp/back2
tar -C /tmp/back2 -xf /tmp/back.tar
same "tar out of the mount: same tree" "$(shape /tmp/back2)" "$want"

mkdir -p "$W/a/inner" "$W/b"
echo moving > "$W/a/file"
ok "mv a file across directories" mv "$W/a/file" "$W/b/file"
ok "mv a directory across directories" mv "$W/a/inner" "$W/b/inner"
drop
same "mv: the file arrived" "$(cat "$W/b/file")" "moving"
same "mv: the source directory is empty" "$(ls -A "$W/a" | wc -l)" 0
ok "mv: the directory arrived" test -d "$W/b/inner"

ok "mkfifo" mkfifo "$W/fifo"
same "mkfifo: a FIFO" "$(stat -c %F "$W/fifo")" "fifo"
( echo through-the-fifo > "$W/fifo" ) &
same "mkfifo: data through it" "$(cat "$W/fifo")" "through-the-fifo"
wait

echo attrs > "$W/attrs"
ok "chmod 741" chmod 741 "$W/attrs"
ok "chown 1234:5678" chown 1234:5678 "$W/attrs"
ok "touch -d" touch -d '2001-02-03 04:05:06' "$W/attrs"
drop
same "chmod, chown, touch -d seen after dropping caches" "$(stat -c '%a %u:%g %Y' "$W/attrs")" "741 1234:5678 981173106"

ok "sparse 5 GiB: dd seek" dd if=/dev/zero of="$W/sparse" bs=1 count=1 seek=5368709119
drop
same "sparse 5 GiB: size" "$(stat -c %s "$W/sparse")" 5368709120
same "sparse 5 GiB: few blocks used" "$([ "$(du -k "$W/sparse" | cut -f1)" -lt 1024 ] && echo yes)" yes
same "sparse 5 GiB: a hole reads as zeros" "$(dd if="$W/sparse" bs=4096 skip=655360 count=1 2>/dev/null | md5sum | cut -d' ' -f1)" "$(dd if=/dev/zero bs=4096 count=1 2>/dev/null | md5sum | cut -d' ' -f1)"

df -k "$KC_MNT" > /tmp/df
same "df: the mount has a size" "$(awk 'NR == 2 { print ($2 > 0 && $4 >= 0) ? "yes" : "no" }' /tmp/df)" yes

same "ls -l of 20,000 entries" "$(ls -l "$KC_MNT/ls20k" | grep -c '^-')" 20000
before=$(opcount REMOVE)
ok "rm -rf of 5,000 files" rm -rf "$KC_MNT/rm5k"
ok "rm -rf: gone" test ! -e "$KC_MNT/rm5k"
same "rm -rf: 5,000 REMOVE calls" "$([ $(( $(opcount REMOVE) - before )) -ge 5000 ] && echo yes)" yes

for n in 1 2 3 4; do pattern "1$n" 16 > "$W/par$n" & done
wait
drop
for n in 1 2 3 4; do same "parallel writer $n: checksum" "$(sum "$W/par$n")" "$(pattern "1$n" 16 | md5sum | cut -d' ' -f1)"; done

# mount options: each remount is checked in /proc/mounts and by a data round trip
for o in rsize=65536,wsize=65536 actimeo=0 nordirplus sync; do
  umnt
  if mnt "$o"; then pass "mount -o $o"; else fail "mount -o $o" "$(dmesg | tail -n 2 | tr '\n' ' ')"; mnt; continue; fi
  case $o in actimeo=0) shown=acregmax=0 ;; *) shown=${o%%,*} ;; esac # how /proc/mounts spells it
  if mounted_with "$shown"; then pass "$o: in /proc/mounts"; else fail "$o: in /proc/mounts" "$(grep " $KC_MNT " /proc/mounts)"; fi
  pattern 3 4 > "$W/opt"
  drop
  same "$o: 4 MiB round trip" "$(sum "$W/opt")" "$(pattern 3 4 | md5sum | cut -d' ' -f1)"
  case $o in
    nordirplus) ls -l "$W/untar/d" > /dev/null
      same "nordirplus: READDIR, no READDIRPLUS" "$(opcount READDIR):$(opcount READDIRPLUS)" "$([ "$(opcount READDIR)" -gt 0 ] && echo "$(opcount READDIR)"):0" ;;
    sync) same "sync: no COMMIT needed" "$(opcount COMMIT)" 0 ;;
    actimeo=0) echo changed > "$W/attrs"; same "actimeo=0: own change seen at once" "$(cat "$W/attrs")" changed ;;
  esac
done
umnt

# the server SIGKILLed during a 256 MiB write on a hard mount, started again: nothing is lost
mnt hard
pattern 5 256 | md5sum | cut -d' ' -f1 > /tmp/want256
( pattern 5 256 | dd of="$W/big" bs=1048576 2> /tmp/dd.err; echo "$?" > /tmp/dd.rc ) &
writer=$!
n=0
while [ "$(stat -c %s "$W/big" 2>/dev/null || echo 0)" -lt 67108864 ] && [ $n -lt 600 ]; do usleep 100000; n=$((n + 1)); done
host kill-restart
wait $writer
same "SIGKILL + restart during a 256 MiB dd: dd succeeded" "$(cat /tmp/dd.rc)" 0
drop
same "SIGKILL + restart: size" "$(stat -c %s "$W/big")" 268435456
same "SIGKILL + restart: checksum right afterwards" "$(sum "$W/big")" "$(cat /tmp/want256)"

mv "$W/sparse" "$KC_MNT/sparse" # the host looks at its blocks afterwards
ok "rm -rf the full set's files" rm -rf "$W" # ls20k stays: the runner removes the export
if umnt; then pass "umount after the full set"; else fail "umount after the full set" "busy?"; fi
