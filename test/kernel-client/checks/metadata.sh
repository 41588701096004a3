# The metadata timing set (scripts/kclient-metadata.mjs, not the test suite): create 2,000 empty
# files, `ls -la` them, `rm -rf` them. Each phase runs on a fresh mount (no attributes or
# dentries cached by the client) and reports its guest-side time and the mount's per-op RPC
# figures (/proc/self/mountstats), which the host script compares between servers:
#   KC-TIME phase seconds
#   KC-STAT phase OP ops rtt_ms_total exec_ms_total
N=2000
up() { cut -d' ' -f1 /proc/uptime; }
# stats PHASE: one KC-STAT line per op the mount sent
stats() {
  awk -v m="$KC_MNT" -v p="$1" '
    $1 == "device" { here = ($5 == m); inops = 0 }
    here && /per-op statistics/ { inops = 1; next }
    here && inops && NF >= 9 && $2 + 0 > 0 { sub(":", "", $1); print "KC-STAT", p, $1, $2, $8, $9 }' /proc/self/mountstats
}
phase() { # phase NAME CMD...: a fresh mount, CMD timed, the mount's figures
  name=$1; shift
  mnt || { fail "$name: mount" "$(dmesg | tail -n 2 | tr '\n' ' ')"; return 1; }
  t0=$(up)
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
  t1=$(up)
  echo "KC-TIME $name $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
  stats "$name"
  umnt
}
W=$KC_MNT/meta
create_all() { mkdir "$W" && i=0 && while [ $i -lt $N ]; do : > "$W/f$i" || return 1; i=$((i + 1)); done; }
list_all() { [ "$(ls -la "$W" | grep -c '^-')" = $N ]; }
phase create create_all
phase ls-la list_all
phase rm-rf rm -rf "$W"
mnt && { same "rm -rf: gone" "$([ -e "$W" ] && echo left || echo gone)" gone; umnt; }
