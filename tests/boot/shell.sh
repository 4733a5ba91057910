#!/bin/bash
# shell — the debug shell on the serial console (kernel/debugshell.c), driven as a person would:
# boot with no ktest, wait for `nimbus> `, type help, mem and poweroff. help must list all
# three commands, mem must print a `mem:` line, and poweroff must end QEMU by itself through
# ACPI S5 (exit status 0) before the time-out.
#
# XXX: on main at 4c725ad a boot without ktest panics with a "double fault" at the first `sti`
# (cpu_idle): the 8259 PIC keeps the BIOS's vector base 8 and the PIT's IRQ 0 arrives on vector
# 8. Until the interrupt code masks or remaps the 8259, this scenario fails before the prompt.
. "$(dirname "$0")/lib.sh"
boot_scenario shell
BOOT_APPEND=""
BOOT_EXPECT_STATUS=0
BOOT_EXPECT_SUMMARY=0
transcripts=$BOOT_LOGDIR/shell.d
rm -rf "$transcripts"
BOOT_DRIVER="python3 tests/boot/converse.py --cmd help --cmd mem --cmd poweroff"
BOOT_DRIVER="$BOOT_DRIVER --transcripts $transcripts"
boot_run

# boot_answer N CMD REGEX WHAT: the answer to the Nth command must have a line matching REGEX.
boot_answer() {
	local f=$transcripts/$1-$2.out

	[ -f "$f" ] || return 0 # the conversation stopped earlier; the driver said why
	grep -Eq -- "$3" "$f" || boot_fail "'$2' did not print $4 (answer in $f)"
}
boot_answer 1 help '(^|[^a-z_])help([^a-z_]|$)' "'help' in its command list"
boot_answer 1 help '(^|[^a-z_])mem([^a-z_]|$)' "'mem' in its command list"
boot_answer 1 help '(^|[^a-z_])poweroff([^a-z_]|$)' "'poweroff' in its command list"
boot_answer 2 mem '^mem:' "a line starting 'mem:'"
boot_finish
