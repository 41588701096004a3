#!/bin/sh
# build-guest.sh OUT_DIR: the guest the kernel-client test boots under qemu, written to OUT_DIR:
#   OUT_DIR/vmlinuz      the host's Debian kernel (linux-image-amd64)
#   OUT_DIR/base.cpio.gz busybox-static and the NFSv3 client and virtio-net modules (with what
#                        they need, in load order in /kc/modules)
# The runner puts guest/init, the checks and the run's parameters in a second archive in front
# of it (the kernel unpacks both), so only a new kernel or busybox needs a new base.
set -eu
out=$1
kver=${NFSTS_KCLIENT_KVER:-$(ls /lib/modules | sort -V | tail -n 1)}
[ -f "/boot/vmlinuz-$kver" ] || { echo "build-guest: no /boot/vmlinuz-$kver (Debian linux-image-amd64)" >&2; exit 1; }
case $(file -L /bin/busybox) in *statically*) ;; *) echo "build-guest: /bin/busybox is not static (Debian busybox-static)" >&2; exit 1;; esac

root=$out/root
rm -rf "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/mnt" "$root/etc" "$root/lib/modules" "$root/kc"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"; done
ln -s bin "$root/sbin"
printf 'root:x:0:0::/:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"

# modules: each one after everything it depends on (modinfo's depends, depth first)
order=$root/kc/modules
: > "$order"
add() {
  grep -qx "$1" "$order" && return 0
  for dep in $(modinfo -k "$kver" -F depends "$1" | tr ',' ' '); do add "$dep"; done
  file=$(modinfo -k "$kver" -n "$1")
  case $file in
    (builtin*) return 0 ;;
    (*.ko) cp "$file" "$root/lib/modules/$1.ko" ;;
    (*.ko.xz) xz -dc "$file" > "$root/lib/modules/$1.ko" ;;
    (*.ko.zst) zstd -qdc "$file" > "$root/lib/modules/$1.ko" ;;
    (*) echo "build-guest: cannot load $file" >&2; exit 1 ;;
  esac
  echo "$1" >> "$order"
}
for m in virtio_pci virtio_net nfsv3; do add "$m"; done

# the kernel opens /dev/console for init before anything can mount devtmpfs
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3
( cd "$root" && find . | sort | cpio -o -H newc -R 0:0 --quiet ) | gzip -1 > "$out/base.cpio.gz"
cp "/boot/vmlinuz-$kver" "$out/vmlinuz"
rm -rf "$root"
echo "build-guest: kernel $kver"
