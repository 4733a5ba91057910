#!/bin/bash
# iokit — I/O Kit matching on q35 with the scenario's virtio-blk, virtio-net and virtconsole on
# virtio-serial, plus virtio-rng. With `iokit.dump=1` the registry is printed at boot: every
# PCI nub, the virtio transport on each virtio function, each virtio device nub, and the
# drivers that matched (VirtioRNG, VirtioConsole, VirtioBlock with its IOMedia, VirtioNet with
# its eth0 interface nub). The rng and hvc0 ktests must run (not skip), and the line the hvc0
# ktest writes must arrive in the host's chardev file.
. "$(dirname "$0")/lib.sh"
boot_scenario iokit
BOOT_ACCEL=tcg
BOOT_CPU=max
BOOT_TIMEOUT=60
BOOT_APPEND="ktest=all iokit.dump=1 console=ttyS0 console=hvc0"
BOOT_QEMU_EXTRA=(-device virtio-rng-pci)
boot_run
nub='  <class IOPCIDevice, id 0x[0-9a-f]+, registered, matched>'
boot_expect '^virtio-console: port 0 is hvc0 \(multiport\)' \
	"hvc0 on port 0 with VIRTIO_CONSOLE_F_MULTIPORT negotiated (control queues up)"
boot_expect '^\| \+-o IOPCIHostBridge  <class IOPCIHostBridge, .*started>' "the PCI host bridge"
boot_expect '\+-o pci8086,29c0@0  <class IOPCIDevice' "the q35 host bridge's nub"
boot_expect "\+-o pci1af4,10(05|44)@[0-9a-f,]+$nub" "the virtio-rng PCI nub, matched"
boot_expect "\+-o pci1af4,10(03|43)@[0-9a-f,]+$nub" "the virtio-serial PCI nub, matched"
boot_expect "\+-o pci1af4,10(01|42)@[0-9a-f,]+$nub" "the virtio-blk PCI nub, matched"
boot_expect "\+-o pci1af4,10(00|41)@[0-9a-f,]+$nub" "the virtio-net PCI nub, matched"
boot_expect '\+-o IOVirtioPCI  <class IOVirtioPCI, .*started>' "the virtio-pci transport"
boot_expect '\+-o virtio-rng  <class IOVirtioDevice, .*matched>' "the virtio-rng nub, matched"
boot_expect '\+-o VirtioRNG  <class VirtioRNG, .*started>' "the VirtioRNG driver"
boot_expect '\+-o virtio-console  <class IOVirtioDevice, .*matched>' "the console nub, matched"
boot_expect '\+-o VirtioConsole  <class VirtioConsole, .*started>' "the VirtioConsole driver"
boot_expect '\+-o virtio-block  <class IOVirtioDevice, .*matched>' "the virtio-block nub, matched"
boot_expect '\+-o VirtioBlock  <class VirtioBlock, .*started>' "the VirtioBlock driver"
boot_expect '\+-o IOMedia  <class IOMedia, .*registered' "the whole-disk IOMedia"
boot_expect '"BSD Name" = "vda"' "the disk's BSD name"
boot_expect '\+-o virtio-net  <class IOVirtioDevice, .*matched>' "the virtio-net nub, matched"
boot_expect '\+-o VirtioNet  <class VirtioNet, .*started>' "the VirtioNet driver"
boot_expect '\+-o eth0  <class IONetworkInterface, .*registered' "the eth0 interface nub"
boot_expect '"virtio-device-id" = 0x4' "a virtio-device-id property"
boot_expect '^ok [0-9]+ - virtio_rng_bytes_arrive$' "virtio-rng bytes (the ktest ran, not skipped)"
boot_expect '^ok [0-9]+ - virtio_console_hvc0_transmits$' "the hvc0 ktest (ran, not skipped)"
if [ -n "$BOOT_STATUS" ]; then
	grep -q 'nimbus: hello from hvc0' "$BOOT_HVC_LOG" 2>/dev/null ||
		boot_fail "the hvc0 marker line did not reach the host ($BOOT_HVC_LOG)"
	grep -q 'matched VirtioConsole' "$BOOT_HVC_LOG" 2>/dev/null ||
		boot_fail "console output after hvc0 registered is missing from $BOOT_HVC_LOG"
fi
boot_finish
