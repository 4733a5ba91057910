#!/bin/sh
# ci/run-image.sh — boot the cloud image (build/nimbus.qcow2) in QEMU on this terminal, as a
# cloud would: firmware, then GRUB from the disk, then Nimbus through Multiboot2 (`make
# run-image`, `make run-image FIRMWARE=bios`). Ctrl-A X quits QEMU, Ctrl-A C the monitor.
#
# The one idea: nothing is passed to the kernel from outside the disk; the command line is the
# one in the image's grub.cfg (IMAGE_CMDLINE in config/image.mk).
#
# Devices, as a cloud VM has them: the image on virtio-blk, virtio-net on user networking,
# virtio-rng and a virtio console (hvc0, written to build/run/image-hvc0.log; the serial line
# is this terminal). UEFI is OVMF with a private copy of its variable store in build/run/;
# BIOS is QEMU's SeaBIOS. KVM when it works here (ci/qemu-accel.sh), TCG otherwise.
#
# Usage: ci/run-image.sh uefi|bios [IMAGE.qcow2]
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. ci/qemu-accel.sh

firmware=${1:-uefi}
image=${2:-build/nimbus.qcow2}
ovmf_code=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
ovmf_vars=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}

if [ ! -f "$image" ]; then
	echo "run-image: $image does not exist; run make image first" >&2
	exit 1
fi
mkdir -p build/run
case $firmware in
uefi)
	if [ ! -f "$ovmf_code" ] || [ ! -f "$ovmf_vars" ]; then
		echo "run-image: no OVMF at $ovmf_code (Debian package ovmf)" >&2
		exit 1
	fi
	cp "$ovmf_vars" build/run/image-vars.fd
	fw="-drive if=pflash,format=raw,readonly=on,file=$ovmf_code"
	fw="$fw -drive if=pflash,format=raw,file=build/run/image-vars.fd"
	;;
bios)
	fw=""
	;;
*)
	echo "run-image: FIRMWARE must be uefi or bios, not '$firmware'" >&2
	exit 1
	;;
esac

kvm_cpu=$(qemu_kvm_cpu)
if [ -n "$kvm_cpu" ]; then
	accel="-accel kvm -cpu $kvm_cpu"
else
	accel="-accel tcg -cpu max"
fi
if qemu_has_slirp; then
	net="-netdev user,id=net0"
else
	net="-netdev hubport,id=net0,hubid=0"
fi

# A NoCloud seed (make seed) as a second, read-only disk.
seed=""
if [ -n "${SEED:-}" ]; then
	[ -f "$SEED" ] || { echo "run-image: no seed at $SEED" >&2; exit 1; }
	seed="-drive file=$SEED,format=raw,if=none,id=seed0,readonly=on"
	seed="$seed -device virtio-blk-pci,drive=seed0"
fi

echo "run-image: $image, $firmware, ${accel#-accel }${SEED:+, seed $SEED}; Ctrl-A X quits" >&2
# shellcheck disable=SC2086 # $fw, $accel and $net are lists of words
exec "$QEMU" -M q35 -m 512M -smp 2 -nographic -vga none -serial mon:stdio $accel $fw \
	-drive file="$image",format=qcow2,if=none,id=disk0 -device virtio-blk-pci,drive=disk0 $seed \
	$net -device virtio-net-pci,netdev=net0,romfile= \
	-object rng-random,id=rng0,filename=/dev/urandom -device virtio-rng-pci,rng=rng0 \
	-device virtio-serial-pci,id=vser0 \
	-chardev file,id=hvc0,path=build/run/image-hvc0.log -device virtconsole,chardev=hvc0,bus=vser0.0
