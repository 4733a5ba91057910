#!/bin/sh
# ci/run-qemu.sh — boot Nimbus in QEMU on this terminal (`make run`). Ctrl-A X quits QEMU,
# Ctrl-A C switches to the QEMU monitor and back. (No iPXE ROM on virtio-net: it would
# only add a pause before the kernel.)
#
# The machine is the one the boot tests use (q35, 2 CPUs) with the devices ARCHITECTURE.md
# promises: virtio-blk on an ext2 root in build/run/ (busybox and config/rootfs, ci/mkroot.sh,
# made again when the kernel or config/rootfs changed), virtio-net, and a virtio console whose
# output goes to build/run/hvc0.log (the serial line stays the terminal's console). The kernel
# mounts the disk as root and busybox init starts a shell on the console; RUN_ROOT=none boots
# without it, into the kernel's debug shell. KVM when it works here (ci/qemu-accel.sh), TCG
# with every feature QEMU emulates otherwise.
#
# Usage: ci/run-qemu.sh [KERNEL.elf]; the command line is config/cmdline, root=/dev/vda
# (unless RUN_ROOT=none), plus $NIMBUS_APPEND.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. ci/qemu-accel.sh

elf=${1:-build/nimbus.elf}
if [ ! -f "$elf" ]; then
	echo "run-qemu: $elf does not exist; run make first" >&2
	exit 1
fi

# config/cmdline: one or more lines of key=value words; lines starting with # are comments.
cmdline=$(grep -v '^[[:space:]]*#' config/cmdline | tr '\n' ' ' | sed 's/  */ /g; s/ $//')
cmdline="$cmdline${NIMBUS_APPEND:+ $NIMBUS_APPEND}"

kvm_cpu=$(qemu_kvm_cpu)
if [ -n "$kvm_cpu" ] && [ "${RUN_ROOT:-disk}" != none ] && qemu_kvm_is_pvm; then
	echo "run-qemu: /dev/kvm is PVM, which cannot run the guest's user space: using TCG" >&2
	kvm_cpu=
fi
if [ -n "$kvm_cpu" ]; then
	accel="-accel kvm -cpu $kvm_cpu"
else
	accel="-accel tcg -cpu max"
fi

mkdir -p build/run
disk=build/run/disk.img
if [ "${RUN_ROOT:-disk}" != none ]; then
	# The root disk keeps what the guest writes until the kernel or config/rootfs change.
	if [ ! -f "$disk" ] || [ -n "$(find "$elf" config/rootfs -newer "$disk" | head -1)" ]; then
		rm -rf build/run/root "$disk"
		bash ci/mkroot.sh build/run/root >/dev/null
		truncate -s 64M "$disk"
		mke2fs -q -F -t ext2 -L nimbus-run -d build/run/root "$disk"
	fi
	cmdline="$cmdline root=/dev/vda"
elif [ ! -f "$disk" ]; then
	truncate -s 64M "$disk"
	mke2fs -q -F -t ext2 -L nimbus-run "$disk"
fi
if qemu_has_slirp; then
	net="-netdev user,id=net0"
else
	net="-netdev hubport,id=net0,hubid=0"
fi

echo "run-qemu: ${accel#-accel }, cmdline \"$cmdline\"; Ctrl-A X quits" >&2
# shellcheck disable=SC2086 # $accel and $net are lists of words
exec "$QEMU" -M q35 -m 512M -smp 2 -nographic -serial mon:stdio $accel \
	-kernel "$elf" -append "$cmdline" \
	-drive file="$disk",format=raw,if=none,id=disk0 -device virtio-blk-pci,drive=disk0 \
	$net -device virtio-net-pci,netdev=net0,romfile= \
	-device virtio-serial-pci,id=vser0 \
	-chardev file,id=hvc0,path=build/run/hvc0.log -device virtconsole,chardev=hvc0,bus=vser0.0
