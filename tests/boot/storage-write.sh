#!/bin/bash
# storage-write — ext2 written by the kernel, judged by the host: a second virtio-blk disk is an
# ext2 image labelled "nimbus-scratch" (`mke2fs -t ext2 -d`, no root) holding a small tree.
# The ktest storage_ext2_writes_files (bsd/fs/ext2/ext2_rw_ktest.c) mounts it read-write through
# its IOMedia, writes new files, removes and extends the host's, and unmounts it clean. Then
# `e2fsck -fn` must pass on the image, and debugfs must read back what the ktest wrote: the
# 1 MiB pattern (computed here by the same formula), the text, the symlink, the renamed and
# truncated file, and the host's changed files. The write rate is printed, not judged.
. "$(dirname "$0")/lib.sh"
boot_scenario storage-write
BOOT_ACCEL=tcg
BOOT_TIMEOUT=120
BOOT_APPEND="ktest=storage_ext2_writes_files"
tree=$BOOT_WORKDIR/storage-write-tree
img=$BOOT_WORKDIR/storage-write-scratch.img
out=$BOOT_WORKDIR/storage-write.out
rm -rf "$tree" "$img" && mkdir -p "$tree/etc"
printf 'the host wrote this\n' >"$tree/hello.txt"
printf 'nimbus' >"$tree/etc/motd"
if ! { truncate -s 8M "$img" &&
	mke2fs -q -F -t ext2 -b 1024 -L nimbus-scratch -d "$tree" "$img" >/dev/null 2>&1; }; then
	boot_fail "could not build the scratch ext2 image"
fi
BOOT_QEMU_EXTRA=(-drive "file=$img,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
boot_run
boot_expect '^ok [0-9]+ - storage_ext2_writes_files$' "the write ktest (ran, not skipped)"
boot_expect '^# ext2: wrote out/big.bin' "the write rate line"

# cat_is PATH EXPECTED-FILE WHAT: debugfs reads PATH from the image as exactly those bytes.
cat_is() {
	if ! debugfs -R "cat $1" "$img" >"$out" 2>/dev/null; then
		boot_fail "debugfs cat $1 failed"
		return
	fi
	cmp -s "$out" "$2" || boot_fail "$3: $1 on the image differs from what the ktest wrote"
}

if [ -n "$BOOT_STATUS" ]; then
	if ! e2fsck -fn "$img" >"$BOOT_LOGDIR/storage-write.fsck.log" 2>&1; then
		boot_fail "e2fsck -fn found problems (see $BOOT_LOGDIR/storage-write.fsck.log)"
	fi
	dumpe2fs -h "$img" 2>/dev/null | grep -Eq '^Filesystem state: +clean$' ||
		boot_fail "the file system is not marked clean after the kernel unmounted it"
	# The ktest's pattern (wr_byte): byte i is (i * 13 + (i >> 11) + 7) & 0xff.
	python3 -c '
import sys
n = 1024 * 1024 + 321
sys.stdout.buffer.write(bytes(((i * 13 + (i >> 11) + 7) & 0xff) for i in range(n)))' >"$out.big"
	head -c 1000 "$out.big" >"$out.renamed"
	printf 'written by nimbus\n' >"$out.hello"
	printf 'nimbus rw' >"$out.motd"
	cat_is /out/big.bin "$out.big" "the 1 MiB pattern"
	cat_is /out/renamed "$out.renamed" "the renamed, truncated file"
	cat_is /out/hello.txt "$out.hello" "the text file"
	cat_is /etc/motd "$out.motd" "the host's file, extended"
	debugfs -R "stat /out/link" "$img" 2>/dev/null | grep -q 'Fast link dest: "hello.txt"' ||
		boot_fail "/out/link is not a symlink to hello.txt"
	listing=$(debugfs -R "ls -p /out" "$img" 2>/dev/null |
		awk -F/ 'NF > 6 && $2 != 0 {print $6}' | sort | tr '\n' ' ')
	[ "$listing" = ". .. big.bin hello.txt link renamed " ] ||
		boot_fail "/out lists '$listing'"
	debugfs -R "ls -p /" "$img" 2>/dev/null | grep -q '/hello.txt/' &&
		boot_fail "/hello.txt was unlinked but is still there"
	rm -f "$out" "$out".*
fi
boot_finish
