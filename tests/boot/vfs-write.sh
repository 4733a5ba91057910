#!/bin/bash
# vfs-write — the guest changes its root file system through the VFS and the host judges the
# image: root=LABEL=nimbus-root (ext2 from `mke2fs -d`, mounted read-write); the shell writes a
# text file, a 3 MiB pattern file through the UBC (write-behind and clustered pageouts), makes
# a directory, renames, removes, links, truncates, syncs and powers off (which unmounts the
# file system clean). Then `e2fsck -fn` must pass and debugfs must read back what the guest
# wrote, byte for byte.
. "$(dirname "$0")/lib.sh"
boot_scenario vfs-write
BOOT_PCI_DEVICES=0
BOOT_ACCEL=tcg
BOOT_TIMEOUT=120
BOOT_APPEND="root=LABEL=nimbus-root"
work=$BOOT_WORKDIR/vfs-write
tree=$work/tree
rm -rf "$work" && mkdir -p "$tree/etc" "$tree/dev" "$tree/old"
printf 'the host wrote this\n' >"$tree/hello.txt"
printf 'keep me\n' >"$tree/old/keep.txt"
printf 'remove me\n' >"$tree/old/gone.txt"
head -c 100000 /dev/urandom >"$tree/shrink.bin"
fill=3145830 # 3 MiB + 102: the last page is partial
if ! { truncate -s 16M "$work/ext2.img" &&
	mke2fs -q -F -t ext2 -b 1024 -L nimbus-root -d "$tree" "$work/ext2.img" >/dev/null 2>&1 &&
	python3 tests/boot/mkgpt.py "$work/gpt.img" nimbus-root="$work/ext2.img"; }; then
	boot_fail "could not build the GPT disk image"
fi
BOOT_QEMU_EXTRA=(-drive "file=$work/gpt.img,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
boot_shell_run mount "write /new.txt written by the guest" "fill /fill.bin $fill" "mkdir /made" \
	"mv /new.txt /made/moved.txt" "rm /old/gone.txt" "ln -s made/moved.txt /sl" "cat /sl" \
	"ln /old/keep.txt /keep-link" "truncate /shrink.bin 1000" "sum /fill.bin" sync poweroff
boot_answer 1 '^/dev/vda1 on / type ext2 \(rw\)$' "a read-write root"
boot_answer 3 "^fill: $fill bytes in [0-9]+ ms, [1-9][0-9]* pager writes" "the pattern file written"
boot_answer 8 '^written by the guest$' "the text through the new symlink"
boot_expect '^vfs: unmounted /dev/vda1 from /$' "the root unmounted at poweroff"

# The partition out of the GPT (mkgpt.py puts the first at 1 MiB).
part=$work/part.img
dd if="$work/gpt.img" of="$part" bs=1M skip=1 count=16 status=none
if ! e2fsck -fn "$part" >"$work/e2fsck.out" 2>&1; then
	boot_fail "e2fsck -fn found problems on the guest's image ($work/e2fsck.out)"
fi
# debugfs_is PATH EXPECTED-FILE WHAT
debugfs_is() {
	debugfs -R "cat $1" "$part" >"$work/got" 2>/dev/null
	cmp -s "$work/got" "$2" || boot_fail "debugfs: $1 is not $3"
}
printf 'written by the guest\n' >"$work/want-text"
debugfs_is /made/moved.txt "$work/want-text" "the guest's text"
python3 -c '
import sys
n = int(sys.argv[1])
sys.stdout.buffer.write(bytes(((i * 31 + (i >> 10)) & 0xff) for i in range(n)))' "$fill" \
	>"$work/want-fill"
debugfs_is /fill.bin "$work/want-fill" "the 3 MiB pattern"
head -c 1000 "$tree/shrink.bin" >"$work/want-shrink"
debugfs_is /shrink.bin "$work/want-shrink" "the host's file truncated to 1000 bytes"
debugfs_is /keep-link "$tree/old/keep.txt" "the hard link's data"
debugfs -R "ls -l /old" "$part" 2>/dev/null | grep -q 'gone.txt' &&
	boot_fail "debugfs: /old/gone.txt is still there"
debugfs -R "stat /sl" "$part" 2>/dev/null | grep -q 'Fast link dest: "made/moved.txt"' ||
	boot_fail "debugfs: /sl is not a symlink to made/moved.txt"
debugfs -R "stat /old/keep.txt" "$part" 2>/dev/null | grep -q 'Links: 2' ||
	boot_fail "debugfs: /old/keep.txt does not have 2 links"
boot_finish
