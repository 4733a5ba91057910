#!/bin/bash
# ioreg — the debug shell's `ioreg` command, driven as a person would: boot without ktest,
# wait for `nimbus> `, type `ioreg` and poweroff. The tree must name the host bridge, the
# virtio transport and the virtio nubs; poweroff must end QEMU through ACPI S5. (`ioreg -l`,
# the same with properties, is what iokit.dump=1 prints: the iokit scenario checks that.)
. "$(dirname "$0")/lib.sh"
boot_scenario ioreg
boot_shell_run ioreg poweroff
boot_answer 1 '\+-o IOPCIHostBridge  <class IOPCIHostBridge' "the PCI host bridge"
boot_answer 1 '\+-o IOVirtioPCI  <class IOVirtioPCI' "the virtio-pci transport"
boot_answer 1 '\+-o virtio-console  <class IOVirtioDevice' "the virtio-console nub"
boot_answer 1 '\+-o virtio-block  <class IOVirtioDevice' "the virtio-block nub"
boot_finish
