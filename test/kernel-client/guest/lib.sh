# Helpers for the checks (busybox ash). Each check prints one line the host counts as a test:
#   KC-PASS name            KC-FAIL name :: what went wrong
# and the host acts on KC-HOST lines (see test/src/kernel-client.ts).
pass() { echo "KC-PASS $1"; }
fail() { echo "KC-FAIL $1 :: $2"; }
# ok NAME CMD... : passes when CMD exits 0
ok() {
  name=$1; shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "exit $?: $(echo "$out" | tail -n 3 | tr '\n' ' ')"; fi
}
# same NAME GOT WANT
same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }

opts() { echo "vers=3,proto=tcp,nolock,port=$KC_PORT,mountport=$KC_MOUNT_PORT,mountproto=tcp,mountvers=3,addr=10.0.2.2,mountaddr=10.0.2.2${1:+,$1}"; }
# mnt [OPTIONS] / umnt: the export on $KC_MNT (busybox mount hands the options to mount(2) as they are)
mnt() { mkdir -p "$KC_MNT"; mount -t nfs -o "$(opts "$1")" "10.0.2.2:$KC_EXPORT" "$KC_MNT"; }
umnt() { cd /; umount "$KC_MNT"; }
mounted_with() { grep " $KC_MNT nfs" /proc/mounts | grep -q "[ ,]$1[ ,]"; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
# opcount OP: calls of OP sent on the mount so far (/proc/self/mountstats)
opcount() {
  awk -v m="$KC_MNT" -v op="$1:" '$1 == "device" { here = ($5 == m) } here && $1 == op { print $2; found = 1; exit } END { if (!found) print 0 }' /proc/self/mountstats
}
sum() { md5sum < "$1" | cut -d' ' -f1; }
# pattern SEED MIB: MIB MiB of bytes that depend on SEED (one random MiB repeated), on stdout
pattern() {
  [ -f "/tmp/chunk$1" ] || dd if=/dev/urandom of="/tmp/chunk$1" bs=1048576 count=1 2>/dev/null
  i=0
  while [ $i -lt "$2" ]; do cat "/tmp/chunk$1"; i=$((i + 1)); done
}
# host REQUEST: asks the host runner for something (it reads the console)
host() { echo "KC-HOST $1"; }
