# kclient locking test: the mount has no nolock; flock and fcntl between guest processes, and a
# lock the host holds through the nfsts client library (file "hostlocked", released when the
# guest creates "release-me"). busybox has no flock(1): `lk FILE flock - w nb 0` is flock(2) with
# LOCK_EX|LOCK_NB, what `flock -n FILE true` does, and exits 1 when refused as flock -n does.
F=$KC_MNT/kc-lock-$$
echo x > "$F"
lk "$F" flock - w nb 4 > /dev/null & P=$!
usleep 1500000
lk "$F" flock - w nb 0 > /dev/null; expect "flock -n while another guest process holds it (exit 1)" "$?" 1
wait $P
lk "$F" flock - w nb 0 > /dev/null; expect "flock -n after it was released" "$?" 0
lk "$F" 0 10 w nb 4 > /tmp/lk.out & P=$!
usleep 1500000
lk "$F" 5 1 w nb 0 > /dev/null; expect "fcntl F_SETLK on an overlapping range refused" "$?" 1
lk "$F" 10 5 w nb 0 > /dev/null; expect "fcntl F_SETLK on the range next to it granted" "$?" 0
wait $P
lk "$F" 5 1 w nb 0 > /dev/null; expect "fcntl F_SETLK after release" "$?" 0
H=$KC_MNT/hostlocked
lk "$H" flock - w nb 0 > /dev/null; expect "the host client's lock blocks the guest's flock -n (exit 1)" "$?" 1
lk "$H" 100 1 r nb 0 > /dev/null; expect "and its fcntl read lock" "$?" 1
touch "$KC_MNT/release-me"
i=0; while [ $i -lt 150 ]; do lk "$H" flock - w nb 0 > /dev/null && break; usleep 200000; i=$((i+1)); done
lk "$H" flock - w nb 0 > /dev/null; expect "flock -n once the host released it" "$?" 0
rm -f "$F" "$KC_MNT/release-me"
cd /
check "umount" umount "$KC_MNT"
