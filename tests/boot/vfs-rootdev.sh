#!/bin/bash
# vfs-rootdev — root= by device path: root=/dev/vda2 picks the second partition of a two-
# partition GPT (the first holds another ext2, which must not be mounted), and the shell reads
# a file from it.
. "$(dirname "$0")/lib.sh"
boot_scenario vfs-rootdev
BOOT_PCI_DEVICES=0
BOOT_ACCEL=tcg
BOOT_APPEND="root=/dev/vda2"
work=$BOOT_WORKDIR/vfs-rootdev
rm -rf "$work" && mkdir -p "$work/a" "$work/b"
printf 'wrong partition\n' >"$work/a/which.txt"
printf 'second partition\n' >"$work/b/which.txt"
if ! { truncate -s 2M "$work/a.img" "$work/b.img" &&
	mke2fs -q -F -t ext2 -L first -d "$work/a" "$work/a.img" >/dev/null 2>&1 &&
	mke2fs -q -F -t ext2 -L second -d "$work/b" "$work/b.img" >/dev/null 2>&1 &&
	python3 tests/boot/mkgpt.py "$work/gpt.img" first="$work/a.img" \
		second="$work/b.img"; }; then
	boot_fail "could not build the GPT disk image"
fi
BOOT_QEMU_EXTRA=(-drive "file=$work/gpt.img,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
boot_shell_run mount "cat /which.txt" poweroff
boot_answer 1 '^/dev/vda2 on / type ext2' "the root mounted from /dev/vda2"
boot_answer 2 '^second partition$' "the file from the second partition"
boot_finish
