#!/bin/bash
# net-shell — the debug shell's network commands, typed as a person would: `ifconfig` must show
# eth0 with its MAC and the DHCP address, and `ping 10.0.2.2 3` must get replies from slirp's
# gateway (the shell's ping waits up to 5 s for DHCP first). Then poweroff.
. "$(dirname "$0")/lib.sh"
boot_scenario net-shell
BOOT_ACCEL=tcg
if ! qemu_has_slirp; then
	BOOT_SKIP="this QEMU has no user networking (slirp)"
	boot_finish
	exit 0
fi
boot_shell_run ifconfig "ping 10.0.2.2 3" poweroff
boot_answer 1 '^eth0: ether 52:54:00:12:34:56 mtu 1500 link up' "eth0 with QEMU's MAC"
boot_answer 1 'inet 10\.0\.2\.15 netmask 255\.255\.255\.0' "the DHCP address"
boot_answer 2 '^reply from 10\.0\.2\.2: seq=1 time=' "a reply"
boot_answer 2 '^[23]/3 replies' "at least 2 of 3 replies"
boot_finish
