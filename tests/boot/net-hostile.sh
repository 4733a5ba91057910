#!/bin/bash
# net-hostile — a virtio-net device that breaks its receive used ring is quarantined: the
# virtio_net_quarantine ktest moves the used idx past what was posted; the queue must refuse
# it with a log line, the device be reset, its nub terminated, eth0 detached, and the kernel
# go on to run the next test. The link has nobody on the other end (a hub port), so the DHCP
# client is still retrying when the interface goes away: it must notice and stop.
. "$(dirname "$0")/lib.sh"
boot_scenario net-hostile
BOOT_ACCEL=tcg
BOOT_APPEND="ktest=virtio_net_quarantine,virtio_nubs_consistent"
BOOT_PCI_DEVICES=0
BOOT_QEMU_EXTRA=(-netdev hubport,id=n1,hubid=0 -device virtio-net-pci,netdev=n1,romfile=
	-device virtio-rng-pci)
boot_run
boot_expect '^ok [0-9]+ - virtio_net_quarantine$' "the quarantine ktest (ran, not skipped)"
boot_expect 'virtqueue 0: device broke the ring: used idx jumped' "the virtqueue's log line"
boot_expect 'virtio virtio-net: .*resetting the device and terminating its nub' \
	"the reset-and-terminate log line"
boot_expect_after 'terminating its nub' '^ok [0-9]+ - virtio_nubs_consistent$' \
	"tests running on after the quarantine"
boot_finish
