#!/bin/bash
# initramfs — the initramfs as root, as Linux boots one: a gzip'd cpio (-initrd) with busybox,
# fstest and pagerbench, no root=, so the kernel inflates it into a tmpfs root (bootfs.c,
# inflate.c, bsd/fs/tmpfs) and runs its /init, a busybox sh script (tests/boot/initramfs.init)
# that proves the root is writable — create, rename, read back, append, truncate, hard and
# symbolic links, unlink, rmdir, then fstest on it — mounts devtmpfs, runs mkswap and swapon on
# a second disk, pages an anonymous working set larger than the guest's memory through it,
# swapoff, and powers off. TCG only (see user.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/user.inc"
boot_scenario initramfs
BOOT_ACCEL=tcg
BOOT_TIMEOUT=180
BOOT_MEM=64M
BOOT_APPEND="init=/init"
work=$BOOT_WORKDIR/initramfs
rm -rf "$work" && mkdir -p "$work"
user_build_tree "$work/tree"
if ! { ucc -static -o "$work/tree/bin/fstest" tests/user/fstest.c &&
	ucc -static -o "$work/tree/bin/pagerbench" tests/bench/pagerbench.c; }; then
	boot_fail "fstest or pagerbench did not build (see $BOOT_LOGDIR/$BOOT_NAME.build.log)"
fi
cp tests/boot/initramfs.init "$work/tree/init"
chmod 755 "$work/tree/init"
(cd "$work/tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -9 >"$work/initrd.gz" ||
	boot_fail "could not build the gzip'd cpio archive"
truncate -s 0 "$work/swap.img" && truncate -s 96M "$work/swap.img"
BOOT_QEMU_EXTRA=(-initrd "$work/initrd.gz"
	-drive "file=$work/swap.img,format=raw,if=none,id=swap" -device virtio-blk-pci,drive=swap)
boot_run
boot_expect '^bootfs: module 0 inflated, [0-9]+ bytes from [0-9]+$' "the gzip'd archive inflated"
boot_expect '^vfs: mounted rootfs on / \(tmpfs\)$' "a tmpfs root"
boot_expect '^bootfs: unpacked [0-9]+ entries into / \(0 skipped\)$' "the archive unpacked whole"
boot_expect '^bsd_init: starting /init as pid 1$' "the #! /init runs as pid 1"
boot_expect '^ok [0-9]+ - root_is_writable$' "create, rename, read back, unlink on the root"
boot_expect '^ok [0-9]+ - fstest_on_tmpfs$' "fstest on the tmpfs root"
boot_expect '^default_pager: swap on vdb, [0-9]+ pages$' "swapon reached the default pager"
boot_expect '^ok [0-9]+ - swap_beyond_memory$' "a working set larger than memory paged"
boot_expect '^default_pager: swap off vdb, [0-9]+ pages brought back$' "swapoff drained the device"
boot_expect '^ok [0-9]+ - swapoff$' "swapoff succeeded"
boot_finish
