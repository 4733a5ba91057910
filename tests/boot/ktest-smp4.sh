#!/bin/bash
# ktest-smp4 — every in-kernel self-test on four CPUs under TCG: the application processors
# must all answer INIT-SIPI-SIPI (mp_all_cpus_online) and nothing else may change.
. "$(dirname "$0")/lib.sh"
boot_scenario ktest-smp4
BOOT_ACCEL=tcg
BOOT_CPU=max
BOOT_SMP=4
BOOT_APPEND="ktest=all ktest.hosttime=$(date +%s)"
boot_run
boot_expect '^mp: 4 of 4 cpus online' "the line 'mp: 4 of 4 cpus online'"
boot_finish
