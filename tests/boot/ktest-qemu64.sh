#!/bin/bash
# ktest-qemu64 — every in-kernel self-test on QEMU's oldest default CPU model: xAPIC only, no
# TSC-deadline timer, no 1 GiB pages (the direct map falls back to 2 MiB pages).
. "$(dirname "$0")/lib.sh"
boot_scenario ktest-qemu64
BOOT_ACCEL=tcg
BOOT_CPU=qemu64
BOOT_APPEND="ktest=all"
boot_run
boot_expect '^boot: PVH' "the banner line 'boot: PVH'"
boot_expect '^clocksource: tsc selected' "the TSC chosen as the clocksource under TCG"
boot_finish
