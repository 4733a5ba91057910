#!/bin/bash
# panic-smp — a panic on CPU 0 while CPU 1 is busy printing (ktest=panic_smp) must stop CPU 1
# before the report: the kernel says `panic: stopped 1 of 1 other CPUs`, and after the `panic:`
# line at most one spinner line appears (the one that may have been on its way), not a stream
# of them interleaved with the backtrace.
. "$(dirname "$0")/lib.sh"
boot_scenario panic-smp
BOOT_APPEND="ktest=panic_smp"
BOOT_EXPECT_STATUS=5
BOOT_EXPECT_PANIC=1
BOOT_EXPECT_SUMMARY=0
boot_run
boot_expect '^ktest: spinner on cpu 1 line 4$' "the spinner running on CPU 1 before the panic"
boot_expect '^panic: ktest: panic while cpu 1 is busy' "the panic's own line"
boot_expect_after '^panic: ktest: panic while' '^panic: stopped 1 of 1 other CPUs$' \
	"the report that CPU 1 was stopped"
if [ -f "$BOOT_LOG" ]; then
	late=$(sed -n '/^panic: ktest: panic while/,$p' "$BOOT_LOG" | grep -c 'spinner on cpu')
	[ "$late" -le 1 ] || boot_fail "$late spinner lines after the panic line (CPU 1 ran on)"
fi
boot_finish
