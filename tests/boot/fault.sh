#!/bin/bash
# fault — a deliberate kernel page fault (ktest=fault) must end in a panic that says why and
# where: the `panic:` line, QEMU status 5 (isa-debug-exit 2), and a symbolised backtrace whose
# innermost frame is the faulting function with its caller, the test, below it.
. "$(dirname "$0")/lib.sh"
boot_scenario fault
BOOT_APPEND="ktest=fault"
BOOT_EXPECT_STATUS=5
BOOT_EXPECT_PANIC=1
BOOT_EXPECT_SUMMARY=0
boot_run
boot_expect '^panic: page fault' "a 'panic: page fault' line"
boot_expect_after '^panic:' '^ *#[0-9]+ +[0-9a-f]+ fault_deliberate_write\+' \
	"a backtrace frame naming fault_deliberate_write"
boot_expect_after '^ *#[0-9]+ +[0-9a-f]+ fault_deliberate_write\+' \
	'^ *#[0-9]+ +[0-9a-f]+ ktest_fn_fault\+' \
	"the frame ktest_fn_fault below fault_deliberate_write"
boot_finish
