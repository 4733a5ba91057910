#!/bin/bash
# swap-gpt — the default pager finds its swap device by type, with no swap= on the command line:
# a second disk with a GPT (tests/boot/mkgpt.py) whose second partition has the Linux swap type
# GUID. A 48 MiB guest pages a region three times its memory out to that partition and back,
# then two threads share a region twice its memory (their faults meet on busy pages).
. "$(dirname "$0")/lib.sh"
boot_scenario swap-gpt
BOOT_ACCEL=tcg
BOOT_MEM=48M
BOOT_TIMEOUT=240
BOOT_APPEND="ktest=vm_swap_working_set_larger_than_ram,vm_swap_two_threads_share_a_region"
gpt=$BOOT_WORKDIR/swap-gpt-disk.img
rm -f "$gpt"
python3 tests/boot/mkgpt.py "$gpt" data=1 swap=200:swap || boot_fail "could not build the GPT image"
BOOT_QEMU_EXTRA=(-drive "file=$gpt,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
boot_run
boot_expect '^default_pager: swap on vdb2, [0-9]+ pages$' "the Linux swap partition found by type"
boot_expect '^# vm_swap: [0-9]+ pages .* [1-9][0-9]* page-outs, [1-9][0-9]* page-ins .* 0 bad' \
	"pages went out to swap and came back intact"
boot_expect '^ok [0-9]+ - vm_swap_working_set_larger_than_ram$' "the swap ktest (ran, not skipped)"
boot_expect '^# vm_swap_threads: [0-9]+ pages, [1-9][0-9]* page-outs, [1-9][0-9]* page-ins, ' \
	"two threads paged through swap"
boot_finish
