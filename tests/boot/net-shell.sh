#!/bin/bash
# net-shell — the debug shell's network commands, typed as a person would: `ifconfig` must show
# eth0 with its MAC and the DHCP address, and `ping 10.0.2.2 3` must get replies from slirp's
# gateway (the shell's ping waits up to 5 s for DHCP first). Then poweroff.
. "$(dirname "$0")/lib.sh"
boot_scenario net-shell
if ! qemu_has_slirp; then
	BOOT_SKIP="this QEMU has no user networking (slirp)"
	boot_finish
	exit 0
fi
BOOT_ACCEL=tcg
BOOT_APPEND=""
BOOT_EXPECT_STATUS=0
BOOT_EXPECT_SUMMARY=0
transcripts=$BOOT_LOGDIR/net-shell.d
rm -rf "$transcripts"
# The commands have spaces, so they live in the wrapper (BOOT_DRIVER is split on spaces).
BOOT_DRIVER="python3 tests/boot/net-shell-converse.py --transcripts $transcripts"
boot_run

answer() {
	local f=$transcripts/$1.out

	[ -f "$f" ] || return 0 # the conversation stopped earlier; the driver said why
	grep -Eq -- "$2" "$f" || boot_fail "'$1' did not print $3 (answer in $f)"
}
answer 1-ifconfig '^eth0: ether 52:54:00:12:34:56 mtu 1500 link up' "eth0 with QEMU's MAC"
answer 1-ifconfig 'inet 10\.0\.2\.15 netmask 255\.255\.255\.0' "the DHCP address"
answer 2-ping_10_0_2_2_3 '^reply from 10\.0\.2\.2: seq=1 time=' "a reply"
answer 2-ping_10_0_2_2_3 '^[23]/3 replies' "at least 2 of 3 replies"
boot_finish
