#!/bin/bash
# ktest-qemu64 — every in-kernel self-test on QEMU's oldest default CPU model: xAPIC only, no
# TSC-deadline timer, no 1 GiB pages (the direct map falls back to 2 MiB pages); and with the
# timer in periodic mode (timer=periodic), the mode no other scenario runs (ktest-all runs
# one-shot under TCG, ktest-kvm TSC-deadline).
. "$(dirname "$0")/lib.sh"
boot_scenario ktest-qemu64
BOOT_ACCEL=tcg
BOOT_CPU=qemu64
BOOT_APPEND="ktest=all ktest.hosttime=$(date +%s) timer=periodic"
boot_run
boot_expect '^boot: PVH' "the banner line 'boot: PVH'"
boot_expect '^clocksource: tsc selected' "the TSC chosen as the clocksource under TCG"
boot_expect '^timer: LAPIC timer at 100 Hz, periodic mode' "the timer in periodic mode"
boot_finish
