#!/bin/bash
# ioreg — the debug shell's `ioreg` command, driven as a person would: boot without ktest,
# wait for `nimbus> `, type `ioreg` and poweroff. The tree must name the host bridge, the
# virtio transport and the virtio nubs; poweroff must end QEMU through ACPI S5. (`ioreg -l`,
# the same with properties, is what iokit.dump=1 prints: the iokit scenario checks that.)
. "$(dirname "$0")/lib.sh"
boot_scenario ioreg
BOOT_APPEND=""
BOOT_EXPECT_STATUS=0
BOOT_EXPECT_SUMMARY=0
transcripts=$BOOT_LOGDIR/ioreg.d
rm -rf "$transcripts"
BOOT_DRIVER="python3 tests/boot/converse.py --cmd ioreg --cmd poweroff"
BOOT_DRIVER="$BOOT_DRIVER --transcripts $transcripts"
boot_run

# boot_answer N CMD REGEX WHAT: the answer to the Nth command must have a line matching REGEX.
boot_answer() {
	local f=$transcripts/$1-$2.out

	[ -f "$f" ] || { boot_fail "no transcript of '$2' ($f)"; return 0; }
	grep -Eq -- "$3" "$f" || boot_fail "'$2' did not print $4 (answer in $f)"
}
boot_answer 1 ioreg '\+-o IOPCIHostBridge  <class IOPCIHostBridge' "the PCI host bridge"
boot_answer 1 ioreg '\+-o IOVirtioPCI  <class IOVirtioPCI' "the virtio-pci transport"
boot_answer 1 ioreg '\+-o virtio-console  <class IOVirtioDevice' "the virtio-console nub"
boot_answer 1 ioreg '\+-o virtio-block  <class IOVirtioDevice' "the virtio-block nub"
boot_finish
