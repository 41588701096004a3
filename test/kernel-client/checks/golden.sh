# The kernel client's part of the golden wire capture (scripts/capture-golden.mjs): every NFSv3
# procedure the kernel sends, with a missing name for an error reply. Checks are light: the
# capture is the point.
if mnt; then pass "mount"; else fail "mount" "$(dmesg | tail -n 3 | tr '\n' ' ')"; exit 1; fi
W=$KC_MNT/kgolden
ok "mkdir" mkdir "$W"
echo "golden" > "$W/f"                                   # CREATE, WRITE
ok "dd conv=fsync (WRITE, COMMIT)" dd if=/dev/zero of="$W/g" bs=4096 count=2 conv=fsync
( set -C; : > "$W/excl" ) && pass "O_EXCL create" || fail "O_EXCL create" "refused"
drop
same "read" "$(cat "$W/f")" "golden"                     # LOOKUP, ACCESS, READ
ok "chmod (SETATTR)" chmod 600 "$W/f"
ok "touch -d (SETATTR times)" touch -d '2001-02-03 04:05:06' "$W/f"
ok "symlink" ln -s f "$W/l"
same "readlink" "$(readlink "$W/l")" f
ok "mkfifo (MKNOD)" mkfifo "$W/p"
ok "ln (LINK)" ln "$W/f" "$W/h"
ok "mv (RENAME)" mv "$W/h" "$W/h2"
ok "a missing name (LOOKUP NOENT)" test ! -e "$W/missing"
ok "ls -l (READDIRPLUS)" ls -l "$W"
ok "df (FSSTAT)" df "$KC_MNT"
umnt
if mnt nordirplus; then pass "mount nordirplus"; else fail "mount nordirplus" "refused"; fi
ok "ls (READDIR)" ls "$W"
ok "rm (REMOVE)" rm "$W/f" "$W/g" "$W/l" "$W/p" "$W/h2" "$W/excl"
ok "rmdir (RMDIR)" rmdir "$W"
if umnt; then pass "umount"; else fail "umount" "busy?"; fi
