#!/bin/bash
# swap-shell — `vmstat` in the debug shell: with a swap disk attached and named by swap=, it
# must print the page counts (free, active, inactive, laundry, wired), the pageout thresholds
# and the swap device; then poweroff ends QEMU through ACPI.
. "$(dirname "$0")/lib.sh"
boot_scenario swap-shell
BOOT_ACCEL=tcg
BOOT_APPEND="swap=/dev/vdb"
BOOT_EXPECT_STATUS=0
BOOT_EXPECT_SUMMARY=0
swap=$BOOT_WORKDIR/swap-shell-raw.img
rm -f "$swap"
truncate -s 4M "$swap" || boot_fail "could not make the swap image"
BOOT_QEMU_EXTRA=(-drive "file=$swap,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
transcripts=$BOOT_LOGDIR/swap-shell.d
rm -rf "$transcripts"
BOOT_DRIVER="python3 tests/boot/converse.py --cmd vmstat --cmd poweroff --transcripts $transcripts"
boot_run
f=$transcripts/1-vmstat.out
if [ -f "$f" ]; then
	counts='^pages: [0-9]+ free, [0-9]+ active, [0-9]+ inactive, [0-9]+ laundry, [0-9]+ wired'
	grep -Eq "$counts" "$f" ||
		boot_fail "vmstat did not print the page counts (answer in $f)"
	grep -Eq '^thresholds: reserved [1-9][0-9]*, min [1-9][0-9]*, target [1-9][0-9]*$' "$f" ||
		boot_fail "vmstat did not print the pageout thresholds (answer in $f)"
	grep -Eq '^swap: vdb, 0 of 1023 slots used' "$f" ||
		boot_fail "vmstat did not name the swap device (answer in $f)"
fi
boot_finish
