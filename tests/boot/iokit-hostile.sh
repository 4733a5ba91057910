#!/bin/bash
# iokit-hostile — a virtio device that breaks its used ring is quarantined, not trusted: the
# virtio_rng_quarantine ktest plays the device and moves virtio-rng's used idx past what was
# posted. The queue must refuse it with a log line, the device be reset, its nub terminated
# (the driver stopped), and the kernel go on to run the remaining tests.
. "$(dirname "$0")/lib.sh"
boot_scenario iokit-hostile
BOOT_ACCEL=tcg
BOOT_CPU=max
BOOT_APPEND="ktest=virtio_rng_quarantine,virtio_nubs_consistent,pci_host_bridge_publishes_nubs"
BOOT_QEMU_EXTRA=(-device virtio-rng-pci)
boot_run
boot_expect '^ok [0-9]+ - virtio_rng_quarantine$' "the quarantine ktest (ran, not skipped)"
boot_expect 'virtqueue 0: device broke the ring: used idx jumped' "the virtqueue's log line"
boot_expect 'virtio virtio-rng: .*resetting the device and terminating its nub' \
	"the reset-and-terminate log line"
boot_expect_after 'terminating its nub' '^ok [0-9]+ - virtio_nubs_consistent$' \
	"tests running on after the quarantine"
boot_finish
