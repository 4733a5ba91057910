#!/bin/bash
# shell-threads — the debug shell's `threads` command lists the kernel's threads: the idle
# thread, the reaper and the main thread that runs the shell itself, with the stack count line.
. "$(dirname "$0")/lib.sh"
boot_scenario shell-threads
BOOT_APPEND=""
BOOT_EXPECT_STATUS=0
BOOT_EXPECT_SUMMARY=0
transcripts=$BOOT_LOGDIR/shell-threads.d
rm -rf "$transcripts"
BOOT_DRIVER="python3 tests/boot/converse.py --cmd threads --cmd poweroff"
BOOT_DRIVER="$BOOT_DRIVER --transcripts $transcripts"
boot_run

# boot_answer N CMD REGEX WHAT: the answer to the Nth command must have a line matching REGEX.
boot_answer() {
	local f=$transcripts/$1-$2.out

	[ -f "$f" ] || return 0 # the conversation stopped earlier; the driver said why
	grep -Eq -- "$3" "$f" || boot_fail "'$2' did not print $4 (answer in $f)"
}
boot_answer 1 threads ' idle +idle ' "the idle thread"
boot_answer 1 threads ' reaper +wait' "the reaper, waiting"
boot_answer 1 threads ' main +run ' "the main thread, running"
boot_answer 1 threads 'threads; kernel stacks: [0-9]+ in use' "the stack count line"
boot_finish
