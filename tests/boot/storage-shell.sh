#!/bin/bash
# storage-shell — the debug shell's storage commands, driven as a person would: a second disk
# (the only one: BOOT_PCI_DEVICES=0) with a GPT whose partition "shell-ext2" holds an ext2 tree
# made by `mke2fs -d`, mounted as the root (root=LABEL=shell-ext2). `disks` must list vda and
# vda1 with its label and type; `ls` must list the root with hello.txt and its size;
# `cat /hello.txt` must print its text; poweroff must unmount it and end QEMU.
. "$(dirname "$0")/lib.sh"
boot_scenario storage-shell
BOOT_PCI_DEVICES=0
BOOT_APPEND="root=LABEL=shell-ext2"
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
boot_shell_run disks ls "cat /hello.txt" poweroff
boot_answer 1 '^vda .*\(disk\)' "the disk"
boot_answer 1 '^vda1 .* shell-ext2 0fc63daf-8483-4772-8e79-3d69d8477de4' \
	"the partition with its label and type"
boot_answer 2 '^d0700 .* lost\+found$' "lost+found"
boot_answer 2 '^-0644 +17 hello.txt$' "hello.txt and its size"
boot_answer 3 '^shell says hello$' "the file's text"
boot_expect '^vfs: unmounted /dev/vda1 from /$' "the root unmounted at poweroff"
boot_finish
