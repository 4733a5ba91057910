#!/bin/bash
# image-libvirt — the cloud image boots under libvirt: ci/libvirt-run defines a domain from
# config/libvirt/nimbus.xml (UEFI, virtio disk, net, rng, serial and virtio consoles), starts it
# with virsh, waits for `boot: complete` on both consoles, tears it down and checks the root
# with e2fsck -fn. Where libvirt cannot run (not root, no libvirtd: a container without it) the
# scenario is reported as skipped with libvirt-run's reason, never as passed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/image.inc"
boot_scenario image-libvirt
BOOT_EXPECT_SUMMARY=0
image_build
# The boot tier's KVM verdict (run.sh, NIMBUS_KVM_CPU=none for TCG) decides the domain type.
[ "${NIMBUS_KVM_CPU:-}" = none ] && export NIMBUS_LIBVIRT_TYPE=qemu
out=$BOOT_LOGDIR/image-libvirt.out
t0=$(date +%s.%N)
timeout -k 10 420 ci/libvirt-run --timeout 150 --log "$BOOT_LOG" build/nimbus.qcow2 >"$out" 2>&1
BOOT_STATUS=$?
BOOT_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
case $BOOT_STATUS in
0)
	line=$(grep '^libvirt-run: .* reached' "$out")
	BOOT_ACCEL_DESC="libvirt $(echo "$line" | sed -n 's/^libvirt-run: [^ ]* (\([a-z]*\)).*/\1/p')"
	BOOT_ACCEL_DESC="$BOOT_ACCEL_DESC, boot-complete $(echo "$line" | grep -o '[0-9.]*s after')"
	BOOT_ACCEL_DESC="$BOOT_ACCEL_DESC virsh start"
	boot_expect '^boot: Multiboot2 \(GRUB' "GRUB's Multiboot2 hand-over"
	boot_expect '^iomedia vda3: partition 3, .* label nimbus-root$' "the root partition"
	boot_expect '^boot: complete$' "the boot-complete line"
	;;
77)
	BOOT_SKIP=$(sed -n 's/^SKIP: libvirt-run: //p' "$out" | head -n 1)
	BOOT_SKIP=${BOOT_SKIP:-libvirt cannot run here}
	;;
*)
	why=$(grep -m1 'FAILED' "$out" || tail -n 1 "$out")
	boot_fail "ci/libvirt-run failed (status $BOOT_STATUS): $why (see $out)"
	;;
esac
boot_finish
