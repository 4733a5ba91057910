#!/bin/bash
# shell — the debug shell on the serial console (kernel/debugshell.c), driven as a person would:
# boot with no ktest, wait for `nimbus> `, type help, mem and poweroff. help must list all
# three commands, mem must print a `mem:` line, and poweroff must end QEMU by itself through
# ACPI S5 (exit status 0) before the time-out.
. "$(dirname "$0")/lib.sh"
boot_scenario shell
boot_shell_run help mem poweroff
boot_answer 1 '(^|[^a-z_])help([^a-z_]|$)' "'help' in its command list"
boot_answer 1 '(^|[^a-z_])mem([^a-z_]|$)' "'mem' in its command list"
boot_answer 1 '(^|[^a-z_])poweroff([^a-z_]|$)' "'poweroff' in its command list"
boot_answer 2 '^mem:' "a line starting 'mem:'"
boot_finish
