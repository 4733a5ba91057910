#!/bin/bash
# swap — a 48 MiB guest with a raw 192 MiB second disk named as its swap device on the command
# line (swap=/dev/vdb): the vm_swap ktest writes an anonymous region three times the size of
# memory and reads every word back, so the pageout daemon must send pages out to the disk and
# the faults must bring them back; the other VM ktests run beside it in the small guest. The
# page-out and page-in counts and rates are printed as figures; the judge checks they happened.
. "$(dirname "$0")/lib.sh"
boot_scenario swap
BOOT_ACCEL=tcg
BOOT_MEM=48M
BOOT_TIMEOUT=180
tests=vm_swap_working_set_larger_than_ram,vm_pageout_default_pager
tests=$tests,vm_fault_busy_wanted_one_request,vm_fault_cluster_read_ahead
BOOT_APPEND="ktest=$tests swap=/dev/vdb"
swap=$BOOT_WORKDIR/swap-raw.img
rm -f "$swap"
truncate -s 192M "$swap" || boot_fail "could not make the swap image"
BOOT_QEMU_EXTRA=(-drive "file=$swap,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
boot_run
boot_expect '^default_pager: swap on vdb, [0-9]+ pages$' "the swap device named by swap="
boot_expect '^# vm_swap: [0-9]+ pages .* [1-9][0-9]* page-outs, [1-9][0-9]* page-ins .* 0 bad' \
	"pages went out to swap and came back intact"
boot_expect '^ok [0-9]+ - vm_swap_working_set_larger_than_ram$' "the swap ktest (ran, not skipped)"
boot_finish
