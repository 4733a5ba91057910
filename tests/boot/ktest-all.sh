#!/bin/bash
# ktest-all — every in-kernel self-test under TCG with `-cpu max` (x2APIC, 1 GiB pages, every
# feature QEMU emulates; TCG has no TSC-deadline timer, so the timer runs one-shot), booted
# through the PVH note with QEMU -kernel.
. "$(dirname "$0")/lib.sh"
boot_scenario ktest-all
BOOT_ACCEL=tcg
BOOT_CPU=max
BOOT_APPEND="ktest=all ktest.hosttime=$(date +%s)"
boot_run
boot_expect '^boot: PVH' "the banner line 'boot: PVH'"
boot_expect '^timer: LAPIC timer at 100 Hz, one-shot mode' "the timer in one-shot mode"
boot_expect '^calendar: .* UTC from cmos-rtc' "the calendar set from the CMOS clock (TCG has no wall-clock MSR)"
boot_finish
