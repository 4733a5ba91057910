#!/bin/bash
# vfs — the VFS end to end through the debug shell: the only disk holds a GPT whose partition
# "nimbus-root" is an ext2 tree made by `mke2fs -d` here, mounted as / by root=LABEL=nimbus-root
# with devfs on /dev. The shell lists, stats and reads files (symlinks relative and absolute,
# "..", a 2 MiB file through the UBC) and the answers are compared with what the host put on
# the image: names, sizes, modes, text, and the FNV-1a of big.bin. Reading big.bin a second
# time must take no pager reads (the UBC kept it). `umount /dev` must uncover the ext2
# directory. poweroff must sync and unmount.
. "$(dirname "$0")/lib.sh"
boot_scenario vfs
BOOT_PCI_DEVICES=0
BOOT_ACCEL=tcg
BOOT_TIMEOUT=120
BOOT_APPEND="root=LABEL=nimbus-root"
tree=$BOOT_WORKDIR/vfs-tree
ext2=$BOOT_WORKDIR/vfs-ext2.img
gpt=$BOOT_WORKDIR/vfs-gpt.img
rm -rf "$tree" "$ext2" "$gpt" && mkdir -p "$tree/etc" "$tree/dev" "$tree/dir/sub"
printf 'hello from the host disk\n' >"$tree/hello.txt"
printf 'nimbus' >"$tree/etc/motd"
printf 'deep\n' >"$tree/dir/sub/deep.txt"
chmod 0600 "$tree/etc/motd"
ln -s etc/motd "$tree/link"
ln -s /dir/sub "$tree/abslink"
ln -s loop2 "$tree/loop1"
ln -s loop1 "$tree/loop2"
python3 -c '
import sys
n = 2 * 1024 * 1024 + 123
sys.stdout.buffer.write(bytes(((i * 31 + (i >> 10)) & 0xff) for i in range(n)))' >"$tree/big.bin"
fnv=$(python3 -c '
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
print("%016x" % h)' "$tree/big.bin")
if ! { truncate -s 8M "$ext2" &&
	mke2fs -q -F -t ext2 -b 1024 -L nimbus-root -d "$tree" "$ext2" >/dev/null 2>&1 &&
	python3 tests/boot/mkgpt.py "$gpt" nimbus-root="$ext2"; }; then
	boot_fail "could not build the GPT disk image"
fi
BOOT_QEMU_EXTRA=(-drive "file=$gpt,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
boot_shell_run mount "ls /" "cat /hello.txt" "cat /link" "stat /etc/motd" "ls /abslink/.." \
	"cat /abslink/../sub/./deep.txt" "cat /loop1" "cat /hello.txt/x" "ls /dev" \
	"sum /big.bin" "sum /big.bin" df "umount /dev" "ls /dev" mount poweroff
boot_answer 1 '^/dev/vda1 on / type ext2 \(r[ow]\)$' "the root mount"
boot_answer 1 '^devfs on /dev type devfs' "devfs on /dev"
# Every name the host put in / is listed with its type, mode and size.
for f in "$tree"/* "$tree"/.; do
	name=$(basename "$f")
	[ "$name" = . ] && continue
	mode=$(stat -c '%a' "$f")
	size=$(stat -c '%s' "$f")
	case $(stat -c '%F' "$f") in
	directory) t=d size='[0-9]+' ;; "symbolic link") t=l ;; *) t=- ;;
	esac
	boot_answer 2 "^${t}0*${mode} +${size} ${name}( -> .*)?\$" "$name ($t $mode $size)"
done
boot_answer 2 '^l0777 +8 link -> etc/motd$' "link's target"
boot_answer 3 '^hello from the host disk$' "hello.txt's text"
boot_answer 4 '^nimbus' "the text through a relative symlink"
boot_answer 5 '^  Size: 6 .*regular file$' "motd's size and type"
boot_answer 5 '^Access: \(0600\)' "motd's mode"
boot_answer 6 '^d0755 +[0-9]+ sub$' "sub through an absolute symlink and .."
boot_answer 7 '^deep$' "deep.txt through a symlink, .. and ."
boot_answer 8 'error 40$' "ELOOP for a symlink loop"
boot_answer 9 'error 20$' "ENOTDIR for a file used as a directory"
boot_answer 10 '^b0660 +[0-9]+ vda1$' "the partition's device node"
boot_answer 10 '^c0666 +0 null$' "/dev/null"
boot_answer 11 "^sum: 2097275 bytes fnv1a64 $fnv, [1-9][0-9]* pager reads" \
	"big.bin's length and checksum, read from disk"
boot_answer 12 "^sum: 2097275 bytes fnv1a64 $fnv, 0 pager reads" \
	"big.bin again, from the UBC (no pager reads)"
boot_answer 13 '^/dev/vda1 +8192 ' "df of the root"
boot_answer 15 '^d0755 +1024 \.\.$' "the ext2 directory under /dev after umount"
grep -q devfs "$BOOT_TRANSCRIPTS/16-mount.out" 2>/dev/null && boot_fail "devfs still mounted"
boot_expect '^vfs: unmounted /dev/vda1 from /$' "the root unmounted at poweroff"
boot_finish
