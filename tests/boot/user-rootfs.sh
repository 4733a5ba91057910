#!/bin/bash
# user-rootfs — user space from the root file system, with no boot archive: the user tier's
# programs (user.inc) plus fstest and mmaptest on an ext2 partition labelled nimbus-root
# (mke2fs -d, in a GPT), booted with root=LABEL=nimbus-root; the kernel runs /sbin/init from the
# disk, which runs every test — fstest among them, exercising the file-system system calls in
# /fstest, and mmaptest, file mappings in /mmaptest — and powers off, which syncs and unmounts.
# Then the host judges the disk: `e2fsck -fn` must pass and debugfs must read back what fstest
# and mmaptest left, byte for byte. TCG only (see user.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/user.inc"
boot_scenario user-rootfs
BOOT_ACCEL=tcg
BOOT_TIMEOUT=120
BOOT_PCI_DEVICES=0
BOOT_APPEND="root=LABEL=nimbus-root init=/sbin/init"
work=$BOOT_WORKDIR/user-rootfs
rm -rf "$work" && mkdir -p "$work"
user_build_tree "$work/tree"
ucc -static -o "$work/tree/bin/fstest" tests/user/fstest.c ||
	boot_fail "fstest did not build (see $BOOT_LOGDIR/$BOOT_NAME.build.log)"
ucc -static -o "$work/tree/bin/mmaptest" tests/user/mmaptest.c ||
	boot_fail "mmaptest did not build (see $BOOT_LOGDIR/$BOOT_NAME.build.log)"
if ! { truncate -s 16M "$work/ext2.img" &&
	E2FSPROGS_FAKE_TIME=$(($(date +%s) - 86400)) \
	mke2fs -q -F -t ext2 -b 1024 -L nimbus-root -d "$work/tree" "$work/ext2.img" \
		>/dev/null 2>&1 &&
	python3 tests/boot/mkgpt.py "$work/gpt.img" nimbus-root="$work/ext2.img"; }; then
	boot_fail "could not build the GPT disk image"
fi
BOOT_QEMU_EXTRA=(-drive "file=$work/gpt.img,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
run_t0=$(date +%s)
boot_run
run_t1=$(date +%s)
boot_expect '^init: pid 1, ' "init from the disk runs as pid 1"
boot_expect '^ok [0-9]+ - vfs_file_calls$' "fstest passing"
boot_expect '^ok [0-9]+ - mmap_files$' "mmaptest passing"
boot_expect '^ok [0-9]+ - busybox_sh_c$' "busybox from the disk"
boot_expect '^vfs: unmounted /dev/vda1 from /$' "the root unmounted at power-off"
if grep -q '^bootfs: module' "$BOOT_LOG" 2>/dev/null; then
	boot_fail "a boot archive was used; this scenario has none"
fi

# The partition out of the GPT (mkgpt.py puts the first at 1 MiB).
part=$work/part.img
dd if="$work/gpt.img" of="$part" bs=1M skip=1 count=16 status=none
if ! e2fsck -fn "$part" >"$work/e2fsck.out" 2>&1; then
	boot_fail "e2fsck -fn found problems on the guest's image ($work/e2fsck.out)"
fi
printf 'first line\nsecond line\n' >"$work/want-keep"
debugfs -R "cat /fstest/keep.txt" "$part" >"$work/got-keep" 2>/dev/null
cmp -s "$work/got-keep" "$work/want-keep" || boot_fail "debugfs: /fstest/keep.txt is not as written"
# The guest's calendar (the CMOS clock under TCG) stamped what fstest made: its times lie within
# the run as the host saw it (a minute's slack: the RTC has whole seconds). mke2fs wrote the
# superblock a day back (E2FSPROGS_FAKE_TIME), so a kernel without a clock, which stamps the
# superblock's last write time, is caught.
for f in mtime ctime; do
	t=$(debugfs -R "stat /fstest/keep.txt" "$part" 2>/dev/null |
		sed -n "s/^ *$f: 0x\([0-9a-f]*\).*/\1/p" | head -1)
	if [ -z "$t" ] || [ $((16#$t)) -lt $((run_t0 - 60)) ] || [ $((16#$t)) -gt $((run_t1 + 60)) ]
	then
		boot_fail "debugfs: /fstest/keep.txt $f ${t:+$((16#$t))} is not within the run ($run_t0-$run_t1)"
	fi
done
python3 -c '
import sys
sys.stdout.buffer.write(bytes(((i * 7 + (i >> 9)) & 0xff) for i in range(100 * 1024 + 123)))' \
	>"$work/want-big"
debugfs -R "cat /fstest/big.bin" "$part" >"$work/got-big" 2>/dev/null
cmp -s "$work/got-big" "$work/want-big" || boot_fail "debugfs: /fstest/big.bin is not the pattern"
# Written by mmaptest through a MAP_SHARED mapping only, then msync'ed.
python3 -c '
import sys
sys.stdout.buffer.write(bytes(((i * 5 + (i >> 10) + 1) & 0xff) for i in range(20 * 1024 + 7)))' \
	>"$work/want-mmap"
debugfs -R "cat /mmaptest/keep-mmap.bin" "$part" >"$work/got-mmap" 2>/dev/null
cmp -s "$work/got-mmap" "$work/want-mmap" ||
	boot_fail "debugfs: /mmaptest/keep-mmap.bin is not what was stored through the mapping"
boot_finish
