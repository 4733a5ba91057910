#!/bin/bash
# swap-full — a 1 MiB swap disk (255 page slots) fills up: pageout of more dirty pages than it
# holds must refuse the rest with an error (the pages stay resident, their data intact), never
# panic, and the slots come back when the memory is freed.
. "$(dirname "$0")/lib.sh"
boot_scenario swap-full
BOOT_ACCEL=tcg
BOOT_TIMEOUT=60
BOOT_APPEND="ktest=vm_swap_full_is_an_error swap=vdb"
swap=$BOOT_WORKDIR/swap-full-raw.img
rm -f "$swap"
truncate -s 1M "$swap" || boot_fail "could not make the swap image"
BOOT_QEMU_EXTRA=(-drive "file=$swap,format=raw,if=none,id=disk1"
	-device virtio-blk-pci,drive=disk1)
boot_run
boot_expect '^default_pager: swap device vdb is full$' "the full device is reported"
boot_expect '^ok [0-9]+ - vm_swap_full_is_an_error$' "the swap-full ktest (ran, not skipped)"
boot_finish
