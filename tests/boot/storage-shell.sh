#!/bin/bash
# storage-shell — the debug shell's storage commands, driven as a person would: a second disk
# (the only one: BOOT_PCI_DEVICES=0) with a GPT whose partition "shell-ext2" holds an ext2 tree
# made by `mke2fs -d`. `disks` must list vda and vda1 with its label and type; `ls` must list
# the partition's root with hello.txt and its size; poweroff must end QEMU.
# XXX: `cat PATH` is not driven here: BOOT_DRIVER is split at spaces, so a command cannot carry
# an argument; storage_ext2_reads_files covers the same read path.
. "$(dirname "$0")/lib.sh"
boot_scenario storage-shell
BOOT_APPEND=""
BOOT_EXPECT_STATUS=0
BOOT_EXPECT_SUMMARY=0
BOOT_PCI_DEVICES=0
tree=$BOOT_WORKDIR/storage-shell-tree
ext2=$BOOT_WORKDIR/storage-shell-ext2.img
gpt=$BOOT_WORKDIR/storage-shell-gpt.img
rm -rf "$tree" "$ext2" "$gpt" && mkdir -p "$tree"
printf 'shell says hello\n' >"$tree/hello.txt"
if ! { truncate -s 2M "$ext2" &&
	mke2fs -q -F -t ext2 -L shell-ext2 -d "$tree" "$ext2" >/dev/null 2>&1 &&
	python3 tests/boot/mkgpt.py "$gpt" shell-ext2="$ext2"; }; then
	boot_fail "could not build the GPT disk image"
fi
BOOT_QEMU_EXTRA=(-drive "file=$gpt,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
transcripts=$BOOT_LOGDIR/storage-shell.d
rm -rf "$transcripts"
BOOT_DRIVER="python3 tests/boot/converse.py --cmd disks --cmd ls --cmd poweroff"
BOOT_DRIVER="$BOOT_DRIVER --transcripts $transcripts"
boot_run

# boot_answer N CMD REGEX WHAT: the answer to the Nth command must have a line matching REGEX.
boot_answer() {
	local f=$transcripts/$1-$2.out

	[ -f "$f" ] || { boot_fail "no answer to '$2' ($f)"; return 0; }
	grep -Eq -- "$3" "$f" || boot_fail "'$2' did not print $4 (answer in $f)"
}
boot_answer 1 disks '^vda .*\(disk\)' "the disk"
boot_answer 1 disks '^vda1 .* shell-ext2 0fc63daf-8483-4772-8e79-3d69d8477de4' \
	"the partition with its label and type"
boot_answer 2 ls '^d0700 .* lost\+found$' "lost+found"
boot_answer 2 ls '^-0644 +17 hello.txt$' "hello.txt and its size"
boot_finish
