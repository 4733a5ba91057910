#!/bin/bash
# ipc-ool — Mach out-of-line memory at size, under TCG: 64 MiB sent by copy-on-write with every
# page of the receiver's range checked to be the sender's physical page until one side writes
# (ipc_ool_64m_shares_pages_until_written), and the OOL throughput figure (ipc_ool_throughput).
# Both are ktests run by name: too long for the four ktest=all scenarios (nested KVM above all).
. "$(dirname "$0")/lib.sh"
boot_scenario ipc-ool
BOOT_ACCEL=tcg
BOOT_APPEND="ktest=ipc_ool_64m_shares_pages_until_written,ipc_ool_throughput"
boot_run
boot_expect '^# figure: ipc OOL 64 MiB by COW: .* 16384 of 16384 pages shared until written$' \
	"64 MiB out of line shared page for page"
boot_expect '^ok [0-9]+ - ipc_ool_64m_shares_pages_until_written$' "the 64 MiB COW test passed"
boot_expect '^# figure: ipc OOL transfer by COW' "the OOL throughput figure"
boot_finish
