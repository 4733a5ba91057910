#!/bin/bash
# multiboot2 — boot through GRUB and the kernel's Multiboot2 header, as the cloud image does: a
# rescue ISO (grub-mkrescue) whose grub.cfg loads build/nimbus.elf with `multiboot2`, booted
# with -cdrom and no -kernel; all self-tests must pass and the banner must say Multiboot2.
#
# TCG on purpose: on nested KVM (this project's CI machines) GRUB's real-mode BIOS calls cost a
# VM exit each, and the boot took 21-35 s under KVM against 0.4 s under TCG.
. "$(dirname "$0")/lib.sh"
boot_scenario multiboot2
BOOT_ACCEL=tcg
BOOT_TIMEOUT=60

iso_root=$BOOT_WORKDIR/multiboot2.d
BOOT_CDROM=$BOOT_WORKDIR/multiboot2.iso
rm -rf "$iso_root" "$BOOT_CDROM"
mkdir -p "$iso_root/boot/grub"
if [ -f "$BOOT_ELF" ]; then
	cp "$BOOT_ELF" "$iso_root/boot/nimbus.elf"
	printf 'set timeout=0\nmultiboot2 /boot/nimbus.elf ktest=all\nboot\n' \
		>"$iso_root/boot/grub/grub.cfg"
	# Only the modules grub.cfg needs: the ISO is built in a fifth of the time.
	mkrescue_log=$BOOT_WORKDIR/multiboot2.mkrescue.log
	# -d: the BIOS platform only; with grub-xen-bin installed (the Xen scenario wants it)
	# grub-mkrescue would also try, and fail, to build the Xen platforms.
	if ! timeout 60 grub-mkrescue -d /usr/lib/grub/i386-pc \
		--install-modules="multiboot2 normal" --fonts= --locales= \
		--themes= -o "$BOOT_CDROM" "$iso_root" >"$mkrescue_log" 2>&1; then
		boot_fail "grub-mkrescue failed: $(tail -n 1 "$mkrescue_log")"
		boot_finish
	fi
else
	boot_fail "no kernel at $BOOT_ELF (did the build fail?)"
	boot_finish
fi
boot_run
boot_expect '^boot: Multiboot2' "the banner line 'boot: Multiboot2'"
boot_finish
