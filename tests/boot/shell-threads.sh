#!/bin/bash
# shell-threads — the debug shell's `threads` command lists the kernel's threads: the idle
# thread, the reaper and the main thread that runs the shell itself, with the stack count line.
. "$(dirname "$0")/lib.sh"
boot_scenario shell-threads
boot_shell_run threads poweroff
boot_answer 1 ' idle +idle ' "the idle thread"
boot_answer 1 ' reaper +wait' "the reaper, waiting"
boot_answer 1 ' main +run ' "the main thread, running"
boot_answer 1 'threads; kernel stacks: [0-9]+ in use' "the stack count line"
boot_finish
