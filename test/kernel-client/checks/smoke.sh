# The smoke set: mount, data, names, links, and the open-descriptor hard-link case; always run.
if mnt; then pass "mount $KC_EXPORT (NFSv3/TCP)"; else fail "mount $KC_EXPORT (NFSv3/TCP)" "$(dmesg | tail -n 3 | tr '\n' ' ')"; exit 1; fi
W=$KC_MNT/smoke
ok "mkdir" mkdir "$W"
echo "hello from the kernel client" > "$W/hello"
drop
same "write, drop caches, read back" "$(cat "$W/hello")" "hello from the kernel client"
same "size" "$(stat -c %s "$W/hello")" 29
pattern 1 8 > "$W/eight"
drop
same "8 MiB checksum" "$(sum "$W/eight")" "$(pattern 1 8 | md5sum | cut -d' ' -f1)"
ok "rename" mv "$W/hello" "$W/hello2"
same "readdir" "$(ls "$W" | tr '\n' ' ')" "eight hello2 "
ok "symlink" ln -s hello2 "$W/sym"
same "readlink" "$(readlink "$W/sym")" "hello2"
same "read through the symlink" "$(cat "$W/sym")" "hello from the kernel client"

# hard links under an open descriptor: the file stays readable by the descriptor opened before,
# whichever name went (the server may not tie a handle to the name it was looked up by)
echo "linked content" > "$W/f"
exec 3< "$W/f"
ln "$W/f" "$W/g"
same "ln f g: two links" "$(stat -c %h "$W/f")" 2
rm "$W/g"
drop # the read below goes to the server, not the page cache
same "ln f g; rm g: f read through the descriptor opened before" "$(cat <&3)" "linked content"
exec 3<&-
exec 4< "$W/f"
ln "$W/f" "$W/g"
rm "$W/f"
drop
same "ln f g; rm f: read through the descriptor opened on f before" "$(cat <&4)" "linked content"
exec 4<&-
same "ln f g; rm f: g has the data" "$(cat "$W/g")" "linked content"

ok "rm -r" rm -r "$W"
ok "the directory is gone" test ! -e "$W"
if umnt; then pass "umount"; else fail "umount" "busy?"; fi
