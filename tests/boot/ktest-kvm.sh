#!/bin/bash
# ktest-kvm — every in-kernel self-test under KVM with the host's CPU model, as the kernel runs
# in production (PV clocks and real timing come from here). Skipped where KVM is not usable.
. "$(dirname "$0")/lib.sh"
boot_scenario ktest-kvm
BOOT_ACCEL=kvm
# The whole ktest suite on nested KVM took 19 s idle and over 120 s on a loaded 2-core host
# (every first touch of a page and every RDTSC exits); lib.sh multiplies this by 4 for KVM.
BOOT_TIMEOUT=60
BOOT_APPEND="ktest=all ktest.hosttime=$(date +%s)"
boot_run
boot_expect '^boot: PVH' "the banner line 'boot: PVH'"
boot_expect '^clocksource: kvmclock selected' "kvmclock chosen as the clocksource"
boot_expect '^steal: time registered' "steal time registered with KVM"
boot_expect '^calendar: .* UTC from kvmclock' "the calendar set from kvmclock's wall clock"
boot_finish
