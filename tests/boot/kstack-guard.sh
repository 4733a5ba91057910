#!/bin/bash
# kstack-guard — a kernel thread writing just below its 16 KiB stack (ktest=kstack_guard) must
# hit the unmapped guard page: a `panic: page fault` naming the writing function, status 5.
. "$(dirname "$0")/lib.sh"
boot_scenario kstack-guard
BOOT_APPEND="ktest=kstack_guard"
BOOT_EXPECT_STATUS=5
BOOT_EXPECT_PANIC=1
BOOT_EXPECT_SUMMARY=0
boot_run
boot_expect '^panic: page fault at 0xfffffe' "a 'panic: page fault' in the kernel stack window"
boot_expect_after '^panic:' '^ *#[0-9]+ +[0-9a-f]+ kstack_guard_overflow\+' \
	"a backtrace frame naming kstack_guard_overflow"
boot_finish
