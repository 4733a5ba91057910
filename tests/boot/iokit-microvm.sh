#!/bin/bash
# iokit-microvm — the virtio-mmio transport on QEMU -M microvm (no PCI): a modern virtio-rng
# device (force-legacy=false) named on the command line as virtio_mmio.device=SIZE@BASE:IRQ.
# microvm with ACPI puts its 24 transports at 0xfeb00000 + 0x200 * slot, slot i on GSI 24 + i
# (the second IOAPIC), and the first -device in the last slot. The registry must show the
# platform device, the IOVirtioMMIO transport, the virtio-rng nub and VirtioRNG; the quarantine
# ktest then checks that a broken ring resets the device through the MMIO transport (after
# the bytes test, which the quarantine would make skip). microvm has no port 0x61, so the timer
# is calibrated against PIT channel 0; the tick-rate test checks the result.
. "$(dirname "$0")/lib.sh"
boot_scenario iokit-microvm
BOOT_ACCEL=tcg
BOOT_CPU=max
BOOT_MACHINE=microvm
# Boots in under a second alone; a loaded 2-core host has stretched it past 30 s.
BOOT_TIMEOUT=60
BOOT_PCI_DEVICES=0
BOOT_APPEND="ktest=timer_tick_rate,virtio_rng_bytes_arrive,virtio_rng_quarantine iokit.dump=1"
BOOT_APPEND="$BOOT_APPEND virtio_mmio.device=512@0xfeb02e00:47"
BOOT_QEMU_EXTRA=(-global virtio-mmio.force-legacy=false -device virtio-rng-device)
boot_run
boot_expect '\+-o virtio-mmio@feb02e00  <class IOPlatformDevice, .*matched>' \
	"the virtio-mmio platform device, matched"
boot_expect '\+-o IOVirtioMMIO  <class IOVirtioMMIO, .*started>' "the virtio-mmio transport"
boot_expect '"virtio-transport" = "mmio"' "the virtio nub's transport property"
boot_expect '\+-o VirtioRNG  <class VirtioRNG, .*started>' "VirtioRNG on the mmio nub"
boot_expect '^ok [0-9]+ - timer_tick_rate$' "the tick at HZ on a machine without port 0x61"
boot_expect '^ok [0-9]+ - virtio_rng_bytes_arrive$' "rng bytes over mmio (ran, not skipped)"
boot_expect '^ok [0-9]+ - virtio_rng_quarantine$' "the quarantine over mmio (ran, not skipped)"
boot_finish
